/* ml.c — Malmquist-Luenberger, global ML and Luenberger indexes (see ml.h). */
#include "ml.h"
#include "frame.h"
#include "panel.h"
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

/* Rows of one period named as the panel's rows. */
typedef struct { const tfp_rows *base; const size_t *rows; } sub_namer;

static void sub_label(const void *ud, size_t j, char *buf, size_t len) {
  const sub_namer *s = ud;
  tfp_row_label(s->base, s->rows[j], buf, len);
}

static int out_of_memory(char *err, size_t errlen, size_t n) {
  return tfp_error(err, errlen, TFP_ENOMEM, "out of memory for a productivity index on %zu rows", n);
}

/* ---- the passes of tfp_ml_run */

/* Every row's unit code and time given, finite; the data positive (DDF). */
static int check_rows(const tfp_green_data *d, const int *unit, size_t n_units, const double *time,
                      const tfp_ml_opts *o, char *err, size_t errlen) {
  const char *id_name = o->id_name ? o->id_name : "id", *time_name = o->time_name ? o->time_name : "time";
  char rb[256];
  for (size_t i = 0; i < d->n; i++) {
    if (unit[i] < 0 || (size_t)unit[i] >= n_units)
      return tfp_error(err, errlen, TFP_EDATA, "%s, %s: missing value", id_name,
                       tfp_row_label(&o->rows, i, rb, sizeof rb));
    if (!isfinite(time[i]))
      return tfp_error(err, errlen, TFP_EDATA, "%s, %s: %s value", time_name,
                       tfp_row_label(&o->rows, i, rb, sizeof rb), isnan(time[i]) ? "missing" : "infinite");
  }
  return tfp_green_check(d, 0, "DDF", "", &o->rows, err, errlen);
}

/* The result's arrays, NaN-filled (d_g for the global index, d_tm1 and
   d_tp1 otherwise), no mixed-period LP yet; periods come later. */
static int alloc_result(tfp_ml_result *res, size_t n, size_t n_units, int global) {
  res->n = n;
  res->n_units = n_units;
  res->period = malloc(n * sizeof *res->period);
  res->period_of = malloc(n * sizeof *res->period_of);
  res->order = malloc(n * sizeof *res->order);
  res->d_t = nan_array(n);
  res->status_tm1 = malloc(n * sizeof *res->status_tm1);
  res->status_tp1 = malloc(n * sizeof *res->status_tp1);
  int ok = res->period && res->period_of && res->order && res->d_t && res->status_tm1 && res->status_tp1;
  if (global) ok = ok && (res->d_g = nan_array(n));
  else ok = ok && (res->d_tm1 = nan_array(n)) && (res->d_tp1 = nan_array(n));
  for (int k = 0; k < TFP_ML_NCOMP && ok; k++) {
    res->change[k] = nan_array(n);
    res->level[k] = nan_array(n);
    res->unit_mean[k] = nan_array(n_units);
    ok = res->change[k] && res->level[k] && res->unit_mean[k];
  }
  if (!ok) return TFP_ENOMEM;
  for (size_t i = 0; i < n; i++) res->status_tm1[i] = res->status_tp1[i] = -1;
  return TFP_OK;
}

/* Rows in panel order (res->order), with no duplicate unit-period pair. */
static int panel_order(const int *unit, const double *time, size_t n, const tfp_ml_opts *o, tfp_ml_result *res,
                       char *err, size_t errlen) {
  const char *id_name = o->id_name ? o->id_name : "id", *time_name = o->time_name ? o->time_name : "time";
  tfp_panel_key *key = malloc(n * sizeof *key);
  if (!key) return out_of_memory(err, errlen, n);
  for (size_t i = 0; i < n; i++) { key[i].g = unit[i]; key[i].t = time[i]; key[i].row = i; }
  int rc = TFP_OK;
  if (tfp_sort(key, n, sizeof *key, tfp_panel_key_cmp, o->progress, o->progress_ud, "sorting the panel"))
    rc = tfp_error(err, errlen, TFP_EINTR, "interrupted");
  for (size_t k = 0; k < n && rc == TFP_OK; k++) {
    res->order[k] = key[k].row;
    if (k > 0 && key[k].g == key[k - 1].g && key[k].t == key[k - 1].t) {
      size_t a = key[k - 1].row, b = key[k].row;
      rc = tfp_error(err, errlen, TFP_EDATA, "duplicate %s-%s pair at rows %zu and %zu (%s %.15g)", id_name,
                     time_name, (a < b ? a : b) + 1, (a < b ? b : a) + 1, time_name, key[k].t);
    }
  }
  free(key);
  return rc;
}

