/* boot.c — Simar-Wilson bootstraps of DEA scores and Malmquist indexes on the
   thread pool (see boot.h for the contract). */
#include "boot.h"
#include "panel.h"
#include "rng.h"

#include <math.h>
#include <stdlib.h>
#include <string.h>

void tfp_boot_opts_init(tfp_boot_opts *o) {
  memset(o, 0, sizeof *o);
  o->reps = 2000;
  o->seed = 1;
  o->alpha = 0.05;
}

void tfp_boot_result_clear(tfp_boot_result *r) {
  if (!r) return;
  free(r->eff); free(r->eff_bc); free(r->bias); free(r->lower); free(r->upper); free(r->var);
  free(r->boot_mean); free(r->boot_sd); free(r->replicates);
  memset(r, 0, sizeof *r);
}

void tfp_malmquist_boot_result_clear(tfp_malmquist_boot_result *r) {
  if (!r) return;
  tfp_malmquist_result_clear(&r->mq);
  free(r->h);
  for (int k = 0; k < TFP_MQ_NCOMP; k++) { free(r->bc[k]); free(r->lower[k]); free(r->upper[k]); }
  memset(r, 0, sizeof *r);
}

/* ------------------------------------------------------------ statistics */
static int cmp_dbl(const void *a, const void *b) {
  double x = *(const double *)a, y = *(const double *)b;
  return (x > y) - (x < y);
}

static double mean_of(const double *v, size_t n) {
  double s = 0;
  for (size_t i = 0; i < n; i++) s += v[i];
  return s / (double)n;
}

static double var_of(const double *v, size_t n) {   /* n - 1 */
  double m = mean_of(v, n), s = 0;
  for (size_t i = 0; i < n; i++) s += (v[i] - m) * (v[i] - m);
  return s / (double)(n - 1);
}

/* R's type 7 (the default) on sorted values. */
static double quantile7(const double *x, size_t n, double p) {
  double h = (double)(n - 1) * p;
  size_t lo = (size_t)floor(h);
  if (lo + 1 >= n) return x[n - 1];
  return x[lo] + (h - (double)lo) * (x[lo + 1] - x[lo]);
}

double tfp_quantile9(const double *x, size_t n, double p) {
  double m = p / 4.0 + 3.0 / 8.0, np = (double)n * p + m;
  double j = floor(np), g = np - j;
  /* x_(j) and x_(j+1), 1-based, clamped to the sample */
  double a = j < 1 ? x[0] : j > (double)n ? x[n - 1] : x[(size_t)j - 1];
  double b = j + 1 < 1 ? x[0] : j + 1 > (double)n ? x[n - 1] : x[(size_t)j];
  return (1 - g) * a + g * b;
}

double tfp_boot_bandwidth(const double *eff, size_t n) {
  double *dist = malloc((n ? n : 1) * sizeof *dist);
  double *neff = malloc((n ? 2 * n : 1) * sizeof *neff);
  double h = NAN;
  if (!dist || !neff) goto done;
  size_t m = 0;
  for (size_t j = 0; j < n; j++) {
    dist[j] = 1.0 / eff[j];
    if (dist[j] > 1 + 1e-6) neff[m++] = eff[j];
  }
  if (m < 2) goto done;
  for (size_t k = 0; k < m; k++) neff[m + k] = 2 - neff[k];
  size_t nn = 2 * m;
  double sd_neff = sqrt(var_of(neff, nn)), sd_dist = sqrt(var_of(dist, n));
  double adjust = sd_dist / sd_neff * pow((double)nn / (double)n, 0.2);
  qsort(neff, nn, sizeof *neff, cmp_dbl);
  double iqr = (quantile7(neff, nn, 0.75) - quantile7(neff, nn, 0.25)) / 1.349;
  double s = sd_neff;
  if (iqr > 1e-6 && iqr < s) s = iqr;
  h = adjust * 0.9 * s * pow((double)nn, -0.2);
done:
  free(dist); free(neff);
  return h;
}

/* Pool helpers: a DEA inside a replication stops when the loop does. */
static int stop_cb(void *ud, const char *what, size_t done, size_t total) {
  (void)what; (void)done; (void)total;
  return tfp_pool_stopping(ud);
}

static void release_glpk(void *ud, void *state, tfp_pool_ctx *c) {
  (void)ud; (void)c;
  free(state);
  tfp_pool_glpk_release();
}

static tfp_pool *pool_for(const tfp_boot_opts *o, int *owned) {
  *owned = 0;
  if (o->pool) return o->pool;
  int th = o->threads > 0 ? o->threads : tfp_pool_default_threads();
  if (!tfp_pool_glpk_ok()) th = 1;   /* one GLPK environment for the process */
  *owned = 1;
  return tfp_pool_create(th);
}

