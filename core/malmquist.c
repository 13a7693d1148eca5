/* malmquist.c — DEA-Malmquist indexes on a panel (see malmquist.h). */
#include "malmquist.h"
#include "sort.h"

#include <math.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

static const char *const component_names[TFP_MQ_NCOMP] = {
  "effch", "techch", "pech", "sech", "tfpch"
};

const char *tfp_malmquist_component(int k) {
  return k >= 0 && k < TFP_MQ_NCOMP ? component_names[k] : NULL;
}

void tfp_malmquist_opts_init(tfp_malmquist_opts *o) {
  memset(o, 0, sizeof *o);
  o->orientation = TFP_DEA_OUTPUT;
  o->warm_start = 1;
  o->screen = 1;
  o->id_name = "id";
  o->time_name = "time";
}

void tfp_malmquist_result_free(tfp_malmquist_result *res) {
  if (!res) return;
  free(res->period); free(res->period_of); free(res->order);
  free(res->crs_tm1); free(res->crs_t); free(res->crs_tp1); free(res->vrs_t);
  free(res->glob_crs); free(res->glob_vrs);
  free(res->tfp); free(res->tech); free(res->eff);
  for (int k = 0; k < TFP_MQ_NCOMP; k++) {
    free(res->change[k]); free(res->period_mean[k]); free(res->unit_mean[k]);
  }
  memset(res, 0, sizeof *res);
}


static int cmp_double(const void *a, const void *b) {
  double x = *(const double *)a, y = *(const double *)b;
  return (x > y) - (x < y);
}

static double *nan_array(size_t n) {
  double *v = malloc((n ? n : 1) * sizeof *v);
  if (v) for (size_t i = 0; i < n; i++) v[i] = NAN;
  return v;
}

/* The DEA runs' questions to progress, asked as the Malmquist's own (periods
   done of all): one period can be thousands of LPs. */
typedef struct { const tfp_malmquist_opts *o; size_t done, n_per; } mq_progress;

static int forward_progress(void *ud, const char *what, size_t done, size_t total) {
  const mq_progress *m = ud;
  (void)what; (void)done; (void)total;
  return m->o->progress(m->o->progress_ud, "malmquist", m->done, m->n_per);
}

/* Scores of period `ev`'s units against period `rf`'s technology of kind
   `kind` (frontier.h; its own block: the own technology), written into
   out[] at those units' rows. sorted: every row's data in period order. */
static int solve_pair(const tfp_dea_data *pd, const tfp_dea_data *sorted, const size_t *off,
                      size_t n_per, const size_t *rows, size_t ev, size_t rf, tfp_reference kind,
                      tfp_dea_rts rts, const tfp_malmquist_opts *o, mq_progress *mp, double *out,
                      tfp_malmquist_result *res, char *err, size_t errlen) {
  tfp_dea_opts dopt;
  tfp_dea_opts_init(&dopt);
  dopt.rts = rts;
  dopt.orientation = o->orientation;
  dopt.warm_start = o->warm_start;
  dopt.screen = o->screen;
  if (o->progress) { dopt.progress = forward_progress; dopt.progress_ud = mp; }
  size_t b, e, n_var = sorted->n_in + sorted->n_out;
  tfp_reference_span(kind, off, n_per, rf, &b, &e);
  const double **ptr = NULL;
  tfp_dea_data view;
  const tfp_dea_data *ref = NULL;   /* own technology */
  if (!(b == off[ev] && e == off[ev + 1])) {
    if (!(ptr = malloc(n_var * sizeof *ptr)))
      return tfp_error(err, errlen, TFP_ENOMEM, "out of memory for a Malmquist index");
    tfp_reference_view(sorted, b, e, ptr, &view);
    ref = &view;
  }
  tfp_dea_result r;
  int rc = tfp_dea_run(&pd[ev], ref, &dopt, &r, err, errlen);
  free(ptr);
  if (rc) return rc;
  for (size_t j = 0; j < r.n; j++) out[rows[off[ev] + j]] = r.eff[j];
  res->n_lp += r.n_lp;
  res->n_infeasible += r.n_infeasible;
  res->n_failed += r.n_failed;
  tfp_dea_result_free(&r);
  return TFP_OK;
}