/* Periods: the distinct times, ascending; each row's period. */
static int find_periods(const double *time, size_t n, tfp_ml_result *res, char *err, size_t errlen) {
  /* no progress from this sort: an ML run's progress calls stay as they were */
  tfp_panel_periods(time, n, res->period, res->period_of, &res->n_periods, NULL, NULL);
  for (int k = 0; k < TFP_ML_NCOMP; k++)
    if (!(res->period_mean[k] = nan_array(res->n_periods))) return out_of_memory(err, errlen, n);
  return TFP_OK;
}

/* Each period's units as a data set: the rows of period p are
   rows[off[p] .. off[p] + cnt[p] - 1], its variables gathered into a block
   of buf (variable v of its unit j at buf[n_var * off[p] + v * cnt[p] + j]),
   named as the panel's rows by names[p]. */
typedef struct {
  size_t *cnt, *off, *rows;
  double *buf;
  const double **ptr;
  tfp_green_data *pd;
  sub_namer *names;
} period_sets;

static void period_sets_clear(period_sets *ps) {
  free(ps->cnt); free(ps->off); free(ps->rows); free(ps->buf); free(ps->ptr); free(ps->pd); free(ps->names);
}

static int split_periods(const tfp_green_data *d, const tfp_ml_opts *o, const tfp_ml_result *res, period_sets *ps,
                         char *err, size_t errlen) {
  size_t n = d->n, n_in = d->n_in, n_out = d->n_out, n_bad = d->n_bad, n_var = n_in + n_out + n_bad;
  size_t n_per = res->n_periods;
  const char *time_name = o->time_name ? o->time_name : "time";
  ps->cnt = calloc(n_per, sizeof *ps->cnt);
  ps->off = malloc((n_per + 1) * sizeof *ps->off);
  ps->rows = malloc(n * sizeof *ps->rows);
  ps->buf = malloc(n * n_var * sizeof *ps->buf);
  ps->ptr = malloc(n_per * n_var * sizeof *ps->ptr);
  ps->pd = calloc(n_per, sizeof *ps->pd);
  ps->names = calloc(n_per, sizeof *ps->names);
  if (!ps->cnt || !ps->off || !ps->rows || !ps->buf || !ps->ptr || !ps->pd || !ps->names)
    return out_of_memory(err, errlen, n);
  tfp_panel_period_rows(res->period_of, n, n_per, ps->off, ps->rows);
  for (size_t p = 0; p < n_per; p++) ps->cnt[p] = ps->off[p + 1] - ps->off[p];
  for (size_t p = 0; p < n_per; p++) {
    size_t cnt = ps->cnt[p];
    if (cnt < n_var)
      return tfp_error(err, errlen, TFP_EDATA, "%s %.15g has %zu units, fewer than the variables (%zu): its "
                       "frontier is not identified", time_name, res->period[p], cnt, n_var);
    double *blk = ps->buf + n_var * ps->off[p];
    const double **vp = ps->ptr + p * n_var;
    for (size_t v = 0; v < n_var; v++) {
      const double *src = tfp_green_var(d, v);
      double *dst = blk + v * cnt;
      for (size_t j = 0; j < cnt; j++) dst[j] = src[ps->rows[ps->off[p] + j]];
      vp[v] = dst;
    }
    ps->pd[p] = (tfp_green_data){ cnt, n_in, n_out, n_bad, vp, vp + n_in, n_bad ? vp + n_in + n_out : NULL,
                                  d->x_names, d->y_names, d->b_names };
    ps->names[p] = (sub_namer){ &o->rows, ps->rows + ps->off[p] };
  }
  return TFP_OK;
}

/* Scratch of the LPs, in period order (period p's units at off[p]): own
   distances and statuses (statuses also of the global LPs, in row order),
   the mixed-period distances and statuses before they go to their rows,
   and each unit's own column. */
