/* iv_tests.c — the tests pass (see iv_internal.h): the endog() C statistic
   (difference of two J statistics) and the Davidson-MacKinnon
   regression-based exogeneity test, of the regressors endog() names (all
   endogenous regressors for Davidson-MacKinnon when it names none). */
#include "iv_internal.h"
#include "linalg.h"
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

/* The tested regressors, each once, as indices into the coefficients; a
   name that is no endogenous regressor is an error, unless it was dropped
   as collinear (it is then not tested). */
static int tested(const tfp_iv_data *d, size_t K1, const tfp_iv_result *r, size_t *idx, size_t *nt,
                  char *err, size_t errlen)
{
  *nt = 0;
  for (size_t t = 0; t < d->n_endog_test; t++) {
    size_t j;
    for (j = 0; j < K1; j++) if (strcmp(r->names[j], d->endog_test[t]) == 0) break;
    if (j == K1) {
      int dropped = 0;
      for (size_t q = 0; q < r->n_dropped_vars; q++) dropped |= strcmp(r->dropped_vars[q], d->endog_test[t]) == 0;
      if (dropped) continue;
      snprintf(err, errlen, "endog test: '%s' is not an endogenous regressor", d->endog_test[t]);
      return TFP_EINVAL;
    }
    int seen = 0;
    for (size_t q = 0; q < *nt; q++) seen |= idx[q] == j;
    if (!seen) idx[(*nt)++] = j;
  }
  return TFP_OK;
}

/* The instruments of model A, Z_A = [Z, X_t] (X_t the tested regressors):
   Z_A'Z_A, Z_A'X and Z_A'y from the design's cross products; the columns
   one by one, and in one block (*ZA, from mem) only for a w->vx VCE. */
static int endog_moments(const tfp_iv_work *w, const tfp_iv_design *g, const size_t *idx, size_t nt,
                         double *SA, double *ZAX, double *ZAy, const double **col, double **ZA,
                         tfp_iv_arena *mem)
{
  size_t n = w->n, K = g->K1 + g->K2, L = g->L1 + g->K2, LA = L + nt;
  for (size_t c = 0; c < LA; c++) {
    for (size_t a = 0; a < LA; a++)
      SA[a + c * LA] = a < L && c < L ? g->ZZ[a + c * L]
                     : a < L ? g->ZX[a + idx[c - L] * L]
                     : c < L ? g->ZX[c + idx[a - L] * L] : g->XX[idx[a - L] + idx[c - L] * K];
    col[c] = c < L ? g->Z + c * n : g->X + idx[c - L] * n;
  }
  for (size_t k = 0; k < K; k++)
    for (size_t a = 0; a < LA; a++) ZAX[a + k * LA] = a < L ? g->ZX[a + k * L] : g->XX[idx[a - L] + k * K];
  for (size_t a = 0; a < LA; a++) ZAy[a] = a < L ? g->Zy[a] : g->Xy[idx[a - L]];
  *ZA = NULL;
  if (!w->vx) return TFP_OK;
  if (!(*ZA = tfp_iv_take(mem, n * LA))) return TFP_ENOMEM;
  for (size_t c = 0; c < LA; c++) memcpy(*ZA + c * n, col[c], n * sizeof **ZA);
  return TFP_OK;
}

/* endog(): C = J(A) - J(B), both with S of model A (the tested regressors
   exogenous, i.e. added to the instruments); as ivreg2, no C statistic from
   a rank-deficient S. One pass over the rows for A's residuals and one for
   its S; the J statistics come from the cross products. */
