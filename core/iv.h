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
   regression-based exogeneity test; for one endogenous regressor the
   weak-IV-robust Anderson-Rubin sets and the effective F (iv_weak.c).
   orthog(): C = J(full) - J(without the tested instruments), both with the
   full model's S (from its residuals), chi2(#tested); 0 with df 0 when the
   restricted model is underidentified.
   VCEs (iv_vce.c): iid, robust, one- and two-way clusters, kernels over
   time (HAC, AC, Kiefer, Driscoll-Kraay, Thompson); the identification
   statistics under a kernel use Bartlett at the same bandwidth, under AC
   the iid formulas, as ivreg2 reports them. Not computed: Stock-Wright S.
   Refused (TFP_EINVAL), having no reference to match: weights with a
   kernel VCE (HAC, AC, Kiefer, Driscoll-Kraay, Thompson), and k-class
   estimators with AC or Kiefer. Weights with two-way clusters are
   ivreg2's (the sums of w z e). With weights the weak-IV pass is not run
   (noted), and k-class fits report no effective-F critical value (it is
   2SLS's, like Stock-Yogo's tables).
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

/* k-class estimators (iv_kclass.c): LIML (k = lambda, the smallest root of
   det(Y'M_W Y - lambda Y'M_Z Y) = 0, Y = [y X1], W = X2; with fuller = a > 0,
   Fuller's k = lambda - a/(N - L)) and a given k (TFP_IV_KCLASS, opts.kclass):
   b = [X'(I - k M_Z)X]^-1 X'(I - k M_Z)y, ivreg2's liml / fuller() / kclass().
   VCE: iid sigma^2 B^-1, robust/cluster B^-1 (Pi' S Pi) B^-1 with
   B = X'(I - k M_Z)X, or B = X'P_Z X with coviv (ivreg2's coviv); S from the
   k-class residuals. Sargan (iid) e'P_Z e / (e'e/(N-d)) and Hansen J (robust:
   the GMM step with S from the k-class residuals) use the k-class residuals;
   identification statistics, first stages and Anderson-Rubin do not depend
   on the estimator. LIML also reports Anderson-Rubin's overidentification
   statistics (N-d) ln(lambda) and (N-d)(lambda-1), chi2(L1-K1). The endog()
   C statistic and Davidson-MacKinnon are the 2SLS-based ones, whatever the
   estimator; Stock-Yogo critical values (2SLS tables) are not reported for
   k-class estimators. */
typedef enum { TFP_IV_2SLS = 0, TFP_IV_GMM2S = 1, TFP_IV_LIML = 2, TFP_IV_KCLASS = 3 } tfp_iv_method;
/* Weights (iv_weights.c), Stata's meanings as ivreg2 treats them: aweights
   and pweights are rescaled to sum to the number of rows N; fweights count
   observations (N = their sum; integers). Every statistic is that of the
   model with each row's variables multiplied by sqrt(w) (centring by
   weighted means), so sigma^2 = sum w e^2 / N; the robust meat sums
   w^2 z z' e^2 (aweight, pweight) or w z z' e^2 (fweight), cluster sums are
   of w z e. pweights imply the robust VCE (vce unadjusted becomes robust).
   Weights are positive and finite (a missing weight drops the row); with
   absorb they must be constant within its groups (xtivreg2), and absorb_more
   takes none. */
typedef enum { TFP_IV_NOWEIGHT = 0, TFP_IV_AWEIGHT = 1, TFP_IV_FWEIGHT = 2, TFP_IV_PWEIGHT = 3 } tfp_iv_wtype;
typedef enum { TFP_VCE_UNADJUSTED = 0, TFP_VCE_ROBUST = 1, TFP_VCE_CLUSTER = 2 } tfp_iv_vce;

/* Kernels over time, ivreg2's kernel() (x = lag / bw): Bartlett 1 - x,
   Parzen, truncated, Tukey-Hanning, Tukey-Hamming (lag windows, lags
   1..floor(bw)); quadratic spectral, Daniell and tent (spectral windows,
   every lag of the sample's span). See iv_vce.c. */
typedef enum {
  TFP_KERNEL_NONE = 0, TFP_KERNEL_BARTLETT, TFP_KERNEL_PARZEN, TFP_KERNEL_TRUNCATED,
  TFP_KERNEL_THANNING, TFP_KERNEL_THAMMING, TFP_KERNEL_QS, TFP_KERNEL_DANIELL, TFP_KERNEL_TENT
} tfp_iv_kernel;

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
  /* Two-way clusters: a second cluster variable (ivreg2's cluster(a b)).
     With a kernel, the second is the time variable and the first the panel
     (Thompson 2011); one cluster variable with a kernel is the time variable
     (Driscoll-Kraay, ivreg2's dkraay()). */
  const double *cluster2; const char *cluster2_name;
  /* HAC / AC (robust or unadjusted with a kernel) and Kiefer: the time
     variable, and the panel's units (lags stay within a unit) or NULL. */
  const double *time, *panel; const char *time_name;
  const char *const *orthog; size_t n_orthog;    /* instruments whose orthogonality is tested */
  const double *weights; int wtype;              /* tfp_iv_wtype, with weights */
  const char *weights_name;                      /* for messages, or NULL */
} tfp_iv_data;

