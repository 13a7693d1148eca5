/* dta.c — Stata files through ReadStat's callback parser; see dta.h. */
#include "dta.h"
#include <math.h>
#include <readstat.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

typedef struct {
  tfp_frame *f;
  long nrow;
  int nvar;
  int failed;     /* out of memory inside a callback */
} dta_ctx;

static int on_metadata(readstat_metadata_t *m, void *ctx_) {
  dta_ctx *ctx = ctx_;
  ctx->nrow = readstat_get_row_count(m);
  ctx->nvar = readstat_get_var_count(m);
  if (ctx->nrow < 0) return READSTAT_HANDLER_ABORT;   /* rows unknown: refuse rather than guess */
  ctx->f = tfp_frame_create((size_t)ctx->nrow);
  return ctx->f ? READSTAT_HANDLER_OK : (ctx->failed = 1, READSTAT_HANDLER_ABORT);
}

static int on_variable(int index, readstat_variable_t *v, const char *val_labels, void *ctx_) {
  (void)val_labels;
  dta_ctx *ctx = ctx_;
  size_t n = (size_t)ctx->nrow;
  const char *name = readstat_variable_get_name(v);
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
  if (j != index) { ctx->failed = 1; return READSTAT_HANDLER_ABORT; }
  const char *label = readstat_variable_get_label(v);
  if (label && *label && tfp_frame_set_label(ctx->f, j, label) != TFP_OK) {
    ctx->failed = 1;
    return READSTAT_HANDLER_ABORT;
  }
  return READSTAT_HANDLER_OK;
}

static int on_value(int obs, readstat_variable_t *v, readstat_value_t value, void *ctx_) {
  dta_ctx *ctx = ctx_;
  int j = readstat_variable_get_index(v);
  if (obs < 0 || obs >= ctx->nrow || j < 0 || (size_t)j >= ctx->f->ncol) return READSTAT_HANDLER_ABORT;
  tfp_column *c = &ctx->f->col[j];
  if (c->type == TFP_STR) {
    const char *s = readstat_string_value(value);
    if (s && *s && !(c->str[obs] = strdup(s))) { ctx->failed = 1; return READSTAT_HANDLER_ABORT; }
  } else if (!readstat_value_is_missing(value, v)) {
    c->num[obs] = readstat_double_value(value);
  }
  return READSTAT_HANDLER_OK;
}

int tfp_dta_read(const char *path, tfp_frame **out, char *err, size_t errlen) {
  dta_ctx ctx = {0};
  *out = NULL;
  readstat_parser_t *p = readstat_parser_init();
  if (!p) { snprintf(err, errlen, "%s: out of memory", path); return TFP_ENOMEM; }
  readstat_set_metadata_handler(p, on_metadata);
  readstat_set_variable_handler(p, on_variable);
  readstat_set_value_handler(p, on_value);
  readstat_error_t e = readstat_parse_dta(p, path, &ctx);
  readstat_parser_free(p);
  if (e != READSTAT_OK || ctx.failed || !ctx.f) {
    if (ctx.failed) snprintf(err, errlen, "%s: out of memory", path);
    else if (e == READSTAT_OK) snprintf(err, errlen, "%s: the file does not state its number of rows", path);
    else snprintf(err, errlen, "%s: not a readable Stata file: %s", path, readstat_error_message(e));
    tfp_frame_free(ctx.f);
    return ctx.failed ? TFP_ENOMEM : TFP_EDATA;
  }
  *out = ctx.f;
  return TFP_OK;
}
