/* boot.c — Simar-Wilson bootstraps of DEA scores and Malmquist indexes on the
   thread pool (see boot.h for the contract). */
#include "boot.h"
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

void tfp_boot_result_free(tfp_boot_result *r) {
  if (!r) return;
  free(r->eff); free(r->eff_bc); free(r->bias); free(r->lower); free(r->upper); free(r->var);
  free(r->boot_mean); free(r->boot_sd); free(r->replicates);
  memset(r, 0, sizeof *r);
}

void tfp_malmquist_boot_result_free(tfp_malmquist_boot_result *r) {
  if (!r) return;
  tfp_malmquist_result_free(&r->mq);
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
  for (size_t b = begin; b < end; b++) {
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
    tfp_dea_result_free(&r);
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
      tfp_dea_result_free(&r0);
      return TFP_EDATA;
    }
  double h = o->bandwidth > 0 ? o->bandwidth : tfp_boot_bandwidth(r0.eff, n);
  if (!(h > 0 && isfinite(h))) {
    tfp_dea_result_free(&r0);
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
  dea_boot_job job = { d, &dopt, dist, h, 1.0 / sqrt(1 + h * h / v2), o->seed, rep, counts, counts + reps };
  if (!(pool = pool_for(o, &owned))) {
    rc = tfp_error(err, errlen, TFP_ENOMEM, "cannot start the bootstrap's threads");
    goto done;
  }
  res->threads = tfp_pool_threads(pool);
  tfp_pool_task t;
  tfp_pool_task_init(&t);
  t.n = reps; t.body = dea_boot_body; t.init = dea_boot_init; t.fini = release_glpk; t.ud = &job;
  t.progress = dopt.progress; t.progress_ud = dopt.progress_ud; t.what = "bootstrap";
  rc = tfp_pool_for(pool, &t, err, errlen);
  if (rc) goto done;
  for (size_t b = 0; b < reps; b++) { res->n_lp += counts[b]; res->n_infeasible += counts[reps + b]; }

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
  tfp_dea_result_free(&r0);
  free(rep); free(dist); free(tmp); free(counts);
  if (rc) tfp_boot_result_free(res);
  return rc;
}