/* This part's block [*b, *e) of the replications (all of them when the run
   is not split). */
static void rep_block(const tfp_split *s, size_t reps, size_t *b, size_t *e) {
  if (tfp_split_active(s)) tfp_split_range(reps, s->part, s->n_parts, b, e);
  else { *b = 0; *e = reps; }
}

/* A distributed run: every part's replications (rows of rep, width values
   each) and LP counts on every part (split.h). */
static int combine_reps(const tfp_split *s, double *rep, size_t width, size_t reps, size_t b, size_t e,
                        size_t *n_lp, size_t *n_inf, char *err, size_t errlen) {
  size_t c[2] = { *n_lp, *n_inf };
  if (tfp_split_rows(s, rep, reps, width, b, e) || tfp_split_counts(s, c, 2))
    return tfp_error(err, errlen, TFP_EIO, "combining the bootstrap's replications failed");
  *n_lp = c[0];
  *n_inf = c[1];
  return TFP_OK;
}

/* Pseudo data: eval's columns with the radial variable scaled by ratio[j]
   (inputs x ratio for input orientation; outputs / ratio for output). buf:
   n_var x n values; ptr: n_var slots. */
static void pseudo_data(const tfp_dea_data *d, tfp_dea_orientation or, const double *ratio,
                        double *buf, const double **ptr, tfp_dea_data *out) {
  size_t n = d->n;
  *out = *d;
  for (size_t i = 0; i < d->n_in; i++) {
    if (or == TFP_DEA_INPUT) {
      double *c = buf + i * n;
      for (size_t j = 0; j < n; j++) c[j] = d->x[i][j] * ratio[j];
      ptr[i] = c;
    } else {
      ptr[i] = d->x[i];
    }
  }
  for (size_t r = 0; r < d->n_out; r++) {
    if (or == TFP_DEA_OUTPUT) {
      double *c = buf + (d->n_in + r) * n;
      for (size_t j = 0; j < n; j++) c[j] = d->y[r][j] / ratio[j];
      ptr[d->n_in + r] = c;
    } else {
      ptr[d->n_in + r] = d->y[r];
    }
  }
  out->x = ptr;
  out->y = ptr + d->n_in;
}

/* -------------------------------------------------- Simar-Wilson (1998) */
typedef struct {
  const tfp_dea_data *d;
  const tfp_dea_opts *dopt;
  const double *dist;
  double h, shrink;          /* 1 / sqrt(1 + h^2 / var(d, 2 - d)) */
  uint64_t seed;
  double *rep;               /* reps x n */
  size_t *n_lp, *n_inf;      /* per replication */
  size_t first;              /* the pool's item 0 is replication first */
} dea_boot_job;

typedef struct { double *beta, *ratio, *buf; const double **ptr; } dea_boot_ws;

static int dea_boot_init(void *ud, tfp_pool_ctx *c, void **state) {
  const dea_boot_job *j = ud;
  size_t n = j->d->n, nv = j->d->n_in + j->d->n_out;
  dea_boot_ws *w = malloc(sizeof *w + (2 * n + nv * n) * sizeof(double) + nv * sizeof(double *));
  if (!w) { tfp_pool_error(c, "out of memory for the bootstrap"); return TFP_ENOMEM; }
  w->beta = (double *)(w + 1);
  w->ratio = w->beta + n;
  w->buf = w->ratio + n;
  w->ptr = (const double **)(w->buf + nv * n);
  *state = w;
  return TFP_OK;
}

static int dea_boot_body(void *ud, void *state, size_t begin, size_t end, tfp_pool_ctx *c) {
  const dea_boot_job *j = ud;
  dea_boot_ws *w = state;
  size_t n = j->d->n;
  for (size_t b = j->first + begin; b < j->first + end; b++) {
    tfp_rng rng;
    tfp_rng_seed(&rng, j->seed, b);
    double mb = 0;
    for (size_t k = 0; k < n; k++) {
      uint64_t i = tfp_rng_below(&rng, 2 * n);
      w->beta[k] = i < n ? j->dist[i] : 2 - j->dist[i - n];
      mb += w->beta[k];
    }
    mb /= (double)n;
    for (size_t k = 0; k < n; k++) {
      double e = w->beta[k] + j->h * tfp_rng_norm(&rng);
      double ds = mb + (e - mb) * j->shrink;
      if (ds < 1) ds = 2 - ds;
      /* x* = x d* / d (input), y* = y d / d* (output) */
      w->ratio[k] = ds / j->dist[k];
    }
    tfp_dea_data ref;
    pseudo_data(j->d, j->dopt->orientation, w->ratio, w->buf, w->ptr, &ref);
    tfp_dea_opts ro = *j->dopt;
    ro.threads = 1;   /* a replication runs in one worker */
    ro.pool = NULL;
    ro.frame = NULL;
    ro.progress = stop_cb;
    ro.progress_ud = c;
    ro.ref_rows = ro.rows;
    tfp_dea_result r;
    char err[256];
    int rc = tfp_dea_run(j->d, &ref, &ro, &r, err, sizeof err);
    if (rc) { tfp_pool_error(c, "replication %zu: %s", b + 1, err); return rc; }
    memcpy(j->rep + b * n, r.eff, n * sizeof *r.eff);
    j->n_lp[b] = r.n_lp;
    j->n_inf[b] = r.n_infeasible + r.n_failed;
    tfp_dea_result_clear(&r);
  }
  return TFP_OK;
}