typedef struct {
  double *own_beta, *mixed_beta;
  int *own_status, *mixed_status;
  long *self;
} lp_scratch;

static void lp_scratch_clear(lp_scratch *s) {
  free(s->own_beta); free(s->mixed_beta); free(s->own_status); free(s->mixed_status); free(s->self);
}

/* The mixed-period LPs' results of period q's units, to their rows. */
static void scatter_mixed(const period_sets *ps, const lp_scratch *s, size_t q, double *d_out, int *status_out) {
  for (size_t j = 0; j < ps->cnt[q]; j++) {
    size_t r = ps->rows[ps->off[q] + j];
    d_out[r] = s->mixed_beta[ps->off[q] + j];
    status_out[r] = s->mixed_status[ps->off[q] + j];
  }
}

/* The LPs against technology p: its own units (D_p(p)), and (ml, l) the
   units of p-1 (their D_p: "tp1") and of p+1 (their D_p: "tm1"). */
static int solve_period(const period_sets *ps, size_t p, int mixed, lp_scratch *s, tfp_ddf_opts *dopt,
                        tfp_ddf_stats *st, tfp_ml_result *res, char *err, size_t errlen) {
  size_t n_per = res->n_periods;
  tfp_rows own_rows = { sub_label, &ps->names[p] };
  for (size_t j = 0; j < ps->cnt[p]; j++) s->self[j] = (long)j;
  tfp_ddf_eval ev[3];
  size_t ne = 0;
  ev[ne++] = (tfp_ddf_eval){ &ps->pd[p], s->self, NULL, own_rows, s->own_beta + ps->off[p],
                             s->own_status + ps->off[p] };
  int with_prev = mixed && p > 0, with_next = mixed && p + 1 < n_per;
  if (with_prev)
    ev[ne++] = (tfp_ddf_eval){ &ps->pd[p - 1], NULL, NULL, { sub_label, &ps->names[p - 1] },
                               s->mixed_beta + ps->off[p - 1], s->mixed_status + ps->off[p - 1] };
  if (with_next)
    ev[ne++] = (tfp_ddf_eval){ &ps->pd[p + 1], NULL, NULL, { sub_label, &ps->names[p + 1] },
                               s->mixed_beta + ps->off[p + 1], s->mixed_status + ps->off[p + 1] };
  dopt->ref_rows = own_rows;
  int rc = tfp_ddf_solve(&ps->pd[p], ev, ne, dopt, st, err, errlen);
  dopt->progress_done = st->n_lp;
  if (rc) return rc;
  for (size_t j = 0; j < ps->cnt[p]; j++) res->d_t[ps->rows[ps->off[p] + j]] = s->own_beta[ps->off[p] + j];
  if (with_prev) scatter_mixed(ps, s, p - 1, res->d_tp1, res->status_tp1);
  if (with_next) scatter_mixed(ps, s, p + 1, res->d_tm1, res->status_tm1);
  return TFP_OK;
}

/* Every LP: per technology, its own units and (ml, l) those of the
   adjacent periods against it; (gml) every row against the global
   technology. Counts into res. */
