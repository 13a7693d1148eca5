/* dta.c — Stata files through ReadStat's callback parser; see dta.h. */
#include "dta.h"
#include <errno.h>
#include <math.h>
#include <readstat.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

typedef struct {
  tfp_frame *f;
  long nrow;
  int nvar;
  int failed;     /* inside a callback: TFP_ENOMEM or TFP_EDATA, with msg */
  const char *path;
  double file_size;
  double row_width;   /* bytes per row of the variables seen so far */
  char msg[256];
} dta_ctx;

static int fail(dta_ctx *ctx, int status, const char *fmt, ...) {
  va_list ap;
  va_start(ap, fmt);
  ctx->failed = status;
  vsnprintf(ctx->msg, sizeof ctx->msg, fmt, ap);
  va_end(ap);
  return READSTAT_HANDLER_ABORT;
}

/* The header's sizes must fit the file: each value takes at least one byte
   (a row at least one per variable), so a header declaring a billion rows in
   a small file is corrupt, and nothing is allocated for it. */
static int too_big(dta_ctx *ctx, double row_width) {
  return ctx->nrow > 0 && row_width > 0 && (double)ctx->nrow * row_width > ctx->file_size;
}

static int on_metadata(readstat_metadata_t *m, void *ctx_) {
  dta_ctx *ctx = ctx_;
  ctx->nrow = readstat_get_row_count(m);
  ctx->nvar = readstat_get_var_count(m);
  if (ctx->nrow < 0)   /* rows unknown: refuse rather than guess */
    return fail(ctx, TFP_EDATA, "%s: not a readable Stata file: the header states no valid number of rows", ctx->path);
  if (ctx->nvar < 0 || too_big(ctx, ctx->nvar))
    return fail(ctx, TFP_EDATA, "%s: not a readable Stata file: corrupt header: it declares %ld rows of %d variables, more than the "
                "file's %.0f bytes can hold", ctx->path, ctx->nrow, ctx->nvar, ctx->file_size);
  ctx->f = tfp_frame_create((size_t)ctx->nrow);
  return ctx->f ? READSTAT_HANDLER_OK : fail(ctx, TFP_ENOMEM, "%s: out of memory", ctx->path);
}

static int on_variable(int index, readstat_variable_t *v, const char *val_labels, void *ctx_) {
  (void)val_labels;
  dta_ctx *ctx = ctx_;
  size_t n = (size_t)ctx->nrow;
  const char *name = readstat_variable_get_name(v);
  if (!ctx->f || index < 0 || (size_t)index != ctx->f->ncol)
    return fail(ctx, TFP_EDATA, "%s: not a readable Stata file: corrupt file: variable %d out of order", ctx->path, index + 1);
  if (!name || !*name)
    return fail(ctx, TFP_EDATA, "%s: not a readable Stata file: corrupt file: variable %d has no name", ctx->path, index + 1);
  if (tfp_frame_find(ctx->f, name) >= 0)
    return fail(ctx, TFP_EDATA, "%s: not a readable Stata file: corrupt file: two variables are named '%s'", ctx->path, name);
  size_t width = readstat_variable_get_storage_width(v);
  ctx->row_width += width ? (double)width : 1;
  if (too_big(ctx, ctx->row_width))
    return fail(ctx, TFP_EDATA, "%s: not a readable Stata file: corrupt header: it declares %ld rows of %.0f bytes, more than the file's "
                "%.0f bytes can hold", ctx->path, ctx->nrow, ctx->row_width, ctx->file_size);
  int j;
  if (readstat_variable_get_type_class(v) == READSTAT_TYPE_CLASS_STRING) {
    char **s = calloc(n ? n : 1, sizeof *s);
    j = s ? tfp_frame_add_str(ctx->f, name, s) : -1;
  } else {
    double *d = malloc((n ? n : 1) * sizeof *d);
    if (d) for (size_t i = 0; i < n; i++) d[i] = NAN;
    j = d ? tfp_frame_add_num(ctx->f, name, d) : -1;
  }
  /* Variables arrive in file order, so frame column j is variable index. */
  if (j != index) return fail(ctx, TFP_ENOMEM, "%s: out of memory", ctx->path);
  const char *label = readstat_variable_get_label(v);
  if (label && *label && tfp_frame_set_label(ctx->f, j, label) != TFP_OK)
    return fail(ctx, TFP_ENOMEM, "%s: out of memory", ctx->path);
  return READSTAT_HANDLER_OK;
}

