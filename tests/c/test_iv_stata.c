/* test_iv_stata.c — tfp_iv_fit against Stata's ivreg2 output (refs/stata-ivreg2,
   README there), one row per fixture: coefficients, the full VCE, the
   diagnostics (N, K, L, rss, rmse, sigmasq, r2, r2_a, r2u, model F,
   J/Sargan, idstat, cdf, widstat, estat, Anderson-Rubin, with p values and
   df; not the Stock-Wright S statistic, which is not computed) and the first-stage statistics (rmse, Shea
   and partial R2, F, SW F/chi2 with p values), every value present, to 1e-6
   relative (p values too, however small). The k-class fixtures (LIML,
   Fuller, k = 0.5) add k, lambda and LIML's Anderson-Rubin overidentification
   statistics. */
#include <stdlib.h>
#include <string.h>
#include "check.h"
#include "csv.h"
#include "iv.h"

#define TOL 1e-6
/* With 2 clusters (card *_dofminus_cl) the cluster scores sum to exactly
   zero when just identified (Z'e = 0), so the VCE is the outer product of a
   cancellation-dominated vector: the data's 8-digit rounding (the CSV holds
   Stata floats printed to 8 digits) moves it at 1e-5. Those fixtures are
   compared at this looser tolerance, as are the weighted fixtures clustered
   on smsa (2 clusters too); every other fixture at TOL. */
#define TOL_2CLUSTERS 2e-5

/* Relative comparison for every magnitude (p values can be 1e-80). */
#define CHECK_REL(got, want, what) do { double g_ = (got), w_ = (want); check_count++; \
  if (!(fabs(g_ - w_) <= c_tol * fabs(w_) || fabs(g_ - w_) <= 1e-300)) { check_failures++; \
    fprintf(stderr, "%s %s: got %.15g, want %.15g (rel %.3g)\n", c->file, (what), g_, w_, \
            fabs(g_ - w_) / fabs(w_)); } } while (0)

/* A covariance far off the diagonal, |corr| < 1e-3 (k = 0.5, robust: V[educ,expersq]
   has corr 5e-4), is the difference of much larger terms: the data CSV's 8
   digits move it at 1e-6 relative while the correlation it gives moves
   ~1e-9. Such an element is compared as a correlation, to 1e-8 absolute;
   every other element relatively, as above. */
#define CHECK_V(V, a, b, k, want, what) do { double vii_ = (V)[(a) + (a) * (k)], vjj_ = (V)[(b) + (b) * (k)]; \
  double sc_ = sqrt(fabs(vii_ * vjj_)), gv_ = (V)[(a) + (b) * (k)]; \
  if ((a) != (b) && fabs(want) < 1e-3 * sc_ && fabs(gv_ - (want)) <= 1e-8 * sc_) check_count++; \
  else CHECK_REL(gv_, want, what); } while (0)

/* p values far in the tail (Stata prints 1e-192) move with the statistic's
   last digits (d log p ~ -x/2 dx): below 1e-12 they are compared as log(p),
   to 1e-6 relative like everything else. */
static int is_p(const char *s)
{
  size_t n = strlen(s);
  return !strcmp(s, "pvalue") || (n >= 2 && (s[n - 1] == 'p' || !strcmp(s + n - 2, "_p")));
}
#define CHECK_PV(got, want, what) do { double gp_ = (got), wp_ = (want); \
  if (wp_ > 0 && wp_ < 1e-12 && gp_ > 0) CHECK_REL(log(gp_), log(wp_), what); \
  else CHECK_REL(gp_, wp_, what); } while (0)

typedef struct {
  const char *file;       /* prefix_suffix without the _coef/... part */
  const char *prefix, *suffix;
  const char *data;
  const char *y, *endog, *exog, *inst, *cluster, *endog_test;   /* space-separated */
  int method, vce, small;
  long dofminus, sdofminus;
  /* two-way clusters, kernels over time (ivreg2's cluster(a b), kernel(), bw(), kiefer) */
  const char *cluster2, *time, *panel;
  int kernel;
  double bw;
  int kiefer;
  double fuller, kclass;     /* TFP_IV_LIML: Fuller's a; TFP_IV_KCLASS: k */
  const char *weight;        /* weight variable, of type wtype */
  int wtype;
  const char *orthog;        /* instruments of orthog(), space-separated */
} iv_case;

#define CARD "refs/stata-ivreg2/card_data.csv"
#define MULTI "refs/stata-ivreg2/sim_multi_endo_data.csv"
#define SIMCL "refs/stata-ivreg2/sim_cluster_data.csv"
#define CX "exper expersq black south"
/* The README does not name the cluster variable of the card *_dofminus_cl
   fixtures; smsa66 (2 clusters) is the one variable of the data that
   reproduces them. */
