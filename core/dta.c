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

/* One value label: set name, value, label (value labels come after the data
   in a .dta, so columns are converted once the whole file is read). */
typedef struct { char *set; double value; char *label; } dta_label;

typedef struct {
  tfp_frame *f;
  long nrow;
  int nvar;
  int interrupted;   /* progress asked to stop */
  tfp_progress_fn progress;
  void *progress_ud;
  size_t n_values;
  int value_labels;
  size_t label_name_width;
  char **set_of;  /* nvar: each variable's label set name, or NULL */
  dta_label *labels;
  size_t n_labels, cap_labels;
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
  /* A value-label set's name is a fixed-width field (9, 33 or 129 bytes by
     format version: Stata 7 widened them) that ReadStat passes as is: a corrupt file need not
     end it with a NUL, so it is read to the field's width at most. */
  int version = readstat_get_file_format_version(m);
  ctx->label_name_width = version < 110 ? 9 : version < 118 ? 33 : 129;
  if (ctx->nrow < 0)   /* rows unknown: refuse rather than guess */
    return fail(ctx, TFP_EDATA, "%s: not a readable Stata file: the header states no valid number of rows", ctx->path);
  if (ctx->nvar < 0 || too_big(ctx, ctx->nvar))
    return fail(ctx, TFP_EDATA, "%s: not a readable Stata file: corrupt header: it declares %ld rows of %d variables, more than the "
                "file's %.0f bytes can hold", ctx->path, ctx->nrow, ctx->nvar, ctx->file_size);
  ctx->f = tfp_frame_create((size_t)ctx->nrow);
  ctx->set_of = ctx->nvar > 0 ? calloc((size_t)ctx->nvar, sizeof *ctx->set_of) : NULL;
  if (!ctx->f || (ctx->nvar > 0 && !ctx->set_of)) return fail(ctx, TFP_ENOMEM, "%s: out of memory", ctx->path);
  return READSTAT_HANDLER_OK;
}

static int on_value_label(const char *set, readstat_value_t value, const char *label, void *ctx_) {
  dta_ctx *ctx = ctx_;
  if (!ctx->value_labels || !set || !label || readstat_value_is_missing(value, NULL) ||
      readstat_value_type_class(value) != READSTAT_TYPE_CLASS_NUMERIC)
    return READSTAT_HANDLER_OK;
  if (ctx->n_labels == ctx->cap_labels) {
    size_t cap = ctx->cap_labels ? 2 * ctx->cap_labels : 64;
    dta_label *l = realloc(ctx->labels, cap * sizeof *l);
    if (!l) return fail(ctx, TFP_ENOMEM, "%s: out of memory", ctx->path);
    ctx->labels = l;
    ctx->cap_labels = cap;
  }
  dta_label *l = &ctx->labels[ctx->n_labels];
  l->set = strdup(set);
  l->label = strdup(label);
  l->value = readstat_double_value(value);
  if (!l->set || !l->label) {
    free(l->set);
    free(l->label);
    return fail(ctx, TFP_ENOMEM, "%s: out of memory", ctx->path);
  }
  ctx->n_labels++;
  return READSTAT_HANDLER_OK;
}

static int on_variable(int index, readstat_variable_t *v, const char *val_labels, void *ctx_) {
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
  if (val_labels && *val_labels && ctx->value_labels && j < ctx->nvar &&
      !(ctx->set_of[j] = strndup(val_labels, strnlen(val_labels, ctx->label_name_width))))
    return fail(ctx, TFP_ENOMEM, "%s: out of memory", ctx->path);
  const char *label = readstat_variable_get_label(v);
  if (label && *label && tfp_frame_set_label(ctx->f, j, label) != TFP_OK)
    return fail(ctx, TFP_ENOMEM, "%s: out of memory", ctx->path);
  return READSTAT_HANDLER_OK;
}

