/* iv_kernel.c — the GMM kernel shared by the IV passes (see iv_internal.h):
   the moment covariance S (omega), a GMM fit with weight S^-1, the rank of S,
   and partialling out. Plain linear algebra over linalg.h. */
#include "iv_internal.h"
#include "linalg.h"
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

int tfp_iv_omega(const tfp_iv_work *w, size_t L, const double *Z, const double *e,
                 double *S, char *err, size_t errlen)
{
  if (w->vx) return tfp_iv_vx_omega(w, L, Z, e, S, err, errlen);
  const double **col = malloc((L ? L : 1) * sizeof *col);
  if (!col) { snprintf(err, errlen, "out of memory: S matrix"); return TFP_ENOMEM; }
  for (size_t j = 0; j < L; j++) col[j] = Z + j * w->n;
  int rc = tfp_iv_omega_cols(w, L, col, e, S, err, errlen);
  free(col);
  return rc;
}

int tfp_iv_omega_cols(const tfp_iv_work *w, size_t L, const double *const *Z, const double *e,
                      double *S, char *err, size_t errlen)
{
  const double one = 1.0;
  return tfp_iv_omega_lin(w, L, Z, 1, &e, &one, S, err, errlen);
}

int tfp_iv_omega_lin(const tfp_iv_work *w, size_t L, const double *const *Z, size_t m,
                     const double *const *R, const double *c, double *S, char *err, size_t errlen)
{
  size_t n = w->n;
  double Nd = w->N - (double)w->d, ee = 0;
  /* blocks of rows, so the scratch stays small at a million rows: the
     residuals' block, and the scores' (robust) or the columns' (iid) */
  enum { BLOCK = 8192 };
  int clus = w->vce == TFP_VCE_CLUSTER, iid = w->vce == TFP_VCE_UNADJUSTED;
  size_t nb = n < BLOCK ? n : BLOCK, rows = clus ? w->M : nb;
  tfp_iv_arena mem = TFP_IV_ARENA_INIT;
  double *U = tfp_iv_alloc(&mem, rows * L, sizeof *U);   /* zero: cluster sums */
  double *G = clus ? NULL : tfp_iv_take(&mem, L * L), *e = tfp_iv_take(&mem, nb ? nb : 1);
  if (mem.oom) { tfp_iv_arena_free(&mem); snprintf(err, errlen, "out of memory: S matrix"); return TFP_ENOMEM; }
  if (!clus) memset(S, 0, L * L * sizeof *S);
  /* a block's Gram matrix is too small for BLAS threads: waking them for
     each of a thousand blocks costs more than the sums (far more on a busy
     machine) */
  int blas = tfp_la_blas_threads(1);
  for (size_t i0 = 0; i0 < n; i0 += nb) {
    size_t mb = n - i0 < nb ? n - i0 : nb;
    for (size_t i = 0; i < mb; i++) {
      double v = 0;
      for (size_t j = 0; j < m; j++) v += c[j] * R[j][i0 + i];
      e[i] = v;
    }
    if (clus) {
      for (size_t j = 0; j < L; j++)
        for (size_t i = 0; i < mb; i++) U[w->clu[i0 + i] + j * rows] += Z[j][i0 + i] * e[i];
      continue;
    }
    for (size_t j = 0; j < L; j++)
      for (size_t i = 0; i < mb; i++)
        U[i + j * mb] = iid ? Z[j][i0 + i] : Z[j][i0 + i] * e[i] * (w->fw_isw ? w->fw_isw[i0 + i] : 1.0);
    tfp_la_gram(mb, L, U, G);
    for (size_t k = 0; k < L * L; k++) S[k] += G[k];
    if (iid) for (size_t i = 0; i < mb; i++) ee += e[i] * e[i];
  }
  tfp_la_blas_threads(blas);
  if (clus) tfp_la_gram(rows, L, U, S);
  else {   /* ivreg2: S = sum/(N-d), V and J use N*S */
    double f = iid ? ee / Nd : w->N / Nd;
    for (size_t i = 0; i < L * L; i++) S[i] *= f;
  }
  tfp_iv_arena_free(&mem);
  return TFP_OK;
}