static int solve_lps(const tfp_green_data *d, const period_sets *ps, const tfp_ml_opts *o, tfp_ml_result *res,
                     char *err, size_t errlen) {
  size_t n = d->n;
  int global = o->index == TFP_ML_GML;
  lp_scratch s = { nan_array(n), malloc(n * sizeof *s.mixed_beta), malloc(n * sizeof *s.own_status),
                   malloc(n * sizeof *s.mixed_status), malloc(n * sizeof *s.self) };
  if (!s.own_beta || !s.mixed_beta || !s.own_status || !s.mixed_status || !s.self) {
    lp_scratch_clear(&s);
    return out_of_memory(err, errlen, n);
  }
  tfp_ddf_opts dopt;
  tfp_ddf_opts_init(&dopt);
  dopt.vrs = o->vrs;
  dopt.colgen = o->colgen;
  dopt.progress = o->progress;
  dopt.progress_ud = o->progress_ud;
  dopt.lp_memory_mb = o->lp_memory_mb;
  dopt.split = o->split;
  dopt.progress_what = tfp_ml_component(o->index, 0);
  dopt.progress_total = global ? 2 * n : 3 * n;
  tfp_ddf_stats st = { 0, 0, 0, 0, 0 };
  int rc = TFP_OK;
  for (size_t p = 0; p < res->n_periods && !rc; p++)
    rc = solve_period(ps, p, !global, &s, &dopt, &st, res, err, errlen);
  if (!rc && global) {
    for (size_t i = 0; i < n; i++) s.self[i] = (long)i;
    tfp_ddf_eval e = { d, s.self, NULL, o->rows, res->d_g, s.own_status };
    dopt.ref_rows = o->rows;
    rc = tfp_ddf_solve(d, &e, 1, &dopt, &st, err, errlen);
  }
  lp_scratch_clear(&s);
  res->n_lp = st.n_lp;
  res->n_iter = st.n_iter;
  res->n_infeasible = st.n_infeasible;
  res->n_failed = st.n_failed;
  if (rc == TFP_EINTR)
    tfp_error(err, errlen, rc, "%s interrupted after %zu LPs", tfp_ml_component(o->index, 0), st.n_lp);
  return rc;
}

/* The change of row r over row q, the unit's previous period: index,
   efficiency and technical change (ml.h's formulas). A ratio with a
   1 + D <= 0 is NaN, counted. */
static void index_change(const tfp_ml_result *res, tfp_ml_index index, size_t q, size_t r,
                         double c[TFP_ML_NCOMP], size_t *n_nonpositive) {
  double dss = res->d_t[q], dtt = res->d_t[r];
  if (index == TFP_ML_GML) {
    double gs = res->d_g[q], gt = res->d_g[r];
    if (1 + gs <= 0 || 1 + gt <= 0 || 1 + dss <= 0 || 1 + dtt <= 0) {
      (*n_nonpositive)++;
      c[0] = c[1] = c[2] = NAN;
      return;
    }
    c[0] = (1 + gs) / (1 + gt);
    c[1] = (1 + dss) / (1 + dtt);
    c[2] = c[0] / c[1];
    return;
  }
  double dst = res->d_tm1[r], dts = res->d_tp1[q];   /* D_s(t), D_t(s) */
  if (index == TFP_ML_LUENBERGER) {
    c[1] = dss - dtt;
    c[0] = 0.5 * ((dts - dtt) + (dss - dst));
    c[2] = c[0] - c[1];
    return;
  }
  int nonpos = 1 + dss <= 0 || 1 + dtt <= 0 || 1 + dst <= 0 || 1 + dts <= 0;
  if (nonpos) (*n_nonpositive)++;
  c[1] = nonpos && !(1 + dss > 0 && 1 + dtt > 0) ? NAN : (1 + dss) / (1 + dtt);
  c[0] = nonpos ? NAN : sqrt((1 + dss) / (1 + dst) * ((1 + dts) / (1 + dtt)));
  c[2] = c[0] / c[1];
}

/* Sums for the means, of logs (ml, gml) or of the changes (l): slots by
   period, then by unit, then one over all; TFP_ML_NCOMP entries each. */
typedef struct {
  double *sum;
  size_t *cnt;
} change_sums;

static void add_change(change_sums *cs, size_t slot, int m, double l) {
  cs->sum[slot * TFP_ML_NCOMP + m] += l;
  cs->cnt[slot * TFP_ML_NCOMP + m]++;
}

/* The mean of a slot: geometric (exp of the mean log) or arithmetic. */
static double slot_mean(const change_sums *cs, size_t slot, int m, int additive) {
  double a = cs->sum[slot * TFP_ML_NCOMP + m] / (double)cs->cnt[slot * TFP_ML_NCOMP + m];
  return additive ? a : exp(a);
}

static void fill_means(const change_sums *cs, int additive, tfp_ml_result *res) {
  size_t n_per = res->n_periods, n_units = res->n_units, all = n_per + n_units;
  for (int m = 0; m < TFP_ML_NCOMP; m++) {
    for (size_t p = 0; p < n_per; p++)
      if (cs->cnt[p * TFP_ML_NCOMP + m]) res->period_mean[m][p] = slot_mean(cs, p, m, additive);
    for (size_t u = 0; u < n_units; u++)
      if (cs->cnt[(n_per + u) * TFP_ML_NCOMP + m]) res->unit_mean[m][u] = slot_mean(cs, n_per + u, m, additive);
    res->mean[m] = cs->cnt[all * TFP_ML_NCOMP + m] ? slot_mean(cs, all, m, additive) : additive ? NAN : exp(NAN);
  }
}

