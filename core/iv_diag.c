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
  double *V = malloc((p * p + p) * sizeof *V);
  if (!V) { snprintf(err, errlen, "out of memory"); return TFP_ENOMEM; }
  double *wv = V + p * p;
  int rc = tfp_la_sym_eig(p, A, wv, V, err, errlen);
  if (!rc) {
    memset(out, 0, p * p * sizeof *out);
    for (size_t k = 0; k < p; k++) {
      double s = wv[k] > 0 ? sqrt(wv[k]) : 0;
      for (size_t j = 0; j < p; j++)
        for (size_t i = 0; i < p; i++) out[i + j * p] += V[i + k * p] * s * V[j + k * p];
    }
  }
  free(V);
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
  size_t rows = w->vce == TFP_VCE_CLUSTER ? w->M : n;
  double *G = calloc(rows * KL + 1, sizeof *G);
  double *shat = malloc((KL * KL * 3 + K1 * K1 + L1 * L1 + L1 * L1 + K1 + K1 * K1 + L1 * q * 2 +
                         q * q * 2 + q * KL + q + KL + 16) * sizeof *shat);
  if (!G || !shat) { free(G); free(shat); snprintf(err, errlen, "out of memory: rk statistic"); return TFP_ENOMEM; }
  double *Kinv = shat + KL * KL, *tmp = Kinv + KL * KL, *RyiT = tmp + KL * KL, *RziT = RyiT + K1 * K1,
         *U = RziT + L1 * L1, *s = U + L1 * L1, *VT = s + K1, *aq = VT + K1 * K1, *u22 = aq + L1 * q,
         *u22h = u22 + L1 * q, *vlab = u22h + q * q, *kron = vlab + q * q, *lab = kron + q * KL,
         *bq = lab + q;
  /* S of vec(e_i z_i') */
  for (size_t k = 0; k < K1; k++)
    for (size_t l = 0; l < L1; l++) {
      double *g = G + (k * L1 + l) * rows;
      const double *ek = E + k * n, *zl = Zt + l * n;
      if (w->vce == TFP_VCE_CLUSTER) for (size_t i = 0; i < n; i++) g[w->clu[i]] += ek[i] * zl[i];
      else for (size_t i = 0; i < n; i++) g[i] = ek[i] * zl[i];
    }
  tfp_la_gram(rows, KL, G, shat);
  free(G);
  /* ranktest: shat/(N-d) robust, shat/N cluster; vhat = K shat K' * N */
  double sc = w->vce == TFP_VCE_CLUSTER ? 1.0 : (double)n / ((double)n - (double)w->d);
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
  if (tfp_la_chol_solve(q, vlab, 1, tmp, err, errlen) != TFP_OK) { *rk = NAN; rc = TFP_OK; goto done; }
  double v = 0;
  for (size_t a = 0; a < q; a++) v += lab[a] * tmp[a];
  *rk = v;
done:
  free(shat);
  return rc;
}

/* ---------------------------------------------------------------- driver */

