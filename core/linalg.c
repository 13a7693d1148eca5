/* linalg.c — see linalg.h. */
#include "linalg.h"
#include "frame.h"
#include <cblas.h>
#include <lapacke.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/resource.h>
#include <unistd.h>

#define LAI lapack_int

/* OpenBLAS's BUFFER_SIZE on x86-64 (128 MB) plus its page alignment, and
   room for whatever runs after. */
#define BLAS_BUFFER_BYTES (136.0 * 1048576.0)
#define BLAS_HEADROOM_BYTES (160.0 * 1048576.0)

double tfp_la_memory_limit(void) {
  struct rlimit as, data;
  double limit = INFINITY;
  if (getrlimit(RLIMIT_AS, &as) == 0 && as.rlim_cur != RLIM_INFINITY) limit = (double)as.rlim_cur;
  if (getrlimit(RLIMIT_DATA, &data) == 0 && data.rlim_cur != RLIM_INFINITY && (double)data.rlim_cur < limit)
    limit = (double)data.rlim_cur;
  return limit;
}

int tfp_la_blas_threads(int n) {
  int old = openblas_get_num_threads();
  if (n >= 1 && n != old) openblas_set_num_threads(n);
  return old;
}

int tfp_la_reserve(char *err, size_t errlen) {
  double limit = tfp_la_memory_limit();
  if (isinf(limit)) return TFP_OK;
  openblas_set_num_threads(1);
  long pages = 0;
  FILE *fp = fopen("/proc/self/statm", "r");
  if (fp) {
    if (fscanf(fp, "%ld", &pages) != 1) pages = 0;
    fclose(fp);
  }
  double used = (double)pages * (double)sysconf(_SC_PAGESIZE);
  if (limit - used < BLAS_HEADROOM_BYTES) {
    snprintf(err, errlen, "the memory limit (ulimit -v: %.0f MB, %.0f MB in use) leaves too little room for "
             "OpenBLAS's %.0f MB work buffer; raise it to at least %.0f MB", limit / 1048576, used / 1048576,
             BLAS_BUFFER_BYTES / 1048576, (used + BLAS_HEADROOM_BYTES) / 1048576 + 1);
    return TFP_ENOMEM;
  }
  const double a[4] = {1, 0, 0, 1};
  double c[4];
  tfp_la_gram(2, 2, a, c);
  return TFP_OK;
}

void tfp_la_crossprod(size_t n, size_t p, const double *A, size_t q, const double *B, double *C) {
  if (p == 0 || q == 0) return;
  if (n == 0) { memset(C, 0, p * q * sizeof *C); return; }
  cblas_dgemm(CblasColMajor, CblasTrans, CblasNoTrans, (LAI)p, (LAI)q, (LAI)n, 1.0,
              A, (LAI)n, B, (LAI)n, 0.0, C, (LAI)p);
}

void tfp_la_gram(size_t n, size_t p, const double *A, double *C) {
  if (p == 0) return;
  if (n == 0) { memset(C, 0, p * p * sizeof *C); return; }
  cblas_dsyrk(CblasColMajor, CblasUpper, CblasTrans, (LAI)p, (LAI)n, 1.0, A, (LAI)n,
              0.0, C, (LAI)p);
  for (size_t j = 0; j < p; j++)
    for (size_t i = j + 1; i < p; i++) C[i + j * p] = C[j + i * p];
}

void tfp_la_gemm(int transa, int transb, size_t m, size_t q, size_t k, double alpha,
                 const double *A, const double *B, double beta, double *C) {
  if (m == 0 || q == 0) return;
  if (k == 0) { for (size_t i = 0; i < m * q; i++) C[i] = beta == 0 ? 0 : beta * C[i]; return; }
  cblas_dgemm(CblasColMajor, transa ? CblasTrans : CblasNoTrans, transb ? CblasTrans : CblasNoTrans,
              (LAI)m, (LAI)q, (LAI)k, alpha, A, transa ? (LAI)k : (LAI)m, B,
              transb ? (LAI)q : (LAI)k, beta, C, (LAI)m);
}

static int fail(char *err, size_t errlen, int code, const char *what, LAI info) {
  if (err && errlen) snprintf(err, errlen, "%s failed (info %d)", what, (int)info);
  return code;
}