static int endog_c(const tfp_iv_work *w, const tfp_iv_design *g, size_t rank_S, const size_t *idx,
                   size_t nt, tfp_iv_result *r, tfp_iv_notes *nb, char *err, size_t errlen)
{
  size_t n = w->n, K = g->K1 + g->K2, L = g->L1 + g->K2, LA = L + nt, rank_A = LA;
  tfp_iv_arena mem = TFP_IV_ARENA_INIT;
  double *SA = tfp_iv_take(&mem, LA * LA), *SB = tfp_iv_take(&mem, L * L), *ZA = NULL;
  double *ZAX = tfp_iv_take(&mem, LA * K), *ZAy = tfp_iv_take(&mem, LA);
  const double **col = tfp_iv_alloc(&mem, LA, sizeof *col);
  double *b = tfp_iv_take(&mem, K), *B = tfp_iv_take(&mem, K * K), *c = tfp_iv_take(&mem, 1 + K);
  double *e = w->vx ? tfp_iv_take(&mem, n) : NULL;   /* else the residuals come a block at a time */
  const double **R = tfp_iv_alloc(&mem, 1 + K, sizeof *R);
  if (mem.oom || endog_moments(w, g, idx, nt, SA, ZAX, ZAy, col, &ZA, &mem)) {
    tfp_iv_arena_free(&mem);
    return tfp_iv_lost(TFP_ENOMEM, err, errlen);
  }
  char clusters[64] = "", why[256] = "";
  if (r->vce == TFP_VCE_CLUSTER) snprintf(clusters, sizeof clusters, ", %zu clusters", r->N_clust);
  double J = NAN, J2 = NAN;
  int rc = tfp_iv_gmm_m(n, K, g->X, LA, NULL, g->y, ZAX, ZAy, SA, b, e, NULL, B, why, sizeof why);
  if (!rc && ZA) rc = tfp_iv_omega(w, LA, ZA, e, SA, why, sizeof why);
  else if (!rc) {   /* e = y - X b = [y X] [1; -b] */
    R[0] = g->y; c[0] = 1;
    for (size_t k = 0; k < K; k++) { R[1 + k] = g->X + k * n; c[1 + k] = -b[k]; }
    rc = tfp_iv_omega_lin(w, LA, col, 1 + K, R, c, SA, why, sizeof why);
  }
  if (!rc) rc = tfp_iv_s_rank(w, LA, SA, &rank_A, why, sizeof why);
  if (!rc && (r->warn_singular_S || rank_A < LA)) {
    tfp_iv_note(nb, "warning: endog() statistic not reported: estimated covariance matrix of moment "
                "conditions not of full rank (rank %zu for %zu moment conditions%s)",
                r->warn_singular_S ? rank_S : rank_A, r->warn_singular_S ? L : LA, clusters);
  } else {
    if (!rc) rc = tfp_iv_gmm_m(n, K, g->X, LA, NULL, g->y, ZAX, ZAy, SA, b, NULL, &J, B, why, sizeof why);
    for (size_t a = 0; a < L; a++) for (size_t c = 0; c < L; c++) SB[a + c * L] = SA[a + c * LA];
    if (!rc) rc = tfp_iv_gmm_m(n, K, g->X, L, NULL, g->y, g->ZX, g->Zy, SB, b, NULL, &J2, B, why, sizeof why);
    if (rc == TFP_ENUMERIC) {
      tfp_iv_note(nb, "warning: endog() statistic not available (%s)", why);
      rc = TFP_OK; J = J2 = NAN;
    }
  }
  tfp_iv_arena_free(&mem);
  if (rc) { snprintf(err, errlen, "%s", why); return rc; }
  r->endog = J - J2;
  r->endog_df = (double)nt;
  r->endog_p = tfp_chi2_tail(r->endog_df, r->endog);
  return TFP_OK;
}

/* The Wald statistic of DM's coefficients, as the model's small asks. */
static void dm_wald(const tfp_iv_work *w, size_t Ka, size_t nt, const double *gb, double *Vd,
                    tfp_iv_result *r, double *h)
{
  double N = w->N, d = (double)w->d, sd = (double)w->sd, M = (double)w->M;
  char why[256];
  memcpy(h, gb, nt * sizeof *h);
  if (tfp_la_chol_solve(nt, Vd, 1, h, why, sizeof why) != TFP_OK) {
    r->dm = r->dm_p = NAN;
    return;
  }
  double wald = 0;
  for (size_t i = 0; i < nt; i++) wald += gb[i] * h[i];
  r->dm_df = (double)nt;
  if (w->small) {
    double dfr = w->vce == TFP_VCE_CLUSTER ? M - 1 : N - (double)Ka - d - sd;
    r->dm = wald / (double)nt; r->dm_is_F = 1;
    r->dm_p = tfp_F_tail((double)nt, dfr, r->dm);
  } else {
    r->dm = wald; r->dm_is_F = 0;
    r->dm_p = tfp_chi2_tail((double)nt, wald);
  }
}

