/* test_iv_panel.c — panel checks of xtivreg2's conventions on a panel
   generated here (unit and year effects, an endogenous regressor instrumented
   by its own first and second lags, as in the paper):
   the within estimator equals OLS/2SLS with unit dummies (coefficients, and
   SEs under the dofminus convention); just-identified GMM equals 2SLS;
   alternating projections equal unit FE + year dummies; singletons, collinear
   regressors, the DM test against the Wu-Hausman F from residual sums; and
   bad input, one row per case. Tolerances are stated per check. */
#include <stdlib.h>
#include <string.h>
#include "check.h"
#include "iv.h"
#include "linalg.h"

enum { N_UNITS = 150, N_T = 8, N_EXTRA = 5 };
#define N_ROWS (N_UNITS * N_T + N_EXTRA)

static double unit[N_ROWS], year[N_ROWS], y[N_ROWS], s[N_ROWS], s_l1[N_ROWS], s_l2[N_ROWS],
              x1[N_ROWS], x2[N_ROWS], x3[N_ROWS];
static size_t n_rows = N_UNITS * N_T;   /* without the singleton units */

static unsigned long long rng = 88172645463325252ULL;
static double unif(void)
{
  rng ^= rng << 13; rng ^= rng >> 7; rng ^= rng << 17;
  return ((rng >> 11) + 0.5) / 9007199254740992.0;
}
static double gauss(void) { return sqrt(-2 * log(unif())) * cos(6.283185307179586 * unif()); }

static void make_panel(void)
{
  size_t k = 0;
  for (int i = 0; i < N_UNITS; i++) {
    double a = gauss(), sprev = gauss(), sprev2 = NAN;
    for (int t = 0; t < N_T; t++, k++) {
      double u = gauss(), v = 0.6 * u + 0.8 * gauss();   /* s is endogenous through v */
      unit[k] = 1000 + i; year[k] = 2001 + t;
      x1[k] = gauss() + 0.3 * a; x2[k] = gauss();
      x3[k] = 2 * x1[k] - x2[k];                           /* collinear */
      s[k] = 0.6 * sprev + 0.3 * x1[k] + a + v;
      s_l1[k] = t >= 1 ? sprev : NAN;
      s_l2[k] = t >= 2 ? sprev2 : NAN;
      y[k] = 1.0 * s[k] + 0.5 * x1[k] - 0.3 * x2[k] + 2 * a + 0.1 * t + u;
      sprev2 = sprev; sprev = s[k];
    }
  }
  for (int e = 0; e < N_EXTRA; e++, k++) {   /* one-row units: singletons */
    unit[k] = 5000 + e; year[k] = 2005;
    x1[k] = gauss(); x2[k] = gauss(); x3[k] = 2 * x1[k] - x2[k];
    s[k] = gauss(); s_l1[k] = gauss(); s_l2[k] = gauss(); y[k] = gauss();
  }
}

typedef struct {
  int absorb, year_dummies, unit_dummies, year_ap, iv, endog_test, collinear, cluster_unit;
  int method, vce, small;
  long dofminus;
  int inst_just_id;
} spec;

static tfp_iv_result *fit(spec sp, char *err)
{
  tfp_iv_var ex[4] = {{"x1", x1}, {"x2", x2}, {"x3", x3}}, en[1] = {{"s", s}},
             in[2] = {{"L1.s", s_l1}, {"L2.s", s_l2}}, du[2];
  size_t nex = sp.collinear ? 3 : 2, ndu = 0;
  if (!sp.iv) { ex[nex].name = "s"; ex[nex].x = s; nex++; }
  if (sp.unit_dummies) { du[ndu].name = "unit"; du[ndu].x = unit; ndu++; }
  if (sp.year_dummies) { du[ndu].name = "year"; du[ndu].x = year; ndu++; }
  const double *more[1] = {year};
  const char *tested[1] = {"s"};
  tfp_iv_data d;
  memset(&d, 0, sizeof d);
  d.n = n_rows;
  d.y.name = "y"; d.y.x = y;
  d.exog = ex; d.n_exog = nex;
  if (sp.iv) { d.endog = en; d.n_endog = 1; d.inst = in; d.n_inst = sp.inst_just_id ? 1 : 2; }
  else { /* the lag sample for OLS too, so that all fits share rows */
    d.inst = NULL;
  }
  d.dummies = du; d.n_dummies = ndu;
  if (sp.absorb) d.absorb = unit;
  if (sp.year_ap) { d.absorb_more = more; d.n_absorb_more = 1; }
  if (sp.cluster_unit) d.cluster = unit;
  if (sp.endog_test) { d.endog_test = tested; d.n_endog_test = 1; }
  tfp_iv_opts o;
  tfp_iv_opts_init(&o);
  o.method = sp.method; o.vce = sp.vce; o.small = sp.small; o.dofminus = sp.dofminus;
  o.ap_tol = 1e-13;
  tfp_iv_result *r = NULL;
  if (tfp_iv_fit(&d, &o, &r, err, 256) != TFP_OK) return NULL;
  return r;
}