int tfp_la_chol(size_t p, const double *S, double *R, char *err, size_t errlen) {
  if (p == 0) return TFP_OK;
  if (R != S) memcpy(R, S, p * p * sizeof *R);
  LAI info = LAPACKE_dpotrf(LAPACK_COL_MAJOR, 'U', (LAI)p, R, (LAI)p);
  if (info != 0)
    return fail(err, errlen, info > 0 ? TFP_ENUMERIC : TFP_EINVAL,
                "Cholesky factorisation (matrix not positive definite)", info);
  for (size_t j = 0; j < p; j++)
    for (size_t i = j + 1; i < p; i++) R[i + j * p] = 0.0;
  return TFP_OK;
}

int tfp_la_chol_solve(size_t p, const double *S, size_t q, double *B, char *err, size_t errlen) {
  if (p == 0 || q == 0) return TFP_OK;
  double *R = malloc(p * p * sizeof *R);
  if (!R) return fail(err, errlen, TFP_ENOMEM, "out of memory: Cholesky solve", 0);
  int rc = tfp_la_chol(p, S, R, err, errlen);
  if (rc == TFP_OK) {
    LAI info = LAPACKE_dpotrs(LAPACK_COL_MAJOR, 'U', (LAI)p, (LAI)q, R, (LAI)p, B, (LAI)p);
    if (info != 0) rc = fail(err, errlen, TFP_EINVAL, "Cholesky solve", info);
  }
  free(R);
  return rc;
}

int tfp_la_sym_eig(size_t p, const double *S, double *w, double *V, char *err, size_t errlen) {
  if (p == 0) return TFP_OK;
  double *A = malloc(p * p * sizeof *A);
  if (!A) return fail(err, errlen, TFP_ENOMEM, "out of memory: eigen-decomposition", 0);
  memcpy(A, S, p * p * sizeof *A);
  LAI info = LAPACKE_dsyev(LAPACK_COL_MAJOR, V ? 'V' : 'N', 'U', (LAI)p, A, (LAI)p, w);
  if (info == 0 && V) memcpy(V, A, p * p * sizeof *V);
  free(A);
  if (info != 0) return fail(err, errlen, TFP_ENUMERIC, "symmetric eigen-decomposition", info);
  return TFP_OK;
}

int tfp_la_gen_eig(size_t p, const double *A, const double *B, double *w, char *err, size_t errlen) {
  if (p == 0) return TFP_OK;
  double *a = malloc(2 * p * p * sizeof *a);
  if (!a) return fail(err, errlen, TFP_ENOMEM, "out of memory: eigenvalues", 0);
  double *b = a + p * p;
  memcpy(a, A, p * p * sizeof *a);
  memcpy(b, B, p * p * sizeof *b);
  LAI info = LAPACKE_dsygv(LAPACK_COL_MAJOR, 1, 'N', 'U', (LAI)p, a, (LAI)p, b, (LAI)p, w);
  free(a);
  if (info != 0) return fail(err, errlen, TFP_ENUMERIC, "generalized eigenvalues", info);
  return TFP_OK;
}

int tfp_la_psd_rank(size_t p, const double *S, double tol, size_t *rank, double *w,
                    char *err, size_t errlen) {
  *rank = 0;
  if (p == 0) return TFP_OK;
  double *C = malloc((p * p + p) * sizeof *C);
  if (!C) return fail(err, errlen, TFP_ENOMEM, "out of memory: rank of a covariance matrix", 0);
  double *d = C + p * p;
  /* equilibrate: C = D^-1/2 S D^-1/2 with D = diag(S), so the rank does not
     depend on the units of the variables; a zero (or negative) diagonal is a
     zero direction, left out of C */
  for (size_t j = 0; j < p; j++) d[j] = S[j + j * p] > 0 ? 1.0 / sqrt(S[j + j * p]) : 0.0;
  for (size_t j = 0; j < p; j++)
    for (size_t i = 0; i < p; i++) C[i + j * p] = S[i + j * p] * d[i] * d[j];
  double *lam = w ? w : d;   /* d is no longer needed once C is formed */
  LAI info = LAPACKE_dsyev(LAPACK_COL_MAJOR, 'N', 'U', (LAI)p, C, (LAI)p, lam);
  if (info != 0) { free(C); return fail(err, errlen, TFP_ENUMERIC, "symmetric eigen-decomposition", info); }
  double lmax = lam[p - 1];
  size_t r = 0;
  for (size_t k = 0; k < p; k++) r += lam[k] > tol * lmax;
  *rank = r;
  free(C);
  return TFP_OK;
}