static int on_value(int obs, readstat_variable_t *v, readstat_value_t value, void *ctx_) {
  dta_ctx *ctx = ctx_;
  int j = readstat_variable_get_index(v);
  if (!ctx->f || obs < 0 || obs >= ctx->nrow || j < 0 || (size_t)j >= ctx->f->ncol) return READSTAT_HANDLER_ABORT;
  tfp_column *c = &ctx->f->col[j];
  if (c->type == TFP_STR) {
    const char *s = readstat_string_value(value);
    free(c->str[obs]);   /* a corrupt file may give a value twice */
    c->str[obs] = NULL;
    if (s && *s && !(c->str[obs] = strdup(s))) return fail(ctx, TFP_ENOMEM, "%s: out of memory", ctx->path);
  } else if (!readstat_value_is_missing(value, v)) {
    c->num[obs] = readstat_double_value(value);
  }
  return READSTAT_HANDLER_OK;
}

/* In-memory input for ReadStat's parser (tfp_dta_parse). */
typedef struct { const unsigned char *data; size_t size, pos; } mem_io;

static int mem_open(const char *path, void *io) { (void)path; ((mem_io *)io)->pos = 0; return 0; }
static int mem_close(void *io) { (void)io; return 0; }

static readstat_off_t mem_seek(readstat_off_t offset, readstat_io_flags_t whence, void *io_) {
  mem_io *io = io_;
  readstat_off_t base = whence == READSTAT_SEEK_SET ? 0 : whence == READSTAT_SEEK_CUR ? (readstat_off_t)io->pos
                                                                                      : (readstat_off_t)io->size;
  if (offset > (readstat_off_t)io->size || offset < -(readstat_off_t)io->size) return -1;
  readstat_off_t to = base + offset;
  if (to < 0 || to > (readstat_off_t)io->size) return -1;
  io->pos = (size_t)to;
  return to;
}

static ssize_t mem_read(void *buf, size_t nbyte, void *io_) {
  mem_io *io = io_;
  size_t n = io->size - io->pos < nbyte ? io->size - io->pos : nbyte;
  if (n) memcpy(buf, io->data + io->pos, n);
  io->pos += n;
  return (ssize_t)n;
}

static readstat_error_t mem_update(long file_size, readstat_progress_handler progress, void *user_ctx, void *io) {
  (void)file_size; (void)progress; (void)user_ctx; (void)io;
  return READSTAT_OK;
}

/* Parse with the parser p (its input set up), then report as tfp_dta_read. */
static int parse(readstat_parser_t *p, const char *name, double size, tfp_frame **out, char *err, size_t errlen) {
  dta_ctx ctx = {0};
  ctx.path = name;
  ctx.file_size = size;
  readstat_set_metadata_handler(p, on_metadata);
  readstat_set_variable_handler(p, on_variable);
  readstat_set_value_handler(p, on_value);
  readstat_error_t e = readstat_parse_dta(p, name, &ctx);
  readstat_parser_free(p);
  if (e != READSTAT_OK || ctx.failed || !ctx.f) {
    if (ctx.failed) snprintf(err, errlen, "%s", ctx.msg);
    else if (e == READSTAT_OK) snprintf(err, errlen, "%s: the file does not state its number of rows", name);
    else snprintf(err, errlen, "%s: not a readable Stata file: %s", name, readstat_error_message(e));
    tfp_frame_free(ctx.f);
    return ctx.failed ? ctx.failed : TFP_EDATA;
  }
  *out = ctx.f;
  return TFP_OK;
}

int tfp_dta_parse(const void *data, size_t size, const char *name, tfp_frame **out, char *err, size_t errlen) {
  *out = NULL;
  mem_io io = {data, size, 0};
  readstat_parser_t *p = readstat_parser_init();
  if (!p) { snprintf(err, errlen, "%s: out of memory", name); return TFP_ENOMEM; }
  readstat_set_open_handler(p, mem_open);
  readstat_set_close_handler(p, mem_close);
  readstat_set_seek_handler(p, mem_seek);
  readstat_set_read_handler(p, mem_read);
  readstat_set_update_handler(p, mem_update);
  readstat_set_io_ctx(p, &io);
  return parse(p, name, (double)size, out, err, errlen);
}

int tfp_dta_read(const char *path, tfp_frame **out, char *err, size_t errlen) {
  *out = NULL;
  struct stat st;
  if (stat(path, &st) != 0) {
    snprintf(err, errlen, "%s: %s", path, strerror(errno));
    return TFP_EIO;
  }
  if (!S_ISREG(st.st_mode)) {
    snprintf(err, errlen, "%s: not a regular file", path);
    return TFP_EIO;
  }
  readstat_parser_t *p = readstat_parser_init();
  if (!p) { snprintf(err, errlen, "%s: out of memory", path); return TFP_ENOMEM; }
  return parse(p, path, (double)st.st_size, out, err, errlen);
}