static double coef(const tfp_iv_result *r, const char *name) { int k = tfp_iv_find(r, name); return k < 0 ? NAN : r->coef[k]; }
static double se(const tfp_iv_result *r, const char *name) { int k = tfp_iv_find(r, name); return k < 0 ? NAN : r->se[k]; }

static void test_within_equals_unit_dummies(void)
{
  char err[256];
  const char *v[] = {"s", "x1", "x2"};
  /* 2SLS on the lag sample: within (xtivreg2 fe) vs unit dummies (ivreg2) */
  for (int vce = 0; vce < 3; vce++) {
    spec a = {.absorb = 1, .iv = 1, .vce = vce, .cluster_unit = vce == 2};
    spec b = {.unit_dummies = 1, .iv = 1, .vce = vce, .cluster_unit = vce == 2};
    tfp_iv_result *ra = fit(a, err), *rb = fit(b, err);
    CHECK(ra && rb);
    if (!ra || !rb) return;
    double N = (double)ra->N, Ng = (double)ra->N_g;
    CHECK(ra->N == rb->N && ra->N_g == N_UNITS && ra->dofminus == N_UNITS);
    /* iid and robust: V scales by N/(N-N_g) (dofminus = N_g); cluster: no dofminus */
    double f = vce == 2 ? 1.0 : sqrt(N / (N - Ng));
    for (int j = 0; j < 3; j++) {
      CHECK_NEAR(coef(ra, v[j]), coef(rb, v[j]), 1e-9);
      CHECK_NEAR(se(ra, v[j]) / (se(rb, v[j]) * f), 1.0, 1e-9);
    }
    CHECK_NEAR(ra->rss, rb->rss, 1e-9);
    /* J (Sargan when iid) has N-N_g in place of N; clustered on the unit, the
       dummy regression's S is singular (ivreg2 then warns), so no J there */
    if (vce != 2) CHECK_NEAR(ra->hansen_j, rb->hansen_j * (N - Ng) / N, 1e-8);
    tfp_iv_result_free(ra); tfp_iv_result_free(rb);
  }
  /* small: SEs equal xtreg fe's / the dummy regression's exactly (iid) */
  spec a = {.absorb = 1, .iv = 1, .small = 1}, b = {.unit_dummies = 1, .iv = 1, .small = 1};
  tfp_iv_result *ra = fit(a, err), *rb = fit(b, err);
  CHECK(ra && rb);
  if (!ra || !rb) return;
  for (int j = 0; j < 3; j++) CHECK_NEAR(se(ra, v[j]) / se(rb, v[j]), 1.0, 1e-9);
  CHECK_NEAR(ra->df_r, rb->df_r, 0);
  tfp_iv_result_free(ra); tfp_iv_result_free(rb);
}

static void test_just_identified_gmm_equals_2sls(void)
{
  char err[256];
  for (int vce = 0; vce < 3; vce++) {
    spec a = {.absorb = 1, .year_dummies = 1, .iv = 1, .inst_just_id = 1, .vce = vce, .cluster_unit = vce == 2};
    spec b = a;
    b.method = TFP_IV_GMM2S;
    tfp_iv_result *ra = fit(a, err), *rb = fit(b, err);
    CHECK(ra && rb);
    if (!ra || !rb) return;
    for (size_t j = 0; j < ra->k; j++) {
      CHECK_NEAR(ra->coef[j], rb->coef[j], 1e-9);
      for (size_t i = 0; i < ra->k; i++) CHECK_NEAR(ra->V[i + j * ra->k] / ra->V[j + j * ra->k], rb->V[i + j * ra->k] / ra->V[j + j * ra->k], 1e-8);
    }
    CHECK(ra->hansen_j == 0 && ra->hansen_df == 0 && rb->hansen_j == 0);
    tfp_iv_result_free(ra); tfp_iv_result_free(rb);
  }
}

