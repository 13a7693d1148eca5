/* iv.h — linear IV / GMM estimation with ivreg2's diagnostics.

   Model: y = X1 b1 + X2 b2 + u, with X1 the endogenous regressors (K1),
   X2 the included exogenous regressors (K2, with the constant and any
   dummy columns), Z1 the excluded instruments (L1); Z = [Z1 X2] (L columns).
   Estimators: 2SLS, and two-step efficient GMM (gmm2s) whose weighting
   matrix is the inverse of S estimated from 2SLS residuals.

   Conventions follow Stata's ivreg2 (Baum, Schaffer & Stillman) exactly:
   - dofminus d replaces N by N-d in large-sample statistics (sigma^2, the
     robust S, J, LM statistics, endog()) and F-type statistics use
     N-L-d-sdofminus; under cluster-robust VCE d is not applied to S.
   - small: t/F statistics, VCE scaled by (N-d)/(N-K-d-sd) (iid/robust) or
     (N-1)/(N-K-sd) * M/(M-1) (cluster, M clusters).
   - Fixed effects (absorb): the within transformation by group after
     dropping singleton groups, no constant, dofminus += number of groups:
     xtivreg2's fe. absorb_more: further FE swept out by alternating
     projections (for large data); each adds (levels - 1) to dofminus, which
     is exact when the FE are connected (the usual panel case).
   - dummies: group vectors entered as indicator columns, first level dropped.
   - Rows with a missing value (NaN) in any used vector are dropped (counted).
   - Collinear regressors / instruments are dropped in order, like _rmcoll,
     and listed in the result's notes. A column is collinear when its
     distance from the span of the kept ones is <= coll_tol times its sum of
     squares before demeaning (centred when there is a constant or FE): a
     regressor constant within the FE groups is dropped, a large mean is not
     collinearity with the constant.
   - Numerics: each column is scaled by a power of two (exact) and, with a
     constant, centred before any cross product; results are mapped back, so
     they do not depend on the data's units (1e-150 or 1e150) or offsets.
   - A variable both endogenous and exogenous is an error (TFP_EINVAL);
     cluster VCE needs at least 2 clusters (TFP_EDATA); instruments that fit
     the endogenous regressors exactly give infinite weak-id F with a note.
   Diagnostics (iv_diag.c): Anderson LM / Kleibergen-Paap rk LM
   (underidentification), Cragg-Donald and Kleibergen-Paap rk Wald F with
   the Stock-Yogo critical values, Hansen J / Sargan, endog() C statistic,
   Anderson-Rubin test, model F, first stages (partial and Shea R2, F,
   Sanderson-Windmeijer and Angrist-Pischke F), and a Davidson-MacKinnon
   regression-based exogeneity test. Not computed: Stock-Wright S, LIML.
   Errors (TFP_EINVAL / TFP_EDATA) name the variable: too few instruments,
   empty sample, infinite values. A moment covariance S not of full rank
   (rank decided on the equilibrated S with relative tolerance
   TFP_IV_S_RANK_TOL, and at most M with M clusters) is handled as ivreg2
   does: two-step GMM fails with TFP_EDATA (the optimal weighting matrix is
   not unique); 2SLS reports J and endog() as NaN with a warning in notes
   (warn_singular_S). Other statistics that cannot be computed (a J whose GMM
   step is singular) are NaN with a note. */
#ifndef TFP_IV_H
#define TFP_IV_H
#include <stddef.h>
#include "dist.h"
#include "frame.h"

typedef enum { TFP_IV_2SLS = 0, TFP_IV_GMM2S = 1 } tfp_iv_method;
typedef enum { TFP_VCE_UNADJUSTED = 0, TFP_VCE_ROBUST = 1, TFP_VCE_CLUSTER = 2 } tfp_iv_vce;

typedef struct {
  const char *name;
  const double *x;          /* n values, NaN = missing */
} tfp_iv_var;

typedef struct {
  size_t n;
  tfp_iv_var y;
  const tfp_iv_var *exog;    size_t n_exog;
  const tfp_iv_var *endog;   size_t n_endog;
  const tfp_iv_var *inst;    size_t n_inst;      /* excluded instruments */
  const tfp_iv_var *dummies; size_t n_dummies;   /* group vectors -> indicator columns */
  const double *absorb;                          /* unit ids (within transformation) or NULL */
  const double *const *absorb_more; size_t n_absorb_more;
  const double *cluster;                         /* cluster ids, for TFP_VCE_CLUSTER */
  const char *const *endog_test; size_t n_endog_test;  /* names among endog for endog() */
  const char *cluster_name, *absorb_name;        /* for messages, or NULL */
} tfp_iv_data;