int tfp_malmquist_run(const tfp_dea_data *d, const int *unit, size_t n_units,
                      const double *time, const tfp_malmquist_opts *opts,
                      tfp_malmquist_result *res, char *err, size_t errlen) {
  tfp_malmquist_opts defaults;
  tfp_malmquist_opts_init(&defaults);
  const tfp_malmquist_opts *o = opts ? opts : &defaults;
  const char *id_name = o->id_name ? o->id_name : "id";
  const char *time_name = o->time_name ? o->time_name : "time";
  if (!res) { tfp_error(err, errlen, 0, "no result given"); return TFP_EINVAL; }
  memset(res, 0, sizeof *res);
  if ((unsigned)o->reference > TFP_REF_GLOBAL) {
    tfp_error(err, errlen, 0, "unknown reference technology");
    return TFP_EINVAL;
  }
  if (!d || !unit || !time || d->n == 0) {
    tfp_error(err, errlen, 0, "Malmquist needs data, %s and %s", id_name, time_name);
    return TFP_EINVAL;
  }
  size_t n = d->n, n_in = d->n_in, n_out = d->n_out, n_var = n_in + n_out;
  for (size_t i = 0; i < n; i++) {
    if (unit[i] < 0 || (size_t)unit[i] >= n_units) {
      tfp_error(err, errlen, 0, "%s row %zu: missing value", id_name, i + 1);
      return TFP_EDATA;
    }
    if (!isfinite(time[i])) {
      tfp_error(err, errlen, 0, "%s row %zu: %s value", time_name, i + 1,
              isnan(time[i]) ? "missing" : "infinite");
      return TFP_EDATA;
    }
  }
  int rc = tfp_dea_check(d, 0, "", &o->rows, err, errlen);
  if (rc) return rc;

  tfp_panel_key *key = malloc(n * sizeof *key);
  size_t *cnt = NULL, *off = NULL, *rows = NULL, *fill = NULL;
  double *buf = NULL;
  const double **ptr = NULL;
  tfp_dea_data *pd = NULL;
  double *logsum = NULL;
  size_t *logcnt = NULL;
  res->n = n;
  res->n_units = n_units;
  res->period = malloc(n * sizeof *res->period);
  res->period_of = malloc(n * sizeof *res->period_of);
  res->order = malloc(n * sizeof *res->order);
  res->crs_tm1 = nan_array(n); res->crs_t = nan_array(n);
  res->crs_tp1 = nan_array(n); res->vrs_t = nan_array(n);
  res->tfp = nan_array(n); res->tech = nan_array(n); res->eff = nan_array(n);
  int global = o->reference == TFP_REF_GLOBAL;
  if (global) { res->glob_crs = nan_array(n); res->glob_vrs = nan_array(n); }
  int ok = (!global || (res->glob_crs && res->glob_vrs)) && key && res->period && res->period_of && res->order && res->crs_tm1 &&
           res->crs_t && res->crs_tp1 && res->vrs_t && res->tfp && res->tech && res->eff;
  for (int k = 0; k < TFP_MQ_NCOMP; k++) {
    res->change[k] = nan_array(n);
    res->unit_mean[k] = nan_array(n_units);
    ok = ok && res->change[k] && res->unit_mean[k];
  }
  if (!ok) goto nomem;

  /* Panel order, duplicates. */
  for (size_t i = 0; i < n; i++) { key[i].g = unit[i]; key[i].t = time[i]; key[i].row = i; }
  if (tfp_sort(key, n, sizeof *key, tfp_panel_key_cmp, o->progress, o->progress_ud, "sorting the panel")) {
    tfp_error(err, errlen, 0, "Malmquist interrupted");
    rc = TFP_EINTR;
    goto fail;
  }
  for (size_t k = 0; k < n; k++) {
    res->order[k] = key[k].row;
    if (k > 0 && key[k].g == key[k - 1].g && key[k].t == key[k - 1].t) {
      size_t a = key[k - 1].row, b = key[k].row;
      tfp_error(err, errlen, 0, "duplicate %s-%s pair at rows %zu and %zu (%s %.15g)",
              id_name, time_name, (a < b ? a : b) + 1, (a < b ? b : a) + 1, time_name, key[k].t);
      rc = TFP_EDATA;
      goto fail;
    }
  }

  /* Periods: the distinct times, ascending. */
  memcpy(res->period, time, n * sizeof *time);
  if (tfp_sort(res->period, n, sizeof *res->period, cmp_double, o->progress, o->progress_ud, "periods")) {
    tfp_error(err, errlen, 0, "Malmquist interrupted");
    rc = TFP_EINTR;
    goto fail;
  }
  size_t n_per = 0;
  for (size_t i = 0; i < n; i++)
    if (n_per == 0 || res->period[i] != res->period[n_per - 1]) res->period[n_per++] = res->period[i];
  res->n_periods = n_per;
  for (size_t i = 0; i < n; i++) {
    const double *p = bsearch(&time[i], res->period, n_per, sizeof *res->period, cmp_double);
    res->period_of[i] = (int)(p - res->period);
  }
  for (int k = 0; k < TFP_MQ_NCOMP; k++)
    if (!(res->period_mean[k] = nan_array(n_per))) goto nomem;

  /* Each period's units, gathered variable-major into buf: variable v of
     every row in period order at buf + v * n, so that a run of periods is a
     contiguous slice (frontier.h). */
  cnt = calloc(n_per, sizeof *cnt);
  off = malloc((n_per + 1) * sizeof *off);
  fill = calloc(n_per, sizeof *fill);
  rows = malloc(n * sizeof *rows);
  buf = malloc(n * n_var * sizeof *buf);
  ptr = malloc((n_per + 1) * n_var * sizeof *ptr);
  pd = calloc(n_per, sizeof *pd);
  logsum = calloc((n_per + n_units + 1) * TFP_MQ_NCOMP, sizeof *logsum);
  logcnt = calloc((n_per + n_units + 1) * TFP_MQ_NCOMP, sizeof *logcnt);
  if (!cnt || !off || !fill || !rows || !buf || !ptr || !pd || !logsum || !logcnt) goto nomem;
  for (size_t i = 0; i < n; i++) cnt[res->period_of[i]]++;
  off[0] = 0;
  for (size_t p = 0; p < n_per; p++) off[p + 1] = off[p] + cnt[p];
  for (size_t i = 0; i < n; i++) {
    size_t p = (size_t)res->period_of[i];
    rows[off[p] + fill[p]++] = i;
  }
  for (size_t p = 0; p < n_per; p++) {
    if (cnt[p] < n_var) {
      tfp_error(err, errlen, 0, "%s %.15g has %zu units, fewer than inputs + outputs (%zu): "
              "its frontier is not identified", time_name, res->period[p], cnt[p], n_var);
      rc = TFP_EDATA;
      goto fail;
    }
    for (size_t v = 0; v < n_var; v++) {
      const double *src = v < n_in ? d->x[v] : d->y[v - n_in];
      double *dst = buf + v * n + off[p];
      for (size_t j = 0; j < cnt[p]; j++) dst[j] = src[rows[off[p] + j]];
      ptr[p * n_var + v] = dst;
    }
    pd[p].n = cnt[p];
    pd[p].n_in = n_in;
    pd[p].n_out = n_out;
    pd[p].x = ptr + p * n_var;
    pd[p].y = ptr + p * n_var + n_in;
    pd[p].x_names = d->x_names;
    pd[p].y_names = d->y_names;
  }

  /* Every row in period order, for the reference views. */
  const double **all = ptr + n_per * n_var;
  for (size_t v = 0; v < n_var; v++) all[v] = buf + v * n;
  tfp_dea_data sorted = { n, n_in, n_out, all, all + n_in, d->x_names, d->y_names };

  /* DEAP's LPs: per technology t, its own units (CRS and VRS) and the units
     of t-1 and t+1 against it (CRS only); sequential technologies in their
     place, or the global ones besides. */
  tfp_reference kind = o->reference == TFP_REF_SEQUENTIAL ? TFP_REF_SEQUENTIAL : TFP_REF_CONTEMPORANEOUS;
  mq_progress mp = {o, 0, n_per};
  for (size_t p = 0; p < n_per; p++) {
    mp.done = p;
    rc = solve_pair(pd, &sorted, off, n_per, rows, p, p, kind, TFP_RTS_CRS, o, &mp, res->crs_t, res, err, errlen);
    if (!rc) rc = solve_pair(pd, &sorted, off, n_per, rows, p, p, kind, TFP_RTS_VRS, o, &mp, res->vrs_t, res, err, errlen);
    if (!rc && p > 0)
      rc = solve_pair(pd, &sorted, off, n_per, rows, p - 1, p, kind, TFP_RTS_CRS, o, &mp, res->crs_tp1, res, err, errlen);
    if (!rc && p + 1 < n_per)
      rc = solve_pair(pd, &sorted, off, n_per, rows, p + 1, p, kind, TFP_RTS_CRS, o, &mp, res->crs_tm1, res, err, errlen);
    if (!rc && global)
      rc = solve_pair(pd, &sorted, off, n_per, rows, p, p, TFP_REF_GLOBAL, TFP_RTS_CRS, o, &mp, res->glob_crs, res, err, errlen);
    if (!rc && global)
      rc = solve_pair(pd, &sorted, off, n_per, rows, p, p, TFP_REF_GLOBAL, TFP_RTS_VRS, o, &mp, res->glob_vrs, res, err, errlen);
    if (rc == TFP_EINTR) {
      tfp_error(err, errlen, 0, "Malmquist interrupted after %zu of %zu periods", p, n_per);
      goto fail;
    }
    if (rc) goto fail;
    if (o->progress && o->progress(o->progress_ud, "malmquist", p + 1, n_per)) {
      tfp_error(err, errlen, 0, "Malmquist interrupted after %zu of %zu periods", p + 1, n_per);
      rc = TFP_EINTR;
      goto fail;
    }
  }

  /* Changes between adjacent periods, levels, and log sums for the means. */
  double *lsum_p = logsum, *lsum_u = logsum + n_per * TFP_MQ_NCOMP;
  double *lsum_all = logsum + (n_per + n_units) * TFP_MQ_NCOMP;
  size_t *lcnt_p = logcnt, *lcnt_u = logcnt + n_per * TFP_MQ_NCOMP;
  size_t *lcnt_all = logcnt + (n_per + n_units) * TFP_MQ_NCOMP;
  for (size_t k = 0; k < n; k++) {
    size_t r = res->order[k];
    int first = k == 0 || unit[res->order[k - 1]] != unit[r];
    if (first) { res->tfp[r] = res->tech[r] = res->eff[r] = 1.0; continue; }
    size_t q = res->order[k - 1];
    if (res->period_of[q] != res->period_of[r] - 1) continue;   /* a gap: no change */
    double c[TFP_MQ_NCOMP];
    c[TFP_MQ_EFFCH] = res->crs_t[r] / res->crs_t[q];
    if (global) {   /* Pastor-Lovell: tfpch from the global frontier, techch the rest */
      c[TFP_MQ_TECHCH] = res->glob_crs[r] / res->glob_crs[q] / c[TFP_MQ_EFFCH];
    } else {
      c[TFP_MQ_TECHCH] = sqrt(res->crs_tm1[r] / res->crs_t[r] * (res->crs_t[q] / res->crs_tp1[q]));
    }
    c[TFP_MQ_PECH] = res->vrs_t[r] / res->vrs_t[q];
    c[TFP_MQ_SECH] = c[TFP_MQ_EFFCH] / c[TFP_MQ_PECH];
    c[TFP_MQ_TFPCH] = c[TFP_MQ_EFFCH] * c[TFP_MQ_TECHCH];
    res->n_changes++;
    size_t p = (size_t)res->period_of[r], u = (size_t)unit[r];
    for (int m = 0; m < TFP_MQ_NCOMP; m++) {
      res->change[m][r] = c[m];
      if (!(c[m] > 0 && isfinite(c[m]))) continue;
      double l = log(c[m]);
      lsum_p[p * TFP_MQ_NCOMP + m] += l; lcnt_p[p * TFP_MQ_NCOMP + m]++;
      lsum_u[u * TFP_MQ_NCOMP + m] += l; lcnt_u[u * TFP_MQ_NCOMP + m]++;
      lsum_all[m] += l; lcnt_all[m]++;
    }
    res->tfp[r] = res->tfp[q] * c[TFP_MQ_TFPCH];
    res->tech[r] = res->tech[q] * c[TFP_MQ_TECHCH];
    res->eff[r] = res->eff[q] * c[TFP_MQ_EFFCH];
  }
  for (int m = 0; m < TFP_MQ_NCOMP; m++) {
    for (size_t p = 0; p < n_per; p++)
      if (lcnt_p[p * TFP_MQ_NCOMP + m])
        res->period_mean[m][p] = exp(lsum_p[p * TFP_MQ_NCOMP + m] / (double)lcnt_p[p * TFP_MQ_NCOMP + m]);
    for (size_t u = 0; u < n_units; u++)
      if (lcnt_u[u * TFP_MQ_NCOMP + m])
        res->unit_mean[m][u] = exp(lsum_u[u * TFP_MQ_NCOMP + m] / (double)lcnt_u[u * TFP_MQ_NCOMP + m]);
    res->mean[m] = lcnt_all[m] ? exp(lsum_all[m] / (double)lcnt_all[m]) : NAN;
  }
  rc = TFP_OK;
  goto done;

nomem:
  rc = TFP_ENOMEM;
  tfp_error(err, errlen, 0, "out of memory for a Malmquist index on %zu rows", n);
fail:
  tfp_malmquist_result_free(res);
done:
  free(key); free(cnt); free(off); free(fill); free(rows); free(buf); free(ptr); free(pd);
  free(logsum); free(logcnt);
  return rc;
}