static int on_value(int obs, readstat_variable_t *v, readstat_value_t value, void *ctx_) {
  dta_ctx *ctx = ctx_;
  int j = readstat_variable_get_index(v);
  if (!ctx->f || obs < 0 || obs >= ctx->nrow || j < 0 || (size_t)j >= ctx->f->ncol) return READSTAT_HANDLER_ABORT;
  if (ctx->progress && ++ctx->n_values % 65536 == 0 &&
      ctx->progress(ctx->progress_ud, "reading", (size_t)obs, (size_t)ctx->nrow))
    return (ctx->interrupted = 1, READSTAT_HANDLER_ABORT);
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

static int cmp_label(const void *a, const void *b) {
  const dta_label *x = a, *y = b;
  int c = strcmp(x->set, y->set);
  if (c) return c;
  return x->value < y->value ? -1 : x->value > y->value;
}

/* The label of value x in set, or NULL (labels sorted by set, then value). */
static const char *find_label(const dta_ctx *ctx, const char *set, double x) {
  if (ctx->n_labels == 0) return NULL;   /* bsearch must not be given NULL */
  dta_label key = {(char *)set, x, NULL};
  const dta_label *l = bsearch(&key, ctx->labels, ctx->n_labels, sizeof key, cmp_label);
  return l ? l->label : NULL;
}

/* Labelled numeric columns become string columns of their labels. */
static int apply_labels(dta_ctx *ctx) {
  if (ctx->n_labels) qsort(ctx->labels, ctx->n_labels, sizeof *ctx->labels, cmp_label);
  size_t n = (size_t)ctx->nrow;
  for (int j = 0; j < ctx->nvar && (size_t)j < ctx->f->ncol; j++) {
    tfp_column *c = &ctx->f->col[j];
    if (!ctx->set_of[j] || c->type != TFP_NUM) continue;
    char **s = calloc(n ? n : 1, sizeof *s);
    if (!s) return TFP_ENOMEM;
    for (size_t i = 0; i < n; i++) {
      if (isnan(c->num[i])) continue;
      const char *lab = find_label(ctx, ctx->set_of[j], c->num[i]);
      char buf[32];
      if (!lab) { snprintf(buf, sizeof buf, "%.15g", c->num[i]); lab = buf; }
      if (!(s[i] = strdup(lab))) { tfp_column_free_str(s, n); return TFP_ENOMEM; }
    }
    free(c->num);
    c->num = NULL;
    c->str = s;
    c->type = TFP_STR;
  }
  return TFP_OK;
}

static void free_ctx_labels(dta_ctx *ctx) {
  for (size_t k = 0; k < ctx->n_labels; k++) {
    free(ctx->labels[k].set);
    free(ctx->labels[k].label);
  }
  free(ctx->labels);
  for (int j = 0; ctx->set_of && j < ctx->nvar; j++) free(ctx->set_of[j]);
  free(ctx->set_of);
}

void tfp_dta_opts_init(tfp_dta_opts *o) { memset(o, 0, sizeof *o); o->value_labels = 1; }

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
static int parse(readstat_parser_t *p, const char *name, double size, const tfp_dta_opts *o,
                 tfp_frame **out, char *err, size_t errlen) {
  dta_ctx ctx = {0};
  tfp_dta_opts def;
  if (!o) { tfp_dta_opts_init(&def); o = &def; }
  ctx.value_labels = o->value_labels;
  ctx.progress = o->progress;
  ctx.progress_ud = o->progress_ud;
  ctx.path = name;
  ctx.file_size = size;
  readstat_set_metadata_handler(p, on_metadata);
  readstat_set_variable_handler(p, on_variable);
  readstat_set_value_handler(p, on_value);
  readstat_set_value_label_handler(p, on_value_label);
  readstat_error_t e = readstat_parse_dta(p, name, &ctx);
  readstat_parser_free(p);
  if (e == READSTAT_OK && !ctx.failed && ctx.f && apply_labels(&ctx) != TFP_OK)
    fail(&ctx, TFP_ENOMEM, "%s: out of memory", name);
  free_ctx_labels(&ctx);
  if (ctx.interrupted) {
    tfp_frame_free(ctx.f);
    return tfp_error(err, errlen, TFP_EINTR, "%s: interrupted", name);
  }
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
  return parse(p, name, (double)size, NULL, out, err, errlen);
}

int tfp_dta_read(const char *path, tfp_frame **out, char *err, size_t errlen) {
  return tfp_dta_read_opts(path, NULL, out, err, errlen);
}

int tfp_dta_read_opts(const char *path, const tfp_dta_opts *o, tfp_frame **out, char *err, size_t errlen) {
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
  return parse(p, path, (double)st.st_size, o, out, err, errlen);
}
