/* linalg.h — thin helpers over LAPACKE/CBLAS for the estimators.

   Matrices are column-major doubles: element (i,j) of an m x n matrix A is
   A[i + j*m]. Every LAPACKE call's info is checked; failures return
   TFP_ENUMERIC (singular / not positive definite) or TFP_ENOMEM and write a
   message into err. No routine here forms an explicit inverse. */
#ifndef TFP_LINALG_H
#define TFP_LINALG_H
#include <stddef.h>

/* C (p x q) = A' B with A n x p, B n x q. */
void tfp_la_crossprod(size_t n, size_t p, const double *A, size_t q, const double *B, double *C);
/* C (p x p) = A' A, full symmetric. */
void tfp_la_gram(size_t n, size_t p, const double *A, double *C);

/* OpenBLAS maps a work buffer of about 129 MB of address space per thread
   (each worker thread at its start, the caller's at its first level-3
   call) and retries forever when the mapping fails: under an address-space
   or data limit (ulimit -v) a worker spins from the start, a fit spins, and
   the process hangs at exit joining the worker. The remedy needs the
   environment variable OPENBLAS_NUM_THREADS=1 before the library loads (no
   workers; the host re-executes itself with it under a limit), then, once
   per process, before any other tfp_la_* call, tfp_la_reserve: under a
   limit it maps the caller's buffer now, with a tiny product, or, when the
   limit leaves too little room for it, returns TFP_ENOMEM with a message
   (nothing is called). Without a limit it does nothing.
   tfp_la_memory_limit: the smaller of RLIMIT_AS and RLIMIT_DATA in bytes,
   INFINITY when neither is set. */
double tfp_la_memory_limit(void);

/* The BLAS's own worker threads: sets their number to n (>= 1) and returns
   the previous one. Code that runs fits on threads of its own sets 1 for
   the loop (no oversubscription, the same operation order on any thread)
   and restores the old count after; call it only while no BLAS call runs. */
int tfp_la_blas_threads(int n);
int tfp_la_reserve(char *err, size_t errlen);
/* C (m x q) = A B (+ beta C) with A m x k, B k x q; transa/transb: A' or B'. */
void tfp_la_gemm(int transa, int transb, size_t m, size_t q, size_t k, double alpha,
                 const double *A, const double *B, double beta, double *C);

/* Solve S X = B for symmetric positive definite S (p x p) by Cholesky;
   B (p x q) is overwritten by X. S is not modified. */
int tfp_la_chol_solve(size_t p, const double *S, size_t q, double *B, char *err, size_t errlen);
/* Upper Cholesky factor R (S = R'R), in place on a copy written to R. */
int tfp_la_chol(size_t p, const double *S, double *R, char *err, size_t errlen);

/* Symmetric eigen-decomposition: w ascending, V (p x p) eigenvectors (may be NULL). */
int tfp_la_sym_eig(size_t p, const double *S, double *w, double *V, char *err, size_t errlen);
/* Generalized symmetric-definite eigenvalues of A x = lambda B x, ascending. */
int tfp_la_gen_eig(size_t p, const double *A, const double *B, double *w, char *err, size_t errlen);
/* Generalized eigenvalues of the pencil A x = lambda B x for general square
   A, B (p x p; LAPACKE dggev): lambda_i = (wr_i + i wi_i) / wb_i, wb_i = 0
   for an infinite eigenvalue. */
int tfp_la_gen_eig_general(size_t p, const double *A, const double *B, double *wr, double *wi,
                           double *wb, char *err, size_t errlen);
/* Numerical rank of a symmetric positive semi-definite S (p x p), invariant
   to the scale of its rows and columns: the eigenvalues (LAPACKE dsyev) of
   C = D^-1/2 S D^-1/2, D = diag(S), that exceed tol * the largest are counted
   (a zero diagonal element is a zero direction). w (p, may be NULL) gets C's
   eigenvalues, ascending. */
int tfp_la_psd_rank(size_t p, const double *S, double tol, size_t *rank, double *w,
                    char *err, size_t errlen);
/* Full SVD A (m x n) = U diag(s) VT; U m x m, VT n x n, s min(m,n). */
int tfp_la_svd(size_t m, size_t n, const double *A, double *s, double *U, double *VT,
               char *err, size_t errlen);

/* Collinearity screen in the order given, like Stata's _rmcoll: column j of
   the Gram matrix G (p x p) is kept unless its squared distance from the span
   of the kept earlier columns is <= tol * G[j,j] (or G[j,j] is 0).
   keep[j] gets 1/0; returns the number kept. */
size_t tfp_la_rmcoll(size_t p, const double *G, double tol, int *keep);
/* The same, with column j's squared distance compared to tol * ref[j]
   instead of tol * G[j,j]: ref holds the columns' sums of squares before a
   transformation (demeaning) that may have left G[j,j] as rounding noise. */
size_t tfp_la_rmcoll_ref(size_t p, const double *G, const double *ref, double tol, int *keep);

/* Solve A X = B for a general square A (p x p) by LU; B (p x q) overwritten. */
int tfp_la_solve(size_t p, const double *A, size_t q, double *B, char *err, size_t errlen);
/* Solve R X = B (trans = 0) or R' X = B (trans = 1), R upper triangular. */
int tfp_la_upper_solve(size_t p, const double *R, int trans, size_t q, double *B,
                       char *err, size_t errlen);
#endif
