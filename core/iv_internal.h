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
     iv_diag.c      identification diagnostics, first stages, Anderson-Rubin;
     iv_weak.c      weak-IV-robust inference: AR sets, effective F.
   The VCEs beyond iid/robust/one-way cluster (two-way clusters, kernels over
   time: HAC, AC, Kiefer, Driscoll-Kraay, Thompson) are iv_vce.c's.
   They share the GMM kernel (iv_kernel.c), the distribution tails (dist.c),
   and the scratch of iv_scratch.c: a notes buffer that grows (never the
   caller's err) and an arena of workspaces freed at once. */
#ifndef TFP_IV_INTERNAL_H
#define TFP_IV_INTERNAL_H
#include <stddef.h>
#include "iv.h"

/* ---- iv_scratch.c: workspaces, notes, strings */

/* An arena of workspaces: each take is its own allocation, listed so that
   one tfp_iv_arena_free releases them all. A failed take returns NULL and
   sets oom, so a pass may take several and check once. Start from
   TFP_IV_ARENA_INIT (or a zeroed struct). tfp_iv_take gives n doubles not
   initialised (workspaces written before read: no zeroing of large
   matrices), tfp_iv_alloc count elements of size bytes, zeroed. */
typedef struct tfp_iv_block tfp_iv_block;
typedef struct { tfp_iv_block *head; int oom; } tfp_iv_arena;
#define TFP_IV_ARENA_INIT {NULL, 0}
void *tfp_iv_alloc(tfp_iv_arena *a, size_t count, size_t size);
double *tfp_iv_take(tfp_iv_arena *a, size_t n);       /* n doubles */
void tfp_iv_arena_free(tfp_iv_arena *a);
/* Free one workspace p of a before the others (NULL: nothing). */
void tfp_iv_release(tfp_iv_arena *a, void *p);

/* Notes and warnings of a fit, one per line, however long (names come from
   the user); a note that cannot be stored for want of memory is lost. */
typedef struct { char *text; size_t len; } tfp_iv_notes;
void tfp_iv_note(tfp_iv_notes *nb, const char *fmt, ...) __attribute__((format(printf, 2, 3)));
/* The text (NULL when there is none), handed over: nb is empty after. */
char *tfp_iv_notes_take(tfp_iv_notes *nb);

/* A malloc'ed copy of s, or NULL. */
char *tfp_iv_strdup(const char *s);
/* For TFP_EINTR "interrupted", for anything else "out of memory" and
   TFP_ENOMEM: the message and code of a pass that lost its resources. */
int tfp_iv_lost(int rc, char *err, size_t errlen);

/* ---- iv_kernel.c: the model seen by the kernel, and the kernel */

typedef struct tfp_iv_vx tfp_iv_vx;
typedef struct {
  size_t n, K1, K2, L1;
  const double *y, *X1, *X2, *Z1;   /* column-major, n rows */
  const int *clu; size_t M;         /* cluster codes 0..M-1 (two-way: M the smaller count) */
  long d, sd;
  int vce, small;
  const tfp_iv_vx *vx;              /* two-way clusters or a kernel (iv_vce.c), or NULL */
  double N;                         /* observations: n, or the sum of fweights */
  const double *fw_isw;             /* fweights: 1/sqrt(w) of each row (robust meat), or NULL */
  int partialled;                   /* y, X1, Z1 hold their residuals on X2 (the diagnostics) */
} tfp_iv_work;

/* S-tilde: the orthogonality conditions' covariance, scaled so that a GMM
   fit with it gives V = (X'Z S^-1 Z'X)^-1 and J = e'Z S^-1 Z'e. */
int tfp_iv_omega(const tfp_iv_work *w, size_t L, const double *Z, const double *e,
                 double *S, char *err, size_t errlen);
/* tfp_iv_omega with Z's columns given one by one (iid, robust, one-way
   cluster: no w->vx), so that a test's instruments need not be copied into
   one block. */
int tfp_iv_omega_cols(const tfp_iv_work *w, size_t L, const double *const *Z, const double *e,
                      double *S, char *err, size_t errlen);
/* tfp_iv_omega_cols of the residuals e = sum_j c[j] R[j] (m columns),
   formed a block of rows at a time: no n-vector for them. No w->vx. */
int tfp_iv_omega_lin(const tfp_iv_work *w, size_t L, const double *const *Z, size_t m,
                     const double *const *R, const double *c, double *S, char *err, size_t errlen);
/* GMM with weight S^-1 (S = Z'Z gives 2SLS), S positive definite (TFP_ENUMERIC
   otherwise). Outputs b (K), e (n), J, and XZSZX = X'Z S^-1 Z'X (K x K). */
int tfp_iv_gmm(size_t n, size_t K, const double *X, size_t L, const double *Z,
               const double *y, const double *S, double *b, double *e, double *J,
               double *XZSZX, char *err, size_t errlen);
/* tfp_iv_gmm from the cross products ZX = Z'X (L x K) and Zy = Z'y: no pass
   over the rows unless e is asked for (X and y are read only then). J uses
   Z'e from e when e and Z are given, else Z'y - Z'X b. */
int tfp_iv_gmm_m(size_t n, size_t K, const double *X, size_t L, const double *Z,
                 const double *y, const double *ZX, const double *Zy, const double *S, double *b,
                 double *e, double *J, double *XZSZX, char *err, size_t errlen);
/* Rank of the moment covariance S (L x L): tfp_la_psd_rank with
   TFP_IV_S_RANK_TOL, and at most M under cluster VCE. */
int tfp_iv_s_rank(const tfp_iv_work *w, size_t L, const double *S, size_t *rank,
                  char *err, size_t errlen);
/* Residualise the columns of A (n x p) on B (n x q), in place. */
int tfp_iv_partial(size_t n, size_t q, const double *B, size_t p, double *A,
                   char *err, size_t errlen);

/* ---- iv_diag.c */

/* ---- iv_sample.c: the sample pass */

typedef struct {
  size_t n;              /* rows in the estimation sample */
  double *sw;            /* sqrt of the weights on them (aw/pw rescaled to sum to n), or NULL */
  double *fw_isw;        /* fweights: 1/sqrt(w), or NULL */
  double N;              /* n, or the sum of fweights */
  size_t *rows;          /* their indices in the caller's data */
  size_t nfe;            /* absorbed FE: absorb (first, if any), absorb_more */
  int **fe_code;         /* their codes on the rows, 0..fe_G[f]-1 */
  size_t *fe_G;
  int *clu; size_t M;    /* cluster codes 0..M-1 on them (vce cluster) */
  int *clu2, *clu12;     /* two-way: the second variable's codes and the intersection's */
  size_t M2, M12;
  int *unit; size_t n_units;   /* kernel VCE: the panel's unit codes (HAC, AC, Kiefer) */
  tfp_iv_arena mem;      /* owns rows, the codes and clu */
} tfp_iv_sample;

/* Dense codes of v[rows[k]], k < n (rows NULL: v[k]), numbered in sorted order of the values
   (tfp_group_codes); levels (optional, caller frees) gets the distinct
   values in that order. TFP_OK, TFP_ENOMEM or TFP_EINTR. */
int tfp_iv_codes(const double *v, const size_t *rows, size_t n, int *code, double **levels,
                 size_t *G, const tfp_iv_opts *o);
/* The rows with no missing value in any used vector (an infinite value is
   an error naming its row), less the singleton groups of the absorbed FE,
   with the FE's codes on them; an empty sample is an error naming a vector
   with no value, if any. Sets
   r->N, N_dropped, N_singletons. */
int tfp_iv_sample_draw(tfp_iv_sample *s, const tfp_iv_data *d, const tfp_iv_opts *o,
                       tfp_iv_result *r, tfp_iv_notes *nb, char *err, size_t errlen);
/* Cluster codes on the sample (vce cluster only; at least 2 clusters;
   two-way: both variables' codes and, without a kernel, their
   intersection's), and the units of a kernel VCE over a panel. */
int tfp_iv_sample_clusters(tfp_iv_sample *s, const tfp_iv_data *d, const tfp_iv_opts *o,
                           tfp_iv_result *r, char *err, size_t errlen);
void tfp_iv_sample_clear(tfp_iv_sample *s);
/* iv_weights.c: the weights on the sample (s->sw, fw_isw, N): positive,
   finite, integer fweights, constant within the absorbed groups; sets r->N. */
int tfp_iv_sample_weights(tfp_iv_sample *s, const tfp_iv_data *d, tfp_iv_result *r,
                          const tfp_iv_opts *o, char *err, size_t errlen);

/* ---- iv_design.c: the design pass */

typedef struct {
  size_t n, K1, K2, L1;    /* after the collinearity screen; K = K1+K2, L = L1+K2 */
  int has_const, centred;  /* centred: a constant and no FE */
  double *y;               /* n, in the design's units */
  double *X, *Z;           /* X = [X1 X2] (n x K), Z = [X2 Z1] (n x L): y, X and Z are
                              views of one block [y X1 X2 Z1] (n x (1 + K + L1)) */
  char **names;            /* n_names = 1 + K + L1: y, X1, X2, Z1 (owned strings) */
  size_t n_names;
  double *scale, *mean;    /* each column's power of two, and its mean after it */
  const double *sw;        /* sqrt(weights): every column was multiplied by it (or NULL) */
  /* the cross products every pass starts from, computed once: Z'Z (L x L),
     Z'X (L x K), Z'y (L), X'X (K x K), X'y (K), y'y */
  double *ZZ, *ZX, *Zy, *XX, *Xy, yy;
  tfp_iv_arena mem;        /* owns the block, names' array, scale, mean, the cross products */
} tfp_iv_design;

/* The columns on the sample, in units, FE swept out, collinear columns
   dropped (noted, named in r->dropped_vars); errors when too few
   instruments, regressors or observations remain. Sets r->dofminus,
   sdofminus, N_g. Releases s->rows (unless clusters or a kernel need them)
   and the FE codes once read. */
int tfp_iv_design_build(tfp_iv_design *g, tfp_iv_sample *s, const tfp_iv_data *d,
                        const tfp_iv_opts *o, tfp_iv_result *r, tfp_iv_notes *nb,
                        char *err, size_t errlen);
/* Back to the data's units: _cons and V from the centring, every
   coefficient, SE and first stage from the scaling. */
int tfp_iv_design_unscale(const tfp_iv_design *g, tfp_iv_result *r, char *err, size_t errlen);
void tfp_iv_design_clear(tfp_iv_design *g);

/* ---- iv_estimate.c: the estimate pass */

/* b, V and J by 2SLS or two-step GMM, fit statistics, the coefficient table
   (in the design's units), model F, Hansen J / Sargan; *rank_S gets the
   rank of the 2SLS moment covariance. */
int tfp_iv_estimate(const tfp_iv_work *w, const tfp_iv_design *g, size_t *rank_S,
                    tfp_iv_result *r, tfp_iv_notes *nb, char *err, size_t errlen);

/* ---- iv_tests.c: the tests pass */

/* endog() C statistic and Davidson-MacKinnon test into r. */
int tfp_iv_tests(const tfp_iv_work *w, const tfp_iv_design *g, const tfp_iv_data *d, size_t rank_S,
                 tfp_iv_result *r, tfp_iv_notes *nb, char *err, size_t errlen);

/* ---- iv_vce.c: two-way clusters and kernels over time */

enum { TFP_VX_TWOWAY = 1, TFP_VX_HAC, TFP_VX_AC, TFP_VX_DK, TFP_VX_THOMPSON };
struct tfp_iv_vx {
  int kind;                  /* TFP_VX_* */
  tfp_iv_kernel kernel;
  double bw;
  const int *clu1, *clu2, *clu12;  /* two-way codes (Thompson: clu1 the units) */
  size_t M1, M2, M12;
  const int *unit;           /* unit of each row (NULL: one series) */
  long *tk;                  /* time of each row in steps of the smallest gap, 0..T-1 */
  size_t *order;             /* rows by unit, then time */
  size_t T, TAU;             /* span in steps; lags used */
  const char *tname;         /* the time variable's name, for messages */
  const double *sw;          /* sqrt of the rows' weights (aw/pw), or NULL */
  tfp_iv_arena mem;
};
/* The VCE's structure on the sample (nothing to do for iid, robust, one-way
   cluster: vx->kind stays 0); errors name the time variable when its values
   repeat within a unit or are not evenly spaced. Sets r->kernel, bw,
   N_clust (Driscoll-Kraay: the periods). bw = "auto" is checked (kernel,
   one series) and left for tfp_iv_abw. */
int tfp_iv_vx_setup(tfp_iv_vx *vx, const tfp_iv_sample *s, const tfp_iv_data *d,
                    const tfp_iv_opts *o, tfp_iv_result *r, tfp_iv_notes *nb,
                    char *err, size_t errlen);
void tfp_iv_vx_clear(tfp_iv_vx *vx);
/* The bandwidth bw (> 0) and the lags it uses; sets r->bw. */
int tfp_iv_vx_set_bw(tfp_iv_vx *vx, double bw, tfp_iv_result *r, tfp_iv_notes *nb, char *err, size_t errlen);

/* ---- iv_abw.c: bw = "auto" (Newey-West 1994, ivreg2's abw) */

/* The bandwidth from the first-step (2SLS) residuals of g, set on vx with
   tfp_iv_vx_set_bw; r->bw_auto = 1. */
int tfp_iv_abw(tfp_iv_vx *vx, const tfp_iv_design *g, tfp_iv_result *r, tfp_iv_notes *nb,
               char *err, size_t errlen);
/* tfp_iv_omega for w->vx: the same scaling conventions as ivreg2 (HAC as
   robust, AC as iid, clustered kinds as cluster). */
int tfp_iv_vx_omega(const tfp_iv_work *w, size_t L, const double *Z, const double *e,
                    double *S, char *err, size_t errlen);
/* The moment covariance of vec(E_k Z_l), k < K1, l < L1 (index k*L1 + l),
   scaled as tfp_iv_vx_omega scales it: the rk statistic's. */
int tfp_iv_vx_rk_omega(const tfp_iv_work *w, size_t K1, const double *E, size_t L1,
                       const double *Z, double *S, char *err, size_t errlen);
/* The work the identification pass and the weak-IV pass see, as ivreg2's
   diagnostics see it (its ranktest and first stages): AC (Kiefer) as iid
   (*wd->vx = NULL), a kernel with clusters or HAC as Bartlett at the same
   bandwidth, whatever the model's kernel; anything else as w. vxd is the
   scratch the copy points to (it shares vx's arrays). */
void tfp_iv_vx_diag(const tfp_iv_work *w, tfp_iv_vx *vxd, tfp_iv_work *wd);
/* The kernel weight of lag tau at bandwidth bw. */
double tfp_iv_kernel_weight(tfp_iv_kernel k, double tau, double bw);

/* ---- iv_weak.c: weak-IV-robust inference */

/* For K1 = 1: the AR pieces, sets and effective F into r->weak (NULL
   otherwise, or when the moment covariances are singular: noted). */
int tfp_iv_weak_run(const tfp_iv_work *w, tfp_iv_result *r, tfp_iv_notes *nb,
                    char *err, size_t errlen);
/* Back to the data's units: beta_data = beta_design * b_scale (> 0). */
void tfp_iv_weak_unscale(tfp_iv_weak *wk, double b_scale);

/* ---- iv_diag.c: the identification pass */

/* Identification diagnostics, first stages (named by the endogenous
   regressors x_names and the instruments z_names), Anderson-Rubin,
   Stock-Yogo, into r; NaN without endogenous regressors. */
int tfp_iv_diag_ident(const tfp_iv_work *w, char *const *x_names, char *const *z_names,
                      tfp_iv_result *r, tfp_iv_notes *nb, char *err, size_t errlen);

/* ---- iv_kclass.c: the k-class estimators (LIML, Fuller, kclass) */

/* 1 when r->method is a k-class estimator. */
int tfp_iv_is_kclass(const tfp_iv_result *r);
/* The k of the options into r (kclass, fuller, coviv; lambda and the
   Anderson-Rubin overidentification statistics for LIML); NaN for 2SLS/GMM. */
int tfp_iv_kclass_k(const tfp_iv_work *w, const tfp_iv_design *g, const tfp_iv_opts *o,
                    tfp_iv_result *r, char *err, size_t errlen);
/* The k-class estimate: b (K), residuals e (n) and its bread
   B = X'(I - k M_Z)X (K x K). */
int tfp_iv_kclass_fit(const tfp_iv_work *w, const tfp_iv_design *g, double k, double *b,
                      double *e, double *B, char *err, size_t errlen);
/* V = s B^-1 (K x K), B symmetric. */
int tfp_iv_kclass_inv(size_t K, const double *B, double s, double *V, char *err, size_t errlen);
/* ---- iv_orthog.c: orthog() */

/* The C statistic of the instruments d->orthog into r->cstat (NaN without);
   r->coef holds the model's coefficients in the design's units. */
int tfp_iv_orthog(const tfp_iv_work *w, const tfp_iv_design *g, const tfp_iv_data *d,
                  tfp_iv_result *r, tfp_iv_notes *nb, char *err, size_t errlen);
/* Sargan's statistic of residuals e: e'P_Z e / (e'e/(N-d)). */
int tfp_iv_sargan(const tfp_iv_work *w, const tfp_iv_design *g, const double *e, double *J,
                  char *err, size_t errlen);
#endif