int tfp_dea_boot(const tfp_dea_data *d, const tfp_dea_opts *dopt_in, const tfp_boot_opts *o_in,
                 tfp_boot_result *res, char *err, size_t errlen) {
  tfp_boot_opts defo;
  tfp_boot_opts_init(&defo);
  const tfp_boot_opts *o = o_in ? o_in : &defo;
  tfp_dea_opts dopt;
  if (dopt_in) dopt = *dopt_in; else tfp_dea_opts_init(&dopt);
  dopt.want_lambda = dopt.want_slacks = dopt.super = 0;
  if (!res) return tfp_error(err, errlen, TFP_EINVAL, "no result given");
  memset(res, 0, sizeof *res);
  if (o->reps < 2) return tfp_error(err, errlen, TFP_EINVAL, "the bootstrap needs at least 2 replications");
  if (!(o->alpha > 0 && o->alpha < 1)) return tfp_error(err, errlen, TFP_EINVAL, "alpha must be in (0, 1)");
  if (isnan(o->bandwidth) || o->bandwidth < 0)
    return tfp_error(err, errlen, TFP_EINVAL, "the bandwidth must be a positive number");

  tfp_dea_result r0;
  int rc = tfp_dea_run(d, NULL, &dopt, &r0, err, errlen);
  if (rc) return rc;
  size_t n = d->n, reps = o->reps;
  for (size_t j = 0; j < n; j++)
    if (!(r0.eff[j] > 0 && isfinite(r0.eff[j]))) {
      char rb[256];
      tfp_error(err, errlen, TFP_EDATA, "the bootstrap needs a score for every unit; %s has none (%s)",
                tfp_row_label(&dopt.rows, j, rb, sizeof rb),
                r0.status[j] == TFP_DEA_INFEASIBLE ? "infeasible" : "solver failed");
      tfp_dea_result_clear(&r0);
      return TFP_EDATA;
    }
  double h = o->bandwidth > 0 ? o->bandwidth : tfp_boot_bandwidth(r0.eff, n);
  if (!(h > 0 && isfinite(h))) {
    tfp_dea_result_clear(&r0);
    return tfp_error(err, errlen, TFP_EDATA, "the bandwidth rule needs at least two inefficient units "
                     "(give a bandwidth)");
  }
  res->n = n;
  res->reps = reps;
  res->h = h;
  double **cols[] = { &res->eff, &res->eff_bc, &res->bias, &res->lower, &res->upper, &res->var,
                      &res->boot_mean, &res->boot_sd };
  int ok = 1;
  for (size_t k = 0; k < sizeof cols / sizeof cols[0]; k++) ok &= (*cols[k] = malloc(n * sizeof(double))) != NULL;
  double *rep = malloc(reps * n * sizeof *rep);
  double *dist = malloc(n * sizeof *dist), *tmp = malloc(reps * sizeof *tmp);
  size_t *counts = calloc(2 * reps, sizeof *counts);
  tfp_pool *pool = NULL;
  int owned = 0;
  if (!ok || !rep || !dist || !tmp || !counts) {
    rc = tfp_error(err, errlen, TFP_ENOMEM, "out of memory for a bootstrap of %zu units x %zu replications", n, reps);
    goto done;
  }
  memcpy(res->eff, r0.eff, n * sizeof *res->eff);
  double v2 = 0;   /* var of (d, 2 - d): its mean is 1 */
  for (size_t j = 0; j < n; j++) {
    dist[j] = 1.0 / r0.eff[j];
    v2 += 2 * (dist[j] - 1) * (dist[j] - 1);
  }
  v2 /= (double)(2 * n - 1);
  size_t rb, re;
  rep_block(&o->split, reps, &rb, &re);
  dea_boot_job job = { d, &dopt, dist, h, 1.0 / sqrt(1 + h * h / v2), o->seed, rep, counts, counts + reps, rb };
  if (!(pool = pool_for(o, &owned))) {
    rc = tfp_error(err, errlen, TFP_ENOMEM, "cannot start the bootstrap's threads");
    goto done;
  }
  res->threads = tfp_pool_threads(pool);
  tfp_pool_task t;
  tfp_pool_task_init(&t);
  t.n = re - rb; t.body = dea_boot_body; t.init = dea_boot_init; t.fini = release_glpk; t.ud = &job;
  t.progress = dopt.progress; t.progress_ud = dopt.progress_ud; t.what = "bootstrap";
  rc = tfp_pool_for(pool, &t, err, errlen);
  if (rc) goto done;
  for (size_t b = 0; b < reps; b++) { res->n_lp += counts[b]; res->n_infeasible += counts[reps + b]; }
  rc = combine_reps(&o->split, rep, n, reps, rb, re, &res->n_lp, &res->n_infeasible, err, errlen);
  if (rc) goto done;

  double lo_p = o->alpha / 2, hi_p = 1 - o->alpha / 2;
  for (size_t j = 0; j < n; j++) {
    size_t m = 0;
    for (size_t b = 0; b < reps; b++) {
      double e = rep[b * n + j];
      if (e > 0 && isfinite(e)) tmp[m++] = e;
    }
    if (m < 2) {
      res->eff_bc[j] = res->bias[j] = res->lower[j] = res->upper[j] = res->var[j] = NAN;
      res->boot_mean[j] = res->boot_sd[j] = NAN;
      continue;
    }
    res->var[j] = var_of(tmp, m);
    for (size_t k = 0; k < m; k++) tmp[k] = 1.0 / tmp[k];   /* Shephard */
    double mean = mean_of(tmp, m);
    res->boot_mean[j] = mean;
    res->boot_sd[j] = sqrt(var_of(tmp, m));
    double d_bc = 2 * dist[j] - mean;
    res->eff_bc[j] = 1.0 / d_bc;
    res->bias[j] = res->eff[j] - res->eff_bc[j];
    for (size_t k = 0; k < m; k++) tmp[k] = dist[j] - tmp[k];
    qsort(tmp, m, sizeof *tmp, cmp_dbl);
    res->lower[j] = 1.0 / (dist[j] + tfp_quantile9(tmp, m, hi_p));
    res->upper[j] = 1.0 / (dist[j] + tfp_quantile9(tmp, m, lo_p));
  }
  if (o->keep_replicates) { res->replicates = rep; rep = NULL; }

done:
  if (owned) tfp_pool_free(pool);
  tfp_dea_result_clear(&r0);
  free(rep); free(dist); free(tmp); free(counts);
  if (rc) tfp_boot_result_clear(res);
  return rc;
}

