/* fe.c — see fe.h. */
#include "fe.h"
#include "pool.h"
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

void tfp_fe_opts_init(tfp_fe_opts *o) {
  memset(o, 0, sizeof *o);
  o->tol = 1e-10;
  o->maxit = 10000;
  o->accel = 1;
}

/* Columns go to a pool from this many rows (below, a sweep is too short
   for threads to pay). */
enum { POOL_MIN_ROWS = 65536 };

typedef struct {
  size_t n, nfe, nx, Gsum;
  const int *const *code;
  const size_t *G;
  size_t *off;          /* FE f's coefficients start at off[f] */
  double *cnt;          /* rows per level, all FE (Gsum) */
  double **xs;
  const tfp_fe_opts *o;
  int *iters;           /* per column; -1: did not converge */
} fe_job;

/* Asked after every sweep of one FE: in a pool's worker, whether the loop
   is stopping; in the caller's thread, the progress callback itself. */
typedef struct {
  tfp_pool_ctx *ctx;
  const tfp_fe_opts *o;
  size_t col, nx;
} stopper;

static int stop_now(const stopper *st) {
  if (st->ctx) return tfp_pool_stopping(st->ctx);
  return st->o->progress && st->o->progress(st->o->progress_ud, "absorbing fixed effects", st->col, st->nx);
}

/* Per worker: sums and the coefficients of three iterates (Gsum each). */
typedef struct {
  double *sum, *c0, *c1, *c2;
} fe_scratch;

static int fe_init(void *ud, tfp_pool_ctx *ctx, void **state) {
  (void)ctx;
  const fe_job *j = ud;
  fe_scratch *s = malloc(sizeof *s);
  double *m = malloc(4 * (j->Gsum ? j->Gsum : 1) * sizeof *m);
  if (!s || !m) { free(s); free(m); return TFP_ENOMEM; }
  s->sum = m; s->c0 = m + j->Gsum; s->c1 = m + 2 * j->Gsum; s->c2 = m + 3 * j->Gsum;
  *state = s;
  return TFP_OK;
}

static void fe_fini(void *ud, void *state, tfp_pool_ctx *ctx) {
  (void)ud; (void)ctx;
  fe_scratch *s = state;
  if (s) free(s->sum);
  free(s);
}

/* One FE: subtract the group means (the arithmetic of the original sweep). */
static void within(const fe_job *j, double *x, double *sum) {
  const int *code = j->code[0];
  size_t G = j->G[0];
  memset(sum, 0, G * sizeof *sum);
  for (size_t i = 0; i < j->n; i++) sum[code[i]] += x[i];
  for (size_t g = 0; g < G; g++) sum[g] = j->cnt[g] > 0 ? sum[g] / j->cnt[g] : 0;
  for (size_t i = 0; i < j->n; i++) x[i] -= sum[code[i]];
}

/* One plain sweep of every FE in coefficient space: c (Gsum) in, out in
   place; returns the largest change of a coefficient. */
static double sweep(const fe_job *j, const double *x, double *c, double *sum, const stopper *st) {
  double maxch = 0;
  size_t n = j->n, nfe = j->nfe;
  for (size_t f = 0; f < nfe; f++) {
    const int *cf = j->code[f];
    double *s = sum + j->off[f], *cc = c + j->off[f];
    const double *cnt = j->cnt + j->off[f];
    memset(s, 0, j->G[f] * sizeof *s);
    if (nfe == 2) {   /* the common case, without the inner loop over FE */
      const int *co = j->code[1 - f];
      const double *oc = c + j->off[1 - f];
      for (size_t i = 0; i < n; i++) s[cf[i]] += x[i] - oc[co[i]];
    } else {
      for (size_t i = 0; i < n; i++) {
        double r = x[i];
        for (size_t h = 0; h < nfe; h++) if (h != f) r -= c[j->off[h] + (size_t)j->code[h][i]];
        s[cf[i]] += r;
      }
    }
    for (size_t g = 0; g < j->G[f]; g++) {
      double v = cnt[g] > 0 ? s[g] / cnt[g] : 0, ch = fabs(v - cc[g]);
      if (ch > maxch) maxch = ch;
      cc[g] = v;
    }
    if (stop_now(st)) return -1;
  }
  return maxch;
}