static void test_unit_fe_year_dummies_lag_instruments(void)
{
  char err[256];
  /* xtivreg2 y x1 x2 i.year (s = L.s L2.s), fe small: equals the LSDV 2SLS with unit
     and year dummies (small), and the alternating-projections path */
  spec a = {.absorb = 1, .year_dummies = 1, .iv = 1, .small = 1, .endog_test = 1};
  spec b = {.unit_dummies = 1, .year_dummies = 1, .iv = 1, .small = 1, .endog_test = 1};
  spec c = {.absorb = 1, .year_ap = 1, .iv = 1, .small = 1, .endog_test = 1};
  tfp_iv_result *ra = fit(a, err), *rb = fit(b, err), *rc = fit(c, err);
  CHECK(ra && rb && rc);
  if (!ra || !rb || !rc) return;
  CHECK(ra->N_dropped == 2 * N_UNITS);          /* rows without both lags */
  CHECK(ra->N == (size_t)N_UNITS * (N_T - 2));
  CHECK(tfp_iv_find(ra, "year_2004") >= 0 && tfp_iv_find(ra, "year_2003") < 0);  /* first level of the sample dropped */
  CHECK(tfp_iv_find(ra, "_cons") < 0 && tfp_iv_find(rb, "_cons") >= 0);
  const char *v[] = {"s", "x1", "x2", "year_2005", "year_2008"};
  for (int j = 0; j < 5; j++) {
    CHECK_NEAR(coef(ra, v[j]), coef(rb, v[j]), 1e-9);
    CHECK_NEAR(se(ra, v[j]) / se(rb, v[j]), 1.0, 1e-9);
  }
  for (int j = 0; j < 3; j++) {   /* AP: dofminus = N_g + (T-1) makes the small SEs equal */
    CHECK_NEAR(coef(rc, v[j]), coef(ra, v[j]), 1e-8);
    CHECK_NEAR(se(rc, v[j]) / se(ra, v[j]), 1.0, 1e-8);
  }
  CHECK(rc->dofminus == (long)N_UNITS + (N_T - 2) - 1);
  /* large-sample statistics use N - dofminus: the AP path counts the year FE in dofminus */
  double shrink = ((double)rc->N - (double)rc->dofminus) / ((double)ra->N - (double)ra->dofminus);
  CHECK_NEAR(rc->hansen_j, ra->hansen_j * shrink, 1e-7);
  CHECK_NEAR(rc->kp_lm, ra->kp_lm * shrink, 1e-7);
  CHECK_NEAR(rc->endog, ra->endog * shrink, 1e-7);
  CHECK_NEAR(rc->cd_f, ra->cd_f, 1e-7);   /* N-L-dofminus is the same on both paths */
  /* diagnostics present and sane: strong lags, valid overidentification */
  CHECK(ra->kp_lm_p < 1e-6 && ra->cd_f > 10 && ra->hansen_j_p > 1e-4 && ra->hansen_df == 1);
  CHECK(ra->n_first == 1 && ra->first[0].n_inst == 2 && ra->first[0].F > 10);
  CHECK(ra->n_sy == 4 && ra->sy[0].value == 19.93);   /* K1=1, L1=2: size rows only */
  CHECK(ra->endog_p < 0.01);                            /* s is endogenous by construction */
  tfp_iv_result_free(ra); tfp_iv_result_free(rb); tfp_iv_result_free(rc);
}

static void test_singletons_are_dropped_and_counted(void)
{
  char err[256];
  spec a = {.absorb = 1, .year_dummies = 1, .iv = 1};
  tfp_iv_result *r0 = fit(a, err);
  n_rows = N_ROWS;
  tfp_iv_result *r1 = fit(a, err);
  n_rows = N_UNITS * N_T;
  CHECK(r0 && r1);
  if (!r0 || !r1) return;
  CHECK(r1->N_singletons == N_EXTRA && r0->N_singletons == 0 && r1->N == r0->N);
  CHECK_NEAR(coef(r1, "s"), coef(r0, "s"), 1e-12);
  CHECK_NEAR(se(r1, "s"), se(r0, "s"), 1e-12);
  tfp_iv_result_free(r0); tfp_iv_result_free(r1);
}

static void test_collinear_regressor_is_dropped_with_a_note(void)
{
  char err[256];
  spec a = {.absorb = 1, .iv = 1}, b = a;
  b.collinear = 1;
  tfp_iv_result *ra = fit(a, err), *rb = fit(b, err);
  CHECK(ra && rb);
  if (!ra || !rb) return;
  CHECK(rb->n_dropped_vars == 1 && strcmp(rb->dropped_vars[0], "x3") == 0);
  CHECK_STR_CONTAINS(rb->notes, "x3 omitted because of collinearity");
  CHECK(tfp_iv_find(rb, "x3") < 0);
  CHECK_NEAR(coef(rb, "s"), coef(ra, "s"), 1e-12);
  tfp_iv_result_free(ra); tfp_iv_result_free(rb);
}

