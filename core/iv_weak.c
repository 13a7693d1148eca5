/* iv_weak.c — weak-instrument-robust inference for one endogenous
   regressor x (see iv.h), after the controls and fixed effects are
   partialled out of y, x and the excluded instruments Z1:
   - Anderson-Rubin: the Wald test of g = 0 in y - b0 x = Z1 g + u under
     the fit's VCE, exactly ivreg2's archi2/arf at b0 = 0. With
     h(b0) = Z1'(y - b0 x) and u(b0) = u_y - b0 u_x (the residuals of y and
     x on Z1), archi2(b0) = h' Omega(u(b0))^-1 h, and Omega is a quadratic
     form in u, so Omega(b0) = A - b0 B + b0^2 C.
   - The 95% AR set {b0 : archi2(b0) <= c}: its ends are the real roots of
     det(c Omega(b0) - h h') (degree 2 L1 in b0: a quadratic eigenvalue
     problem, solved as a 2 L1 generalized eigenproblem, then each root
     polished by bisection on archi2 - c); which pieces belong to the set
     is read off archi2 between the roots, and the ends from its limit
     p' C^-1 p as |b0| -> infinity.
   - Montiel Olea & Pflueger (2013): f_eff = pi' Q pi / tr(S Q), pi the
     first stage, Q = Z1'Z1/N, S its VCE in ivreg2's first-stage scaling;
     the simplified critical value for a worst-case 2SLS bias of tau = 10%
     at 5%: K_eff = (1 + 2x) / (sum w^2 + 2x max w) (w the eigenvalues of
     S Q scaled to sum 1, x = 1/tau) and cv = the 0.95 quantile of a
     non-central chi2(K_eff, x K_eff), divided by K_eff. */
#include "iv_internal.h"
#include "linalg.h"
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

/* ---------------------------------------------------------- distributions */

/* P(X <= q), X ~ non-central chi2(k, lambda), k > 0 not necessarily an
   integer: the Poisson(lambda/2) mixture of central chi2(k + 2j). */
static double ncx2_cdf(double k, double lambda, double q)
{
  if (!(q > 0)) return 0;
  double h = lambda / 2, sum = 0;
  size_t jmax = (size_t)(h + 12 * sqrt(h + 1) + 60);
  for (size_t j = 0; j <= jmax; j++) {
    double logw = -h + (j ? (double)j * log(h) : 0) - lgamma((double)j + 1);
    if (h == 0 && j > 0) break;
    sum += exp(logw) * (1 - tfp_chi2_tail(k + 2 * (double)j, q));
  }
  return sum;
}

/* The q with upper tail (or 1 - cdf) = alpha: bisection on a bracket. */
typedef double (*tail_fn)(const double *par, double q);
static double quantile(tail_fn tail, const double *par, double alpha)
{
  double lo = 0, hi = 1;
  while (tail(par, hi) > alpha && hi < 1e300) { lo = hi; hi *= 2; }
  for (int it = 0; it < 400 && hi - lo > 1e-15 * hi; it++) {
    double mid = 0.5 * (lo + hi);
    if (tail(par, mid) > alpha) lo = mid; else hi = mid;
  }
  return 0.5 * (lo + hi);
}
static double tail_chi2(const double *par, double q) { return tfp_chi2_tail(par[0], q); }
static double tail_F(const double *par, double q) { return tfp_F_tail(par[0], par[1], q); }
static double tail_ncx2(const double *par, double q) { return 1 - ncx2_cdf(par[0], par[1], q); }

/* ---------------------------------------------------------- the AR test */

/* archi2 at b0 (NaN when Omega(b0) is not positive definite). */
static double ar_chi2(const tfp_iv_weak *wk, double b0)
{
  size_t L1 = wk->L1;
  double Om[64] = {0}, h[8] = {0}, x[8] = {0}, *Omp = Om, *hp = h, *xp = x;
  double *buf = NULL;
  if (L1 > 8) {
    buf = malloc((L1 * L1 + 2 * L1) * sizeof *buf);
    if (!buf) return NAN;
    Omp = buf; hp = buf + L1 * L1; xp = hp + L1;
  }
  for (size_t i = 0; i < L1; i++) { hp[i] = wk->a[i] - b0 * wk->p[i]; xp[i] = hp[i]; }
  for (size_t i = 0; i < L1 * L1; i++) Omp[i] = wk->A[i] - b0 * wk->B[i] + b0 * b0 * wk->C[i];
  char why[128];
  double v = NAN;
  if (tfp_la_chol_solve(L1, Omp, 1, xp, why, sizeof why) == TFP_OK) {
    v = 0;
    for (size_t i = 0; i < L1; i++) v += hp[i] * xp[i];
  }
  free(buf);
  return v;
}