int tfp_iv_gmm(size_t n, size_t K, const double *X, size_t L, const double *Z,
               const double *y, const double *S, double *b, double *e, double *J,
               double *XZSZX, char *err, size_t errlen)
{
  double *ZX = malloc((L * K + L + 1) * sizeof *ZX);
  if (!ZX) { snprintf(err, errlen, "out of memory: GMM"); return TFP_ENOMEM; }
  tfp_la_crossprod(n, L, Z, K, X, ZX);
  tfp_la_crossprod(n, L, Z, 1, y, ZX + L * K);
  int rc = tfp_iv_gmm_m(n, K, X, L, Z, y, ZX, ZX + L * K, S, b, e, J, XZSZX, err, errlen);
  free(ZX);
  return rc;
}

int tfp_iv_gmm_m(size_t n, size_t K, const double *X, size_t L, const double *Z,
                 const double *y, const double *ZX, const double *Zy, const double *S, double *b,
                 double *e, double *J, double *XZSZX, char *err, size_t errlen)
{
  int rc = TFP_OK;
  tfp_iv_arena mem = TFP_IV_ARENA_INIT;
  double *SZ = tfp_iv_take(&mem, L * (K + 1));
  double *Ze = tfp_iv_take(&mem, L), *SZe = tfp_iv_take(&mem, L), *M = tfp_iv_take(&mem, K * K);
  if (mem.oom) { tfp_iv_arena_free(&mem); snprintf(err, errlen, "out of memory: GMM"); return TFP_ENOMEM; }
  memcpy(SZ, ZX, L * K * sizeof *SZ);
  memcpy(SZ + L * K, Zy, L * sizeof *SZ);
  if ((rc = tfp_la_chol_solve(L, S, K + 1, SZ, err, errlen))) goto done;
  tfp_la_gemm(1, 0, K, K, L, 1.0, ZX, SZ, 0.0, M);          /* X'Z S^-1 Z'X */
  tfp_la_gemm(1, 0, K, 1, L, 1.0, ZX, SZ + L * K, 0.0, b);  /* X'Z S^-1 Z'y */
  if ((rc = tfp_la_chol_solve(K, M, 1, b, err, errlen))) {
    snprintf(err, errlen, "X'Z W Z'X is singular (regressors not identified)");
    goto done;
  }
  if (XZSZX) memcpy(XZSZX, M, K * K * sizeof *M);
  if (e) {
    memcpy(e, y, n * sizeof *e);
    if (K) tfp_la_gemm(0, 0, n, 1, K, -1.0, X, b, 1.0, e);
  }
  if (J) {
    /* Z'e from the residuals when they are at hand, else Z'y - Z'X b */
    if (e && Z) tfp_la_crossprod(n, L, Z, 1, e, Ze);
    else {
      memcpy(Ze, Zy, L * sizeof *Ze);
      tfp_la_gemm(0, 0, L, 1, K, -1.0, ZX, b, 1.0, Ze);
    }
    memcpy(SZe, Ze, L * sizeof *SZe);
    if ((rc = tfp_la_chol_solve(L, S, 1, SZe, err, errlen))) goto done;
    double j = 0;
    for (size_t i = 0; i < L; i++) j += Ze[i] * SZe[i];
    *J = j;
  }
done:
  tfp_iv_arena_free(&mem);
  return rc;
}

int tfp_iv_s_rank(const tfp_iv_work *w, size_t L, const double *S, size_t *rank,
                  char *err, size_t errlen)
{
  int rc = tfp_la_psd_rank(L, S, TFP_IV_S_RANK_TOL, rank, NULL, err, errlen);
  /* M cluster sums span at most M dimensions, whatever the rounding says */
  if (!rc && w->vce == TFP_VCE_CLUSTER && w->M < *rank &&
      (!w->vx || w->vx->kind == TFP_VX_DK)) *rank = w->M;
  return rc;
}

int tfp_iv_partial(size_t n, size_t q, const double *B, size_t p, double *A,
                   char *err, size_t errlen)
{
  if (q == 0 || p == 0) return TFP_OK;
  tfp_iv_arena mem = TFP_IV_ARENA_INIT;
  double *G = tfp_iv_take(&mem, q * q), *C = tfp_iv_take(&mem, q * p);
  if (mem.oom) { tfp_iv_arena_free(&mem); snprintf(err, errlen, "out of memory: partialling out"); return TFP_ENOMEM; }
  tfp_la_gram(n, q, B, G);
  tfp_la_crossprod(n, q, B, p, A, C);
  int rc = tfp_la_chol_solve(q, G, p, C, err, errlen);
  if (rc == TFP_OK) tfp_la_gemm(0, 0, n, p, q, -1.0, B, C, 1.0, A);
  tfp_iv_arena_free(&mem);
  return rc;
}