/* The DM test with iid errors and small is the Wu-Hausman F:
   ((rss_r - rss_u)/K1) / (rss_u/(N-K-K1)), from two OLS fits' residual sums. */
static void test_dm_equals_wu_hausman_f(void)
{
  char err[256];
  spec a = {.iv = 1, .small = 1};
  tfp_iv_result *r = fit(a, err);
  CHECK(r != NULL);
  if (!r) return;
  /* first stage by OLS on the same sample, its residuals by hand */
  static double vhat[N_ROWS];
  tfp_iv_var fx[4] = {{"L1.s", s_l1}, {"L2.s", s_l2}, {"x1", x1}, {"x2", x2}};
  tfp_iv_data d;
  memset(&d, 0, sizeof d);
  d.n = n_rows; d.y.name = "s"; d.y.x = s; d.exog = fx; d.n_exog = 4;
  tfp_iv_opts o;
  tfp_iv_opts_init(&o);
  tfp_iv_result *fs = NULL, *rr = NULL, *ru = NULL;
  CHECK(tfp_iv_fit(&d, &o, &fs, err, sizeof err) == TFP_OK);
  for (size_t i = 0; i < n_rows; i++)
    vhat[i] = s[i] - coef(fs, "_cons") - coef(fs, "L1.s") * s_l1[i] - coef(fs, "L2.s") * s_l2[i]
              - coef(fs, "x1") * x1[i] - coef(fs, "x2") * x2[i];
  static double y_s[N_ROWS];   /* y on the IV sample, so both OLS fits share rows */
  for (size_t i = 0; i < n_rows; i++) y_s[i] = isnan(vhat[i]) ? NAN : y[i];
  tfp_iv_var ux[4] = {{"s", s}, {"x1", x1}, {"x2", x2}, {"vhat", vhat}};
  d.y.name = "y"; d.y.x = y_s; d.exog = ux; d.n_exog = 3;
  CHECK(tfp_iv_fit(&d, &o, &rr, err, sizeof err) == TFP_OK);   /* restricted: y on X */
  d.n_exog = 4;
  CHECK(tfp_iv_fit(&d, &o, &ru, err, sizeof err) == TFP_OK);   /* unrestricted: y on X, vhat */
  if (fs && rr && ru) {
    CHECK(rr->N == r->N && ru->N == r->N);
    double wh = ((rr->rss - ru->rss) / 1.0) / (ru->rss / ((double)ru->N - 5));
    CHECK(r->dm_is_F == 1 && r->dm_df == 1);
    CHECK_NEAR(r->dm / wh, 1.0, 1e-8);
  }
  tfp_iv_result_free(fs); tfp_iv_result_free(rr); tfp_iv_result_free(ru); tfp_iv_result_free(r);
}

/* The rank of a moment covariance matrix: S = v v' has rank 1 whatever the
   rounding, and a full-rank S keeps its rank when one variable is in units a
   million times smaller (the rank is taken on the equilibrated matrix). */
static void test_rank_of_s_is_scale_free_and_exact_for_rank_one(void)
{
  const double v[3] = {1, 2, 2};
  double S[9], w[3];
  size_t rank = 99;
  for (int i = 0; i < 3; i++) for (int j = 0; j < 3; j++) S[i + 3 * j] = v[i] * v[j];
  CHECK(tfp_la_psd_rank(3, S, TFP_IV_S_RANK_TOL, &rank, w, NULL, 0) == TFP_OK);
  CHECK(rank == 1);
  CHECK_NEAR(w[2], 3.0, 1e-14);   /* equilibrated v v' is the all-ones matrix */
  const double F[9] = {4, 1, 0.5, 1, 3, 0.2, 0.5, 0.2, 2};
  const double scale[3] = {1, 1e-6, 1e6};
  for (int i = 0; i < 3; i++) for (int j = 0; j < 3; j++) S[i + 3 * j] = F[i + 3 * j] * scale[i] * scale[j];
  CHECK(tfp_la_psd_rank(3, S, TFP_IV_S_RANK_TOL, &rank, NULL, NULL, 0) == TFP_OK);
  CHECK(rank == 3);
  S[0] = 0;   /* a zero diagonal is a zero direction */
  S[1] = S[2] = S[3] = S[6] = 0;
  CHECK(tfp_la_psd_rank(3, S, TFP_IV_S_RANK_TOL, &rank, NULL, NULL, 0) == TFP_OK);
  CHECK(rank == 2);
}