int tfp_iv_ar_test(const tfp_iv_weak *wk, double b0, tfp_iv_ar *out)
{
  double c = ar_chi2(wk, b0 / wk->b_scale);
  out->df1 = wk->df1; out->df2 = wk->df2;
  out->chi2 = c; out->chi2_p = tfp_chi2_tail(wk->df1, c);
  out->f = c * wk->chi2_to_f; out->f_p = tfp_F_tail(wk->df1, wk->df2, out->f);
  return isnan(c) ? TFP_ENUMERIC : TFP_OK;
}

static void unscale_set(tfp_iv_ar_set *set, double f)
{
  set->lower *= f; set->upper *= f; set->left_ray_upper *= f; set->right_ray_lower *= f;
  for (size_t i = 0; i < 2 * set->n_pieces; i++) set->pieces[i] *= f;
}

void tfp_iv_weak_unscale(tfp_iv_weak *wk, double b_scale)
{
  if (!wk) return;
  wk->b_scale = b_scale;
  unscale_set(&wk->set_f, b_scale);
  unscale_set(&wk->set_chi2, b_scale);
}

void tfp_iv_weak_free(tfp_iv_weak *wk)
{
  if (!wk) return;
  free(wk->a);
  free(wk->set_f.pieces); free(wk->set_chi2.pieces);
  free(wk);
}

/* ---------------------------------------------------------- the sets */

/* A root of archi2 - c near r0, polished by bisection on a bracket (a
   tangent root, with no sign change nearby, stays as it is). */
static double polish(const tfp_iv_weak *wk, double c, double r0)
{
  for (double d = 1e-12 * (1 + fabs(r0)); d < 1e-3 * (1 + fabs(r0)); d *= 10) {
    double lo = r0 - d, hi = r0 + d, flo = ar_chi2(wk, lo) - c, fhi = ar_chi2(wk, hi) - c;
    if (!(flo * fhi < 0)) continue;
    for (int it = 0; it < 200 && hi - lo > 4e-16 * fabs(hi); it++) {
      double mid = 0.5 * (lo + hi), fm = ar_chi2(wk, mid) - c;
      if ((fm < 0) == (flo < 0)) { lo = mid; flo = fm; } else hi = mid;
    }
    return 0.5 * (lo + hi);
  }
  return r0;
}

static int dbl_cmp(const void *a, const void *b)
{
  double x = *(const double *)a, y = *(const double *)b;
  return x < y ? -1 : x > y;
}

/* The real roots of det(c Omega(b) - h h'), sorted, polished: *nr of them. */
static int set_roots(const tfp_iv_weak *wk, double c, double *roots, size_t *nr, char *err, size_t errlen)
{
  size_t L1 = wk->L1, m = 2 * L1;
  tfp_iv_arena mem = TFP_IV_ARENA_INIT;
  double *P = tfp_iv_alloc(&mem, m * m, sizeof *P), *Q = tfp_iv_alloc(&mem, m * m, sizeof *Q);
  double *wr = tfp_iv_take(&mem, m), *wi = tfp_iv_take(&mem, m), *wb = tfp_iv_take(&mem, m);
  if (mem.oom) { tfp_iv_arena_free(&mem); return tfp_iv_lost(TFP_ENOMEM, err, errlen); }
  /* M(b) = M0 + b M1 + b^2 M2; [0 I; -M0 -M1] v = b [I 0; 0 M2] v */
  for (size_t i = 0; i < L1; i++) {
    P[i + (L1 + i) * m] = 1;
    Q[i + i * m] = 1;
    for (size_t j = 0; j < L1; j++) {
      double a = wk->a[i], aj = wk->a[j], p = wk->p[i], pj = wk->p[j];
      P[(L1 + i) + j * m] = -(c * wk->A[i + j * L1] - a * aj);
      P[(L1 + i) + (L1 + j) * m] = -(-c * wk->B[i + j * L1] + a * pj + p * aj);
      Q[(L1 + i) + (L1 + j) * m] = c * wk->C[i + j * L1] - p * pj;
    }
  }
  int rc = tfp_la_gen_eig_general(m, P, Q, wr, wi, wb, err, errlen);
  *nr = 0;
  for (size_t i = 0; !rc && i < m; i++) {
    if (!(fabs(wb[i]) > 1e-13 * (fabs(wr[i]) + fabs(wi[i])))) continue;   /* infinite */
    double re = wr[i] / wb[i], im = wi[i] / wb[i];
    if (fabs(im) > 1e-7 * (1 + fabs(re))) continue;
    roots[(*nr)++] = polish(wk, c, re);
  }
  tfp_iv_arena_free(&mem);
  qsort(roots, *nr, sizeof *roots, dbl_cmp);
  size_t k = 0;   /* a double root counted once */
  for (size_t i = 0; i < *nr; i++)
    if (k == 0 || roots[i] - roots[k - 1] > 1e-12 * (1 + fabs(roots[i]))) roots[k++] = roots[i];
  *nr = k;
  return rc;
}