/* DM's regressors Xa = [X, V], V = M_Z X_t (the first-stage residuals, n x
   nt, in *V): Xa'Xa and Xa'y from the design's cross products and V; the
   columns one by one (col), and in one block (*Xa) only for a w->vx VCE. */
static int dm_design(const tfp_iv_work *w, const tfp_iv_design *g, const size_t *idx, size_t nt,
                     double *V, double *XX, double *Xy, const double **col, double **Xa, tfp_iv_arena *mem,
                     char *err, size_t errlen)
{
  size_t n = w->n, K = g->K1 + g->K2, L = g->L1 + g->K2, Ka = K + nt;
  double *P = tfp_iv_take(mem, L * nt), *XV = tfp_iv_take(mem, Ka * nt);
  if (mem->oom) return TFP_ENOMEM;
  for (size_t t = 0; t < nt; t++) {
    memcpy(V + t * n, g->X + idx[t] * n, n * sizeof *V);
    memcpy(P + t * L, g->ZX + idx[t] * L, L * sizeof *P);
  }
  int rc = tfp_la_chol_solve(L, g->ZZ, nt, P, err, errlen);
  if (rc) return rc;
  tfp_la_gemm(0, 0, n, nt, L, -1.0, g->Z, P, 1.0, V);
  tfp_la_crossprod(n, K, g->X, nt, V, XV);
  tfp_la_gram(n, nt, V, XV + K * nt);
  for (size_t c = 0; c < Ka; c++) {
    for (size_t a = 0; a < Ka; a++)
      XX[a + c * Ka] = a < K && c < K ? g->XX[a + c * K] : c >= K ? (a < K ? XV[a + (c - K) * K]
                     : XV[K * nt + (a - K) + (c - K) * nt]) : XV[c + (a - K) * K];
    col[c] = c < K ? g->X + c * n : V + (c - K) * n;
  }
  memcpy(Xy, g->Xy, K * sizeof *Xy);
  tfp_la_crossprod(n, nt, V, 1, g->y, Xy + K);
  *Xa = NULL;
  if (!w->vx) return TFP_OK;
  if (!(*Xa = tfp_iv_take(mem, n * Ka))) return TFP_ENOMEM;
  for (size_t c = 0; c < Ka; c++) memcpy(*Xa + c * n, col[c], n * sizeof **Xa);
  return TFP_OK;
}

/* Davidson-MacKinnon regression-based exogeneity test: OLS of y on [X, V]
   with V the first-stage residuals of the tested endogenous regressors;
   Wald test of V's coefficients with the model's VCE type (small: F). */