/* -------------------------------------------------- Simar-Wilson (1999) */

/* One pair of adjacent periods (s, t): their units' data, contiguous. */
typedef struct {
  tfp_dea_data ds, dt;           /* the periods' units */
  const double *dist_s, *dist_t; /* 1 / CRS own-period score of each */
  const long *partner_s;         /* s unit -> its t unit, or -1 */
  const long *partner_t;         /* t unit -> its s unit, or -1 */
  const size_t *pair_t;          /* the np t units with a partner, ascending */
  size_t np;
  const double *pairs;           /* np x 2: (d_s, d_t) */
  double chol[2][3];             /* lower Cholesky factors (l11, l21, l22) of S and of S flipped */
  double h, shrink;
  uint64_t seed, stream0;
  tfp_dea_orientation orient;
  const tfp_dea_opts *dopt;
  double *rep;                   /* reps x TFP_MQ_NCOMP x np */
  size_t *n_lp, *n_inf;          /* per replication */
  size_t first;                  /* the pool's item 0 is replication first */
} mq_pair_job;

typedef struct {
  double *gam_s, *gam_t, *ratio_s, *ratio_t, *buf_s, *buf_t;
  const double **ptr_s, **ptr_t;
  double *beta_s, *beta_t, *eps_s, *eps_t;
  int *have_s, *have_t;
} mq_ws;