typedef struct {
  tfp_iv_method method;
  tfp_iv_vce vce;
  int small;
  int constant;             /* 1/0, or -1: default (1 unless absorb) */
  long dofminus, sdofminus;
  double coll_tol;          /* collinearity tolerance (default 1e-9) */
  double ap_tol;            /* alternating projections: max change (default 1e-10) */
  double fuller;            /* TFP_IV_LIML: Fuller's a (0: plain LIML) */
  double kclass;            /* TFP_IV_KCLASS: k (>= 0) */
  int coviv;                /* k-class VCE with the 2SLS bread X'P_Z X */
  int ap_maxit;             /* default 10000 */
  int ap_accel;             /* 1 (default): Irons-Tuck accelerated sweeps; 0: plain (fe.h) */
  int threads;              /* sweeps' threads; 0 (default): tfp_pool_default_threads() */
  tfp_progress_fn progress;   /* may stop the run (see status.h), or NULL */
  void *progress_ud;
  tfp_rows rows;              /* names rows in messages (default "row i") */
  /* A kernel over time (TFP_KERNEL_NONE: none) with bandwidth bw > 0:
     unadjusted -> AC, robust -> HAC, cluster -> Driscoll-Kraay (one
     cluster variable, the time) or Thompson (two: panel and time). bw =
     TFP_IV_BW_AUTO: Newey-West's automatic bandwidth as ivreg2's bw(auto)
     (Bartlett, Parzen, QS; one time series, or Driscoll-Kraay's period
     sums; iv_abw.c), reported in r->bw with r->bw_auto set.
     kiefer: unadjusted, truncated kernel over the whole span within units
     (ivreg2's kiefer). The GMM weight comes from the same VCE. */
  tfp_iv_kernel kernel;
  double bw;
  int kiefer;
} tfp_iv_opts;
#define TFP_IV_BW_AUTO (-1.0)

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
  size_t N, N_dropped, N_singletons, N_g, N_clust;  /* N: the sum of fweights with them */
  int wtype;
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
  double kclass, lambda, fuller;    /* k used, LIML's lambda (NaN unless LIML), Fuller's a */
  int coviv;
  double arubin, arubin_p, arubin_lin, arubin_lin_p, arubin_df;  /* LIML overidentification */
  double cstat, cstat_p, cstat_df;  /* orthog() C statistic (NaN without orthog) */
  size_t n_first;
  tfp_iv_first *first;
  size_t n_sy;
  tfp_iv_cv sy[8];                  /* Stock-Yogo critical values for K1/L1 */
  size_t n_dropped_vars;
  char **dropped_vars;              /* names of collinear variables dropped */
  char *notes;                      /* human-readable notes and warnings */
  int warn_singular_S;
  size_t N_clust1, N_clust2;        /* two-way clusters (N_clust: the smaller) */
  int kernel;                       /* tfp_iv_kernel used, and its bandwidth */
  double bw;
  int bw_auto;                      /* bw chosen by Newey-West (1994) (bw = TFP_IV_BW_AUTO) */
  struct tfp_iv_weak *weak;         /* weak-IV-robust inference (K1 = 1), or NULL */
} tfp_iv_result;

int tfp_iv_fit(const tfp_iv_data *d, const tfp_iv_opts *o, tfp_iv_result **out,
               char *err, size_t errlen);
void tfp_iv_result_free(tfp_iv_result *r);
/* An error buffer size that holds any message tfp_iv_fit writes for d (fixed
   text and the names it quotes): a smaller err cuts the message. Notes are
   never cut, whatever err is. */
size_t tfp_iv_err_room(const tfp_iv_data *d);

/* ---- weak-IV-robust inference for one endogenous regressor (iv_weak.c) */

/* An Anderson-Rubin test of beta = b0: chi2 and F forms as ivreg2's
   archi2/arf, with F(df1, df2). */
typedef struct { double f, f_p, chi2, chi2_p, df1, df2; } tfp_iv_ar;

typedef enum { TFP_AR_EMPTY = 0, TFP_AR_INTERVAL = 1, TFP_AR_RAYS = 2, TFP_AR_LINE = 3,
               TFP_AR_UNION = 4 } tfp_iv_ar_shape;
/* A 95% AR confidence set {b0 : p(b0) > 0.05}: its shape, the interval's
   ends or the rays' inner ends (NaN when they do not apply), and every
   piece as [lo, hi] pairs (infinite ends +-INFINITY). */
typedef struct {
  int type;                 /* tfp_iv_ar_shape */
  double lower, upper, left_ray_upper, right_ray_lower;
  double critical_value;    /* F resp. chi2 0.95 quantile */
  size_t n_pieces;
  double *pieces;           /* 2 * n_pieces */
} tfp_iv_ar_set;

/* What the AR test needs at any b0, with the model's partialled data
   reduced to L1-sized pieces: Zt'y, Zt'x and the moment covariance of
   u(b0) = u_y - b0 u_x as A - b0 B + b0^2 C under the fit's VCE; and the
   sets and the Montiel Olea-Pflueger effective F. */
typedef struct tfp_iv_weak {
  size_t L1;
  double *a, *p, *A, *B, *C;
  double chi2_to_f, df1, df2;       /* arf = archi2 * chi2_to_f on F(df1, df2) */
  double chi2_limit_inf;            /* archi2 as |b0| -> infinity */
  tfp_iv_ar_set set_f, set_chi2;
  double eff_f, eff_f_cv, k_eff;    /* effective F, its tau = 10% critical value, K_eff */
  double b_scale;                   /* the data's beta = the pieces' beta * b_scale */
} tfp_iv_weak;

/* The AR test of beta = b0 (TFP_ENUMERIC when the moment covariance at b0
   is singular). */
int tfp_iv_ar_test(const tfp_iv_weak *wk, double b0, tfp_iv_ar *out);
void tfp_iv_weak_free(tfp_iv_weak *wk);

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
