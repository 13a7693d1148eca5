/* iv_diag.c — ivreg2's identification diagnostics: underidentification (Anderson LM /
   Kleibergen-Paap rk LM), weak identification (Cragg-Donald Wald F,
   Kleibergen-Paap rk Wald F), first-stage statistics and the Anderson-Rubin
   test. The rk statistic follows Kleibergen & Paap (2006),
   J. Econometrics 133, as computed by Stata's ranktest (test of rank K1-1). */
#include "iv_internal.h"
#include "linalg.h"
#include "stock_yogo.h"
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

/* ---------------------------------------------------------------- rk test */

/* Symmetric square root of a p x p PSD matrix. */
static int sym_sqrt(size_t p, const double *A, double *out, char *err, size_t errlen)
{
  tfp_iv_arena mem = TFP_IV_ARENA_INIT;
  double *V = tfp_iv_take(&mem, p * p), *wv = tfp_iv_take(&mem, p);
  if (mem.oom) { snprintf(err, errlen, "out of memory"); return TFP_ENOMEM; }
  int rc = tfp_la_sym_eig(p, A, wv, V, err, errlen);
  if (!rc) {
    memset(out, 0, p * p * sizeof *out);
    for (size_t k = 0; k < p; k++) {
      double s = wv[k] > 0 ? sqrt(wv[k]) : 0;
      for (size_t j = 0; j < p; j++)
        for (size_t i = 0; i < p; i++) out[i + j * p] += V[i + k * p] * s * V[j + k * p];
    }
  }
  tfp_iv_arena_free(&mem);
  return rc;
}

/* Kleibergen-Paap rk statistic for H0: rank(Pi) = K1-1, given the partialled
   endogenous Y (n x K1) and instruments Zt (n x L1), theta and the Cholesky
   factors; E (n x K1) are the "errors": Y itself for the LM version, the
   first-stage residuals for the Wald version. */
