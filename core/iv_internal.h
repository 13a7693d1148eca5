/* iv_internal.h — what the IV files share and callers never see.

   tfp_iv_fit (iv.c) is a driver over passes, each in its own file and each
   owning its memory until its _clear:
     iv_sample.c    the sample: rows without a missing value, singleton
                    groups of the absorbed FE, cluster codes;
     iv_design.c    the design: columns y, X1, X2, Z1 on the sample, units
                    (power-of-two scale, centring), fixed effects,
                    collinearity, and the way back to the data's units;
     iv_estimate.c  the estimate: b, V, J, fit statistics, model F;
     iv_tests.c     the endog() C statistic and the Davidson-MacKinnon test;
     iv_diag.c      identification diagnostics, first stages, Anderson-Rubin.
   They share the GMM kernel (iv_kernel.c), the distribution tails (dist.c),
   and the scratch of iv_scratch.c: a notes buffer that grows (never the
   caller's err) and an arena of workspaces freed at once. */
#ifndef TFP_IV_INTERNAL_H
#define TFP_IV_INTERNAL_H
#include <stddef.h>
#include "iv.h"

/* ---- iv_kernel.c: the model seen by the kernel, and the kernel */

typedef struct {
  size_t n, K1, K2, L1;
  const double *y, *X1, *X2, *Z1;   /* column-major, n rows */
  const int *clu; size_t M;         /* cluster codes 0..M-1 */
  long d, sd;
  int vce, small;
} tfp_iv_work;

/* S-tilde: the orthogonality conditions' covariance, scaled so that a GMM
   fit with it gives V = (X'Z S^-1 Z'X)^-1 and J = e'Z S^-1 Z'e. */
int tfp_iv_omega(const tfp_iv_work *w, size_t L, const double *Z, const double *e,
                 double *S, char *err, size_t errlen);
/* GMM with weight S^-1 (S = Z'Z gives 2SLS), S positive definite (TFP_ENUMERIC
   otherwise). Outputs b (K), e (n), J, and XZSZX = X'Z S^-1 Z'X (K x K). */
int tfp_iv_gmm(size_t n, size_t K, const double *X, size_t L, const double *Z,
               const double *y, const double *S, double *b, double *e, double *J,
               double *XZSZX, char *err, size_t errlen);
/* Rank of the moment covariance S (L x L): tfp_la_psd_rank with
   TFP_IV_S_RANK_TOL, and at most M under cluster VCE. */
int tfp_iv_s_rank(const tfp_iv_work *w, size_t L, const double *S, size_t *rank,
                  char *err, size_t errlen);
/* Residualise the columns of A (n x p) on B (n x q), in place. */
int tfp_iv_partial(size_t n, size_t q, const double *B, size_t p, double *A,
                   char *err, size_t errlen);

/* ---- iv_diag.c */

/* Diagnostics into r (identification, first stages, Stock-Yogo). */
int tfp_iv_diag_ident(const tfp_iv_work *w, tfp_iv_result *r, char *err, size_t errlen);
#endif
