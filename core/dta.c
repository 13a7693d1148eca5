/* dta.c — Stata files through ReadStat's callback parser; see dta.h. */
#include "dta.h"
#include <math.h>
#include <readstat.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

/* One value label: set name, value, label (value labels come after the data
   in a .dta, so columns are converted once the whole file is read). */
typedef struct { char *set; double value; char *label; } dta_label;

typedef struct {
  tfp_frame *f;
  long nrow;
  int nvar;
  int failed;     /* out of memory inside a callback */
  int interrupted;   /* progress asked to stop */
  tfp_progress_fn progress;
  void *progress_ud;
  size_t n_values;
  int value_labels;
  char **set_of;  /* nvar: each variable's label set name, or NULL */
  dta_label *labels;
  size_t n_labels, cap_labels;
} dta_ctx;

static int on_metadata(readstat_metadata_t *m, void *ctx_) {
  dta_ctx *ctx = ctx_;
  ctx->nrow = readstat_get_row_count(m);
  ctx->nvar = readstat_get_var_count(m);
  if (ctx->nrow < 0) return READSTAT_HANDLER_ABORT;   /* rows unknown: refuse rather than guess */
  ctx->f = tfp_frame_create((size_t)ctx->nrow);
  ctx->set_of = ctx->nvar > 0 ? calloc((size_t)ctx->nvar, sizeof *ctx->set_of) : NULL;
  if (!ctx->f || (ctx->nvar > 0 && !ctx->set_of)) return (ctx->failed = 1, READSTAT_HANDLER_ABORT);
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
    if (!l) return (ctx->failed = 1, READSTAT_HANDLER_ABORT);
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
    return (ctx->failed = 1, READSTAT_HANDLER_ABORT);
  }
  ctx->n_labels++;
  return READSTAT_HANDLER_OK;
}

static int on_variable(int index, readstat_variable_t *v, const char *val_labels, void *ctx_) {
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
    if (j >= 0 && val_labels && *val_labels && ctx->value_labels && j < ctx->nvar &&
        !(ctx->set_of[j] = strdup(val_labels))) {
      ctx->failed = 1;
      return READSTAT_HANDLER_ABORT;
    }
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
  if (ctx->progress && ++ctx->n_values % 65536 == 0 &&
      ctx->progress(ctx->progress_ud, "reading", (size_t)obs, (size_t)ctx->nrow))
    return (ctx->interrupted = 1, READSTAT_HANDLER_ABORT);
  tfp_column *c = &ctx->f->col[j];
  if (c->type == TFP_STR) {
    const char *s = readstat_string_value(value);
    if (s && *s && !(c->str[obs] = strdup(s))) { ctx->failed = 1; return READSTAT_HANDLER_ABORT; }
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

int tfp_dta_read(const char *path, tfp_frame **out, char *err, size_t errlen) {
  return tfp_dta_read_opts(path, NULL, out, err, errlen);
}

int tfp_dta_read_opts(const char *path, const tfp_dta_opts *o, tfp_frame **out, char *err, size_t errlen) {
  dta_ctx ctx = {0};
  tfp_dta_opts def;
  if (!o) { tfp_dta_opts_init(&def); o = &def; }
  ctx.value_labels = o->value_labels;
  ctx.progress = o->progress;
  ctx.progress_ud = o->progress_ud;
  *out = NULL;
  readstat_parser_t *p = readstat_parser_init();
  if (!p) { snprintf(err, errlen, "%s: out of memory", path); return TFP_ENOMEM; }
  readstat_set_metadata_handler(p, on_metadata);
  readstat_set_variable_handler(p, on_variable);
  readstat_set_value_handler(p, on_value);
  readstat_set_value_label_handler(p, on_value_label);
  readstat_error_t e = readstat_parse_dta(p, path, &ctx);
  readstat_parser_free(p);
  if (e == READSTAT_OK && !ctx.failed && ctx.f && apply_labels(&ctx) != TFP_OK) ctx.failed = 1;
  free_ctx_labels(&ctx);
  if (ctx.interrupted) {
    tfp_frame_free(ctx.f);
    return tfp_error(err, errlen, TFP_EINTR, "%s: interrupted", path);
  }
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
