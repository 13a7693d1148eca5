/* ml.c — Malmquist-Luenberger, global ML and Luenberger indexes (see ml.h). */
#include "ml.h"
#include "frame.h"
#include "sort.h"

#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

static const char *const comp_names[3][TFP_ML_NCOMP] = {
  { "ml", "mleffch", "mltech" }, { "gml", "ec", "bpc" }, { "l", "leffch", "ltech" }
};

const char *tfp_ml_component(tfp_ml_index index, int k) {
  if ((unsigned)index > TFP_ML_LUENBERGER || k < 0 || k >= TFP_ML_NCOMP) return NULL;
  return comp_names[index][k];
}

void tfp_ml_opts_init(tfp_ml_opts *o) {
  memset(o, 0, sizeof *o);
  o->index = TFP_ML_ML;
  o->colgen = 1;
  o->id_name = "id";
  o->time_name = "time";
}

void tfp_ml_result_clear(tfp_ml_result *res) {
  if (!res) return;
  free(res->period); free(res->period_of); free(res->order);
  free(res->d_t); free(res->d_tm1); free(res->d_tp1); free(res->d_g);
  free(res->status_tm1); free(res->status_tp1);
  for (int k = 0; k < TFP_ML_NCOMP; k++) {
    free(res->change[k]); free(res->level[k]); free(res->period_mean[k]); free(res->unit_mean[k]);
  }
  memset(res, 0, sizeof *res);
}

static double *nan_array(size_t n) {
  double *v = malloc((n ? n : 1) * sizeof *v);
  if (v) for (size_t i = 0; i < n; i++) v[i] = NAN;
  return v;
}

static int cmp_double(const void *a, const void *b) {
  double x = *(const double *)a, y = *(const double *)b;
  return (x > y) - (x < y);
}

/* Rows of one period named as the panel's rows. */
typedef struct { const tfp_rows *base; const size_t *rows; } sub_namer;

static void sub_label(const void *ud, size_t j, char *buf, size_t len) {
  const sub_namer *s = ud;
  tfp_row_label(s->base, s->rows[j], buf, len);
}