static int kp_rk(const tfp_iv_work *w, size_t K1, size_t L1, const double *Zt,
                 const double *E, const double *Ry, const double *Rz, const double *theta,
                 double *rk, char *err, size_t errlen)
{
  size_t n = w->n, KL = K1 * L1, q = L1 - K1 + 1;
  int rc = TFP_OK;
  /* robust: blocks of rows, so the scratch stays small */
  enum { BLOCK = 8192 };
  size_t rows = w->vx ? 1 : w->vce == TFP_VCE_CLUSTER ? w->M : n < BLOCK ? n : BLOCK;
  tfp_iv_arena big = TFP_IV_ARENA_INIT, mem = TFP_IV_ARENA_INIT;
  double *G = w->vce == TFP_VCE_CLUSTER ? tfp_iv_alloc(&big, rows * KL, sizeof *G)   /* sums */
                                        : tfp_iv_take(&big, rows * KL);
  double *shat = tfp_iv_take(&mem, KL * KL), *Kinv = tfp_iv_take(&mem, KL * KL), *tmp = tfp_iv_take(&mem, KL * KL);
  double *RyiT = tfp_iv_take(&mem, K1 * K1), *RziT = tfp_iv_take(&mem, L1 * L1), *U = tfp_iv_take(&mem, L1 * L1);
  double *s = tfp_iv_take(&mem, K1), *VT = tfp_iv_take(&mem, K1 * K1), *aq = tfp_iv_take(&mem, L1 * q);
  double *u22 = tfp_iv_take(&mem, q * q), *u22h = tfp_iv_take(&mem, q * q), *vlab = tfp_iv_take(&mem, q * q);
  double *kron = tfp_iv_take(&mem, q * KL), *lab = tfp_iv_take(&mem, q), *bq = tfp_iv_take(&mem, K1);
  if (big.oom || mem.oom) {
    tfp_iv_arena_free(&big); tfp_iv_arena_free(&mem);
    snprintf(err, errlen, "out of memory: rk statistic");
    return TFP_ENOMEM;
  }
  /* S of vec(e_i z_i') */
  if (w->vx) {   /* two-way clusters, kernels: already scaled */
    tfp_iv_arena_free(&big);
    if ((rc = tfp_iv_vx_rk_omega(w, K1, E, L1, Zt, shat, err, errlen))) goto done;
  } else {
  if (w->vce == TFP_VCE_CLUSTER) {
    for (size_t k = 0; k < K1; k++)
      for (size_t l = 0; l < L1; l++) {
        double *g = G + (k * L1 + l) * rows;
        const double *ek = E + k * n, *zl = Zt + l * n;
        for (size_t i = 0; i < n; i++) g[w->clu[i]] += ek[i] * zl[i];
      }
    tfp_la_gram(rows, KL, G, shat);
  } else {
    memset(shat, 0, KL * KL * sizeof *shat);
    int blas = tfp_la_blas_threads(1);   /* small blocks: no BLAS threads (as tfp_iv_omega_lin) */
    for (size_t i0 = 0; i0 < n; i0 += rows) {
      size_t m = n - i0 < rows ? n - i0 : rows;
      for (size_t k = 0; k < K1; k++)
        for (size_t l = 0; l < L1; l++) {
          double *g = G + (k * L1 + l) * m;
          const double *ek = E + k * n + i0, *zl = Zt + l * n + i0;
          for (size_t i = 0; i < m; i++) g[i] = ek[i] * zl[i] * (w->fw_isw ? w->fw_isw[i0 + i] : 1.0);
        }
      tfp_la_gram(m, KL, G, tmp);
      for (size_t c = 0; c < KL * KL; c++) shat[c] += tmp[c];
    }
    tfp_la_blas_threads(blas);
  }
  tfp_iv_arena_free(&big);
  }
  /* ranktest: shat/(N-d) robust, shat/N cluster; vhat = K shat K' * N */
  double sc = w->vce == TFP_VCE_CLUSTER || w->vx ? 1.0 : w->N / (w->N - (double)w->d);
  /* R^-T by triangular solves against the identity */
  memset(RyiT, 0, K1 * K1 * sizeof *RyiT);
  for (size_t i = 0; i < K1; i++) RyiT[i + i * K1] = 1;
  memset(RziT, 0, L1 * L1 * sizeof *RziT);
  for (size_t i = 0; i < L1; i++) RziT[i + i * L1] = 1;
  if ((rc = tfp_la_upper_solve(K1, Ry, 1, K1, RyiT, err, errlen))) goto done;
  if ((rc = tfp_la_upper_solve(L1, Rz, 1, L1, RziT, err, errlen))) goto done;
  for (size_t k = 0; k < K1; k++) for (size_t l = 0; l < L1; l++)
    for (size_t k2 = 0; k2 < K1; k2++) for (size_t l2 = 0; l2 < L1; l2++)
      Kinv[(k * L1 + l) + (k2 * L1 + l2) * KL] = RyiT[k + k2 * K1] * RziT[l + l2 * L1];
  tfp_la_gemm(0, 0, KL, KL, KL, 1.0, Kinv, shat, 0.0, tmp);
  tfp_la_gemm(0, 1, KL, KL, KL, sc, tmp, Kinv, 0.0, shat);     /* shat now vhat */
  /* SVD of theta and the q-dimensional projection (KP eqs. 19-21) */
  if ((rc = tfp_la_svd(L1, K1, theta, s, U, VT, err, errlen))) goto done;
  size_t i0 = K1 - 1;
  for (size_t j = 0; j < q; j++) for (size_t i = 0; i < q; i++) u22[i + j * q] = U[(i0 + i) + (i0 + j) * L1];
  tfp_la_gemm(0, 1, q, q, q, 1.0, u22, u22, 0.0, vlab);
  if ((rc = sym_sqrt(q, vlab, u22h, err, errlen))) goto done;
  if ((rc = tfp_la_solve(q, u22, q, u22h, err, errlen))) goto done;   /* u22^-1 u22h */
  /* aq = U[:, i0..] * (u22^-1 u22h) */
  tfp_la_gemm(0, 0, L1, q, q, 1.0, U + i0 * L1, u22h, 0.0, aq);
  double v22 = VT[i0 + i0 * K1];      /* V[i0, i0] = VT[i0, i0] */
  for (size_t k = 0; k < K1; k++) bq[k] = (v22 >= 0 ? 1.0 : -1.0) * VT[i0 + k * K1];  /* V[k, i0] */
  /* kron = bq (x) aq' : q x KL */
  for (size_t a = 0; a < q; a++)
    for (size_t k = 0; k < K1; k++)
      for (size_t l = 0; l < L1; l++) kron[a + (k * L1 + l) * q] = bq[k] * aq[l + a * L1];
  tfp_la_gemm(0, 0, q, 1, KL, 1.0, kron, theta, 0.0, lab);
  tfp_la_gemm(0, 0, q, KL, KL, 1.0, kron, shat, 0.0, tmp);
  tfp_la_gemm(0, 1, q, q, KL, 1.0, tmp, kron, 0.0, vlab);
  memcpy(tmp, lab, q * sizeof *tmp);
  char why[256];
  if (tfp_la_chol_solve(q, vlab, 1, tmp, why, sizeof why) != TFP_OK) { *rk = NAN; goto done; }
  double v = 0;
  for (size_t a = 0; a < q; a++) v += lab[a] * tmp[a];
  *rk = v;
done:
  tfp_iv_arena_free(&mem);
  return rc;
}