int tfp_iv_diag_ident(const tfp_iv_work *w, tfp_iv_result *r, char *err, size_t errlen)
{
  size_t n = w->n, K1 = w->K1, L1 = w->L1, K2 = w->K2, L = L1 + K2;
  double N = (double)n, d = (double)w->d, sd = (double)w->sd, Nd = N - d;
  double dfF = N - (double)L - d - sd;
  double M = (double)w->M;
  int clus = w->vce == TFP_VCE_CLUSTER;
  /* F-type statistics: Wald / df * c (ivreg2's small-sample convention) */
  double c = clus ? (N - (double)L - sd) / (N - 1) * (M - 1) / M : dfF / Nd;
  double df_r = clus ? M - 1 : dfF;
  double Vsmall = clus ? (N - 1) / (N - (double)L - sd) * M / (M - 1) : Nd / dfF;
  int rc = TFP_OK;
  size_t sz = 2 * n * K1 + n * L1 + n + L1 * L1 * 3 + L1 * K1 * 4 + K1 * K1 * 6 + K1 + L1 * L1 + L1 + 16;
  double *Y = malloc(sz * sizeof *Y);
  size_t *ix = malloc((K1 + 1) * sizeof *ix);   /* the other endogenous regressors */
  if (!Y || !ix) { free(Y); free(ix); snprintf(err, errlen, "out of memory: diagnostics"); return TFP_ENOMEM; }
  double *E = Y + n * K1, *Zt = E + n * K1, *v = Zt + n * L1, *zz = v + n, *Rz = zz + L1 * L1,
         *Om = Rz + L1 * L1, *zy = Om + L1 * L1, *pi = zy + L1 * K1, *theta = pi + L1 * K1,
         *tmp = theta + L1 * K1, *yy = tmp + L1 * K1, *Ry = yy + K1 * K1, *A = Ry + K1 * K1,
         *yyi = A + K1 * K1, *Ai = yyi + K1 * K1, *lam = Ai + K1 * K1, *Ai2 = lam + K1,
         *g = Ai2 + K1 * K1;
  memcpy(Y, w->X1, n * K1 * sizeof *Y);
  memcpy(Zt, w->Z1, n * L1 * sizeof *Zt);
  if ((rc = tfp_iv_partial(n, K2, w->X2, K1, Y, err, errlen))) goto done;
  if ((rc = tfp_iv_partial(n, K2, w->X2, L1, Zt, err, errlen))) goto done;
  tfp_la_gram(n, L1, Zt, zz);
  tfp_la_gram(n, K1, Y, yy);
  tfp_la_crossprod(n, L1, Zt, K1, Y, zy);
  memcpy(pi, zy, L1 * K1 * sizeof *pi);
  if ((rc = tfp_la_chol_solve(L1, zz, K1, pi, err, errlen))) goto done;
  tfp_la_gemm(1, 0, K1, K1, L1, 1.0, zy, pi, 0.0, A);           /* Y'P Y */
  if ((rc = tfp_la_gen_eig(K1, A, yy, lam, err, errlen))) goto done;
  double lmin = lam[0];
  r->kp_lm_df = (double)(L1 - K1 + 1);
  /* instruments that reproduce the endogenous regressors exactly: the
     smallest canonical correlation is 1 up to rounding (which may put it
     above 1 and the F below zero); the F statistics are then infinite */
  int perfect = !(1 - lmin > 1e-12);
  r->cd_f = perfect ? INFINITY : lmin / (1 - lmin) * dfF / (double)L1;
  if (w->vce == TFP_VCE_UNADJUSTED) {
    r->kp_lm = Nd * lmin;            /* Anderson canonical-correlations LM */
    r->kp_f = r->cd_f;
  } else {
    if ((rc = tfp_la_chol(L1, zz, Rz, err, errlen))) goto done;
    if ((rc = tfp_la_chol(K1, yy, Ry, err, errlen))) goto done;
    /* theta = Rz pi Ry^-1 */
    tfp_la_gemm(0, 0, L1, K1, L1, 1.0, Rz, pi, 0.0, tmp);
    for (size_t i = 0; i < L1; i++) for (size_t k = 0; k < K1; k++) theta[k + i * K1] = tmp[i + k * L1];
    if ((rc = tfp_la_upper_solve(K1, Ry, 1, L1, theta, err, errlen))) goto done;
    for (size_t i = 0; i < L1; i++) for (size_t k = 0; k < K1; k++) tmp[i + k * L1] = theta[k + i * K1];
    memcpy(theta, tmp, L1 * K1 * sizeof *theta);
    double rk;
    if ((rc = kp_rk(w, K1, L1, Zt, Y, Ry, Rz, theta, &rk, err, errlen))) goto done;
    r->kp_lm = rk;
    memcpy(E, Y, n * K1 * sizeof *E);
    tfp_la_gemm(0, 0, n, K1, L1, -1.0, Zt, pi, 1.0, E);
    if ((rc = kp_rk(w, K1, L1, Zt, E, Ry, Rz, theta, &rk, err, errlen))) goto done;
    r->kp_f = perfect ? INFINITY : rk / (double)L1 * c;
  }
  r->kp_lm_p = tfp_chi2_tail(r->kp_lm_df, r->kp_lm);

  /* first stages: X1_j on Z; by Frisch-Waugh on the partialled data */
  r->first = calloc(K1, sizeof *r->first);
  if (!r->first) { rc = TFP_ENOMEM; snprintf(err, errlen, "out of memory"); goto done; }
  r->n_first = K1;
  /* Shea partial R2: [(X'X)^-1]_jj / [(X'PzX)^-1]_jj, on partialled data */
  memset(yyi, 0, K1 * K1 * sizeof *yyi);
  memset(Ai, 0, K1 * K1 * sizeof *Ai);
  for (size_t k = 0; k < K1; k++) yyi[k + k * K1] = Ai[k + k * K1] = 1;
  if ((rc = tfp_la_chol_solve(K1, yy, K1, yyi, err, errlen))) goto done;
  if ((rc = tfp_la_chol_solve(K1, A, K1, Ai, err, errlen))) goto done;
  for (size_t j = 0; j < K1; j++) {
    tfp_iv_first *f = &r->first[j];
    f->coef = malloc(L1 * sizeof *f->coef);
    f->se = malloc(L1 * sizeof *f->se);
    if (!f->coef || !f->se) { rc = TFP_ENOMEM; snprintf(err, errlen, "out of memory"); goto done; }
    const double *yj = Y + j * n;
    memcpy(v, yj, n * sizeof *v);
    tfp_la_gemm(0, 0, n, 1, L1, -1.0, Zt, pi + j * L1, 1.0, v);
    double rssu = 0, rssr = 0;
    for (size_t i = 0; i < n; i++) { rssu += v[i] * v[i]; rssr += yj[i] * yj[i]; }
    f->pr2 = 1 - rssu / rssr;
    f->rmse = sqrt(rssu / dfF);
    f->shea_pr2 = yyi[j + j * K1] / Ai[j + j * K1];
    /* Wald test of the excluded instruments with the model's VCE type */
    if ((rc = tfp_iv_omega(w, L1, Zt, v, Om, err, errlen))) goto done;
    memcpy(g, zy + j * L1, L1 * sizeof *g);
    if (!(rssu > 1e-24 * rssr)) {   /* exact first stage */
      f->F = INFINITY; f->F_p = 0;
    } else if ((rc = tfp_la_chol_solve(L1, Om, 1, g, err, errlen))) {
      f->F = f->F_p = NAN; rc = TFP_OK; err[0] = 0;
    } else {
      double wald = 0;
      for (size_t i = 0; i < L1; i++) wald += zy[i + j * L1] * g[i];
      f->F = wald / (double)L1 * c;
      f->F_p = tfp_F_tail((double)L1, df_r, f->F);
    }
    f->F_df = (double)L1;
    f->F_df_r = df_r;
    /* coefficient SEs: zz^-1 Om zz^-1 (scaled as the model's small option) */
    for (size_t i = 0; i < L1; i++) f->coef[i] = pi[i + j * L1];
    double *Vp = malloc(L1 * L1 * sizeof *Vp);
    if (!Vp) { rc = TFP_ENOMEM; snprintf(err, errlen, "out of memory"); goto done; }
    memcpy(Vp, Om, L1 * L1 * sizeof *Vp);
    if ((rc = tfp_la_chol_solve(L1, zz, L1, Vp, err, errlen))) { free(Vp); goto done; }
    for (size_t a = 0; a < L1; a++) for (size_t b = 0; b < a; b++) {
      double t = Vp[a + b * L1]; Vp[a + b * L1] = Vp[b + a * L1]; Vp[b + a * L1] = t;
    }
    if ((rc = tfp_la_chol_solve(L1, zz, L1, Vp, err, errlen))) { free(Vp); goto done; }
    for (size_t i = 0; i < L1; i++) f->se[i] = sqrt(Vp[i + i * L1] * (w->small ? Vsmall : 1.0));
    free(Vp);
    /* Sanderson-Windmeijer: X1_j on the other endogenous by 2SLS, then the
       residual on the instruments */
    if (K1 == 1) {
      f->sw_F = f->ap_F = f->F; f->sw_p = f->ap_p = f->F_p; f->sw_df = (double)L1;
      f->sw_chi2 = f->ap_chi2 = f->F * (double)L1 / c;
      f->sw_chi2_p = f->ap_chi2_p = tfp_chi2_tail((double)L1, f->sw_chi2);
      f->sw_r2 = f->ap_r2 = f->pr2;
    } else {
      size_t m = K1 - 1;
      for (size_t k = 0, t = 0; k < K1; k++) if (k != j) ix[t++] = k;
      for (size_t a = 0; a < m; a++) {
        for (size_t b = 0; b < m; b++) Ai2[a + b * m] = A[ix[a] + ix[b] * K1];
        tmp[a] = A[ix[a] + j * K1];
      }
      if ((rc = tfp_la_chol_solve(m, Ai2, 1, tmp, err, errlen))) goto done;
      memcpy(v, yj, n * sizeof *v);
      for (size_t a = 0; a < m; a++) {
        const double *ya = Y + ix[a] * n;
        for (size_t i = 0; i < n; i++) v[i] -= tmp[a] * ya[i];
      }
      double *ze = g;
      tfp_la_crossprod(n, L1, Zt, 1, v, ze);
      double *pe = malloc((L1 + n + L1 + 1) * sizeof *pe);
      if (!pe) { rc = TFP_ENOMEM; snprintf(err, errlen, "out of memory"); goto done; }
      double *u = pe + L1, *ge = u + n;
      memcpy(pe, ze, L1 * sizeof *pe);
      if ((rc = tfp_la_chol_solve(L1, zz, 1, pe, err, errlen))) { free(pe); goto done; }
      memcpy(u, v, n * sizeof *u);
      tfp_la_gemm(0, 0, n, 1, L1, -1.0, Zt, pe, 1.0, u);
      double df1 = (double)(L1 - K1 + 1), ee = 0, uu = 0;
      for (size_t i = 0; i < n; i++) { ee += v[i] * v[i]; uu += u[i] * u[i]; }
      f->sw_df = df1;
      f->sw_r2 = 1 - uu / ee;
      /* SW: the residual of the partialled regression itself; AP: the
         first-stage residual of X1_j (the fitted, not actual, other
         endogenous regressors are partialled out). Same numerator Zt'e. */
      for (int pass = 0; pass < 2; pass++) {
        if (pass == 1) {
          /* AP residual e_AP = X1_j - P_Z X1_-j delta: its Z-residual is the first stage's */
          memcpy(u, yj, n * sizeof *u);
          tfp_la_gemm(0, 0, n, 1, L1, -1.0, Zt, pi + j * L1, 1.0, u);
          double e2 = 0, pe2 = 0;
          /* |e_AP|^2 = |P_Z e_SW|^2 + |M_Z X1_j|^2 */
          tfp_la_gemm(0, 0, n, 1, L1, 1.0, Zt, pe, 0.0, v);   /* P_Z e_SW (v reused) */
          for (size_t i = 0; i < n; i++) { pe2 += v[i] * v[i]; e2 += u[i] * u[i]; }
          f->ap_r2 = 1 - e2 / (pe2 + e2);
        }
        if ((rc = tfp_iv_omega(w, L1, Zt, u, Om, err, errlen))) { free(pe); goto done; }
        memcpy(ge, ze, L1 * sizeof *ge);
        double wald = NAN;
        if (tfp_la_chol_solve(L1, Om, 1, ge, err, errlen) == TFP_OK) {
          wald = 0;
          for (size_t i = 0; i < L1; i++) wald += ze[i] * ge[i];
        } else err[0] = 0;
        double F = wald / df1 * c, Fp = tfp_F_tail(df1, df_r, F), cp = tfp_chi2_tail(df1, wald);
        if (pass == 0) { f->sw_chi2 = wald; f->sw_chi2_p = cp; f->sw_F = F; f->sw_p = Fp; }
        else { f->ap_chi2 = wald; f->ap_chi2_p = cp; f->ap_F = F; f->ap_p = Fp; }
      }
      free(pe);
    }
  }

  /* Anderson-Rubin Wald test of b1 = 0: y (partialled) on the excluded
     instruments, Wald with the model's VCE type, F form as ivreg2 */
  r->ar_f = r->ar_f_p = r->ar_chi2 = r->ar_chi2_p = NAN;
  r->ar_df = (double)L1;
  r->ar_df_r = df_r;
  {
    double *yt = malloc((2 * n + 2 * L1 + 1) * sizeof *yt);
    if (!yt) { rc = TFP_ENOMEM; snprintf(err, errlen, "out of memory"); goto done; }
    double *ua = yt + n, *zy1 = ua + n, *gz = zy1 + L1;
    memcpy(yt, w->y, n * sizeof *yt);
    if ((rc = tfp_iv_partial(n, K2, w->X2, 1, yt, err, errlen))) { free(yt); goto done; }
    tfp_la_crossprod(n, L1, Zt, 1, yt, zy1);
    memcpy(gz, zy1, L1 * sizeof *gz);
    if ((rc = tfp_la_chol_solve(L1, zz, 1, gz, err, errlen))) { free(yt); goto done; }
    memcpy(ua, yt, n * sizeof *ua);
    tfp_la_gemm(0, 0, n, 1, L1, -1.0, Zt, gz, 1.0, ua);
    if ((rc = tfp_iv_omega(w, L1, Zt, ua, Om, err, errlen))) { free(yt); goto done; }
    memcpy(gz, zy1, L1 * sizeof *gz);
    if (tfp_la_chol_solve(L1, Om, 1, gz, err, errlen) == TFP_OK) {
      double wald = 0;
      for (size_t i = 0; i < L1; i++) wald += zy1[i] * gz[i];
      r->ar_chi2 = wald; r->ar_chi2_p = tfp_chi2_tail((double)L1, wald);
      r->ar_f = wald / (double)L1 * c; r->ar_f_p = tfp_F_tail((double)L1, df_r, r->ar_f);
    } else err[0] = 0;
    free(yt);
  }

  /* Stock-Yogo critical values for this K1/L1 */
  tfp_sy_lookup(K1, L1, r->sy, &r->n_sy);
done:
  free(Y); free(ix);
  return rc;
}