/* A progress callback that asks to stop ends the fit with TFP_EINTR (not a
   misuse or data error), while it absorbs the fixed effects. */
static int stop_at_once(void *ud, const char *what, size_t done, size_t total)
{
  (void)what; (void)done; (void)total;
  ++*(int *)ud;
  return 1;
}
static void test_a_progress_callback_interrupts_the_fit_with_eintr(void)
{
  tfp_iv_var ex[2] = {{"x1", x1}, {"x2", x2}}, en[1] = {{"s", s}}, in[2] = {{"L1.s", s_l1}, {"L2.s", s_l2}};
  const double *more[1] = {year};
  tfp_iv_data d;
  memset(&d, 0, sizeof d);
  d.n = n_rows; d.y.name = "y"; d.y.x = y;
  d.exog = ex; d.n_exog = 2; d.endog = en; d.n_endog = 1; d.inst = in; d.n_inst = 2;
  d.absorb = unit; d.absorb_more = more; d.n_absorb_more = 1;
  tfp_iv_opts o;
  tfp_iv_opts_init(&o);
  int calls = 0;
  o.progress = stop_at_once; o.progress_ud = &calls;
  tfp_iv_result *r = NULL;
  char err[256] = "";
  CHECK(tfp_iv_fit(&d, &o, &r, err, sizeof err) == TFP_EINTR);
  CHECK(r == NULL && calls == 1);
  CHECK_STR_CONTAINS(err, "interrupted");
}

typedef struct { const char *name; int what; const char *error; } bad_case;

static void test_bad_input_gives_clear_errors(void)
{
  static double nan_y[N_ROWS], inf_x[N_ROWS];
  for (size_t i = 0; i < n_rows; i++) { nan_y[i] = NAN; inf_x[i] = x1[i]; }
  inf_x[7] = INFINITY;
  const bad_case cases[] = {
    {"too few instruments is an error", 0, "too few instruments: 1 excluded instrument(s) for 2 endogenous"},
    {"an all-missing sample is an error", 1, "no observations"},
    {"an infinite value names the variable and row", 2, "variable 'x1' is infinite at row 8"},
    {"endog() of an exogenous variable is an error", 3, "'x1' is not an endogenous regressor"},
    {"cluster VCE without a cluster variable is an error", 4, "needs a cluster variable"},
  };
  for (size_t k = 0; k < sizeof cases / sizeof *cases; k++) {
    tfp_iv_var ex[2] = {{"x1", cases[k].what == 2 ? inf_x : x1}, {"x2", x2}};
    tfp_iv_var en[2] = {{"s", s}, {"L2.s", s_l2}}, in[1] = {{"L1.s", s_l1}};
    const char *tested[1] = {"x1"};
    tfp_iv_data d;
    memset(&d, 0, sizeof d);
    d.n = n_rows; d.y.name = "y"; d.y.x = cases[k].what == 1 ? nan_y : y;
    d.exog = ex; d.n_exog = 2; d.endog = en; d.n_endog = cases[k].what == 0 ? 2 : 1;
    d.inst = in; d.n_inst = 1;
    if (cases[k].what == 3) { d.endog_test = tested; d.n_endog_test = 1; }
    tfp_iv_opts o;
    tfp_iv_opts_init(&o);
    if (cases[k].what == 4) o.vce = TFP_VCE_CLUSTER;
    tfp_iv_result *r = NULL;
    char err[256] = "";
    int rc = tfp_iv_fit(&d, &o, &r, err, sizeof err);
    CHECK(rc != TFP_OK && r == NULL);
    CHECK_STR_CONTAINS(err, cases[k].error);
    tfp_iv_result_free(r);
  }
}

int main(void)
{
  make_panel();
  test_within_equals_unit_dummies();
  test_just_identified_gmm_equals_2sls();
  test_unit_fe_year_dummies_lag_instruments();
  test_singletons_are_dropped_and_counted();
  test_collinear_regressor_is_dropped_with_a_note();
  test_dm_equals_wu_hausman_f();
  test_rank_of_s_is_scale_free_and_exact_for_rank_one();
  test_bad_input_gives_clear_errors();
  test_a_progress_callback_interrupts_the_fit_with_eintr();
  return check_report("test_iv_panel");
}