/* ---------------------------------------------------------------- the pass */

/* What the diagnostics share: X1 and Z1 partialled on X2 (Y, Zt), their
   cross products, the first-stage coefficients pi, and ivreg2's
   small-sample conventions for F-type statistics. */
typedef struct {
  size_t n, K1, L1;
  double *Y, *Zt;           /* n x K1, n x L1 */
  double *zz, *yy, *zy;     /* Zt'Zt, Y'Y, Zt'Y */
  double *pi;               /* zz^-1 zy (L1 x K1) */
  double *A;                /* Y'P Y = zy' pi (K1 x K1) */
  double *Om;               /* a moment covariance (L1 x L1), scratch */
  double c, df_r, dfF, Vsmall;   /* F = Wald / df * c, on (df, df_r) */
  tfp_iv_arena mem;
} partialled;

static int partial_out(const tfp_iv_work *w, partialled *P, char *err, size_t errlen)
{
  size_t n = w->n, K1 = w->K1, L1 = w->L1, L = L1 + w->K2;
  double N = w->N, d = (double)w->d, sd = (double)w->sd, Nd = N - d, M = (double)w->M;
  int clus = w->vce == TFP_VCE_CLUSTER;
  P->n = n; P->K1 = K1; P->L1 = L1;
  P->dfF = N - (double)L - d - sd;
  P->c = clus ? (N - (double)L - sd) / (N - 1) * (M - 1) / M : P->dfF / Nd;
  P->df_r = clus ? M - 1 : P->dfF;
  P->Vsmall = clus ? (N - 1) / (N - (double)L - sd) * M / (M - 1) : Nd / P->dfF;
  int part = !w->partialled;   /* else the columns are the residuals already */
  P->Y = part ? tfp_iv_take(&P->mem, n * K1) : (double *)w->X1;
  P->Zt = part ? tfp_iv_take(&P->mem, n * L1) : (double *)w->Z1;
  P->zz = tfp_iv_take(&P->mem, L1 * L1); P->yy = tfp_iv_take(&P->mem, K1 * K1);
  P->zy = tfp_iv_take(&P->mem, L1 * K1); P->pi = tfp_iv_take(&P->mem, L1 * K1);
  P->A = tfp_iv_take(&P->mem, K1 * K1); P->Om = tfp_iv_take(&P->mem, L1 * L1);
  if (P->mem.oom) { snprintf(err, errlen, "out of memory: diagnostics"); return TFP_ENOMEM; }
  int rc = TFP_OK;
  if (part) {
    memcpy(P->Y, w->X1, n * K1 * sizeof *P->Y);
    memcpy(P->Zt, w->Z1, n * L1 * sizeof *P->Zt);
    rc = tfp_iv_partial(n, w->K2, w->X2, K1, P->Y, err, errlen);
    if (!rc) rc = tfp_iv_partial(n, w->K2, w->X2, L1, P->Zt, err, errlen);
    if (rc) return rc;
  }
  tfp_la_gram(n, L1, P->Zt, P->zz);
  tfp_la_gram(n, K1, P->Y, P->yy);
  tfp_la_crossprod(n, L1, P->Zt, K1, P->Y, P->zy);
  memcpy(P->pi, P->zy, L1 * K1 * sizeof *P->pi);
  if ((rc = tfp_la_chol_solve(L1, P->zz, K1, P->pi, err, errlen))) return rc;
  tfp_la_gemm(1, 0, K1, K1, L1, 1.0, P->zy, P->pi, 0.0, P->A);           /* Y'P Y */
  return TFP_OK;
}