typedef struct {
  tfp_iv_method method;
  tfp_iv_vce vce;
  int small;
  int constant;             /* 1/0, or -1: default (1 unless absorb) */
  long dofminus, sdofminus;
  double coll_tol;          /* collinearity tolerance (default 1e-9) */
  double ap_tol;            /* alternating projections: max change (default 1e-10) */
  int ap_maxit;             /* default 10000 */
  int ap_accel;             /* 1 (default): Irons-Tuck accelerated sweeps; 0: plain (fe.h) */
  int threads;              /* sweeps' threads; 0 (default): tfp_pool_default_threads() */
  tfp_progress_fn progress;   /* may stop the run (see status.h), or NULL */
  void *progress_ud;
  tfp_rows rows;              /* names rows in messages (default "row i") */
} tfp_iv_opts;

void tfp_iv_opts_init(tfp_iv_opts *o);

typedef struct {
  char *name;               /* endogenous regressor */
  size_t n_inst;            /* excluded instruments in the first stage */
  char **inst_names;
  double *coef, *se;        /* on the excluded instruments, model VCE */
  double rmse, pr2, shea_pr2;
  double F, F_p, F_df, F_df_r;  /* test of the excluded instruments */
  double sw_F, sw_p, sw_df, sw_chi2, sw_chi2_p, sw_r2; /* Sanderson-Windmeijer */
  double ap_F, ap_p, ap_chi2, ap_chi2_p, ap_r2;         /* Angrist-Pischke (df as SW) */
} tfp_iv_first;

typedef struct {
  const char *label;        /* static string */
  double value;
} tfp_iv_cv;

typedef struct tfp_iv_result {
  size_t k;                 /* coefficients: endogenous, exogenous, dummies, _cons */
  char **names;
  double *coef, *se, *t, *p;
  double *V;                /* k x k, column-major */
  int method, vce, small;
  size_t N, N_dropped, N_singletons, N_g, N_clust;
  size_t K1, L1, K, L;
  long dofminus, sdofminus; /* effective (with N_g) */
  double df_r;              /* small: residual df (cluster: M-1); else NaN */
  double r2, r2_u, r2_a, rmse, rss, sigmasq, mss;
  double F, F_p, F_df1, F_df2;      /* Wald test of all slopes (not _cons), F form */
  double kp_lm, kp_lm_p, kp_lm_df;  /* underidentification (Anderson LM when iid) */
  double cd_f, kp_f;                /* weak identification */
  double hansen_j, hansen_j_p, hansen_df; /* Sargan when iid */
  double sargan, sargan_p;
  double endog, endog_p, endog_df;
  double dm, dm_p, dm_df;           /* regression-based (Davidson-MacKinnon) test */
  double ar_f, ar_f_p, ar_chi2, ar_chi2_p, ar_df, ar_df_r;  /* Anderson-Rubin (b1 = 0) */
  int dm_is_F;                      /* 1: F with (dm_df, df_r), 0: chi2(dm_df) */
  size_t n_first;
  tfp_iv_first *first;
  size_t n_sy;
  tfp_iv_cv sy[8];                  /* Stock-Yogo critical values for K1/L1 */
  size_t n_dropped_vars;
  char **dropped_vars;              /* names of collinear variables dropped */
  char *notes;                      /* human-readable notes and warnings */
  int warn_singular_S;
} tfp_iv_result;

int tfp_iv_fit(const tfp_iv_data *d, const tfp_iv_opts *o, tfp_iv_result **out,
               char *err, size_t errlen);
void tfp_iv_result_free(tfp_iv_result *r);
/* An error buffer size that holds any message tfp_iv_fit writes for d (fixed
   text and the names it quotes): a smaller err cuts the message. Notes are
   never cut, whatever err is. */
size_t tfp_iv_err_room(const tfp_iv_data *d);

/* Index of coefficient `name` in r, or -1. */
int tfp_iv_find(const tfp_iv_result *r, const char *name);

/* Relative tolerance of the rank of S: eigenvalues of D^-1/2 S D^-1/2
   (D = diag S) at most this times the largest count as zero. Rounding leaves
   about 1e-15 in an exactly singular S; genuine directions of a screened
   instrument set are far above 1e-11. */
#define TFP_IV_S_RANK_TOL 1e-11

/* The distribution tails for p values (tfp_chi2_tail, tfp_F_tail, tfp_t_tail2,
   tfp_norm_tail2) are declared in dist.h. */
#endif