int tfp_ml_run(const tfp_green_data *d, const int *unit, size_t n_units, const double *time,
               const tfp_ml_opts *opts, tfp_ml_result *res, char *err, size_t errlen) {
  tfp_ml_opts defaults;
  tfp_ml_opts_init(&defaults);
  const tfp_ml_opts *o = opts ? opts : &defaults;
  const char *id_name = o->id_name ? o->id_name : "id", *time_name = o->time_name ? o->time_name : "time";
  if (!res) { tfp_error(err, errlen, 0, "no result given"); return TFP_EINVAL; }
  memset(res, 0, sizeof *res);
  if (!d || !unit || !time || d->n == 0) {
    tfp_error(err, errlen, 0, "the index needs data, %s and %s", id_name, time_name);
    return TFP_EINVAL;
  }
  if ((unsigned)o->index > TFP_ML_LUENBERGER) { tfp_error(err, errlen, 0, "unknown index"); return TFP_EINVAL; }
  size_t n = d->n, n_in = d->n_in, n_out = d->n_out, n_bad = d->n_bad, n_var = n_in + n_out + n_bad;
  char rb[256];
  for (size_t i = 0; i < n; i++) {
    if (unit[i] < 0 || (size_t)unit[i] >= n_units) {
      tfp_error(err, errlen, 0, "%s, %s: missing value", id_name, tfp_row_label(&o->rows, i, rb, sizeof rb));
      return TFP_EDATA;
    }
    if (!isfinite(time[i])) {
      tfp_error(err, errlen, 0, "%s, %s: %s value", time_name, tfp_row_label(&o->rows, i, rb, sizeof rb),
                isnan(time[i]) ? "missing" : "infinite");
      return TFP_EDATA;
    }
  }
  int rc = tfp_green_check(d, 0, "DDF", "", &o->rows, err, errlen);
  if (rc) return rc;
  int global = o->index == TFP_ML_GML;
  tfp_panel_key *key = malloc(n * sizeof *key);
  size_t *cnt = NULL, *off = NULL, *rows = NULL, *fill = NULL;
  double *buf = NULL;
  const double **ptr = NULL;
  tfp_green_data *pd = NULL;
  sub_namer *names = NULL;
  tfp_ddf_eval *ev = NULL;
  long *self = NULL;
  double *lsum = NULL;
  size_t *lcnt = NULL;
  int *scratch_status = NULL;
  res->n = n;
  res->n_units = n_units;
  res->period = malloc(n * sizeof *res->period);
  res->period_of = malloc(n * sizeof *res->period_of);
  res->order = malloc(n * sizeof *res->order);
  res->d_t = nan_array(n);
  res->status_tm1 = malloc(n * sizeof *res->status_tm1);
  res->status_tp1 = malloc(n * sizeof *res->status_tp1);
  scratch_status = malloc(n * sizeof *scratch_status);
  int ok = key && res->period && res->period_of && res->order && res->d_t && res->status_tm1 &&
           res->status_tp1 && scratch_status;
  if (global) ok = ok && (res->d_g = nan_array(n));
  else ok = ok && (res->d_tm1 = nan_array(n)) && (res->d_tp1 = nan_array(n));
  for (int k = 0; k < TFP_ML_NCOMP && ok; k++) {
    res->change[k] = nan_array(n);
    res->level[k] = nan_array(n);
    res->unit_mean[k] = nan_array(n_units);
    ok = res->change[k] && res->level[k] && res->unit_mean[k];
  }
  if (!ok) goto nomem;
  for (size_t i = 0; i < n; i++) res->status_tm1[i] = res->status_tp1[i] = -1;

  for (size_t i = 0; i < n; i++) { key[i].g = unit[i]; key[i].t = time[i]; key[i].row = i; }
  if (tfp_sort(key, n, sizeof *key, tfp_panel_key_cmp, o->progress, o->progress_ud, "sorting the panel")) {
    tfp_error(err, errlen, 0, "interrupted");
    rc = TFP_EINTR;
    goto fail;
  }
  for (size_t k = 0; k < n; k++) {
    res->order[k] = key[k].row;
    if (k > 0 && key[k].g == key[k - 1].g && key[k].t == key[k - 1].t) {
      size_t a = key[k - 1].row, b = key[k].row;
      tfp_error(err, errlen, 0, "duplicate %s-%s pair at rows %zu and %zu (%s %.15g)", id_name, time_name,
                (a < b ? a : b) + 1, (a < b ? b : a) + 1, time_name, key[k].t);
      rc = TFP_EDATA;
      goto fail;
    }
  }
  memcpy(res->period, time, n * sizeof *time);
  qsort(res->period, n, sizeof *res->period, cmp_double);
  size_t n_per = 0;
  for (size_t i = 0; i < n; i++)
    if (n_per == 0 || res->period[i] != res->period[n_per - 1]) res->period[n_per++] = res->period[i];
  res->n_periods = n_per;
  for (size_t i = 0; i < n; i++) {
    const double *p = bsearch(&time[i], res->period, n_per, sizeof *res->period, cmp_double);
    res->period_of[i] = (int)(p - res->period);
  }
  for (int k = 0; k < TFP_ML_NCOMP; k++)
    if (!(res->period_mean[k] = nan_array(n_per))) goto nomem;

  cnt = calloc(n_per, sizeof *cnt);
  off = malloc((n_per + 1) * sizeof *off);
  fill = calloc(n_per, sizeof *fill);
  rows = malloc(n * sizeof *rows);
  buf = malloc(n * n_var * sizeof *buf);
  ptr = malloc(n_per * n_var * sizeof *ptr);
  pd = calloc(n_per, sizeof *pd);
  names = calloc(n_per, sizeof *names);
  ev = calloc(3, sizeof *ev);
  self = malloc(n * sizeof *self);
  lsum = calloc((n_per + n_units + 1) * TFP_ML_NCOMP, sizeof *lsum);
  lcnt = calloc((n_per + n_units + 1) * TFP_ML_NCOMP, sizeof *lcnt);
  if (!cnt || !off || !fill || !rows || !buf || !ptr || !pd || !names || !ev || !self || !lsum || !lcnt) goto nomem;
  for (size_t i = 0; i < n; i++) cnt[res->period_of[i]]++;
  off[0] = 0;
  for (size_t p = 0; p < n_per; p++) off[p + 1] = off[p] + cnt[p];
  for (size_t i = 0; i < n; i++) {
    size_t p = (size_t)res->period_of[i];
    rows[off[p] + fill[p]++] = i;
  }
  for (size_t p = 0; p < n_per; p++) {
    if (cnt[p] < n_var) {
      tfp_error(err, errlen, 0, "%s %.15g has %zu units, fewer than the variables (%zu): its frontier is "
                "not identified", time_name, res->period[p], cnt[p], n_var);
      rc = TFP_EDATA;
      goto fail;
    }
    double *blk = buf + n_var * off[p];
    for (size_t v = 0; v < n_var; v++) {
      const double *src = tfp_green_var(d, v);
      double *dst = blk + v * cnt[p];
      for (size_t j = 0; j < cnt[p]; j++) dst[j] = src[rows[off[p] + j]];
      ptr[p * n_var + v] = dst;
    }
    tfp_green_data g = { cnt[p], n_in, n_out, n_bad, ptr + p * n_var, ptr + p * n_var + n_in,
                         n_bad ? ptr + p * n_var + n_in + n_out : NULL, d->x_names, d->y_names, d->b_names };
    pd[p] = g;
    names[p].base = &o->rows;
    names[p].rows = rows + off[p];
  }

  /* The LPs: per technology p, its own units, and (ml, l) the units of p-1
     and p+1 against it; (gml) every row against the global technology. */
  tfp_ddf_opts dopt;
  tfp_ddf_opts_init(&dopt);
  dopt.vrs = o->vrs;
  dopt.colgen = o->colgen;
  dopt.progress = o->progress;
  dopt.progress_ud = o->progress_ud;
  dopt.lp_memory_mb = o->lp_memory_mb;
  dopt.progress_what = tfp_ml_component(o->index, 0);
  dopt.progress_total = global ? 2 * n : 3 * n;
  tfp_ddf_stats st = { 0, 0, 0, 0, 0 };
  double *tmp_beta = nan_array(n);
  if (!tmp_beta) goto nomem;
  for (size_t p = 0; p < n_per && !rc; p++) {
    tfp_rows own_rows = { sub_label, &names[p] };
    for (size_t j = 0; j < cnt[p]; j++) self[j] = (long)j;
    size_t ne = 0;
    tfp_ddf_eval e0 = { &pd[p], self, NULL, own_rows, tmp_beta + off[p], scratch_status + off[p] };
    ev[ne++] = e0;
    double *out_prev = NULL, *out_next = NULL;
    if (!global && p > 0) {   /* units of p-1 against p: D_{t}(t-1), their "tp1" */
      tfp_ddf_eval e = { &pd[p - 1], NULL, NULL, { sub_label, &names[p - 1] }, NULL, NULL };
      out_next = tmp_beta;   /* placeholder, set below */
      ev[ne++] = e;
    }
    if (!global && p + 1 < n_per) {   /* units of p+1 against p: their "tm1" */
      tfp_ddf_eval e = { &pd[p + 1], NULL, NULL, { sub_label, &names[p + 1] }, NULL, NULL };
      out_prev = tmp_beta;
      ev[ne++] = e;
    }
    /* Output buffers: own into tmp_beta (copied to d_t below), mixed into
       per-call arrays in period order. */
    double *bprev = NULL, *bnext = NULL;
    int *sprev = NULL, *snext = NULL;
    size_t k = 1;
    if (out_next) {
      bnext = malloc((cnt[p - 1] ? cnt[p - 1] : 1) * sizeof *bnext);
      snext = malloc((cnt[p - 1] ? cnt[p - 1] : 1) * sizeof *snext);
      ev[k].beta = bnext; ev[k].status = snext; k++;
    }
    if (out_prev) {
      bprev = malloc((cnt[p + 1] ? cnt[p + 1] : 1) * sizeof *bprev);
      sprev = malloc((cnt[p + 1] ? cnt[p + 1] : 1) * sizeof *sprev);
      ev[k].beta = bprev; ev[k].status = sprev; k++;
    }
    if ((out_next && (!bnext || !snext)) || (out_prev && (!bprev || !sprev))) {
      free(bprev); free(bnext); free(sprev); free(snext); free(tmp_beta);
      goto nomem;
    }
    dopt.ref_rows = own_rows;
    rc = tfp_ddf_solve(&pd[p], ev, ne, &dopt, &st, err, errlen);
    dopt.progress_done = st.n_lp;
    if (!rc) {
      for (size_t j = 0; j < cnt[p]; j++) res->d_t[rows[off[p] + j]] = tmp_beta[off[p] + j];
      if (bnext)
        for (size_t j = 0; j < cnt[p - 1]; j++) {
          size_t r = rows[off[p - 1] + j];
          res->d_tp1[r] = bnext[j];
          res->status_tp1[r] = snext[j];
        }
      if (bprev)
        for (size_t j = 0; j < cnt[p + 1]; j++) {
          size_t r = rows[off[p + 1] + j];
          res->d_tm1[r] = bprev[j];
          res->status_tm1[r] = sprev[j];
        }
    }
    free(bprev); free(bnext); free(sprev); free(snext);
  }
  if (!rc && global) {
    for (size_t i = 0; i < n; i++) self[i] = (long)i;
    tfp_ddf_eval e = { d, self, NULL, o->rows, res->d_g, scratch_status };
    dopt.ref_rows = o->rows;
    rc = tfp_ddf_solve(d, &e, 1, &dopt, &st, err, errlen);
  }
  free(tmp_beta);
  res->n_lp = st.n_lp;
  res->n_iter = st.n_iter;
  res->n_infeasible = st.n_infeasible;
  res->n_failed = st.n_failed;
  if (rc == TFP_EINTR) tfp_error(err, errlen, 0, "%s interrupted after %zu LPs", tfp_ml_component(o->index, 0), st.n_lp);
  if (rc) goto fail;

  /* Changes, levels and the sums for the means. */
  int additive = o->index == TFP_ML_LUENBERGER;
  double *ls_p = lsum, *ls_u = lsum + n_per * TFP_ML_NCOMP, *ls_all = lsum + (n_per + n_units) * TFP_ML_NCOMP;
  size_t *lc_p = lcnt, *lc_u = lcnt + n_per * TFP_ML_NCOMP, *lc_all = lcnt + (n_per + n_units) * TFP_ML_NCOMP;
  for (size_t k = 0; k < n; k++) {
    size_t r = res->order[k];
    int first = k == 0 || unit[res->order[k - 1]] != unit[r];
    if (first) {
      for (int m = 0; m < TFP_ML_NCOMP; m++) res->level[m][r] = additive ? 0.0 : 1.0;
      continue;
    }
    size_t q = res->order[k - 1];
    if (res->period_of[q] != res->period_of[r] - 1) continue;
    double c[TFP_ML_NCOMP];
    double dss = res->d_t[q], dtt = res->d_t[r];
    if (o->index == TFP_ML_GML) {
      double gs = res->d_g[q], gt = res->d_g[r];
      if (1 + gs <= 0 || 1 + gt <= 0 || 1 + dss <= 0 || 1 + dtt <= 0) { res->n_nonpositive++; c[0] = c[1] = c[2] = NAN; }
      else {
        c[0] = (1 + gs) / (1 + gt);
        c[1] = (1 + dss) / (1 + dtt);
        c[2] = c[0] / c[1];
      }
    } else {
      double dst = res->d_tm1[r], dts = res->d_tp1[q];   /* D_s(t), D_t(s) */
      if (additive) {
        c[1] = dss - dtt;
        c[0] = 0.5 * ((dts - dtt) + (dss - dst));
        c[2] = c[0] - c[1];
      } else {
        int nonpos = 1 + dss <= 0 || 1 + dtt <= 0 || 1 + dst <= 0 || 1 + dts <= 0;
        if (nonpos) res->n_nonpositive++;
        c[1] = nonpos && !(1 + dss > 0 && 1 + dtt > 0) ? NAN : (1 + dss) / (1 + dtt);
        c[0] = nonpos ? NAN : sqrt((1 + dss) / (1 + dst) * ((1 + dts) / (1 + dtt)));
        c[2] = c[0] / c[1];
      }
    }
    res->n_changes++;
    size_t p = (size_t)res->period_of[r], u = (size_t)unit[r];
    for (int m = 0; m < TFP_ML_NCOMP; m++) {
      res->change[m][r] = c[m];
      res->level[m][r] = additive ? res->level[m][q] + c[m] : res->level[m][q] * c[m];
      if (additive ? !isfinite(c[m]) : !(c[m] > 0 && isfinite(c[m]))) continue;
      double l = additive ? c[m] : log(c[m]);
      ls_p[p * TFP_ML_NCOMP + m] += l; lc_p[p * TFP_ML_NCOMP + m]++;
      ls_u[u * TFP_ML_NCOMP + m] += l; lc_u[u * TFP_ML_NCOMP + m]++;
      ls_all[m] += l; lc_all[m]++;
    }
  }
  for (int m = 0; m < TFP_ML_NCOMP; m++) {
    for (size_t p = 0; p < n_per; p++)
      if (lc_p[p * TFP_ML_NCOMP + m]) {
        double a = ls_p[p * TFP_ML_NCOMP + m] / (double)lc_p[p * TFP_ML_NCOMP + m];
        res->period_mean[m][p] = additive ? a : exp(a);
      }
    for (size_t u = 0; u < n_units; u++)
      if (lc_u[u * TFP_ML_NCOMP + m]) {
        double a = ls_u[u * TFP_ML_NCOMP + m] / (double)lc_u[u * TFP_ML_NCOMP + m];
        res->unit_mean[m][u] = additive ? a : exp(a);
      }
    double a = lc_all[m] ? ls_all[m] / (double)lc_all[m] : NAN;
    res->mean[m] = additive ? a : exp(a);
  }
  rc = TFP_OK;
  goto done;

nomem:
  rc = TFP_ENOMEM;
  tfp_error(err, errlen, 0, "out of memory for a productivity index on %zu rows", n);
fail:
  tfp_ml_result_clear(res);
done:
  free(key); free(cnt); free(off); free(fill); free(rows); free(buf); free(ptr); free(pd); free(names);
  free(ev); free(self); free(lsum); free(lcnt); free(scratch_status);
  return rc;
}