/* The robust or cluster statistics: Kleibergen-Paap rk LM and rk Wald
   (theta = Rz pi Ry^-1; the errors are Y for LM, the first-stage residuals
   for Wald). */
static int kp_stats(const tfp_iv_work *w, const partialled *P, double *rk_lm, double *rk_wald,
                    char *err, size_t errlen)
{
  size_t n = P->n, K1 = P->K1, L1 = P->L1;
  tfp_iv_arena mem = TFP_IV_ARENA_INIT;
  double *Rz = tfp_iv_take(&mem, L1 * L1), *Ry = tfp_iv_take(&mem, K1 * K1);
  double *theta = tfp_iv_take(&mem, L1 * K1), *tmp = tfp_iv_take(&mem, L1 * K1), *E = tfp_iv_take(&mem, n * K1);
  if (mem.oom) { snprintf(err, errlen, "out of memory: diagnostics"); return TFP_ENOMEM; }
  int rc = tfp_la_chol(L1, P->zz, Rz, err, errlen);
  if (!rc) rc = tfp_la_chol(K1, P->yy, Ry, err, errlen);
  if (!rc) {
    tfp_la_gemm(0, 0, L1, K1, L1, 1.0, Rz, P->pi, 0.0, tmp);
    for (size_t i = 0; i < L1; i++) for (size_t k = 0; k < K1; k++) theta[k + i * K1] = tmp[i + k * L1];
    rc = tfp_la_upper_solve(K1, Ry, 1, L1, theta, err, errlen);
  }
  if (!rc) {
    for (size_t i = 0; i < L1; i++) for (size_t k = 0; k < K1; k++) tmp[i + k * L1] = theta[k + i * K1];
    memcpy(theta, tmp, L1 * K1 * sizeof *theta);
    rc = kp_rk(w, K1, L1, P->Zt, P->Y, Ry, Rz, theta, rk_lm, err, errlen);
  }
  if (!rc) {
    memcpy(E, P->Y, n * K1 * sizeof *E);
    tfp_la_gemm(0, 0, n, K1, L1, -1.0, P->Zt, P->pi, 1.0, E);
    rc = kp_rk(w, K1, L1, P->Zt, E, Ry, Rz, theta, rk_wald, err, errlen);
  }
  tfp_iv_arena_free(&mem);
  return rc;
}

/* Underidentification (Anderson LM / KP rk LM) and weak identification
   (Cragg-Donald F / KP rk Wald F). Instruments that reproduce the
   endogenous regressors exactly: the smallest canonical correlation is 1 up
   to rounding (which may put it above 1 and the F below zero); the F
   statistics are then infinite. */
