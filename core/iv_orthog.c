/* iv_orthog.c — ivreg2's orthog(): the C statistic of a subset of the
   instruments (excluded, or included exogenous regressors), the difference
   of the J statistics of the model with and without them, both with the
   moment covariance S of the full model from its own residuals (so C >= 0,
   Hayashi 2000, p. 220); chi2(number tested). */
#include "iv_internal.h"
#include "linalg.h"
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

/* Columns of Z = [X2 Z1] that orthog() names, each once; a name dropped as
   collinear is not tested, any other name that is no instrument is an error. */
static int tested_cols(const tfp_iv_design *g, const tfp_iv_data *d, const tfp_iv_result *r,
                       size_t *col, size_t *nq, char *err, size_t errlen)
{
  size_t K1 = g->K1, K2 = g->K2, L1 = g->L1, K = K1 + K2;
  *nq = 0;
  for (size_t t = 0; t < d->n_orthog; t++) {
    const char *nm = d->orthog[t];
    size_t c = (size_t)-1;
    for (size_t j = 0; j < L1 && c == (size_t)-1; j++) if (!strcmp(g->names[1 + K + j], nm)) c = K2 + j;
    for (size_t j = 0; j < K2 && c == (size_t)-1; j++)
      if (!strcmp(g->names[1 + K1 + j], nm) && strcmp(nm, "_cons") != 0) c = j;
    if (c == (size_t)-1) {
      int dropped = 0;
      for (size_t q = 0; q < r->n_dropped_vars; q++) dropped |= !strcmp(r->dropped_vars[q], nm);
      if (dropped) continue;
      snprintf(err, errlen, "orthog: '%s' is not an instrument (an excluded instrument or an "
               "exogenous regressor)", nm);
      return TFP_EINVAL;
    }
    int seen = 0;
    for (size_t q = 0; q < *nq; q++) seen |= col[q] == c;
    if (!seen) col[(*nq)++] = c;
  }
  return TFP_OK;
}

/* J(full) - J(restricted) with the full model's S; rc TFP_ENUMERIC when a
   GMM step is singular. */
static int c_stat(const tfp_iv_work *w, const tfp_iv_design *g, const double *beta, const size_t *col, size_t nq,
                  double *C, size_t *rank, char *err, size_t errlen)
{
  size_t n = w->n, K = g->K1 + g->K2, L = g->L1 + g->K2, Lr = L - nq;
  tfp_iv_arena mem = TFP_IV_ARENA_INIT;
  double *S = tfp_iv_take(&mem, L * L), *Sr = tfp_iv_take(&mem, Lr * Lr), *Zr = tfp_iv_take(&mem, n * Lr);
  double *b = tfp_iv_take(&mem, K), *e = tfp_iv_take(&mem, n), *B = tfp_iv_take(&mem, K * K);
  size_t *keep = tfp_iv_alloc(&mem, L, sizeof *keep);
  if (mem.oom) { tfp_iv_arena_free(&mem); return tfp_iv_lost(TFP_ENOMEM, err, errlen); }
  memcpy(e, g->y, n * sizeof *e);   /* the model's residuals, from its coefficients */
  tfp_la_gemm(0, 0, n, 1, K, -1.0, g->X, beta, 1.0, e);
  int rc = tfp_iv_omega(w, L, g->Z, e, S, err, errlen);
  if (!rc) rc = tfp_iv_s_rank(w, L, S, rank, err, errlen);
  if (!rc && *rank == L) {
    size_t m = 0;
    for (size_t c = 0; c < L; c++) {
      int out = 0;
      for (size_t q = 0; q < nq; q++) out |= col[q] == c;
      if (!out) keep[m++] = c;
    }
    for (size_t a = 0; a < Lr; a++) {
      memcpy(Zr + a * n, g->Z + keep[a] * n, n * sizeof *Zr);
      for (size_t c = 0; c < Lr; c++) Sr[a + c * Lr] = S[keep[a] + keep[c] * L];
    }
    double J = NAN, Jr = NAN;
    rc = tfp_iv_gmm(n, K, g->X, L, g->Z, g->y, S, b, e, &J, B, err, errlen);
    if (!rc) rc = tfp_iv_gmm(n, K, g->X, Lr, Zr, g->y, Sr, b, e, &Jr, B, err, errlen);
    *C = J - Jr;
  }
  tfp_iv_arena_free(&mem);
  return rc;
}

int tfp_iv_orthog(const tfp_iv_work *w, const tfp_iv_design *g, const tfp_iv_data *d,
                  tfp_iv_result *r, tfp_iv_notes *nb, char *err, size_t errlen)
{
  size_t K = g->K1 + g->K2, L = g->L1 + g->K2, nq = 0, rank = L;
  r->cstat = r->cstat_p = r->cstat_df = NAN;
  if (d->n_orthog == 0) return TFP_OK;
  size_t *col = malloc((L + 1) * sizeof *col);
  if (!col) return tfp_iv_lost(TFP_ENOMEM, err, errlen);
  int rc = tested_cols(g, d, r, col, &nq, err, errlen);
  if (!rc && nq > 0 && L - nq < K) {   /* the restricted model is not identified (as ivreg2) */
    r->cstat = 0; r->cstat_df = 0;
    tfp_iv_note(nb, "note: orthog() C statistic 0: without the tested instruments the model is "
                "underidentified");
  } else if (!rc && nq > 0) {
    char why[256];
    double C = NAN;
    rc = c_stat(w, g, r->coef, col, nq, &C, &rank, why, sizeof why);
    if (rc == TFP_ENUMERIC || (!rc && rank < L)) {
      tfp_iv_note(nb, "warning: orthog() C statistic not available (%s)", rc ? why :
                  "estimated covariance matrix of moment conditions not of full rank");
      rc = TFP_OK;
    } else if (rc) snprintf(err, errlen, "%s", why);
    else {
      r->cstat = C; r->cstat_df = (double)nq;
      r->cstat_p = tfp_chi2_tail(r->cstat_df, C);
    }
  }
  free(col);
  return rc;
}