static int mq_init(void *ud, tfp_pool_ctx *c, void **state) {
  const mq_pair_job *j = ud;
  size_t ns = j->ds.n, nt = j->dt.n, nv = j->ds.n_in + j->ds.n_out;
  size_t nd = 6 * (ns + nt) + nv * (ns + nt);
  mq_ws *w = calloc(1, sizeof *w + nd * sizeof(double) + 2 * nv * sizeof(double *) + (ns + nt) * sizeof(int));
  if (!w) { tfp_pool_error(c, "out of memory for the bootstrap"); return TFP_ENOMEM; }
  double *p = (double *)(w + 1);
  w->gam_s = p; p += ns; w->gam_t = p; p += nt;
  w->ratio_s = p; p += ns; w->ratio_t = p; p += nt;
  w->beta_s = p; p += ns; w->beta_t = p; p += nt;
  w->eps_s = p; p += ns; w->eps_t = p; p += nt;
  w->buf_s = p; p += nv * ns; w->buf_t = p; p += nv * nt;
  p += 2 * (ns + nt);   /* spare */
  w->ptr_s = (const double **)p; w->ptr_t = w->ptr_s + nv;
  w->have_s = (int *)(w->ptr_t + nv); w->have_t = w->have_s + ns;
  *state = w;
  return TFP_OK;
}

/* One draw from the reflected bivariate kernel: (beta, eps) for both periods. */
static void draw_pair(const mq_pair_job *j, tfp_rng *r, double *bs, double *bt, double *es, double *et) {
  uint64_t idx = tfp_rng_below(r, 4 * j->np);
  size_t block = (size_t)(idx / j->np), i = (size_t)(idx % j->np);
  double a = j->pairs[2 * i], b = j->pairs[2 * i + 1];
  if (block & 1) a = 2 - a;
  if (block & 2) b = 2 - b;
  const double *L = j->chol[(block == 1 || block == 2) ? 1 : 0];
  double z1 = tfp_rng_norm(r), z2 = tfp_rng_norm(r);
  *bs = a; *bt = b;
  *es = L[0] * z1;
  *et = L[1] * z1 + L[2] * z2;
}

static int run_dea(const tfp_dea_data *ev, const tfp_dea_data *ref, const tfp_dea_opts *base,
                   tfp_dea_rts rts, tfp_pool_ctx *c, double *out, size_t *n_lp, size_t *n_inf, size_t b) {
  tfp_dea_opts o = *base;
  o.rts = rts;
  o.threads = 1;   /* a replication runs in one worker */
  o.pool = NULL;
  o.progress = stop_cb;
  o.progress_ud = c;
  o.ref_rows = o.rows;
  tfp_dea_result r;
  char err[256];
  int rc = tfp_dea_run(ev, ref, &o, &r, err, sizeof err);
  if (rc) { tfp_pool_error(c, "replication %zu: %s", b + 1, err); return rc; }
  memcpy(out, r.eff, ev->n * sizeof *out);
  *n_lp += r.n_lp;
  *n_inf += r.n_infeasible + r.n_failed;
  tfp_dea_result_clear(&r);
  return TFP_OK;
}