static int identification(const tfp_iv_work *w, const partialled *P, tfp_iv_result *r,
                          char *err, size_t errlen)
{
  size_t K1 = P->K1, L1 = P->L1;
  double Nd = w->N - (double)w->d;
  tfp_iv_arena mem = TFP_IV_ARENA_INIT;
  double *lam = tfp_iv_take(&mem, K1);
  if (mem.oom) { snprintf(err, errlen, "out of memory: diagnostics"); return TFP_ENOMEM; }
  int rc = tfp_la_gen_eig(K1, P->A, P->yy, lam, err, errlen);
  double lmin = rc ? NAN : lam[0];
  tfp_iv_arena_free(&mem);
  if (rc) return rc;
  r->kp_lm_df = (double)(L1 - K1 + 1);
  int perfect = !(1 - lmin > 1e-12);
  r->cd_f = perfect ? INFINITY : lmin / (1 - lmin) * P->dfF / (double)L1;
  if (w->vce == TFP_VCE_UNADJUSTED) {
    r->kp_lm = Nd * lmin;            /* Anderson canonical-correlations LM */
    r->kp_f = r->cd_f;
  } else {
    double rk_lm, rk_wald;
    if ((rc = kp_stats(w, P, &rk_lm, &rk_wald, err, errlen))) return rc;
    r->kp_lm = rk_lm;
    r->kp_f = perfect ? INFINITY : rk_wald / (double)L1 * P->c;
  }
  r->kp_lm_p = tfp_chi2_tail(r->kp_lm_df, r->kp_lm);
  return TFP_OK;
}

/* First stage j: X1_j on Z, by Frisch-Waugh on the partialled data: partial
   R2, Shea's partial R2 ([(X'X)^-1]_jj / [(X'PzX)^-1]_jj from yyi and Ai),
   the Wald F of the excluded instruments with the model's VCE type, and the
   coefficients with SEs zz^-1 Om zz^-1 (scaled as the model's small). */
static int first_stage(const tfp_iv_work *w, partialled *P, size_t j, const double *yyi,
                       const double *Ai, tfp_iv_first *f, char *err, size_t errlen)
{
  size_t n = P->n, K1 = P->K1, L1 = P->L1;
  tfp_iv_arena mem = TFP_IV_ARENA_INIT;
  double *v = tfp_iv_take(&mem, n), *g = tfp_iv_take(&mem, L1), *Vp = tfp_iv_take(&mem, L1 * L1);
  f->coef = malloc((L1 ? L1 : 1) * sizeof *f->coef);
  f->se = malloc((L1 ? L1 : 1) * sizeof *f->se);
  if (mem.oom || !f->coef || !f->se) { tfp_iv_arena_free(&mem); return tfp_iv_lost(TFP_ENOMEM, err, errlen); }
  const double *yj = P->Y + j * n, *zyj = P->zy + j * L1;
  memcpy(v, yj, n * sizeof *v);
  tfp_la_gemm(0, 0, n, 1, L1, -1.0, P->Zt, P->pi + j * L1, 1.0, v);
  double rssu = 0, rssr = 0;
  for (size_t i = 0; i < n; i++) { rssu += v[i] * v[i]; rssr += yj[i] * yj[i]; }
  f->pr2 = 1 - rssu / rssr;
  f->rmse = sqrt(rssu / P->dfF);
  f->shea_pr2 = yyi[j + j * K1] / Ai[j + j * K1];
  int rc = tfp_iv_omega(w, L1, P->Zt, v, P->Om, err, errlen);
  if (!rc) {
    char why[256];
    memcpy(g, zyj, L1 * sizeof *g);
    if (!(rssu > 1e-24 * rssr)) {   /* exact first stage */
      f->F = INFINITY; f->F_p = 0;
    } else if (tfp_la_chol_solve(L1, P->Om, 1, g, why, sizeof why)) {
      f->F = f->F_p = NAN;
    } else {
      double wald = 0;
      for (size_t i = 0; i < L1; i++) wald += zyj[i] * g[i];
      f->F = wald / (double)L1 * P->c;
      f->F_p = tfp_F_tail((double)L1, P->df_r, f->F);
    }
    f->F_df = (double)L1;
    f->F_df_r = P->df_r;
    for (size_t i = 0; i < L1; i++) f->coef[i] = P->pi[i + j * L1];
    memcpy(Vp, P->Om, L1 * L1 * sizeof *Vp);
    rc = tfp_la_chol_solve(L1, P->zz, L1, Vp, err, errlen);
  }
  if (!rc) {
    for (size_t a = 0; a < L1; a++) for (size_t b = 0; b < a; b++) {
      double t = Vp[a + b * L1]; Vp[a + b * L1] = Vp[b + a * L1]; Vp[b + a * L1] = t;
    }
    rc = tfp_la_chol_solve(L1, P->zz, L1, Vp, err, errlen);
  }
  if (!rc)
    for (size_t i = 0; i < L1; i++) f->se[i] = sqrt(Vp[i + i * L1] * (w->small ? P->Vsmall : 1.0));
  tfp_iv_arena_free(&mem);
  return rc;
}