/* The set {b : archi2(b) <= c} from the roots: pieces, shape. */
static int make_set(const tfp_iv_weak *wk, double c, double cv, tfp_iv_ar_set *set, char *err, size_t errlen)
{
  double roots[64];
  size_t nr = 0;
  memset(set, 0, sizeof *set);
  set->critical_value = cv;
  set->lower = set->upper = set->left_ray_upper = set->right_ray_lower = NAN;
  if (2 * wk->L1 > 64) return TFP_OK;     /* not for more than 32 instruments */
  int rc = set_roots(wk, c, roots, &nr, err, errlen);
  if (rc) return rc;
  int ends_in = wk->chi2_limit_inf <= c;
  set->pieces = malloc((2 * nr + 2) * sizeof *set->pieces);
  if (!set->pieces) return tfp_iv_lost(TFP_ENOMEM, err, errlen);
  double lo = -INFINITY;
  int open = 0;
  for (size_t s = 0; s <= nr; s++) {   /* segment s: (roots[s-1], roots[s]) */
    double a = s ? roots[s - 1] : -INFINITY, b = s < nr ? roots[s] : INFINITY, mid;
    int in;
    if (s == 0 || s == nr) in = nr == 0 ? ar_chi2(wk, 0) <= c : ends_in;
    else { mid = 0.5 * (a + b); in = ar_chi2(wk, mid) <= c; }
    if (in && !open) { lo = a; open = 1; }
    if (!in && open) {
      set->pieces[2 * set->n_pieces] = lo; set->pieces[2 * set->n_pieces + 1] = a;
      set->n_pieces++; open = 0;
    }
  }
  if (open) { set->pieces[2 * set->n_pieces] = lo; set->pieces[2 * set->n_pieces + 1] = INFINITY; set->n_pieces++; }
  const double *q = set->pieces;
  if (set->n_pieces == 0) set->type = TFP_AR_EMPTY;
  else if (set->n_pieces == 1 && isinf(q[0]) && isinf(q[1])) set->type = TFP_AR_LINE;
  else if (set->n_pieces == 1 && !isinf(q[0]) && !isinf(q[1])) {
    set->type = TFP_AR_INTERVAL; set->lower = q[0]; set->upper = q[1];
  } else if (set->n_pieces == 2 && isinf(q[0]) && isinf(q[3])) {
    set->type = TFP_AR_RAYS; set->left_ray_upper = q[1]; set->right_ray_lower = q[2];
  } else set->type = TFP_AR_UNION;
  return TFP_OK;
}

/* ---------------------------------------------------------- the pass */

/* The moment covariance of the residuals sum_j c[j] R[j] on Zt: formed a
   block at a time, or (a kernel VCE) as one vector. */
static int omega_of(const tfp_iv_work *w, const double *Zt, size_t m, const double *const *R,
                    const double *c, double *S, char *err, size_t errlen)
{
  size_t n = w->n, L1 = w->L1;
  if (w->vx) {
    double *e = malloc((n ? n : 1) * sizeof *e);
    if (!e) return tfp_iv_lost(TFP_ENOMEM, err, errlen);
    for (size_t i = 0; i < n; i++) {
      double v = 0;
      for (size_t j = 0; j < m; j++) v += c[j] * R[j][i];
      e[i] = v;
    }
    int rc = tfp_iv_omega(w, L1, Zt, e, S, err, errlen);
    free(e);
    return rc;
  }
  const double **col = malloc((L1 + m) * sizeof *col);
  if (!col) return tfp_iv_lost(TFP_ENOMEM, err, errlen);
  for (size_t l = 0; l < L1; l++) col[l] = Zt + l * n;
  int rc = tfp_iv_omega_lin(w, L1, col, m, R, c, S, err, errlen);
  free(col);
  return rc;
}