static int dm_test(const tfp_iv_work *w, const tfp_iv_design *g, const size_t *idx, size_t nt,
                   tfp_iv_result *r, char *err, size_t errlen)
{
  size_t n = w->n, K = g->K1 + g->K2, Ka = K + nt;
  tfp_iv_arena mem = TFP_IV_ARENA_INIT;
  double *Vr = tfp_iv_take(&mem, n * nt), *XX = tfp_iv_take(&mem, Ka * Ka), *Xy = tfp_iv_take(&mem, Ka), *Xa;
  double *A = tfp_iv_take(&mem, Ka * Ka), *S = tfp_iv_take(&mem, Ka * Ka), *V = tfp_iv_take(&mem, Ka * Ka);
  double *b = tfp_iv_take(&mem, Ka), *Vd = tfp_iv_take(&mem, nt * nt), *c = tfp_iv_take(&mem, 1 + Ka);
  double *gb = tfp_iv_take(&mem, nt), *h = tfp_iv_take(&mem, nt);
  double *e = w->vx ? tfp_iv_take(&mem, n) : NULL;   /* else the residuals come a block at a time */
  const double **col = tfp_iv_alloc(&mem, Ka, sizeof *col), **R = tfp_iv_alloc(&mem, 1 + Ka, sizeof *R);
  if (mem.oom) { tfp_iv_arena_free(&mem); snprintf(err, errlen, "out of memory: DM test"); return TFP_ENOMEM; }
  int rc = dm_design(w, g, idx, nt, Vr, XX, Xy, col, &Xa, &mem, err, errlen);
  if (rc == TFP_ENOMEM) snprintf(err, errlen, "out of memory: DM test");
  if (!rc) rc = tfp_iv_gmm_m(n, Ka, NULL, Ka, NULL, w->y, XX, Xy, XX, b, NULL, NULL, A, err, errlen);
  if (!rc && Xa) {   /* e = y - X b_X - V b_V */
    memcpy(e, w->y, n * sizeof *e);
    tfp_la_gemm(0, 0, n, 1, Ka, -1.0, Xa, b, 1.0, e);
    rc = tfp_iv_omega(w, Ka, Xa, e, S, err, errlen);
  } else if (!rc) {   /* the same e = [y Xa] [1; -b], a block at a time */
    R[0] = w->y; c[0] = 1;
    for (size_t k = 0; k < Ka; k++) { R[1 + k] = col[k]; c[1 + k] = -b[k]; }
    rc = tfp_iv_omega_lin(w, Ka, col, 1 + Ka, R, c, S, err, errlen);
  }
  /* V = A^-1 S A^-1 */
  if (!rc) rc = tfp_la_chol_solve(Ka, A, Ka, S, err, errlen);
  if (!rc) {
    for (size_t i = 0; i < Ka; i++) for (size_t j = 0; j < Ka; j++) V[i + j * Ka] = S[j + i * Ka];
    rc = tfp_la_chol_solve(Ka, A, Ka, V, err, errlen);
  }
  if (!rc) {
    double N = w->N, d = (double)w->d, sd = (double)w->sd, M = (double)w->M, f = 1.0;
    if (w->small)
      f = w->vce == TFP_VCE_CLUSTER ? (N - 1) / (N - (double)Ka - sd) * M / (M - 1)
                                    : (N - d) / (N - (double)Ka - d - sd);
    for (size_t i = 0; i < nt; i++) {
      gb[i] = b[K + i];
      for (size_t j = 0; j < nt; j++) Vd[i + j * nt] = f * 0.5 * (V[(K + i) + (K + j) * Ka] + V[(K + j) + (K + i) * Ka]);
    }
    dm_wald(w, Ka, nt, gb, Vd, r, h);
  }
  tfp_iv_arena_free(&mem);
  return rc;
}

int tfp_iv_tests(const tfp_iv_work *w, const tfp_iv_design *g, const tfp_iv_data *d, size_t rank_S,
                 tfp_iv_result *r, tfp_iv_notes *nb, char *err, size_t errlen)
{
  size_t K1 = g->K1, nt = 0;
  r->endog = r->endog_p = r->endog_df = NAN;
  r->dm = r->dm_p = r->dm_df = NAN;
  size_t *idx = malloc((K1 + 1) * sizeof *idx);
  if (!idx) return tfp_iv_lost(TFP_ENOMEM, err, errlen);
  int rc = tested(d, K1, r, idx, &nt, err, errlen);
  if (!rc && d->n_endog_test > 0 && K1 > 0) rc = endog_c(w, g, rank_S, idx, nt, r, nb, err, errlen);
  if (!rc && K1 > 0) {
    if (d->n_endog_test == 0) for (size_t j = 0; j < K1; j++) idx[nt++] = j;
    char why[256];
    rc = dm_test(w, g, idx, nt, r, why, sizeof why);
    if (rc == TFP_ENUMERIC) {
      tfp_iv_note(nb, "warning: Davidson-MacKinnon test not available (%s)", why);
      rc = TFP_OK;
    } else if (rc) snprintf(err, errlen, "%s", why);
  }
  free(idx);
  return rc;
}