/* The Wald statistic of ze = Zt'u with u's moment covariance, into the
   chi2 and F forms of Sanderson-Windmeijer or Angrist-Pischke. */
static int conditional_F(const tfp_iv_work *w, partialled *P, const double *ze, const double *u,
                         double df1, double *chi2, double *chi2_p, double *F, double *F_p,
                         char *err, size_t errlen)
{
  size_t L1 = P->L1;
  tfp_iv_arena mem = TFP_IV_ARENA_INIT;
  double *ge = tfp_iv_take(&mem, L1);
  if (mem.oom) return tfp_iv_lost(TFP_ENOMEM, err, errlen);
  int rc = tfp_iv_omega(w, L1, P->Zt, u, P->Om, err, errlen);
  if (!rc) {
    char why[256];
    memcpy(ge, ze, L1 * sizeof *ge);
    double wald = NAN;
    if (tfp_la_chol_solve(L1, P->Om, 1, ge, why, sizeof why) == TFP_OK) {
      wald = 0;
      for (size_t i = 0; i < L1; i++) wald += ze[i] * ge[i];
    }
    *F = wald / df1 * P->c;
    *F_p = tfp_F_tail(df1, P->df_r, *F);
    *chi2 = wald;
    *chi2_p = tfp_chi2_tail(df1, wald);
  }
  tfp_iv_arena_free(&mem);
  return rc;
}

/* Sanderson-Windmeijer (X1_j on the other endogenous by 2SLS, then the
   residual on the instruments) and Angrist-Pischke (the fitted, not actual,
   other endogenous regressors partialled out): same numerator Zt'e. */