#define CLUSTER_CARD "smsa66"
#define U TFP_VCE_UNADJUSTED
#define R TFP_VCE_ROBUST
#define C TFP_VCE_CLUSTER
#define TS TFP_IV_2SLS
#define GM TFP_IV_GMM2S
#define NO_VX NULL, NULL, NULL, 0, 0, 0
#define NO_KW 0, 0, NULL, 0, NULL
#define TWOWAY "refs/stata-ivreg2/sim_twoway_data.csv"
#define HAC "refs/stata-ivreg2/ts_hac_data.csv"
#define WAGEPAN "refs/stata-ivreg2/wp_ck_data.csv"
/* ivreg2 y x1 (endo1 = z1 z2), cluster(firm_id year_id) first endog(endo1) */
#define CL2(suf, sm, d, sd) {"", "sim_twoway", suf, TWOWAY, "y", "endo1", "x1", "z1 z2", "firm_id", "endo1", \
                             TS, C, sm, d, sd, "year_id", NULL, NULL, 0, 0, 0, NO_KW}
/* ivreg2 y w (x = z1 z2), bw(b) kernel(k) robust; tsset t */
#define HACK(suf, k, b, z) {"", "ts_hac", suf, HAC, "y", "x", "w", z, NULL, NULL, TS, R, 0, 0, 0, \
                            NULL, "t", NULL, k, b, 0, NO_KW}
/* xtset nr year; ivreg2 lwage exper expersq married union (hours = ...), kiefer */
#define KIEFER(suf, sm, z) {"", "wp_kiefer", suf, WAGEPAN, "lwage", "hours", "exper expersq married union", z, \
                            NULL, NULL, TS, U, sm, 0, 0, NULL, "year", "nr", 0, 0, 1, NO_KW}

#define LI TFP_IV_LIML
#define KC TFP_IV_KCLASS
/* k-class rows: the overidentified and just-identified LIML, Fuller(1), k = 0.5 */
#define KROWS(p, inst, m, fu, k) \
  {"", p, "iid", CARD, "lwage", "educ", CX, inst, NULL, NULL, m, U, 0, 0, 0, NO_VX, fu, k, NULL, 0, NULL}, \
  {"", p, "iid_small", CARD, "lwage", "educ", CX, inst, NULL, NULL, m, U, 1, 0, 0, NO_VX, fu, k, NULL, 0, NULL}, \
  {"", p, "hc1", CARD, "lwage", "educ", CX, inst, NULL, NULL, m, R, 0, 0, 0, NO_VX, fu, k, NULL, 0, NULL}, \
  {"", p, "hc1_small", CARD, "lwage", "educ", CX, inst, NULL, NULL, m, R, 1, 0, 0, NO_VX, fu, k, NULL, 0, NULL}
#define KROWS_CL(p, inst, m, fu) \
  {"", p, "cl", CARD, "lwage", "educ", CX, inst, CLUSTER_CARD, NULL, m, C, 0, 0, 0, NO_VX, fu, 0, NULL, 0, NULL}, \
  {"", p, "cl_small", CARD, "lwage", "educ", CX, inst, CLUSTER_CARD, NULL, m, C, 1, 0, 0, NO_VX, fu, 0, NULL, 0, NULL}

