/* malmquist.c — DEA-Malmquist indexes on a panel (see malmquist.h). */
#include "malmquist.h"
#include "panel.h"
#include "sort.h"

#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

/* Variables of a split run's block (pointer slots on the stack). */
enum { TFP_MQ_MAX_VARS = 64 };

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
  o->hull = 1;
  o->id_name = "id";
  o->time_name = "time";
}

void tfp_malmquist_result_clear(tfp_malmquist_result *res) {
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

static double *nan_array(size_t n) {
  double *v = malloc((n ? n : 1) * sizeof *v);
  if (v) for (size_t i = 0; i < n; i++) v[i] = NAN;
  return v;
}

/* The DEA runs' questions to progress, asked as the Malmquist's own (periods
   done of all): one period can be thousands of LPs. In a worker (ctx) they
   only ask whether the pool stops: progress is the caller's thread's. */
typedef struct { const tfp_malmquist_opts *o; size_t done, n_per; tfp_pool_ctx *ctx; } mq_progress;

static int forward_progress(void *ud, const char *what, size_t done, size_t total) {
  const mq_progress *m = ud;
  (void)what; (void)done; (void)total;
  if (m->ctx) return tfp_pool_stopping(m->ctx);
  return m->o->progress(m->o->progress_ud, "malmquist", m->done, m->n_per);
}

/* Each period's units as a DEA data set: the rows of period p are
   rows[off[p] .. off[p+1]-1]. Their variables are gathered variable-major
   over all rows in period order (variable v of row k at buf[v * n + k]), so
   that a run of periods is a contiguous slice: sorted holds every row, pd[p]
   period p's, and a reference set (frontier.h) is a view of sorted through
   the n_in + n_out slots of view_ptr. */
typedef struct {
  size_t *off, *rows;
  double *buf;
  const double **ptr, **view_ptr;
  tfp_dea_data *pd, sorted;
} period_sets;

/* Frames found once per technology and returns to scale (the CRS frame of
   period t serves t's own units and those of t - 1 and t + 1) with the
   optimal bases its runs leave to the next, and the pool every run shares.
   Slot: technology index * 2 + (rts == VRS). */
typedef struct {
  size_t **frame;
  size_t *n_frame;
  size_t n_slots;
  tfp_pool *pool;
  tfp_dea_bases *bases;
} mq_frames;

static void mq_frames_clear(mq_frames *mf) {
  for (size_t k = 0; k < mf->n_slots; k++) free(mf->frame[k]);
  free(mf->frame);
  free(mf->n_frame);
  free(mf->bases);
  if (mf->pool) tfp_pool_free(mf->pool);
}

static void period_sets_clear(period_sets *ps) {
  free(ps->off);
  free(ps->rows);
  free(ps->buf);
  free(ps->ptr);
  free(ps->pd);
}

/* Scores of period `ev`'s units (LPs, infeasible, failed added to cnt[0..2];
   progress through mp unless NULL; pool: the DEA runs', or NULL) against the technology of kind `kind` of
   period `rf` (frontier.h; a span that is ev's own block: the own
   technology), written into out[] at those units' rows. */
static int solve_pair(const period_sets *ps, size_t ev, size_t rf, tfp_reference kind, tfp_dea_rts rts,
                      const tfp_malmquist_opts *o, mq_progress *mp, mq_frames *mf, tfp_pool *pool, size_t *cnt,
                      double *out, const tfp_malmquist_result *res, char *err, size_t errlen) {
  tfp_dea_opts dopt;
  tfp_dea_opts_init(&dopt);
  dopt.rts = rts;
  dopt.orientation = o->orientation;
  dopt.warm_start = o->warm_start;
  dopt.screen = o->screen;
  dopt.hull = o->hull;
  dopt.threads = 1;
  dopt.pool = pool;
  if (mp && (o->progress || mp->ctx)) { dopt.progress = forward_progress; dopt.progress_ud = mp; }
  size_t b, e, pb = 0, pe = ps->pd[ev].n;
  tfp_reference_span(kind, ps->off, res->n_periods, rf, &b, &e);
  tfp_dea_data view, part = ps->pd[ev];
  const double *vp[2 * TFP_MQ_MAX_VARS];   /* the view's own: periods run in parallel */
  size_t nvar = ps->sorted.n_in + ps->sorted.n_out;
  tfp_reference_view(&ps->sorted, b, e, nvar <= 2 * TFP_MQ_MAX_VARS ? vp : ps->view_ptr, &view);
  const tfp_dea_data *ref = NULL;   /* own technology */
  int split = tfp_split_active(&o->split);
  if (split || !(b == ps->off[ev] && e == ps->off[ev + 1])) ref = &view;
  size_t slot = (kind == TFP_REF_GLOBAL ? res->n_periods : rf) * 2 + (rts == TFP_RTS_VRS);
  if (o->hull && o->warm_start && o->screen) {
    if (rts == TFP_RTS_CRS && !mf->frame[slot] && !mf->frame[slot + 1]) {
      /* the VRS frame first: the CRS one is among its units (its technology
         holds every unit, so the cone over it is the CRS technology) */
      dopt.rts = TFP_RTS_VRS;
      int rc = tfp_dea_frame(&view, &dopt, &mf->frame[slot + 1], &mf->n_frame[slot + 1], err, errlen);
      dopt.rts = rts;
      if (rc) return rc;
    }
    if (!mf->frame[slot]) {
      dopt.frame_among = rts == TFP_RTS_CRS ? mf->frame[slot + 1] : NULL;
      dopt.n_frame_among = rts == TFP_RTS_CRS ? mf->n_frame[slot + 1] : 0;
      int rc = tfp_dea_frame(&view, &dopt, &mf->frame[slot], &mf->n_frame[slot], err, errlen);
      dopt.frame_among = NULL;
      if (rc) return rc;
    }
    dopt.frame = mf->frame[slot];
    dopt.n_frame = mf->n_frame[slot];
    if (!split) dopt.bases = &mf->bases[slot];   /* a part's runs: as the whole run's */
  }
  const double *pp[2 * TFP_MQ_MAX_VARS];
  if (split) {   /* this part's block of ev's units, against the whole technology */
    size_t nv = part.n_in + part.n_out;
    if (nv > 2 * TFP_MQ_MAX_VARS) return tfp_error(err, errlen, TFP_EINVAL, "too many variables to split");
    tfp_split_range(part.n, o->split.part, o->split.n_parts, &pb, &pe);
    for (size_t v = 0; v < nv; v++) pp[v] = (v < part.n_in ? part.x[v] : part.y[v - part.n_in]) + pb;
    part.n = pe - pb; part.x = pp; part.y = pp + part.n_in;
    if (part.n == 0) return TFP_OK;
  }
  tfp_dea_result r;
  int rc = tfp_dea_run(&part, ref, &dopt, &r, err, errlen);
  if (rc) return rc;
  for (size_t j = 0; j < r.n; j++) out[ps->rows[ps->off[ev] + pb + j]] = r.eff[j];
  cnt[0] += r.n_lp;
  cnt[1] += r.n_infeasible;
  cnt[2] += r.n_failed;
  tfp_dea_result_clear(&r);
  return TFP_OK;
}

/* ---- the passes of tfp_malmquist_run */

/* Missing ids or times (panel.h's messages), then rows in panel order
   (res->order) with no duplicate unit-period pair. */
static int panel_order(const int *unit, size_t n_units, const double *time, size_t n,
                       const tfp_malmquist_opts *o, tfp_malmquist_result *res, char *err, size_t errlen) {
  for (size_t i = 0; i < n; i++)
    if (unit[i] >= 0 && (size_t)unit[i] >= n_units)
      return tfp_error(err, errlen, TFP_EINVAL, "row %zu: unit code %d beyond the %zu units", i + 1, unit[i],
                       n_units);
  tfp_panel_names nm = {o->id_name ? o->id_name : "id", o->time_name ? o->time_name : "time", NULL, o->id_col};
  tfp_panel_key *key;
  int rc = tfp_panel_keys(n, unit, time, TFP_PERIOD_FINITE, &nm, o->progress, o->progress_ud, &key, err, errlen);
  if (rc == TFP_EINTR) tfp_error(err, errlen, rc, "Malmquist interrupted");
  if (rc != TFP_OK) return rc;
  rc = tfp_panel_unique(key, n, &nm, err, errlen);
  for (size_t k = 0; k < n; k++) res->order[k] = key[k].row;
  free(key);
  return rc;
}

/* The result's arrays, NaN-filled (glob_crs, glob_vrs for the global
   reference); periods come later. */
static int alloc_result(tfp_malmquist_result *res, size_t n, size_t n_units, int global) {
  res->n = n;
  res->n_units = n_units;
  res->period = malloc(n * sizeof *res->period);
  res->period_of = malloc(n * sizeof *res->period_of);
  res->order = malloc(n * sizeof *res->order);
  res->crs_tm1 = nan_array(n);
  res->crs_t = nan_array(n);
  res->crs_tp1 = nan_array(n);
  res->vrs_t = nan_array(n);
  res->tfp = nan_array(n);
  res->tech = nan_array(n);
  res->eff = nan_array(n);
  if (global) {
    res->glob_crs = nan_array(n);
    res->glob_vrs = nan_array(n);
  }
  int ok = res->period && res->period_of && res->order && res->crs_tm1 && res->crs_t && res->crs_tp1 &&
           res->vrs_t && res->tfp && res->tech && res->eff && (!global || (res->glob_crs && res->glob_vrs));
  for (int k = 0; k < TFP_MQ_NCOMP; k++) {
    res->change[k] = nan_array(n);
    res->unit_mean[k] = nan_array(n_units);
    ok = ok && res->change[k] && res->unit_mean[k];
  }
  return ok ? TFP_OK : TFP_ENOMEM;
}

/* Periods: the distinct times, ascending; each row's period. */
static int find_periods(const double *time, size_t n, const tfp_malmquist_opts *o, tfp_malmquist_result *res,
                        char *err, size_t errlen) {
  if (tfp_panel_periods(time, n, res->period, res->period_of, &res->n_periods, o->progress, o->progress_ud))
    return tfp_error(err, errlen, TFP_EINTR, "Malmquist interrupted");
  for (int k = 0; k < TFP_MQ_NCOMP; k++)
    if (!(res->period_mean[k] = nan_array(res->n_periods))) return TFP_ENOMEM;
  return TFP_OK;
}

static int split_periods(const tfp_dea_data *d, const tfp_malmquist_opts *o, const tfp_malmquist_result *res,
                         period_sets *ps, char *err, size_t errlen) {
  size_t n = d->n, n_in = d->n_in, n_var = d->n_in + d->n_out, n_per = res->n_periods;
  const char *time_name = o->time_name ? o->time_name : "time";
  ps->off = calloc(n_per + 1, sizeof *ps->off);
  ps->rows = malloc(n * sizeof *ps->rows);
  ps->buf = malloc(n * n_var * sizeof *ps->buf);
  ps->ptr = malloc((n_per + 2) * n_var * sizeof *ps->ptr);   /* periods, sorted, a view */
  ps->pd = calloc(n_per, sizeof *ps->pd);
  if (!ps->off || !ps->rows || !ps->buf || !ps->ptr || !ps->pd) return TFP_ENOMEM;
  tfp_panel_period_rows(res->period_of, n, n_per, ps->off, ps->rows);
  for (size_t p = 0; p < n_per; p++) {
    size_t cnt = ps->off[p + 1] - ps->off[p];
    if (cnt < n_var)
      return tfp_error(err, errlen, TFP_EDATA, "%s %.15g has %zu units, fewer than inputs + outputs (%zu): "
                       "its frontier is not identified", time_name, res->period[p], cnt, n_var);
    for (size_t v = 0; v < n_var; v++) {
      const double *src = v < n_in ? d->x[v] : d->y[v - n_in];
      double *dst = ps->buf + v * n + ps->off[p];
      for (size_t j = 0; j < cnt; j++) dst[j] = src[ps->rows[ps->off[p] + j]];
      ps->ptr[p * n_var + v] = dst;
    }
    ps->pd[p] = (tfp_dea_data){cnt, n_in, d->n_out, ps->ptr + p * n_var, ps->ptr + p * n_var + n_in,
                               d->x_names, d->y_names};
  }
  const double **all = ps->ptr + n_per * n_var;
  for (size_t v = 0; v < n_var; v++) all[v] = ps->buf + v * n;
  ps->sorted = (tfp_dea_data){n, n_in, d->n_out, all, all + n_in, d->x_names, d->y_names};
  ps->view_ptr = all + n_var;
  return TFP_OK;
}

static int solve_each_period(const period_sets *ps, const tfp_malmquist_opts *o, mq_progress *mp, mq_frames *mf,
                             tfp_malmquist_result *res, char *err, size_t errlen);

/* DEAP's LPs: per technology t, its own units (CRS and VRS) and the units
   of t-1 and t+1 against it (CRS only); the sequential technologies in
   their place, or the global ones besides (CRS and VRS, own units). */
static int solve_periods(const period_sets *ps, const tfp_malmquist_opts *o, tfp_malmquist_result *res,
                         char *err, size_t errlen) {
  size_t n_per = res->n_periods;
  mq_progress mp = {o, 0, n_per, NULL};
  mq_frames mf = { calloc(2 * (n_per + 1), sizeof *mf.frame), calloc(2 * (n_per + 1), sizeof *mf.n_frame),
                   2 * (n_per + 1), NULL, calloc(2 * (n_per + 1), sizeof *mf.bases) };
  if (!mf.frame || !mf.n_frame || !mf.bases) {
    mq_frames_clear(&mf);
    return TFP_ENOMEM;
  }
  int th = o->threads > 0 ? o->threads : tfp_pool_default_threads();
  if (th > 1 && tfp_pool_glpk_ok()) mf.pool = tfp_pool_create(th);
  int rc = solve_each_period(ps, o, &mp, &mf, res, err, errlen);
  mq_frames_clear(&mf);
  return rc;
}

/* Period p's LPs, all against technology p: its own units (CRS, VRS), those
   of p - 1 and p + 1 (CRS), and the global ones when asked. ctx: stop
   between runs when the pool stops (NULL: the caller's thread). */
static int solve_period(const period_sets *ps, size_t p, const tfp_malmquist_opts *o, mq_progress *mp,
                        mq_frames *mf, tfp_pool *pool, size_t *cnt, tfp_malmquist_result *res, tfp_pool_ctx *ctx,
                        char *err, size_t errlen) {
  size_t n_per = res->n_periods;
  tfp_reference kind = o->reference == TFP_REF_SEQUENTIAL ? TFP_REF_SEQUENTIAL : TFP_REF_CONTEMPORANEOUS;
  int global = o->reference == TFP_REF_GLOBAL;
  struct { size_t ev; tfp_reference kind; tfp_dea_rts rts; double *out; int on; } run[6] = {
    { p, kind, TFP_RTS_CRS, res->crs_t, 1 },
    { p, kind, TFP_RTS_VRS, res->vrs_t, 1 },
    { p - 1, kind, TFP_RTS_CRS, res->crs_tp1, p > 0 },
    { p + 1, kind, TFP_RTS_CRS, res->crs_tm1, p + 1 < n_per },
    { p, TFP_REF_GLOBAL, TFP_RTS_CRS, res->glob_crs, global },
    { p, TFP_REF_GLOBAL, TFP_RTS_VRS, res->glob_vrs, global },
  };
  for (int k = 0; k < 6; k++) {
    if (!run[k].on) continue;
    if (ctx && tfp_pool_stopping(ctx)) return TFP_EINTR;
    int rc = solve_pair(ps, run[k].ev, p, run[k].kind, run[k].rts, o, mp, mf, pool, cnt, run[k].out, res, err,
                        errlen);
    if (rc) return rc;
  }
  return TFP_OK;
}

/* A period's counts (LPs, infeasible, failed) into the result's. */
static void add_counts(tfp_malmquist_result *res, const size_t *cnt) {
  res->n_lp += cnt[0];
  res->n_infeasible += cnt[1];
  res->n_failed += cnt[2];
}

/* Periods in parallel, in waves of at least as many as there are threads
   (more while the wave's rows stay under MQ_WAVE_ROWS: a small panel runs in
   one wave, the periods' unequal costs evened out by the pool; 261 x 15 on
   2 threads 0.043 -> 0.040 s): each period's runs and frames are its own
   (technology p's), so the numbers are those of the caller's thread;
   progress is asked after each wave, once per period, in order, as in the
   caller's thread. */
#define MQ_WAVE_ROWS 20000
typedef struct {
  const period_sets *ps;
  const tfp_malmquist_opts *o;
  mq_frames *mf;
  tfp_malmquist_result *res;
  size_t first;  /* the wave's first period */
  size_t *cnt;   /* 3 per period */
} period_job;

static int period_body(void *ud, void *state, size_t begin, size_t end, tfp_pool_ctx *ctx) {
  period_job *j = ud;
  (void)state;
  mq_progress stop = { j->o, 0, j->res->n_periods, ctx };   /* each LP asks whether the pool stops */
  for (size_t p = j->first + begin; p < j->first + end; p++) {
    char msg[256] = "";
    int rc = solve_period(j->ps, p, j->o, &stop, j->mf, NULL, j->cnt + 3 * p, j->res, ctx, msg, sizeof msg);
    if (rc && rc != TFP_EINTR) tfp_pool_error(ctx, "%s", msg);
    if (rc) return rc;
  }
  return TFP_OK;
}

static void period_fini(void *ud, void *state, tfp_pool_ctx *ctx) {
  (void)ud; (void)state; (void)ctx;
  tfp_pool_glpk_release();
}

/* The wave's question to progress, from the caller's thread while the
   workers run: the periods done before the wave (already reported), so
   that only a new answer, Ctrl-C, stops the wave's LPs. */
typedef struct { const tfp_malmquist_opts *o; size_t first, n_per; } wave_progress;

static int wave_ask(void *ud, const char *what, size_t done, size_t total) {
  const wave_progress *w = ud;
  (void)what; (void)done; (void)total;
  return w->o->progress(w->o->progress_ud, "malmquist", w->first, w->n_per);
}

/* Periods of the wave that starts at period w. */
static size_t wave_size(const period_sets *ps, size_t w, size_t n_per, size_t threads) {
  size_t n = 0, rows = 0;
  while (w + n < n_per) {
    size_t r = ps->off[w + n + 1] - ps->off[w + n];
    if (n >= threads && rows + r > MQ_WAVE_ROWS) break;
    rows += r;
    n++;
  }
  return n;
}

static int solve_parallel(const period_sets *ps, const tfp_malmquist_opts *o, mq_frames *mf,
                          tfp_malmquist_result *res, char *err, size_t errlen) {
  size_t n_per = res->n_periods, threads = (size_t)tfp_pool_threads(mf->pool), wave = 0;
  size_t *cnt = calloc(3 * n_per + 1, sizeof *cnt);
  if (!cnt) return tfp_error(err, errlen, TFP_ENOMEM, "out of memory for the Malmquist index");
  period_job j = { ps, o, mf, res, 0, cnt };
  int rc = TFP_OK;
  for (size_t w = 0; w < n_per && rc == TFP_OK; w += wave) {
    tfp_pool_task t;
    tfp_pool_task_init(&t);
    j.first = w;
    t.n = wave = wave_size(ps, w, n_per, threads);
    t.body = period_body;
    t.fini = period_fini;
    t.ud = &j;
    wave_progress wp = { o, w, n_per };
    if (o->progress) { t.progress = wave_ask; t.progress_ud = &wp; }
    rc = tfp_pool_for(mf->pool, &t, err, errlen);
    if (rc == TFP_EINTR)
      rc = tfp_error(err, errlen, rc, "Malmquist interrupted after %zu of %zu periods", w, n_per);
    for (size_t p = w; p < w + t.n; p++) {
      add_counts(res, cnt + 3 * p);
      if (rc == TFP_OK && o->progress && o->progress(o->progress_ud, "malmquist", p + 1, n_per))
        rc = tfp_error(err, errlen, TFP_EINTR, "Malmquist interrupted after %zu of %zu periods", p + 1, n_per);
    }
  }
  free(cnt);
  return rc;
}

static int solve_each_period(const period_sets *ps, const tfp_malmquist_opts *o, mq_progress *mp, mq_frames *mf,
                             tfp_malmquist_result *res, char *err, size_t errlen) {
  size_t n_per = res->n_periods;
  /* global technologies are shared by every period: those runs stay here */
  if (mf->pool && o->reference != TFP_REF_GLOBAL && !tfp_split_active(&o->split) && n_per > 1 &&
      ps->sorted.n_in + ps->sorted.n_out <= 2 * TFP_MQ_MAX_VARS)
    return solve_parallel(ps, o, mf, res, err, errlen);
  for (size_t p = 0; p < n_per; p++) {
    mp->done = p;
    size_t cnt[3] = { 0, 0, 0 };
    int rc = solve_period(ps, p, o, mp, mf, mf->pool, cnt, res, NULL, err, errlen);
    add_counts(res, cnt);
    if (rc == TFP_EINTR)
      return tfp_error(err, errlen, rc, "Malmquist interrupted after %zu of %zu periods", p, n_per);
    if (rc) return rc;
    if (o->progress && o->progress(o->progress_ud, "malmquist", p + 1, n_per))
      return tfp_error(err, errlen, TFP_EINTR, "Malmquist interrupted after %zu of %zu periods", p + 1, n_per);
  }
  return TFP_OK;
}

/* A distributed run: each row's scores from the part that owns it (its
   block of its period), on every part (split.h). */
static int combine_parts(const period_sets *ps, const tfp_malmquist_opts *o, tfp_malmquist_result *res) {
  double *arr[] = {res->crs_t, res->vrs_t, res->crs_tp1, res->crs_tm1, res->glob_crs, res->glob_vrs};
  for (size_t p = 0; p < res->n_periods; p++) {
    size_t cnt = ps->off[p + 1] - ps->off[p], b, e;
    tfp_split_range(cnt, o->split.part, o->split.n_parts, &b, &e);
    for (size_t j = 0; j < cnt; j++)
      if (j < b || j >= e)
        for (size_t a = 0; a < 6; a++) if (arr[a]) arr[a][ps->rows[ps->off[p] + j]] = 0;
  }
  for (size_t a = 0; a < 6; a++)
    if (arr[a] && o->split.combine(o->split.ud, arr[a], res->n) != TFP_OK) return TFP_EIO;
  double counts[3] = {(double)res->n_lp, (double)res->n_infeasible, (double)res->n_failed};
  if (o->split.combine(o->split.ud, counts, 3) != TFP_OK) return TFP_EIO;
  res->n_lp = (size_t)counts[0]; res->n_infeasible = (size_t)counts[1]; res->n_failed = (size_t)counts[2];
  return TFP_OK;
}

/* Sums of logs for the geometric means: by period, by unit, over all. */
typedef struct {
  double *sum;   /* (n_periods + n_units + 1) * TFP_MQ_NCOMP */
  size_t *cnt;
} log_sums;

static void add_log(log_sums *ls, size_t slot, int m, double c) {
  ls->sum[slot * TFP_MQ_NCOMP + m] += log(c);
  ls->cnt[slot * TFP_MQ_NCOMP + m]++;
}

static double geo_mean(const log_sums *ls, size_t slot, int m) {
  size_t c = ls->cnt[slot * TFP_MQ_NCOMP + m];
  return c ? exp(ls->sum[slot * TFP_MQ_NCOMP + m] / (double)c) : NAN;
}

/* Changes between adjacent periods, levels, and the geometric means. */
static int changes_and_levels(const int *unit, tfp_malmquist_result *res) {
  size_t n = res->n, n_per = res->n_periods, n_units = res->n_units, all = n_per + n_units;
  log_sums ls = {calloc((all + 1) * TFP_MQ_NCOMP, sizeof *ls.sum), calloc((all + 1) * TFP_MQ_NCOMP, sizeof *ls.cnt)};
  if (!ls.sum || !ls.cnt) {
    free(ls.sum);
    free(ls.cnt);
    return TFP_ENOMEM;
  }
  for (size_t k = 0; k < n; k++) {
    size_t r = res->order[k];
    int first = k == 0 || unit[res->order[k - 1]] != unit[r];
    if (first) {
      res->tfp[r] = res->tech[r] = res->eff[r] = 1.0;
      continue;
    }
    size_t q = res->order[k - 1];
    if (res->period_of[q] != res->period_of[r] - 1) continue;   /* a gap: no change */
    double c[TFP_MQ_NCOMP];
    c[TFP_MQ_EFFCH] = res->crs_t[r] / res->crs_t[q];
    if (res->glob_crs)   /* Pastor-Lovell: tfpch from the global frontier, techch the rest */
      c[TFP_MQ_TECHCH] = res->glob_crs[r] / res->glob_crs[q] / c[TFP_MQ_EFFCH];
    else
      c[TFP_MQ_TECHCH] = sqrt(res->crs_tm1[r] / res->crs_t[r] * (res->crs_t[q] / res->crs_tp1[q]));
    c[TFP_MQ_PECH] = res->vrs_t[r] / res->vrs_t[q];
    c[TFP_MQ_SECH] = c[TFP_MQ_EFFCH] / c[TFP_MQ_PECH];
    c[TFP_MQ_TFPCH] = c[TFP_MQ_EFFCH] * c[TFP_MQ_TECHCH];
    res->n_changes++;
    size_t p = (size_t)res->period_of[r], u = (size_t)unit[r];
    for (int m = 0; m < TFP_MQ_NCOMP; m++) {
      res->change[m][r] = c[m];
      if (!(c[m] > 0 && isfinite(c[m]))) continue;
      add_log(&ls, p, m, c[m]);
      add_log(&ls, n_per + u, m, c[m]);
      add_log(&ls, all, m, c[m]);
    }
    res->tfp[r] = res->tfp[q] * c[TFP_MQ_TFPCH];
    res->tech[r] = res->tech[q] * c[TFP_MQ_TECHCH];
    res->eff[r] = res->eff[q] * c[TFP_MQ_EFFCH];
  }
  for (int m = 0; m < TFP_MQ_NCOMP; m++) {
    for (size_t p = 0; p < n_per; p++)
      if (ls.cnt[p * TFP_MQ_NCOMP + m]) res->period_mean[m][p] = geo_mean(&ls, p, m);
    for (size_t u = 0; u < n_units; u++)
      if (ls.cnt[(n_per + u) * TFP_MQ_NCOMP + m]) res->unit_mean[m][u] = geo_mean(&ls, n_per + u, m);
    res->mean[m] = geo_mean(&ls, all, m);
  }
  free(ls.sum);
  free(ls.cnt);
  return TFP_OK;
}

int tfp_malmquist_run(const tfp_dea_data *d, const int *unit, size_t n_units,
                      const double *time, const tfp_malmquist_opts *opts,
                      tfp_malmquist_result *res, char *err, size_t errlen) {
  tfp_malmquist_opts defaults;
  tfp_malmquist_opts_init(&defaults);
  const tfp_malmquist_opts *o = opts ? opts : &defaults;
  if (!res) return tfp_error(err, errlen, TFP_EINVAL, "no result given");
  memset(res, 0, sizeof *res);
  if ((unsigned)o->reference > TFP_REF_GLOBAL)
    return tfp_error(err, errlen, TFP_EINVAL, "unknown reference technology");
  if (!d || !unit || !time || d->n == 0)
    return tfp_error(err, errlen, TFP_EINVAL, "Malmquist needs data, %s and %s", o->id_name ? o->id_name : "id",
                     o->time_name ? o->time_name : "time");
  size_t n = d->n;
  int rc = alloc_result(res, n, n_units, o->reference == TFP_REF_GLOBAL);
  period_sets ps = {0};
  if (rc == TFP_OK) rc = panel_order(unit, n_units, time, n, o, res, err, errlen);
  if (rc == TFP_OK) rc = tfp_dea_check(d, 0, "", &o->rows, err, errlen);
  if (rc == TFP_OK) rc = find_periods(time, n, o, res, err, errlen);
  if (rc == TFP_OK) rc = split_periods(d, o, res, &ps, err, errlen);
  if (rc == TFP_OK) rc = solve_periods(&ps, o, res, err, errlen);
  if (rc == TFP_OK && tfp_split_active(&o->split)) rc = combine_parts(&ps, o, res);
  if (rc == TFP_OK) rc = changes_and_levels(unit, res);
  period_sets_clear(&ps);
  if (rc == TFP_ENOMEM) tfp_error(err, errlen, rc, "out of memory for a Malmquist index on %zu rows", n);
  if (rc != TFP_OK) tfp_malmquist_result_clear(res);
  return rc;
}