/* accel = 0: plain alternating projections on x itself, sweep after sweep
   (the method and arithmetic before the coefficient-space sweeps: group
   sums and counts of each FE, then their means subtracted). */
static int plain_column(const fe_job *j, double *x, fe_scratch *s, const stopper *st) {
  size_t n = j->n;
  double scale = 0;
  for (size_t i = 0; i < n; i++) if (fabs(x[i]) > scale) scale = fabs(x[i]);
  if (scale == 0) scale = 1;
  for (int it = 1;; it++) {
    double ch = 0;
    for (size_t f = 0; f < j->nfe; f++) {
      const int *code = j->code[f];
      double *sum = s->sum, *cnt = s->c0;
      memset(sum, 0, j->G[f] * sizeof *sum);
      memset(cnt, 0, j->G[f] * sizeof *cnt);
      for (size_t i = 0; i < n; i++) { sum[code[i]] += x[i]; cnt[code[i]] += 1; }
      for (size_t g = 0; g < j->G[f]; g++) {
        sum[g] = cnt[g] > 0 ? sum[g] / cnt[g] : 0;
        if (fabs(sum[g]) > ch) ch = fabs(sum[g]);
      }
      for (size_t i = 0; i < n; i++) x[i] -= sum[code[i]];
      if (stop_now(st)) return -2;
    }
    if (ch <= j->o->tol * scale) return it;
    if (it >= j->o->maxit) return -1;
  }
}

/* Irons-Tuck: c0 = c, c1 = G c, c2 = G G c; the extrapolation into c0. */
static void irons_tuck(size_t m, double *c0, const double *c1, const double *c2) {
  double num = 0, den = 0;
  for (size_t g = 0; g < m; g++) {
    double d1 = c2[g] - c1[g], d2 = c2[g] - 2 * c1[g] + c0[g];
    num += d1 * d2; den += d2 * d2;
  }
  double a = den > 0 ? num / den : 0;
  for (size_t g = 0; g < m; g++) c0[g] = c2[g] - a * (c2[g] - c1[g]);
}

/* Several FE, accel = 1: iterate on the coefficients, an Irons-Tuck step
   after every two sweeps, until the rule of fe.h holds; then residualise x. Returns the iterations, or -1 at maxit, -2 when stopped. */
static int absorb_column(const fe_job *j, double *x, fe_scratch *s, const stopper *st) {
  size_t n = j->n, m = j->Gsum;
  double scale = 0;
  for (size_t i = 0; i < n; i++) if (fabs(x[i]) > scale) scale = fabs(x[i]);
  if (scale == 0) scale = 1;
  double lim = j->o->tol * scale;
  memset(s->c0, 0, m * sizeof *s->c0);
  int it = 0, since = 0;
  double *c = s->c0;
  for (;;) {
    if (since == 2) {   /* c0 -> c1 -> c2 were plain sweeps */
      irons_tuck(m, s->c0, s->c1, s->c2);
      c = s->c0;
      since = 0;
    }
    double *next = c == s->c0 ? s->c1 : s->c2;
    memcpy(next, c, m * sizeof *next);
    double ch = sweep(j, x, next, s->sum, st);
    if (ch < 0) return -2;
    c = next;
    it++;
    since++;
    if (ch <= lim) break;
    if (it >= j->o->maxit) return -1;
  }
  for (size_t i = 0; i < n; i++) {
    double r = x[i];
    for (size_t f = 0; f < j->nfe; f++) r -= c[j->off[f] + (size_t)j->code[f][i]];
    x[i] = r;
  }
  return it;
}

/* Column k: its sweeps (1 for one FE), -1 at maxit, -2 when stopped. */
static int run_column(const fe_job *j, size_t k, fe_scratch *s, const stopper *st) {
  if (j->nfe == 1) {
    within(j, j->xs[k], s->sum);
    return stop_now(st) ? -2 : 1;
  }
  return j->o->accel ? absorb_column(j, j->xs[k], s, st) : plain_column(j, j->xs[k], s, st);
}