/* The partialled data's pieces: a, p, A, B, C, and the first stage's pi,
   zz. The residuals u_y = yt - Zt gy, u_x = xt - Zt pi and u_y + u_x are
   never stored: their covariances are formed from the columns. */
static int pieces(const tfp_iv_work *w, tfp_iv_weak *wk, double *zz, double *pi, char *err, size_t errlen)
{
  size_t n = w->n, L1 = w->L1;
  tfp_iv_arena mem = TFP_IV_ARENA_INIT;
  int part = !w->partialled;   /* else y, X1, Z1 are the residuals on X2 already */
  double *yt = part ? tfp_iv_take(&mem, n) : (double *)w->y, *xt = part ? tfp_iv_take(&mem, n) : (double *)w->X1;
  double *Zt = part ? tfp_iv_take(&mem, n * L1) : (double *)w->Z1;
  double *gy = tfp_iv_take(&mem, L1), *D = tfp_iv_take(&mem, L1 * L1), *c = tfp_iv_take(&mem, 2 + L1);
  const double **R = tfp_iv_alloc(&mem, 2 + L1, sizeof *R);
  if (mem.oom) { tfp_iv_arena_free(&mem); return tfp_iv_lost(TFP_ENOMEM, err, errlen); }
  int rc = TFP_OK;
  if (part) {
    memcpy(yt, w->y, n * sizeof *yt);
    memcpy(xt, w->X1, n * sizeof *xt);
    memcpy(Zt, w->Z1, n * L1 * sizeof *Zt);
    rc = tfp_iv_partial(n, w->K2, w->X2, 1, yt, err, errlen);
    if (!rc) rc = tfp_iv_partial(n, w->K2, w->X2, 1, xt, err, errlen);
    if (!rc) rc = tfp_iv_partial(n, w->K2, w->X2, L1, Zt, err, errlen);
  }
  if (!rc) {
    tfp_la_gram(n, L1, Zt, zz);
    tfp_la_crossprod(n, L1, Zt, 1, yt, wk->a);
    tfp_la_crossprod(n, L1, Zt, 1, xt, wk->p);
    memcpy(gy, wk->a, L1 * sizeof *gy);
    memcpy(pi, wk->p, L1 * sizeof *pi);
    rc = tfp_la_chol_solve(L1, zz, 1, gy, err, errlen);
    if (!rc) rc = tfp_la_chol_solve(L1, zz, 1, pi, err, errlen);
  }
  if (!rc) {   /* R = [yt, xt, Zt]: u_y is R [1 0 -gy], u_x R [0 1 -pi], their sum R [1 1 -gy-pi] */
    R[0] = yt; R[1] = xt;
    for (size_t l = 0; l < L1; l++) R[2 + l] = Zt + l * n;
    c[0] = 1; c[1] = 0;
    for (size_t l = 0; l < L1; l++) c[2 + l] = -gy[l];
    rc = omega_of(w, Zt, 2 + L1, R, c, wk->A, err, errlen);
    c[0] = 0; c[1] = 1;
    for (size_t l = 0; l < L1; l++) c[2 + l] = -pi[l];
    if (!rc) rc = omega_of(w, Zt, 2 + L1, R, c, wk->C, err, errlen);
    c[0] = 1;
    for (size_t l = 0; l < L1; l++) c[2 + l] = -gy[l] - pi[l];
    if (!rc) rc = omega_of(w, Zt, 2 + L1, R, c, D, err, errlen);
    for (size_t i = 0; i < L1 * L1; i++) wk->B[i] = D[i] - wk->A[i] - wk->C[i];
  }
  tfp_iv_arena_free(&mem);
  return rc;
}