static int sw_ap(const tfp_iv_work *w, partialled *P, size_t j, tfp_iv_first *f, char *err, size_t errlen)
{
  size_t n = P->n, K1 = P->K1, L1 = P->L1, m = K1 - 1;
  tfp_iv_arena mem = TFP_IV_ARENA_INIT;
  size_t *ix = tfp_iv_alloc(&mem, m, sizeof *ix);
  double *Ai2 = tfp_iv_take(&mem, m * m), *delta = tfp_iv_take(&mem, m), *v = tfp_iv_take(&mem, n);
  double *ze = tfp_iv_take(&mem, L1), *pe = tfp_iv_take(&mem, L1), *u = tfp_iv_take(&mem, n);
  if (mem.oom) return tfp_iv_lost(TFP_ENOMEM, err, errlen);
  const double *yj = P->Y + j * n;
  for (size_t k = 0, t = 0; k < K1; k++) if (k != j) ix[t++] = k;
  for (size_t a = 0; a < m; a++) {
    for (size_t b = 0; b < m; b++) Ai2[a + b * m] = P->A[ix[a] + ix[b] * K1];
    delta[a] = P->A[ix[a] + j * K1];
  }
  int rc = tfp_la_chol_solve(m, Ai2, 1, delta, err, errlen);
  if (!rc) {
    memcpy(v, yj, n * sizeof *v);
    for (size_t a = 0; a < m; a++) {
      const double *ya = P->Y + ix[a] * n;
      for (size_t i = 0; i < n; i++) v[i] -= delta[a] * ya[i];
    }
    tfp_la_crossprod(n, L1, P->Zt, 1, v, ze);
    memcpy(pe, ze, L1 * sizeof *pe);
    rc = tfp_la_chol_solve(L1, P->zz, 1, pe, err, errlen);
  }
  double df1 = (double)(L1 - K1 + 1);
  if (!rc) {
    memcpy(u, v, n * sizeof *u);
    tfp_la_gemm(0, 0, n, 1, L1, -1.0, P->Zt, pe, 1.0, u);
    double ee = 0, uu = 0;
    for (size_t i = 0; i < n; i++) { ee += v[i] * v[i]; uu += u[i] * u[i]; }
    f->sw_df = df1;
    f->sw_r2 = 1 - uu / ee;
    rc = conditional_F(w, P, ze, u, df1, &f->sw_chi2, &f->sw_chi2_p, &f->sw_F, &f->sw_p, err, errlen);
  }
  if (!rc) {
    /* AP residual e_AP = X1_j - P_Z X1_-j delta: its Z-residual is the first
       stage's; |e_AP|^2 = |P_Z e_SW|^2 + |M_Z X1_j|^2 */
    memcpy(u, yj, n * sizeof *u);
    tfp_la_gemm(0, 0, n, 1, L1, -1.0, P->Zt, P->pi + j * L1, 1.0, u);
    double e2 = 0, pe2 = 0;
    tfp_la_gemm(0, 0, n, 1, L1, 1.0, P->Zt, pe, 0.0, v);   /* P_Z e_SW (v reused) */
    for (size_t i = 0; i < n; i++) { pe2 += v[i] * v[i]; e2 += u[i] * u[i]; }
    f->ap_r2 = 1 - e2 / (pe2 + e2);
    rc = conditional_F(w, P, ze, u, df1, &f->ap_chi2, &f->ap_chi2_p, &f->ap_F, &f->ap_p, err, errlen);
  }
  tfp_iv_arena_free(&mem);
  return rc;
}

/* Every first stage, named by its endogenous regressor and instruments. */
static int first_stages(const tfp_iv_work *w, partialled *P, char *const *x_names,
                        char *const *z_names, tfp_iv_result *r, char *err, size_t errlen)
{
  size_t K1 = P->K1, L1 = P->L1;
  if (!(r->first = calloc(K1, sizeof *r->first))) return tfp_iv_lost(TFP_ENOMEM, err, errlen);
  r->n_first = K1;
  tfp_iv_arena mem = TFP_IV_ARENA_INIT;
  double *yyi = tfp_iv_alloc(&mem, K1 * K1, sizeof *yyi), *Ai = tfp_iv_alloc(&mem, K1 * K1, sizeof *Ai);
  if (mem.oom) return tfp_iv_lost(TFP_ENOMEM, err, errlen);
  for (size_t k = 0; k < K1; k++) yyi[k + k * K1] = Ai[k + k * K1] = 1;
  int rc = tfp_la_chol_solve(K1, P->yy, K1, yyi, err, errlen);
  if (!rc) rc = tfp_la_chol_solve(K1, P->A, K1, Ai, err, errlen);
  for (size_t j = 0; !rc && j < K1; j++) {
    tfp_iv_first *f = &r->first[j];
    if ((rc = first_stage(w, P, j, yyi, Ai, f, err, errlen))) break;
    if (K1 == 1) {
      f->sw_F = f->ap_F = f->F; f->sw_p = f->ap_p = f->F_p; f->sw_df = (double)L1;
      f->sw_chi2 = f->ap_chi2 = f->F * (double)L1 / P->c;
      f->sw_chi2_p = f->ap_chi2_p = tfp_chi2_tail((double)L1, f->sw_chi2);
      f->sw_r2 = f->ap_r2 = f->pr2;
    } else if ((rc = sw_ap(w, P, j, f, err, errlen))) break;
  }
  tfp_iv_arena_free(&mem);
  for (size_t j = 0; !rc && j < K1; j++) {
    tfp_iv_first *f = &r->first[j];
    f->name = tfp_iv_strdup(x_names[j]);
    f->inst_names = calloc(L1 + 1, sizeof *f->inst_names);
    if (!f->name || !f->inst_names) return tfp_iv_lost(TFP_ENOMEM, err, errlen);
    f->n_inst = L1;
    for (size_t i = 0; i < L1; i++)
      if (!(f->inst_names[i] = tfp_iv_strdup(z_names[i]))) return tfp_iv_lost(TFP_ENOMEM, err, errlen);
  }
  return rc;
}