static const iv_case cases[] = {
  {"", "card_just_id", "iid", CARD, "lwage", "educ", CX, "nearc4", NULL, "educ", TS, U, 0, 0, 0, NO_VX, NO_KW},
  {"", "card_just_id", "iid_small", CARD, "lwage", "educ", CX, "nearc4", NULL, "educ", TS, U, 1, 0, 0, NO_VX, NO_KW},
  {"", "card_just_id", "hc1", CARD, "lwage", "educ", CX, "nearc4", NULL, "educ", TS, R, 0, 0, 0, NO_VX, NO_KW},
  {"", "card_just_id", "hc1_small", CARD, "lwage", "educ", CX, "nearc4", NULL, "educ", TS, R, 1, 0, 0, NO_VX, NO_KW},
  {"", "card_just_id_dofminus", "iid", CARD, "lwage", "educ", CX, "nearc4", NULL, "educ", TS, U, 0, 1, 1, NO_VX, NO_KW},
  {"", "card_just_id_dofminus", "iid_small", CARD, "lwage", "educ", CX, "nearc4", NULL, "educ", TS, U, 1, 1, 1, NO_VX, NO_KW},
  {"", "card_just_id_dofminus", "hc1", CARD, "lwage", "educ", CX, "nearc4", NULL, "educ", TS, R, 0, 1, 1, NO_VX, NO_KW},
  {"", "card_just_id_dofminus", "hc1_small", CARD, "lwage", "educ", CX, "nearc4", NULL, "educ", TS, R, 1, 1, 1, NO_VX, NO_KW},
  {"", "card_just_id_dofminus", "cl", CARD, "lwage", "educ", CX, "nearc4", CLUSTER_CARD, "educ", TS, C, 0, 1, 1, NO_VX, NO_KW},
  {"", "card_just_id_dofminus", "cl_small", CARD, "lwage", "educ", CX, "nearc4", CLUSTER_CARD, "educ", TS, C, 1, 1, 1, NO_VX, NO_KW},
  {"", "card_overid", "iid", CARD, "lwage", "educ", CX, "nearc2 nearc4", NULL, "educ", TS, U, 0, 0, 0, NO_VX, NO_KW},
  {"", "card_overid", "iid_small", CARD, "lwage", "educ", CX, "nearc2 nearc4", NULL, "educ", TS, U, 1, 0, 0, NO_VX, NO_KW},
  {"", "card_overid", "hc1", CARD, "lwage", "educ", CX, "nearc2 nearc4", NULL, "educ", TS, R, 0, 0, 0, NO_VX, NO_KW},
  {"", "card_overid", "hc1_small", CARD, "lwage", "educ", CX, "nearc2 nearc4", NULL, "educ", TS, R, 1, 0, 0, NO_VX, NO_KW},
  {"", "card_overid_dofminus", "iid", CARD, "lwage", "educ", CX, "nearc2 nearc4", NULL, "educ", TS, U, 0, 1, 1, NO_VX, NO_KW},
  {"", "card_overid_dofminus", "iid_small", CARD, "lwage", "educ", CX, "nearc2 nearc4", NULL, "educ", TS, U, 1, 1, 1, NO_VX, NO_KW},
  {"", "card_overid_dofminus", "hc1", CARD, "lwage", "educ", CX, "nearc2 nearc4", NULL, "educ", TS, R, 0, 1, 1, NO_VX, NO_KW},
  {"", "card_overid_dofminus", "hc1_small", CARD, "lwage", "educ", CX, "nearc2 nearc4", NULL, "educ", TS, R, 1, 1, 1, NO_VX, NO_KW},
  {"", "card_overid_dofminus", "cl", CARD, "lwage", "educ", CX, "nearc2 nearc4", CLUSTER_CARD, "educ", TS, C, 0, 1, 1, NO_VX, NO_KW},
  {"", "card_overid_dofminus", "cl_small", CARD, "lwage", "educ", CX, "nearc2 nearc4", CLUSTER_CARD, "educ", TS, C, 1, 1, 1, NO_VX, NO_KW},
  {"", "card_overid_gmm2s", "iid", CARD, "lwage", "educ", CX, "nearc2 nearc4", NULL, NULL, GM, U, 0, 0, 0, NO_VX, NO_KW},
  {"", "card_overid_gmm2s", "iid_small", CARD, "lwage", "educ", CX, "nearc2 nearc4", NULL, NULL, GM, U, 1, 0, 0, NO_VX, NO_KW},
  {"", "card_overid_gmm2s", "robust", CARD, "lwage", "educ", CX, "nearc2 nearc4", NULL, NULL, GM, R, 0, 0, 0, NO_VX, NO_KW},
  {"", "card_overid_gmm2s", "robust_small", CARD, "lwage", "educ", CX, "nearc2 nearc4", NULL, NULL, GM, R, 1, 0, 0, NO_VX, NO_KW},
  {"", "card_overid_gmm2s", "cluster", CARD, "lwage", "educ", CX, "nearc2 nearc4", "age", NULL, GM, C, 0, 0, 0, NO_VX, NO_KW},
  {"", "card_overid_gmm2s", "cluster_small", CARD, "lwage", "educ", CX, "nearc2 nearc4", "age", NULL, GM, C, 1, 0, 0, NO_VX, NO_KW},
  {"", "card_overid_gmm2s_dofminus", "robust", CARD, "lwage", "educ", CX, "nearc2 nearc4", NULL, NULL, GM, R, 0, 2, 0, NO_VX, NO_KW},
  {"", "card_overid_gmm2s_endog", "robust", CARD, "lwage", "educ", CX, "nearc2 nearc4", NULL, "educ", GM, R, 0, 0, 0, NO_VX, NO_KW},
  {"", "card_justid_gmm2s", "robust", CARD, "lwage", "educ", CX, "nearc4", NULL, NULL, GM, R, 0, 0, 0, NO_VX, NO_KW},
  {"", "card_justid_gmm2s", "robust_small", CARD, "lwage", "educ", CX, "nearc4", NULL, NULL, GM, R, 1, 0, 0, NO_VX, NO_KW},
  {"", "sim_multi_endo", "iid", MULTI, "y", "endo1 endo2", "x1 x2", "z1 z2 z3 z4", NULL, "endo1 endo2", TS, U, 0, 0, 0, NO_VX, NO_KW},
  {"", "sim_multi_endo", "iid_small", MULTI, "y", "endo1 endo2", "x1 x2", "z1 z2 z3 z4", NULL, "endo1 endo2", TS, U, 1, 0, 0, NO_VX, NO_KW},
  {"", "sim_multi_endo", "hc1", MULTI, "y", "endo1 endo2", "x1 x2", "z1 z2 z3 z4", NULL, "endo1 endo2", TS, R, 0, 0, 0, NO_VX, NO_KW},
  {"", "sim_multi_endo", "hc1_small", MULTI, "y", "endo1 endo2", "x1 x2", "z1 z2 z3 z4", NULL, "endo1 endo2", TS, R, 1, 0, 0, NO_VX, NO_KW},
  {"", "sim_cluster", "iid", SIMCL, "y", "endo1", "x1", "z1 z2", NULL, "endo1", TS, U, 0, 0, 0, NO_VX, NO_KW},
  {"", "sim_cluster", "iid_small", SIMCL, "y", "endo1", "x1", "z1 z2", NULL, "endo1", TS, U, 1, 0, 0, NO_VX, NO_KW},
  {"", "sim_cluster", "hc1", SIMCL, "y", "endo1", "x1", "z1 z2", NULL, "endo1", TS, R, 0, 0, 0, NO_VX, NO_KW},
  {"", "sim_cluster", "hc1_small", SIMCL, "y", "endo1", "x1", "z1 z2", NULL, "endo1", TS, R, 1, 0, 0, NO_VX, NO_KW},
  {"", "sim_cluster", "cl", SIMCL, "y", "endo1", "x1", "z1 z2", "cluster_id", "endo1", TS, C, 0, 0, 0, NO_VX, NO_KW},
  {"", "sim_cluster", "cl_small", SIMCL, "y", "endo1", "x1", "z1 z2", "cluster_id", "endo1", TS, C, 1, 0, 0, NO_VX, NO_KW},
  {"", "sim_cluster_dofminus", "iid", SIMCL, "y", "endo1", "x1", "z1 z2", NULL, "endo1", TS, U, 0, 1, 1, NO_VX, NO_KW},
  {"", "sim_cluster_dofminus", "iid_small", SIMCL, "y", "endo1", "x1", "z1 z2", NULL, "endo1", TS, U, 1, 1, 1, NO_VX, NO_KW},
  {"", "sim_cluster_dofminus", "hc1", SIMCL, "y", "endo1", "x1", "z1 z2", NULL, "endo1", TS, R, 0, 1, 1, NO_VX, NO_KW},
  {"", "sim_cluster_dofminus", "hc1_small", SIMCL, "y", "endo1", "x1", "z1 z2", NULL, "endo1", TS, R, 1, 1, 1, NO_VX, NO_KW},
  {"", "sim_cluster_dofminus", "cl", SIMCL, "y", "endo1", "x1", "z1 z2", "cluster_id", "endo1", TS, C, 0, 1, 1, NO_VX, NO_KW},
  {"", "sim_cluster_dofminus", "cl_small", SIMCL, "y", "endo1", "x1", "z1 z2", "cluster_id", "endo1", TS, C, 1, 1, 1, NO_VX, NO_KW},
  CL2("cl2", 0, 0, 0), CL2("cl2_small", 1, 0, 0), CL2("cl2_dof", 0, 1, 1), CL2("cl2_dof_small", 1, 1, 1),
  {"", "sim_twoway", "cl2_ols", TWOWAY, "y", NULL, "x1 endo1", NULL, "firm_id", NULL, TS, C, 0, 0, 0,
   "year_id", NULL, NULL, 0, 0, 0, NO_KW},
  {"", "sim_twoway", "cl2_ols_small", TWOWAY, "y", NULL, "x1 endo1", NULL, "firm_id", NULL, TS, C, 1, 0, 0,
   "year_id", NULL, NULL, 0, 0, 0, NO_KW},
  /* [aw = wt], cluster(firm_id year_id) first */
  {"", "sim_twoway", "cl2_wt", TWOWAY, "y", "endo1", "x1", "z1 z2", "firm_id", NULL, TS, C, 0, 0, 0,
   "year_id", NULL, NULL, 0, 0, 0, 0, 0, "wt", TFP_IV_AWEIGHT, NULL},
  {"", "sim_twoway", "cl2_wt_small", TWOWAY, "y", "endo1", "x1", "z1 z2", "firm_id", NULL, TS, C, 1, 0, 0,
   "year_id", NULL, NULL, 0, 0, 0, 0, 0, "wt", TFP_IV_AWEIGHT, NULL},
  HACK("bartlett_bw3", TFP_KERNEL_BARTLETT, 3, "z1 z2"), HACK("bartlett_bw5", TFP_KERNEL_BARTLETT, 5, "z1 z2"),
  HACK("parzen_bw4", TFP_KERNEL_PARZEN, 4, "z1 z2"), HACK("truncated_bw3", TFP_KERNEL_TRUNCATED, 3, "z1 z2"),
  HACK("thanning_bw3", TFP_KERNEL_THANNING, 3, "z1 z2"), HACK("thamming_bw3", TFP_KERNEL_THAMMING, 3, "z1 z2"),
  HACK("daniell_bw4", TFP_KERNEL_DANIELL, 4, "z1 z2"), HACK("tent_bw4", TFP_KERNEL_TENT, 4, "z1 z2"),
  HACK("qs_bw3", TFP_KERNEL_QS, 3, "z1 z2"), HACK("qs_bw3_justid", TFP_KERNEL_QS, 3, "z1"),
  KIEFER("overid", 0, "educ black"), KIEFER("overid_small", 1, "educ black"), KIEFER("justid", 0, "educ"),
  KROWS("card_liml_overid", "nearc2 nearc4", LI, 0, 0), KROWS_CL("card_liml_overid", "nearc2 nearc4", LI, 0),
  KROWS("card_liml_justid", "nearc4", LI, 0, 0), KROWS_CL("card_liml_justid", "nearc4", LI, 0),
  KROWS("card_fuller1_overid", "nearc2 nearc4", LI, 1, 0), KROWS_CL("card_fuller1_overid", "nearc2 nearc4", LI, 1),
  KROWS("card_kclass_half", "nearc2 nearc4", KC, 0, 0.5),
  /* weights: [aw|fw|pw = weight], cluster(smsa) has 2 clusters */
#define WROW(p, suf, cl, vce, small, wt) \
  {"", p, suf, CARD, "lwage", "educ", CX, "nearc4 nearc2", cl, NULL, TS, vce, small, 0, 0, NO_VX, 0, 0, "weight", wt, NULL}
#define WROWS(p, wt) WROW(p, "iid", NULL, U, 0, wt), WROW(p, "iid_small", NULL, U, 1, wt), \
  WROW(p, "hc1", NULL, R, 0, wt), WROW(p, "hc1_small", NULL, R, 1, wt), \
  WROW(p, "cl", "smsa", C, 0, wt), WROW(p, "cl_small", "smsa", C, 1, wt)
  WROWS("card_aweight_overid", TFP_IV_AWEIGHT), WROWS("card_fweight_overid", TFP_IV_FWEIGHT),
  /* pweights: the default VCE is robust (hc0) */
  WROW("card_pweight_overid", "hc0", NULL, U, 0, TFP_IV_PWEIGHT), WROW("card_pweight_overid", "hc0_small", NULL, U, 1, TFP_IV_PWEIGHT),
  WROW("card_pweight_overid", "cl", "smsa", C, 0, TFP_IV_PWEIGHT), WROW("card_pweight_overid", "cl_small", "smsa", C, 1, TFP_IV_PWEIGHT),
  /* orthog(): Card with controls exper expersq only */
#define OROW(p, suf, vce, small, dof, o) \
  {"", p, suf, CARD, "lwage", "educ", "exper expersq", "nearc2 nearc4", NULL, NULL, TS, vce, small, dof, 0, NO_VX, 0, 0, NULL, 0, o}
  OROW("card_orthog1", "iid", U, 0, 0, "nearc2"), OROW("card_orthog1", "iid_small", U, 1, 0, "nearc2"),
  OROW("card_orthog1", "hc1", R, 0, 0, "nearc2"), OROW("card_orthog1", "hc1_small", R, 1, 0, "nearc2"),
  OROW("card_orthog2", "iid", U, 0, 0, "nearc2 nearc4"),
  OROW("card_orthog1_dof", "iid", U, 0, 1, "nearc2"), OROW("card_orthog1_dof", "iid_small", U, 1, 1, "nearc2"),
  OROW("card_orthog1_dof", "hc1", R, 0, 1, "nearc2"), OROW("card_orthog1_dof", "hc1_small", R, 1, 1, "nearc2"),
  {"", "sim_cluster_orthog1", "cl", SIMCL, "y", "endo1", "x1", "z1 z2", "cluster_id", NULL, TS, C, 0, 0, 0, NO_VX, 0, 0, NULL, 0, "z1"},
  {"", "sim_cluster_orthog1", "cl_small", SIMCL, "y", "endo1", "x1", "z1 z2", "cluster_id", NULL, TS, C, 1, 0, 0, NO_VX, 0, 0, NULL, 0, "z1"},
  /* k-class estimators with the two-way and kernel VCEs: k = 1 is 2SLS and a
     just-identified LIML has lambda = 1, so ivreg2's 2SLS fixtures are theirs
     (the k-class bread, residuals, J and VCE, on the same S) */
#define CL2K(suf, sm, d, sd) {"", "sim_twoway", suf, TWOWAY, "y", "endo1", "x1", "z1 z2", "firm_id", "endo1", \
                              KC, C, sm, d, sd, "year_id", NULL, NULL, 0, 0, 0, 0, 1, NULL, 0, NULL}
  CL2K("cl2", 0, 0, 0), CL2K("cl2_small", 1, 0, 0), CL2K("cl2_dof", 0, 1, 1),
  {"", "sim_twoway", "cl2_wt", TWOWAY, "y", "endo1", "x1", "z1 z2", "firm_id", NULL, KC, C, 0, 0, 0,
   "year_id", NULL, NULL, 0, 0, 0, 0, 1, "wt", TFP_IV_AWEIGHT, NULL},
  {"", "ts_hac", "bartlett_bw3", HAC, "y", "x", "w", "z1 z2", NULL, NULL, KC, R, 0, 0, 0,
   NULL, "t", NULL, TFP_KERNEL_BARTLETT, 3, 0, 0, 1, NULL, 0, NULL},
  {"", "ts_hac", "qs_bw3", HAC, "y", "x", "w", "z1 z2", NULL, NULL, KC, R, 0, 0, 0,
   NULL, "t", NULL, TFP_KERNEL_QS, 3, 0, 0, 1, NULL, 0, NULL},
  {"", "ts_hac", "qs_bw3_justid", HAC, "y", "x", "w", "z1", NULL, NULL, LI, R, 0, 0, 0,
   NULL, "t", NULL, TFP_KERNEL_QS, 3, 0, 0, 0, NULL, 0, NULL},
};