static int fe_body(void *ud, void *state, size_t begin, size_t end, tfp_pool_ctx *ctx) {
  const fe_job *j = ud;
  for (size_t k = begin; k < end; k++) {
    stopper st = {ctx, j->o, k, j->nx};
    int it = run_column(j, k, state, &st);
    if (it == -2) return TFP_EINTR;
    j->iters[k] = it;
  }
  return TFP_OK;
}

/* Without a pool (one thread, one column, or little data): the columns in
   the caller's thread, which asks progress after every sweep and column. */
static int fe_serial(const fe_job *j) {
  void *state = NULL;
  if (fe_init((void *)j, NULL, &state)) return TFP_ENOMEM;
  int rc = TFP_OK;
  for (size_t k = 0; !rc && k < j->nx; k++) {
    stopper st = {NULL, j->o, k, j->nx};
    int it = run_column(j, k, state, &st);
    if (it == -2) rc = TFP_EINTR;
    j->iters[k] = it;
    if (!rc && it >= 0 && j->o->progress && j->o->progress(j->o->progress_ud, "absorbing fixed effects", k + 1, j->nx))
      rc = TFP_EINTR;
    if (it == -1) break;
  }
  fe_fini((void *)j, state, NULL);
  return rc;
}

/* Rows per level of every FE, and each FE's offset in the coefficients. */
static int fe_counts(fe_job *j) {
  j->off = malloc((j->nfe + 1) * sizeof *j->off);
  if (!j->off) return TFP_ENOMEM;
  j->Gsum = 0;
  for (size_t f = 0; f < j->nfe; f++) { j->off[f] = j->Gsum; j->Gsum += j->G[f]; }
  j->off[j->nfe] = j->Gsum;
  j->cnt = calloc(j->Gsum ? j->Gsum : 1, sizeof *j->cnt);
  if (!j->cnt) return TFP_ENOMEM;
  for (size_t f = 0; f < j->nfe; f++) {
    double *c = j->cnt + j->off[f];
    const int *code = j->code[f];
    for (size_t i = 0; i < j->n; i++) c[code[i]] += 1;
  }
  return TFP_OK;
}

int tfp_fe_demean(size_t n, const int *const *code, const size_t *G, size_t nfe,
                  double **xs, size_t nx, const tfp_fe_opts *o_in, int *iters,
                  char *err, size_t errlen) {
  tfp_fe_opts o;
  if (o_in) o = *o_in; else tfp_fe_opts_init(&o);
  if (iters) *iters = 0;
  if (nfe == 0 || nx == 0) return TFP_OK;
  fe_job j = {n, nfe, nx, 0, code, G, NULL, NULL, xs, &o, calloc(nx, sizeof(int))};
  int rc = j.iters ? fe_counts(&j) : TFP_ENOMEM;
  int threads = o.threads > 0 ? o.threads : tfp_pool_default_threads();
  if ((size_t)threads > nx) threads = (int)nx;
  tfp_pool *p = NULL;
  if (!rc && (threads < 2 || n < POOL_MIN_ROWS)) rc = fe_serial(&j);
  else if (!rc && !(p = tfp_pool_create(threads))) rc = TFP_ENOMEM;
  else if (!rc) {
    tfp_pool_task t;
    tfp_pool_task_init(&t);
    t.n = nx; t.body = fe_body; t.init = fe_init; t.fini = fe_fini; t.ud = &j;
    t.progress = o.progress; t.progress_ud = o.progress_ud; t.what = "absorbing fixed effects";
    rc = tfp_pool_for(p, &t, NULL, 0);
  }
  tfp_pool_free(p);
  int worst = 0;
  for (size_t k = 0; !rc && k < nx; k++) {
    if (j.iters[k] == -1) {
      rc = tfp_error(err, errlen, TFP_ENUMERIC, "alternating projections did not converge in %d "
                     "iterations (column %zu)", o.maxit, k + 1);
      break;
    }
    if (j.iters[k] > worst) worst = j.iters[k];
  }
  if (rc == TFP_ENOMEM) tfp_error(err, errlen, rc, "out of memory: fixed effects");
  if (rc == TFP_EINTR) tfp_error(err, errlen, rc, "interrupted");
  free(j.iters); free(j.off); free(j.cnt);
  if (!rc && iters) *iters = worst;
  return rc;
}