/* Anderson-Rubin Wald test of b1 = 0: y (partialled) on the excluded
   instruments, Wald with the model's VCE type, F form as ivreg2. */
static int anderson_rubin(const tfp_iv_work *w, partialled *P, tfp_iv_result *r, char *err, size_t errlen)
{
  size_t n = P->n, L1 = P->L1;
  r->ar_f = r->ar_f_p = r->ar_chi2 = r->ar_chi2_p = NAN;
  r->ar_df = (double)L1;
  r->ar_df_r = P->df_r;
  tfp_iv_arena mem = TFP_IV_ARENA_INIT;
  double *yt = w->partialled ? (double *)w->y : tfp_iv_take(&mem, n), *ua = tfp_iv_take(&mem, n);
  double *zy1 = tfp_iv_take(&mem, L1), *gz = tfp_iv_take(&mem, L1);
  if (mem.oom) return tfp_iv_lost(TFP_ENOMEM, err, errlen);
  int rc = TFP_OK;
  if (!w->partialled) {
    memcpy(yt, w->y, n * sizeof *yt);
    rc = tfp_iv_partial(n, w->K2, w->X2, 1, yt, err, errlen);
  }
  if (!rc) {
    tfp_la_crossprod(n, L1, P->Zt, 1, yt, zy1);
    memcpy(gz, zy1, L1 * sizeof *gz);
    rc = tfp_la_chol_solve(L1, P->zz, 1, gz, err, errlen);
  }
  if (!rc) {
    memcpy(ua, yt, n * sizeof *ua);
    tfp_la_gemm(0, 0, n, 1, L1, -1.0, P->Zt, gz, 1.0, ua);
    rc = tfp_iv_omega(w, L1, P->Zt, ua, P->Om, err, errlen);
  }
  char why[256];
  if (!rc) memcpy(gz, zy1, L1 * sizeof *gz);
  if (!rc && tfp_la_chol_solve(L1, P->Om, 1, gz, why, sizeof why) == TFP_OK) {
    double wald = 0;
    for (size_t i = 0; i < L1; i++) wald += zy1[i] * gz[i];
    r->ar_chi2 = wald; r->ar_chi2_p = tfp_chi2_tail((double)L1, wald);
    r->ar_f = wald / (double)L1 * P->c; r->ar_f_p = tfp_F_tail((double)L1, P->df_r, r->ar_f);
  }
  tfp_iv_arena_free(&mem);
  return rc;
}

int tfp_iv_diag_ident(const tfp_iv_work *w, char *const *x_names, char *const *z_names,
                      tfp_iv_result *r, tfp_iv_notes *nb, char *err, size_t errlen)
{
  if (w->K1 == 0) {
    r->kp_lm = r->kp_lm_p = r->kp_lm_df = r->cd_f = r->kp_f = NAN;
    return TFP_OK;
  }
  partialled P = {0};
  int rc = partial_out(w, &P, err, errlen);
  if (!rc) rc = identification(w, &P, r, err, errlen);
  if (!rc) rc = first_stages(w, &P, x_names, z_names, r, err, errlen);
  if (!rc) rc = anderson_rubin(w, &P, r, err, errlen);
  tfp_iv_arena_free(&P.mem);
  if (rc) return rc;
  tfp_sy_lookup(w->K1, w->L1, r->sy, &r->n_sy);
  if (isinf(r->cd_f) || isinf(r->kp_f))
    tfp_iv_note(nb, "note: the excluded instruments predict the endogenous regressor%s exactly "
                "(first-stage R2 = 1): weak-identification F statistics are infinite",
                w->K1 > 1 ? "s" : "");
  return TFP_OK;
}