/* Montiel Olea-Pflueger: f_eff, K_eff and the critical value. */
static int effective_F(const tfp_iv_work *w, tfp_iv_weak *wk, const double *zz, const double *pi,
                       double Vsmall, char *err, size_t errlen)
{
  size_t L1 = wk->L1;
  tfp_iv_arena mem = TFP_IV_ARENA_INIT;
  double *X = tfp_iv_take(&mem, L1 * L1), *lam = tfp_iv_take(&mem, L1), *zp = tfp_iv_take(&mem, L1);
  if (mem.oom) { tfp_iv_arena_free(&mem); return tfp_iv_lost(TFP_ENOMEM, err, errlen); }
  (void)w;
  memcpy(X, wk->C, L1 * L1 * sizeof *X);
  int rc = tfp_la_chol_solve(L1, zz, L1, X, err, errlen);
  if (!rc) rc = tfp_la_gen_eig(L1, wk->C, zz, lam, err, errlen);
  if (!rc) {
    double tr = 0, num = 0, sum = 0, sum2 = 0, mx = 0, x = 10;
    for (size_t i = 0; i < L1; i++) tr += X[i + i * L1];
    tfp_la_gemm(0, 0, L1, 1, L1, 1.0, zz, pi, 0.0, zp);
    for (size_t i = 0; i < L1; i++) num += pi[i] * zp[i];
    wk->eff_f = num / (Vsmall * tr);
    for (size_t i = 0; i < L1; i++) sum += lam[i];
    for (size_t i = 0; i < L1; i++) { double v = lam[i] / sum; sum2 += v * v; if (v > mx) mx = v; }
    wk->k_eff = (1 + 2 * x) / (sum2 + 2 * x * mx);
    double par[2] = {wk->k_eff, x * wk->k_eff};
    wk->eff_f_cv = quantile(tail_ncx2, par, 0.05) / wk->k_eff;
  }
  tfp_iv_arena_free(&mem);
  return rc;
}

int tfp_iv_weak_run(const tfp_iv_work *w, tfp_iv_result *r, tfp_iv_notes *nb, char *err, size_t errlen)
{
  if (w->K1 != 1 || w->L1 == 0) return TFP_OK;
  size_t L1 = w->L1;
  double N = w->N, d = (double)w->d, sd = (double)w->sd, M = (double)w->M;
  double L = (double)(L1 + w->K2), dfF = N - L - d - sd;
  int clus = w->vce == TFP_VCE_CLUSTER;
  tfp_iv_weak *wk = calloc(1, sizeof *wk);
  double *buf = calloc(2 * L1 + 3 * L1 * L1, sizeof *buf);
  double *zz = malloc((L1 * L1 + L1) * sizeof *zz);
  if (!wk || !buf || !zz) { free(wk); free(buf); free(zz); return tfp_iv_lost(TFP_ENOMEM, err, errlen); }
  wk->L1 = L1;
  wk->b_scale = 1;
  wk->a = buf; wk->p = buf + L1; wk->A = buf + 2 * L1; wk->B = wk->A + L1 * L1; wk->C = wk->B + L1 * L1;
  wk->df1 = (double)L1;
  wk->df2 = clus ? M - 1 : dfF;
  wk->chi2_to_f = (clus ? (N - L - sd) / (N - 1) * (M - 1) / M : dfF / (N - d)) / (double)L1;
  double Vsmall = clus ? (N - 1) / (N - L - sd) * M / (M - 1) : (N - d) / dfF;
  double *pi = zz + L1 * L1;
  int rc = pieces(w, wk, zz, pi, err, errlen);
  char why[256] = "";
  if (!rc) {   /* what the data may deny: a singular covariance, noted */
    int bad = effective_F(w, wk, zz, pi, Vsmall, why, sizeof why);
    double *x = malloc(L1 * sizeof *x);
    if (!x) bad = TFP_ENOMEM;
    if (!bad) {
      memcpy(x, wk->p, L1 * sizeof *x);
      bad = tfp_la_chol_solve(L1, wk->C, 1, x, why, sizeof why);
      wk->chi2_limit_inf = 0;
      for (size_t i = 0; !bad && i < L1; i++) wk->chi2_limit_inf += wk->p[i] * x[i];
    }
    free(x);
    double pf[2] = {wk->df1, wk->df2}, pc[1] = {wk->df1};
    double cf = quantile(tail_F, pf, 0.05), cc = quantile(tail_chi2, pc, 0.05);
    if (!bad) bad = make_set(wk, cf / wk->chi2_to_f, cf, &wk->set_f, why, sizeof why);
    if (!bad) bad = make_set(wk, cc, cc, &wk->set_chi2, why, sizeof why);
    if (bad == TFP_ENOMEM) rc = tfp_iv_lost(bad, err, errlen);
    else if (bad) {
      tfp_iv_note(nb, "warning: weak-IV-robust inference not available (%s)", why);
      tfp_iv_weak_free(wk);
      wk = NULL;
    }
  }
  free(zz);
  if (rc) { tfp_iv_weak_free(wk); return rc; }
  r->weak = wk;
  return TFP_OK;
}