/* Changes between adjacent periods, levels chained from each unit's first
   period, and the means by period, by unit and over all. */
static int changes_and_levels(const int *unit, tfp_ml_index index, tfp_ml_result *res, char *err, size_t errlen) {
  size_t n = res->n, n_per = res->n_periods, all = n_per + res->n_units;
  int additive = index == TFP_ML_LUENBERGER;
  change_sums cs = { calloc((all + 1) * TFP_ML_NCOMP, sizeof *cs.sum),
                     calloc((all + 1) * TFP_ML_NCOMP, sizeof *cs.cnt) };
  if (!cs.sum || !cs.cnt) {
    free(cs.sum); free(cs.cnt);
    return out_of_memory(err, errlen, n);
  }
  for (size_t k = 0; k < n; k++) {
    size_t r = res->order[k];
    if (k == 0 || unit[res->order[k - 1]] != unit[r]) {   /* the unit's first period */
      for (int m = 0; m < TFP_ML_NCOMP; m++) res->level[m][r] = additive ? 0.0 : 1.0;
      continue;
    }
    size_t q = res->order[k - 1];
    if (res->period_of[q] != res->period_of[r] - 1) continue;   /* a gap: no change */
    double c[TFP_ML_NCOMP];
    index_change(res, index, q, r, c, &res->n_nonpositive);
    res->n_changes++;
    size_t p = (size_t)res->period_of[r], u = (size_t)unit[r];
    for (int m = 0; m < TFP_ML_NCOMP; m++) {
      res->change[m][r] = c[m];
      res->level[m][r] = additive ? res->level[m][q] + c[m] : res->level[m][q] * c[m];
      if (additive ? !isfinite(c[m]) : !(c[m] > 0 && isfinite(c[m]))) continue;
      double l = additive ? c[m] : log(c[m]);
      add_change(&cs, p, m, l);
      add_change(&cs, n_per + u, m, l);
      add_change(&cs, all, m, l);
    }
  }
  fill_means(&cs, additive, res);
  free(cs.sum); free(cs.cnt);
  return TFP_OK;
}

int tfp_ml_run(const tfp_green_data *d, const int *unit, size_t n_units, const double *time,
               const tfp_ml_opts *opts, tfp_ml_result *res, char *err, size_t errlen) {
  tfp_ml_opts defaults;
  tfp_ml_opts_init(&defaults);
  const tfp_ml_opts *o = opts ? opts : &defaults;
  if (!res) return tfp_error(err, errlen, TFP_EINVAL, "no result given");
  memset(res, 0, sizeof *res);
  if (!d || !unit || !time || d->n == 0)
    return tfp_error(err, errlen, TFP_EINVAL, "the index needs data, %s and %s", o->id_name ? o->id_name : "id",
                     o->time_name ? o->time_name : "time");
  if ((unsigned)o->index > TFP_ML_LUENBERGER) return tfp_error(err, errlen, TFP_EINVAL, "unknown index");
  int rc = check_rows(d, unit, n_units, time, o, err, errlen);
  if (rc != TFP_OK) return rc;
  size_t n = d->n;
  period_sets ps = { 0 };
  rc = alloc_result(res, n, n_units, o->index == TFP_ML_GML);
  if (rc == TFP_ENOMEM) out_of_memory(err, errlen, n);
  if (rc == TFP_OK) rc = panel_order(unit, time, n, o, res, err, errlen);
  if (rc == TFP_OK) rc = find_periods(time, n, res, err, errlen);
  if (rc == TFP_OK) rc = split_periods(d, o, res, &ps, err, errlen);
  if (rc == TFP_OK) rc = solve_lps(d, &ps, o, res, err, errlen);
  if (rc == TFP_OK) rc = changes_and_levels(unit, o->index, res, err, errlen);
  period_sets_clear(&ps);
  if (rc != TFP_OK) tfp_ml_result_clear(res);
  return rc;
}