static tfp_frame *load(const char *path)
{
  static const char *cached_path;
  static tfp_frame *cached;
  if (!path) { tfp_frame *f = cached; cached = NULL; cached_path = NULL; return f; }
  if (cached_path && strcmp(cached_path, path) == 0) return cached;
  if (cached) tfp_frame_free(cached);
  cached = NULL; cached_path = NULL;
  char err[256];
  if (tfp_csv_read(path, NULL, &cached, err, sizeof err) != TFP_OK) {
    fprintf(stderr, "%s\n", err);
    return NULL;
  }
  cached_path = path;
  return cached;
}

/* Split "a b c" into vars of f; returns count. */
static size_t vars_of(tfp_frame *f, const char *list, tfp_iv_var *v, char names[][32])
{
  size_t k = 0;
  if (!list) return 0;
  const char *p = list;
  while (*p) {
    while (*p == ' ') p++;
    if (!*p) break;
    size_t m = strcspn(p, " ");
    memcpy(names[k], p, m); names[k][m] = 0;
    int j = tfp_frame_find(f, names[k]);
    if (j < 0) { fprintf(stderr, "no column %s\n", names[k]); exit(2); }
    v[k].name = names[k]; v[k].x = f->col[j].num;
    k++; p += m;
  }
  return k;
}

