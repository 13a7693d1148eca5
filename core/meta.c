/* meta.c — group frontiers and the metafrontier (see meta.h). */
#include "meta.h"

#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

void tfp_meta_opts_init(tfp_meta_opts *o) {
  memset(o, 0, sizeof *o);
  o->rts = TFP_RTS_CRS;
  o->orientation = TFP_DEA_INPUT;
}

void tfp_meta_result_clear(tfp_meta_result *res) {
  if (!res) return;
  free(res->group_eff); free(res->meta_eff); free(res->tgr);
  free(res->group_beta); free(res->meta_beta);
  memset(res, 0, sizeof *res);
}

/* The one place that frees a DEA result (its name is changing in core). */
static void dea_done(tfp_dea_result *r) { tfp_dea_result_clear(r); }

typedef struct { const tfp_rows *base; const size_t *rows; } sub_namer;

static void sub_label(const void *ud, size_t j, char *buf, size_t len) {
  const sub_namer *s = ud;
  tfp_row_label(s->base, s->rows[j], buf, len);
}

/* Scores of the units rows[0..m-1] (all when rows is NULL) against their own
   frontier, into eff (and beta) at those rows. */
static int score(const tfp_green_data *d, const size_t *rows, size_t m, const tfp_meta_opts *o,
                 double *buf, const double **ptr, double *eff, double *beta, tfp_meta_result *res,
                 char *err, size_t errlen) {
  size_t n_var = d->n_in + d->n_out + d->n_bad;
  for (size_t v = 0; v < n_var; v++) {
    const double *src = tfp_green_var(d, v);
    double *dst = buf + v * m;
    for (size_t j = 0; j < m; j++) dst[j] = src[rows ? rows[j] : j];
    ptr[v] = dst;
  }
  sub_namer sn = { &o->rows, rows };
  tfp_rows names = rows ? (tfp_rows){ sub_label, &sn } : o->rows;
  int rc;
  if (o->model == TFP_META_RADIAL) {
    tfp_dea_data dd = { m, d->n_in, d->n_out, ptr, ptr + d->n_in, d->x_names, d->y_names };
    tfp_dea_opts dopt;
    tfp_dea_opts_init(&dopt);
    dopt.rts = o->rts;
    dopt.orientation = o->orientation;
    dopt.rows = names;
    dopt.progress = o->progress;
    dopt.progress_ud = o->progress_ud;
    tfp_dea_result r;
    rc = tfp_dea_run(&dd, NULL, &dopt, &r, err, errlen);
    if (rc) return rc;
    for (size_t j = 0; j < m; j++) eff[rows ? rows[j] : j] = r.eff[j];
    res->n_lp += r.n_lp; res->n_infeasible += r.n_infeasible; res->n_failed += r.n_failed;
    dea_done(&r);
    return TFP_OK;
  }
  tfp_green_data g = { m, d->n_in, d->n_out, d->n_bad, ptr, ptr + d->n_in,
                       d->n_bad ? ptr + d->n_in + d->n_out : NULL, d->x_names, d->y_names, d->b_names };
  tfp_ddf_opts dopt;
  tfp_ddf_opts_init(&dopt);
  dopt.vrs = o->rts == TFP_RTS_VRS;
  dopt.progress = o->progress;
  dopt.progress_ud = o->progress_ud;
  dopt.split = o->split;
  tfp_ddf_result r;
  rc = tfp_ddf_run(&g, NULL, NULL, &dopt, &names, &r, err, errlen);
  if (rc) return rc;
  for (size_t j = 0; j < m; j++) {
    size_t i = rows ? rows[j] : j;
    beta[i] = r.beta[j];
    eff[i] = 1.0 / (1.0 + r.beta[j]);
  }
  res->n_lp += r.stats.n_lp; res->n_infeasible += r.stats.n_infeasible; res->n_failed += r.stats.n_failed;
  tfp_ddf_result_clear(&r);
  return TFP_OK;
}

int tfp_meta_run(const tfp_green_data *d, const int *group, size_t n_groups, const tfp_meta_opts *opts,
                 tfp_meta_result *res, char *err, size_t errlen) {
  tfp_meta_opts defaults;
  tfp_meta_opts_init(&defaults);
  const tfp_meta_opts *o = opts ? opts : &defaults;
  if (!res) { tfp_error(err, errlen, 0, "no result given"); return TFP_EINVAL; }
  memset(res, 0, sizeof *res);
  if (!d || !group) { tfp_error(err, errlen, 0, "the metafrontier needs data and groups"); return TFP_EINVAL; }
  if (o->model == TFP_META_RADIAL && d->n_bad) {
    tfp_error(err, errlen, 0, "the radial model takes no bad outputs (use the directional model)");
    return TFP_EINVAL;
  }
  if (o->model == TFP_META_DDF && o->rts != TFP_RTS_CRS && o->rts != TFP_RTS_VRS) {
    tfp_error(err, errlen, 0, "the directional metafrontier takes CRS or VRS");
    return TFP_EINVAL;
  }
  size_t n = d->n, nn = n ? n : 1, n_var = d->n_in + d->n_out + d->n_bad;
  char rb[256];
  for (size_t i = 0; i < n; i++)
    if (group[i] < 0 || (size_t)group[i] >= n_groups) {
      tfp_error(err, errlen, 0, "group, %s: missing value", tfp_row_label(&o->rows, i, rb, sizeof rb));
      return TFP_EDATA;
    }
  int rc = tfp_green_check(d, 0, o->model == TFP_META_RADIAL ? "DEA" : "DDF", "", &o->rows, err, errlen);
  if (rc) return rc;
  res->n = n;
  res->n_groups = n_groups;
  res->group_eff = malloc(nn * sizeof *res->group_eff);
  res->meta_eff = malloc(nn * sizeof *res->meta_eff);
  res->tgr = malloc(nn * sizeof *res->tgr);
  if (o->model == TFP_META_DDF) {
    res->group_beta = malloc(nn * sizeof *res->group_beta);
    res->meta_beta = malloc(nn * sizeof *res->meta_beta);
  }
  double *buf = malloc(nn * n_var * sizeof *buf);
  const double **ptr = malloc(n_var * sizeof *ptr);
  size_t *rows = malloc(nn * sizeof *rows);
  if (!res->group_eff || !res->meta_eff || !res->tgr || !buf || !ptr || !rows ||
      (o->model == TFP_META_DDF && (!res->group_beta || !res->meta_beta))) {
    rc = TFP_ENOMEM;
    tfp_error(err, errlen, 0, "out of memory for a metafrontier on %zu units", n);
    goto done;
  }
  for (size_t g = 0; g < n_groups && !rc; g++) {
    size_t m = 0;
    for (size_t i = 0; i < n; i++)
      if ((size_t)group[i] == g) rows[m++] = i;
    if (m == 0) continue;
    char sub[512] = "";
    rc = score(d, rows, m, o, buf, ptr, res->group_eff, res->group_beta, res, sub, sizeof sub);
    if (rc) {
      if (o->group_names && o->group_names[g])
        tfp_error(err, errlen, 0, "group '%s': %s", o->group_names[g], sub);
      else
        tfp_error(err, errlen, 0, "group %zu: %s", g + 1, sub);
    }
  }
  if (!rc) rc = score(d, NULL, n, o, buf, ptr, res->meta_eff, res->meta_beta, res, err, errlen);
  if (!rc)
    for (size_t i = 0; i < n; i++) res->tgr[i] = res->meta_eff[i] / res->group_eff[i];
done:
  free(buf); free(ptr); free(rows);
  if (rc) tfp_meta_result_clear(res);
  return rc;
}