int tfp_la_svd(size_t m, size_t n, const double *A, double *s, double *U, double *VT,
               char *err, size_t errlen) {
  if (m == 0 || n == 0) return TFP_OK;
  size_t mn = m < n ? m : n;
  double *a = malloc((m * n + mn) * sizeof *a);
  if (!a) return fail(err, errlen, TFP_ENOMEM, "out of memory: SVD", 0);
  double *superb = a + m * n;
  memcpy(a, A, m * n * sizeof *a);
  LAI info = LAPACKE_dgesvd(LAPACK_COL_MAJOR, 'A', 'A', (LAI)m, (LAI)n, a, (LAI)m, s, U,
                            (LAI)m, VT, (LAI)n, superb);
  free(a);
  if (info != 0) return fail(err, errlen, TFP_ENUMERIC, "singular value decomposition", info);
  return TFP_OK;
}

size_t tfp_la_rmcoll(size_t p, const double *G, double tol, int *keep) {
  return tfp_la_rmcoll_ref(p, G, NULL, tol, keep);
}

size_t tfp_la_rmcoll_ref(size_t p, const double *G, const double *ref, double tol, int *keep) {
  /* Incremental Cholesky of the kept block: the pivot of column j is its
     squared residual after projection on the kept columns. */
  double *R = calloc(p * p + 1, sizeof *R);
  size_t *idx = malloc((p + 1) * sizeof *idx);
  size_t nk = 0;
  if (!R || !idx) { free(R); free(idx); for (size_t j = 0; j < p; j++) keep[j] = 1; return p; }
  for (size_t j = 0; j < p; j++) {
    double gjj = G[j + j * p];
    keep[j] = 0;
    if (!(gjj > 0)) continue;
    /* solve R' r = g_kept,j */
    double *r = R + nk * p;   /* column nk of R (rows 0..nk-1) */
    double ss = 0;
    for (size_t a = 0; a < nk; a++) {
      double v = G[idx[a] + j * p];
      for (size_t b = 0; b < a; b++) v -= R[b + a * p] * r[b];
      r[a] = v / R[a + a * p];
      ss += r[a] * r[a];
    }
    double resid = gjj - ss;
    if (resid > tol * (ref ? ref[j] : gjj)) {
      r[nk] = sqrt(resid);
      idx[nk++] = j;
      keep[j] = 1;
    }
  }
  free(R); free(idx);
  return nk;
}

int tfp_la_gen_eig_general(size_t p, const double *A, const double *B, double *wr, double *wi,
                           double *wb, char *err, size_t errlen) {
  if (p == 0) return TFP_OK;
  double *a = malloc(2 * p * p * sizeof *a);
  if (!a) return fail(err, errlen, TFP_ENOMEM, "out of memory: eigenvalues", 0);
  double *b = a + p * p;
  memcpy(a, A, p * p * sizeof *a);
  memcpy(b, B, p * p * sizeof *b);
  LAI info = LAPACKE_dggev(LAPACK_COL_MAJOR, 'N', 'N', (LAI)p, a, (LAI)p, b, (LAI)p, wr, wi, wb,
                           NULL, 1, NULL, 1);
  free(a);
  if (info != 0) return fail(err, errlen, TFP_ENUMERIC, "generalized eigenvalues (dggev)", info);
  return TFP_OK;
}

int tfp_la_solve(size_t p, const double *A, size_t q, double *B, char *err, size_t errlen) {
  if (p == 0 || q == 0) return TFP_OK;
  double *a = malloc(p * p * sizeof *a);
  LAI *piv = malloc(p * sizeof *piv);
  if (!a || !piv) { free(a); free(piv); return fail(err, errlen, TFP_ENOMEM, "out of memory: LU solve", 0); }
  memcpy(a, A, p * p * sizeof *a);
  LAI info = LAPACKE_dgesv(LAPACK_COL_MAJOR, (LAI)p, (LAI)q, a, (LAI)p, piv, B, (LAI)p);
  free(a); free(piv);
  if (info != 0) return fail(err, errlen, info > 0 ? TFP_ENUMERIC : TFP_EINVAL, "LU solve (singular matrix)", info);
  return TFP_OK;
}

int tfp_la_upper_solve(size_t p, const double *R, int trans, size_t q, double *B,
                       char *err, size_t errlen) {
  if (p == 0 || q == 0) return TFP_OK;
  LAI info = LAPACKE_dtrtrs(LAPACK_COL_MAJOR, 'U', trans ? 'T' : 'N', 'N', (LAI)p, (LAI)q,
                            R, (LAI)p, B, (LAI)p);
  if (info != 0) return fail(err, errlen, info > 0 ? TFP_ENUMERIC : TFP_EINVAL, "triangular solve (singular matrix)", info);
  return TFP_OK;
}