/* A reference CSV as a frame (NULL when the file does not exist). */
static tfp_frame *ref(const iv_case *c, const char *kind)
{
  char path[256], err[256];
  snprintf(path, sizeof path, "refs/stata-ivreg2/%s_%s_%s.csv", c->prefix, kind, c->suffix);
  tfp_csv_opts o;
  tfp_csv_opts_init(&o);
  static const char *str[] = {"term", "statistic", NULL};
  o.str_cols = str;
  tfp_frame *f = NULL;
  FILE *t = fopen(path, "r");
  if (!t) return NULL;
  fclose(t);
  if (tfp_csv_read(path, &o, &f, err, sizeof err) != TFP_OK) { fprintf(stderr, "%s\n", err); return NULL; }
  return f;
}

static int num(const tfp_frame *f, const char *col, size_t row, double *v)
{
  int j = tfp_frame_find(f, col);
  if (j < 0 || f->col[j].type != TFP_NUM) return 0;
  *v = f->col[j].num[row];
  return !isnan(*v);
}

static void check_case(const iv_case *c)
{
  double c_tol = (c->cluster && (!strcmp(c->cluster, CLUSTER_CARD) || !strcmp(c->cluster, "smsa")))
                 ? TOL_2CLUSTERS : TOL;
  tfp_frame *f = load(c->data);
  CHECK(f != NULL);
  if (!f) return;
  tfp_iv_var endog[8], exog[8], inst[8];
  char en[8][32], xn[8][32], zn[8][32], tn[8][32];
  tfp_iv_var tv[8];
  tfp_iv_data d;
  memset(&d, 0, sizeof d);
  d.n = f->nrow;
  d.y.name = c->y; d.y.x = f->col[tfp_frame_find(f, c->y)].num;
  d.endog = endog; d.n_endog = vars_of(f, c->endog, endog, en);
  d.exog = exog; d.n_exog = vars_of(f, c->exog, exog, xn);
  d.inst = inst; d.n_inst = vars_of(f, c->inst, inst, zn);
  const char *tnames[8];
  d.n_endog_test = vars_of(f, c->endog_test, tv, tn);
  for (size_t i = 0; i < d.n_endog_test; i++) tnames[i] = tn[i];
  d.endog_test = tnames;
  if (c->cluster) d.cluster = f->col[tfp_frame_find(f, c->cluster)].num;
  if (c->cluster2) d.cluster2 = f->col[tfp_frame_find(f, c->cluster2)].num;
  if (c->time) d.time = f->col[tfp_frame_find(f, c->time)].num;
  if (c->panel) d.panel = f->col[tfp_frame_find(f, c->panel)].num;
  tfp_iv_opts o;
  tfp_iv_opts_init(&o);
  o.kernel = c->kernel; o.bw = c->bw; o.kiefer = c->kiefer;
  o.method = c->method; o.vce = c->vce; o.small = c->small;
  o.dofminus = c->dofminus; o.sdofminus = c->sdofminus;
  o.fuller = c->fuller; o.kclass = c->kclass;
  tfp_iv_var ov[8];
  char on[8][32];
  const char *onames[8];
  d.n_orthog = vars_of(f, c->orthog, ov, on);
  for (size_t i = 0; i < d.n_orthog; i++) onames[i] = on[i];
  d.orthog = onames;
  if (c->weight) {
    d.weights = f->col[tfp_frame_find(f, c->weight)].num;
    d.wtype = c->wtype; d.weights_name = c->weight;
  }
  tfp_iv_result *r = NULL;
  char err[256];
  int rc = tfp_iv_fit(&d, &o, &r, err, sizeof err);
  if (rc) fprintf(stderr, "%s_%s: %s\n", c->prefix, c->suffix, err);
  CHECK(rc == TFP_OK);
  if (rc) return;

  tfp_frame *cf = ref(c, "coef"), *vf = ref(c, "vcov"), *df = ref(c, "diagnostics"), *ff = ref(c, "firststage");
  tfp_frame *of = ref(c, "orthog");
  CHECK(c->orthog ? of != NULL : (cf && vf && df));
  if (of) {   /* orthog(): cstat, cstatp, cstatdf, j, jp, jdf (clist is the tested names) */
    struct { const char *col; double got; } m[] = {
      {"cstat", r->cstat}, {"cstatp", r->cstat_p}, {"cstatdf", r->cstat_df},
      {"j", r->hansen_j}, {"jp", r->hansen_j_p}, {"jdf", r->hansen_df},
    };
    double v;
    for (size_t i = 0; i < sizeof m / sizeof *m; i++)
      if (num(of, m[i].col, 0, &v)) {
        if (is_p(m[i].col)) CHECK_PV(m[i].got, v, m[i].col);
        else CHECK_REL(m[i].got, v, m[i].col);
      }
    tfp_frame_free(of);
  }
  char what[128];
  if (cf) {
    int tc = tfp_frame_find(cf, "term");
    for (size_t i = 0; i < cf->nrow; i++) {
      const char *t = cf->col[tc].str[i];
      int k = tfp_iv_find(r, t);
      CHECK(k >= 0);
      if (k < 0) continue;
      double v;
      snprintf(what, sizeof what, "coef %s", t);
      if (num(cf, "estimate", i, &v)) CHECK_REL(r->coef[k], v, what);
      snprintf(what, sizeof what, "se %s", t);
      if (num(cf, "std_error", i, &v)) CHECK_REL(r->se[k], v, what);
    }
  }
  if (vf && tfp_frame_find(vf, "term") < 0 && cf) {
    /* gmm2s files: unnamed v1..vK in the coefficient file's order */
    int tc = tfp_frame_find(cf, "term");
    CHECK(vf->ncol == cf->nrow && vf->nrow == cf->nrow);
    for (size_t i = 0; i < vf->nrow && vf->ncol == cf->nrow; i++)
      for (size_t j = 0; j < vf->ncol; j++) {
        int a = tfp_iv_find(r, cf->col[tc].str[i]), b = tfp_iv_find(r, cf->col[tc].str[j]);
        CHECK(a >= 0 && b >= 0);
        if (a < 0 || b < 0) continue;
        snprintf(what, sizeof what, "V[%s,%s]", cf->col[tc].str[i], cf->col[tc].str[j]);
        CHECK_V(r->V, (size_t)a, (size_t)b, r->k, vf->col[j].num[i], what);
      }
  } else if (vf) {
    int tc = tfp_frame_find(vf, "term");
    for (size_t i = 0; i < vf->nrow; i++) {
      int a = tfp_iv_find(r, vf->col[tc].str[i]);
      for (size_t j = 0; j < r->k; j++) {
        char col[64];
        snprintf(col, sizeof col, "vcov_%s", r->names[j]);
        double v;
        if (a >= 0 && num(vf, col, i, &v)) {
          snprintf(what, sizeof what, "V[%s,%s]", vf->col[tc].str[i], r->names[j]);
          CHECK_V(r->V, (size_t)a, j, r->k, v, what);
        }
      }
    }
  }
  if (df) {
    /* ivreg2's e() names, and the gmm2s files' longer names */
    struct { const char *col; double got; } m[] = {
      {"N", (double)r->N}, {"rss", r->rss}, {"rmse", r->rmse}, {"sigma", r->rmse},
      {"r2", r->r2}, {"r2c", r->r2}, {"r2u", r->r2_u},
      {"j", r->hansen_j}, {"jp", r->hansen_j_p}, {"jdf", r->hansen_df},
      {"overid_stat", r->hansen_j}, {"overid_p", r->hansen_j_p}, {"overid_df", r->hansen_df},
      {"sargan", r->sargan}, {"sarganp", r->sargan_p},
      {"idstat", r->kp_lm}, {"idp", r->kp_lm_p}, {"iddf", r->kp_lm_df},
      {"underid_stat", r->kp_lm}, {"underid_p", r->kp_lm_p}, {"underid_df", r->kp_lm_df},
      {"cdf", r->cd_f}, {"weak_id_cd_f", r->cd_f}, {"widstat", r->kp_f}, {"weak_id_kp_f", r->kp_f},
      {"estat", r->endog}, {"estatp", r->endog_p}, {"estatdf", r->endog_df},
      {"endog_stat", r->endog}, {"endog_p", r->endog_p}, {"endog_df", r->endog_df},
      {"N_clust", (double)r->N_clust}, {"N_clust1", (double)r->N_clust1}, {"N_clust2", (double)r->N_clust2},
      {"K", (double)r->K}, {"L", (double)r->L},
      {"sigmasq", r->sigmasq}, {"r2_a", r->r2_a}, {"sargandf", r->hansen_df},
      {"F_stat", r->F}, {"F_p", r->F_p}, {"F_df1", r->F_df1}, {"F_df2", r->F_df2},
      {"arf", r->ar_f}, {"arfp", r->ar_f_p}, {"archi2", r->ar_chi2}, {"archi2p", r->ar_chi2_p},
      {"ardf", r->ar_df}, {"ardf_r", r->ar_df_r},
      {"ar_f", r->ar_f}, {"ar_f_p", r->ar_f_p}, {"ar_chi2", r->ar_chi2}, {"ar_chi2_p", r->ar_chi2_p},
      {"ar_f_df1", r->ar_df}, {"ar_f_df2", r->ar_df_r},
      {"small", (double)r->small}, {"first_stage_f", r->n_first == 1 ? r->first[0].F : NAN},
      {"model_f", r->F}, {"model_f_p", r->F_p}, {"model_f_df1", r->F_df1}, {"model_f_df2", r->F_df2},
      {"kclass", r->kclass}, {"lambda", r->lambda}, {"fuller", r->fuller},
      {"arubin", r->arubin}, {"arubinp", r->arubin_p}, {"arubin_lin", r->arubin_lin},
      {"arubin_linp", r->arubin_lin_p}, {"arubindf", r->arubin_df},
    };
    /* where ivreg2 leaves J or the endog() statistic missing (overidentified,
       S not of full rank: card *_dofminus_cl, 2 clusters), so do we */
    double v, jdf;
    int jc = tfp_frame_find(df, "j"), ec = tfp_frame_find(df, "estat");
    if (jc >= 0 && !num(df, "j", 0, &v) && num(df, "jdf", 0, &jdf) && jdf > 0) {
      check_count++;
      if (!isnan(r->hansen_j)) { check_failures++; fprintf(stderr, "%s_%s: J %g, ivreg2 none\n", c->prefix, c->suffix, r->hansen_j); }
    }
    if (ec >= 0 && c->endog_test && !num(df, "estat", 0, &v)) {
      check_count++;
      if (!isnan(r->endog)) { check_failures++; fprintf(stderr, "%s_%s: endog %g, ivreg2 none\n", c->prefix, c->suffix, r->endog); }
    }
    for (size_t i = 0; i < sizeof m / sizeof *m; i++) {
      /* the 2-cluster card fixtures' identification statistics, J, model F and
         Anderson-Rubin are degenerate (rank-deficient S and V; Stata inverts V with invsym,
         a generalized inverse, where we report nothing): compare the rest */
      if (c->vce == C && r->N_clust < 3 && (strstr(m[i].col, "id") || strstr(m[i].col, "wid") ||
                                            m[i].col[0] == 'j' || m[i].col[0] == 'F' || !strncmp(m[i].col, "ar", 2)))
        continue;
      /* ts_hac_tent_bw4's VCE is not positive semi-definite (var(x) < 0): Stata's
         invsym drops x from the model F's Wald statistic; tfpkit reports no model F */
      if (c->kernel == TFP_KERNEL_TENT && !strncmp(m[i].col, "model_f", 7) && isnan(r->F)) continue;
      if (num(df, m[i].col, 0, &v)) {
        if (is_p(m[i].col)) CHECK_PV(m[i].got, v, m[i].col);
        else CHECK_REL(m[i].got, v, m[i].col);
      }
    }
  }
  if (ff && !(c->vce == C && r->N_clust < 3)) {
    int sc = tfp_frame_find(ff, "statistic");
    for (size_t e = 0; e < r->n_first; e++) {
      const tfp_iv_first *fs = &r->first[e];
      for (size_t i = 0; i < ff->nrow; i++) {
        const char *s = ff->col[sc].str[i];
        double got = NAN, v;
        if (!strcmp(s, "rmse")) got = fs->rmse;
        else if (!strcmp(s, "sheapr2")) got = fs->shea_pr2;
        else if (!strcmp(s, "pr2")) got = fs->pr2;
        else if (!strcmp(s, "F")) got = fs->F;
        else if (!strcmp(s, "df")) got = fs->F_df;
        else if (!strcmp(s, "df_r")) got = fs->F_df_r;
        else if (!strcmp(s, "pvalue")) got = fs->F_p;
        else if (!strcmp(s, "SWF")) got = fs->sw_F;
        else if (!strcmp(s, "SWFdf1")) got = fs->sw_df;
        else if (!strcmp(s, "SWFdf2")) got = fs->F_df_r;
        else if (!strcmp(s, "SWFp")) got = fs->sw_p;
        else if (!strcmp(s, "SWchi2")) got = fs->sw_chi2;
        else if (!strcmp(s, "SWchi2p")) got = fs->sw_chi2_p;
        else if (!strcmp(s, "SWr2")) got = fs->sw_r2;
        else if (!strcmp(s, "APF")) got = fs->ap_F;
        else if (!strcmp(s, "APFdf1")) got = fs->sw_df;
        else if (!strcmp(s, "APFdf2")) got = fs->F_df_r;
        else if (!strcmp(s, "APFp")) got = fs->ap_p;
        else if (!strcmp(s, "APchi2")) got = fs->ap_chi2;
        else if (!strcmp(s, "APchi2p")) got = fs->ap_chi2_p;
        else if (!strcmp(s, "APr2")) got = fs->ap_r2;
        else { CHECK(!"unknown first-stage statistic"); continue; }
        snprintf(what, sizeof what, "first stage %s %s", fs->name, s);
        if (num(ff, fs->name, i, &v)) {
          if (is_p(s)) CHECK_PV(got, v, what);
          else CHECK_REL(got, v, what);
        }
      }
    }
  }
  tfp_frame_free(cf); tfp_frame_free(vf); tfp_frame_free(df); tfp_frame_free(ff);
  tfp_iv_result_free(r);
}

int main(void)
{
  for (size_t k = 0; k < sizeof cases / sizeof *cases; k++) {
    int before = check_failures;
    check_case(&cases[k]);
    if (check_failures != before)
      fprintf(stderr, "-- %s_%s: %d failures\n", cases[k].prefix, cases[k].suffix, check_failures - before);
  }
  tfp_frame_free(load(NULL));
  return check_report("test_iv_stata");
}