static int mq_body(void *ud, void *state, size_t begin, size_t end, tfp_pool_ctx *c) {
  const mq_pair_job *j = ud;
  mq_ws *w = state;
  size_t ns = j->ds.n, nt = j->dt.n, np = j->np;
  for (size_t b = j->first + begin; b < j->first + end; b++) {
    tfp_rng rng;
    tfp_rng_seed(&rng, j->seed, j->stream0 + b);
    /* draws: a joint one per unit of s (its partner in t shares it), then
       one for each unit of t without a partner */
    double ms = 0, mt = 0;
    for (size_t k = 0; k < ns; k++) {
      double bs, bt, es, et;
      draw_pair(j, &rng, &bs, &bt, &es, &et);
      w->beta_s[k] = bs; w->eps_s[k] = es;
      ms += bs;
      long p = j->partner_s[k];
      if (p >= 0) { w->beta_t[p] = bt; w->eps_t[p] = et; mt += bt; }
    }
    for (size_t k = 0; k < nt; k++)
      if (j->partner_t[k] < 0) {
        double bs, bt, es, et;
        draw_pair(j, &rng, &bs, &bt, &es, &et);
        w->beta_t[k] = bt; w->eps_t[k] = et;
        mt += bt;
      }
    ms /= (double)ns;
    mt /= (double)nt;
    for (size_t k = 0; k < ns; k++) {
      double g = ms + (w->beta_s[k] + j->h * w->eps_s[k] - ms) * j->shrink;
      if (g < 1) g = 2 - g;
      w->ratio_s[k] = g / j->dist_s[k];
    }
    for (size_t k = 0; k < nt; k++) {
      double g = mt + (w->beta_t[k] + j->h * w->eps_t[k] - mt) * j->shrink;
      if (g < 1) g = 2 - g;
      w->ratio_t[k] = g / j->dist_t[k];
    }
    tfp_dea_data ps, pt;
    pseudo_data(&j->ds, j->orient, w->ratio_s, w->buf_s, w->ptr_s, &ps);
    pseudo_data(&j->dt, j->orient, w->ratio_t, w->buf_t, w->ptr_t, &pt);
    /* the six distances of DEAP's index against the pseudo technologies;
       gam_* and the ratio arrays are reused as score buffers */
    double *ss = w->gam_s, *tt = w->gam_t;            /* CRS s vs s*, t vs t* */
    double *ts = w->beta_t, *st = w->beta_s;          /* CRS t vs s*, s vs t* */
    double *vs = w->eps_s, *vt = w->eps_t;            /* VRS own */
    size_t *lp = &j->n_lp[b], *inf = &j->n_inf[b];
    int rc = run_dea(&j->ds, &ps, j->dopt, TFP_RTS_CRS, c, ss, lp, inf, b);
    if (!rc) rc = run_dea(&j->dt, &pt, j->dopt, TFP_RTS_CRS, c, tt, lp, inf, b);
    if (!rc) rc = run_dea(&j->dt, &ps, j->dopt, TFP_RTS_CRS, c, ts, lp, inf, b);
    if (!rc) rc = run_dea(&j->ds, &pt, j->dopt, TFP_RTS_CRS, c, st, lp, inf, b);
    if (!rc) rc = run_dea(&j->ds, &ps, j->dopt, TFP_RTS_VRS, c, vs, lp, inf, b);
    if (!rc) rc = run_dea(&j->dt, &pt, j->dopt, TFP_RTS_VRS, c, vt, lp, inf, b);
    if (rc) return rc;
    double *out = j->rep + b * TFP_MQ_NCOMP * np;
    for (size_t i = 0; i < np; i++) {
      size_t r = j->pair_t[i], q = (size_t)j->partner_t[r];
      double effch = tt[r] / ss[q], pech = vt[r] / vs[q];
      double techch = sqrt(ts[r] / tt[r] * (ss[q] / st[q]));
      out[TFP_MQ_EFFCH * np + i] = effch;
      out[TFP_MQ_TECHCH * np + i] = techch;
      out[TFP_MQ_PECH * np + i] = pech;
      out[TFP_MQ_SECH * np + i] = effch / pech;
      out[TFP_MQ_TFPCH * np + i] = effch * techch;
    }
  }
  return TFP_OK;
}

static void chol2(double s11, double s12, double s22, double *L) {
  L[0] = sqrt(s11 > 0 ? s11 : 0);
  L[1] = L[0] > 0 ? s12 / L[0] : 0;
  double r = s22 - L[1] * L[1];
  L[2] = sqrt(r > 0 ? r : 0);
}

/* The covariance (n - 1) of the np pairs (a, b) in pairs[2 i], pairs[2 i + 1]. */
static void pair_cov(const double *pairs, size_t np, double *saa, double *sab, double *sbb) {
  double ma = 0, mb = 0;
  *saa = *sab = *sbb = 0;
  for (size_t i = 0; i < np; i++) { ma += pairs[2 * i]; mb += pairs[2 * i + 1]; }
  ma /= (double)np; mb /= (double)np;
  for (size_t i = 0; i < np; i++) {
    double a = pairs[2 * i] - ma, b = pairs[2 * i + 1] - mb;
    *saa += a * a; *sab += a * b; *sbb += b * b;
  }
  *saa /= (double)(np - 1); *sab /= (double)(np - 1); *sbb /= (double)(np - 1);
}

/* Bias-corrected values and basic intervals of the pair's np changes, at
   their rows rows_t[pair_t[i]] (the later period's rows); tmp: reps slots. */
static void pair_intervals(const mq_pair_job *j, const size_t *rows_t, size_t reps, double alpha, double *tmp,
                           tfp_malmquist_boot_result *res) {
  double lo_p = alpha / 2, hi_p = 1 - alpha / 2;
  for (size_t i = 0; i < j->np; i++) {
    size_t row = rows_t[j->pair_t[i]];
    for (int k = 0; k < TFP_MQ_NCOMP; k++) {
      double est = res->mq.change[k][row];
      size_t cntk = 0;
      for (size_t b = 0; b < reps; b++) {
        double v = j->rep[(b * TFP_MQ_NCOMP + (size_t)k) * j->np + i];
        if (v > 0 && isfinite(v)) tmp[cntk++] = v;
      }
      if (cntk < 2 || !(est > 0 && isfinite(est))) continue;
      double mean = mean_of(tmp, cntk);
      qsort(tmp, cntk, sizeof *tmp, cmp_dbl);
      res->bc[k][row] = 2 * est - mean;
      res->lower[k][row] = 2 * est - tfp_quantile9(tmp, cntk, hi_p);
      res->upper[k][row] = 2 * est - tfp_quantile9(tmp, cntk, lo_p);
    }
  }
}

/* Progress over all pairs: done of total replications. */
typedef struct { const tfp_malmquist_opts *mo; size_t base, total; } mq_boot_progress;

static int mq_progress_cb(void *ud, const char *what, size_t done, size_t total) {
  const mq_boot_progress *p = ud;
  (void)total;
  return p->mo->progress(p->mo->progress_ud, what, p->base + done, p->total);
}

int tfp_malmquist_boot(const tfp_dea_data *d, const int *unit, size_t n_units, const double *time,
                       const tfp_malmquist_opts *mo_in, const tfp_boot_opts *o_in,
                       tfp_malmquist_boot_result *res, char *err, size_t errlen) {
  tfp_boot_opts defo;
  tfp_boot_opts_init(&defo);
  const tfp_boot_opts *o = o_in ? o_in : &defo;
  tfp_malmquist_opts mo;
  if (mo_in) mo = *mo_in; else tfp_malmquist_opts_init(&mo);
  if (!res) return tfp_error(err, errlen, TFP_EINVAL, "no result given");
  memset(res, 0, sizeof *res);
  if (mo.reference != TFP_REF_CONTEMPORANEOUS)
    return tfp_error(err, errlen, TFP_EINVAL, "the Malmquist bootstrap (Simar-Wilson 1999) is for the "
                     "contemporaneous reference");
  if (o->reps < 2) return tfp_error(err, errlen, TFP_EINVAL, "the bootstrap needs at least 2 replications");
  if (!(o->alpha > 0 && o->alpha < 1)) return tfp_error(err, errlen, TFP_EINVAL, "alpha must be in (0, 1)");
  if (isnan(o->bandwidth) || o->bandwidth < 0)
    return tfp_error(err, errlen, TFP_EINVAL, "the bandwidth must be a positive number");
  memset(&mo.split, 0, sizeof mo.split);   /* point estimates whole on every part (boot.h) */
  int rc = tfp_malmquist_run(d, unit, n_units, time, &mo, &res->mq, err, errlen);
  if (rc) return rc;
  const tfp_malmquist_result *m = &res->mq;
  size_t rb, re;   /* this part's replications of each pair */
  rep_block(&o->split, o->reps, &rb, &re);
  size_t n = d->n, n_per = m->n_periods, n_in = d->n_in, n_out = d->n_out, nv = n_in + n_out, reps = o->reps;
  res->reps = reps;
  int ok = (res->h = malloc((n_per ? n_per : 1) * sizeof *res->h)) != NULL;
  for (int k = 0; k < TFP_MQ_NCOMP; k++) {
    ok &= (res->bc[k] = malloc(n * sizeof(double))) != NULL;
    ok &= (res->lower[k] = malloc(n * sizeof(double))) != NULL;
    ok &= (res->upper[k] = malloc(n * sizeof(double))) != NULL;
    if (res->bc[k] && res->lower[k] && res->upper[k])
      for (size_t i = 0; i < n; i++) res->bc[k][i] = res->lower[k][i] = res->upper[k][i] = NAN;
  }
  size_t *off = calloc(n_per + 1, sizeof *off);
  size_t *rows = malloc(n * sizeof *rows), *pos = malloc(n * sizeof *pos);
  double *buf = malloc(n * nv * sizeof *buf), *dist = malloc(n * sizeof *dist);
  const double **ptr = malloc(n_per * nv * sizeof *ptr);
  long *where = malloc((n_units ? n_units : 1) * sizeof *where);
  long *partner = malloc(n * sizeof *partner);
  size_t *pair_t = malloc(n * sizeof *pair_t);
  double *pairs = malloc(2 * n * sizeof *pairs), *tmp = malloc(reps * sizeof *tmp);
  size_t *counts = calloc(2 * reps, sizeof *counts);
  double *rep = NULL;
  tfp_pool *pool = NULL;
  int owned = 0;
  if (!ok || !off || !rows || !pos || !buf || !dist || !ptr || !where || !partner || !pair_t ||
      !pairs || !tmp || !counts) {
    rc = tfp_error(err, errlen, TFP_ENOMEM, "out of memory for a Malmquist bootstrap on %zu rows", n);
    goto done;
  }
  for (size_t p = 0; p < n_per; p++) res->h[p] = NAN;
  /* rows by period, each period's data contiguous (variable-major) */
  tfp_panel_period_rows(m->period_of, n, n_per, off, rows);
  for (size_t k = 0; k < n; k++) pos[rows[k]] = k;
  for (size_t p = 0; p < n_per; p++)
    for (size_t v = 0; v < nv; v++) {
      const double *src = v < n_in ? d->x[v] : d->y[v - n_in];
      double *dst = buf + v * n + off[p];
      for (size_t k = off[p]; k < off[p + 1]; k++) dst[k - off[p]] = src[rows[k]];
      ptr[p * nv + v] = dst;
    }
  for (size_t i = 0; i < n; i++) dist[pos[i]] = 1.0 / m->crs_t[i];
  if (!(pool = pool_for(o, &owned))) {
    rc = tfp_error(err, errlen, TFP_ENOMEM, "cannot start the bootstrap's threads");
    goto done;
  }
  res->threads = tfp_pool_threads(pool);
  mq_boot_progress prog = { &mo, 0, (n_per > 1 ? n_per - 1 : 0) * (re - rb) };
  for (size_t t = 1; t < n_per; t++) {
    size_t s = t - 1, ns = off[t] - off[s], nt = off[t + 1] - off[t];
    for (size_t u = 0; u < n_units; u++) where[u] = -1;
    for (size_t k = off[s]; k < off[t]; k++) where[unit[rows[k]]] = (long)(k - off[s]);
    long *partner_s = partner + off[s], *partner_t = partner + off[t];
    for (size_t k = off[s]; k < off[t]; k++) partner_s[k - off[s]] = -1;
    size_t np = 0;
    for (size_t k = 0; k < nt; k++) {
      long q = where[unit[rows[off[t] + k]]];
      partner_t[k] = q;
      if (q >= 0) {
        partner_s[q] = (long)k;
        pair_t[np] = k;
        pairs[2 * np] = dist[off[s] + (size_t)q];
        pairs[2 * np + 1] = dist[off[t] + k];
        np++;
      }
    }
    prog.base = (t - 1) * (re - rb);
    if (np < 3) continue;   /* no covariance to speak of: no intervals for this pair */
    double saa, sab, sbb;
    pair_cov(pairs, np, &saa, &sab, &sbb);
    double h = o->bandwidth > 0 ? o->bandwidth : pow((double)np, -1.0 / 6.0);
    res->h[t] = h;
    free(rep);
    if (!(rep = malloc(reps * TFP_MQ_NCOMP * np * sizeof *rep))) {
      rc = tfp_error(err, errlen, TFP_ENOMEM, "out of memory for %zu replications", reps);
      goto done;
    }
    tfp_dea_data ds = { ns, n_in, n_out, ptr + s * nv, ptr + s * nv + n_in, d->x_names, d->y_names };
    tfp_dea_data dt = { nt, n_in, n_out, ptr + t * nv, ptr + t * nv + n_in, d->x_names, d->y_names };
    tfp_dea_opts dopt;
    tfp_dea_opts_init(&dopt);
    dopt.orientation = mo.orientation;
    dopt.warm_start = mo.warm_start;
    dopt.screen = mo.screen;
    mq_pair_job job = { ds, dt, dist + off[s], dist + off[t], partner_s, partner_t, pair_t, np, pairs,
                        {{0}}, h, 1.0 / sqrt(1 + h * h), o->seed, (uint64_t)t << 40, mo.orientation,
                        &dopt, rep, counts, counts + reps, rb };
    chol2(saa, sab, sbb, job.chol[0]);
    chol2(saa, -sab, sbb, job.chol[1]);
    memset(counts, 0, 2 * reps * sizeof *counts);
    tfp_pool_task tk;
    tfp_pool_task_init(&tk);
    tk.n = re - rb; tk.body = mq_body; tk.init = mq_init; tk.fini = release_glpk; tk.ud = &job;
    if (mo.progress) { tk.progress = mq_progress_cb; tk.progress_ud = &prog; }
    tk.what = "malmquist bootstrap";
    rc = tfp_pool_for(pool, &tk, err, errlen);
    if (rc) goto done;
    size_t pair_lp = 0, pair_inf = 0;
    for (size_t b = 0; b < reps; b++) { pair_lp += counts[b]; pair_inf += counts[reps + b]; }
    rc = combine_reps(&o->split, rep, TFP_MQ_NCOMP * np, reps, rb, re, &pair_lp, &pair_inf, err, errlen);
    if (rc) goto done;
    res->n_lp += pair_lp;
    res->n_infeasible += pair_inf;
    pair_intervals(&job, rows + off[t], reps, o->alpha, tmp, res);
  }

done:
  if (owned) tfp_pool_free(pool);
  free(off); free(rows); free(pos); free(buf); free(dist); free(ptr); free(where);
  free(partner); free(pair_t); free(pairs); free(tmp); free(counts); free(rep);
  if (rc) tfp_malmquist_boot_result_clear(res);
  return rc;
}
