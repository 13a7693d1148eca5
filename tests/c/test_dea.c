/* test_dea.c — radial DEA scores against independent references
   (refs/dea/README.md) and textbook identities on seeded data. */
#include <math.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include "check.h"
#include "refs.h"
#include "csv.h"
#include "dea.h"

/* Unit j's lambda on reference unit p from the sparse peers (0 if none). */
static double lambda(const tfp_dea_result *r, size_t j, size_t p) {
  for (size_t t = 0; t < r->n_peers[j]; t++)
    if (r->peer[j * r->max_peers + t] == p) return r->peer_weight[j * r->max_peers + t];
  return 0;
}

static tfp_dea_data data_of(const tfp_frame *f, const char **xn, size_t n_in,
                            const char **yn, size_t n_out, const double **xbuf,
                            const double **ybuf) {
  for (size_t i = 0; i < n_in; i++) xbuf[i] = ref_col(f, xn[i]);
  for (size_t r = 0; r < n_out; r++) ybuf[r] = ref_col(f, yn[r]);
  tfp_dea_data d = { f->nrow, n_in, n_out, xbuf, ybuf, xn, yn };
  return d;
}

static tfp_dea_result run(const tfp_dea_data *d, const tfp_dea_data *ref, tfp_dea_rts rts,
                          tfp_dea_orientation or, int warm) {
  tfp_dea_opts o;
  tfp_dea_opts_init(&o);
  o.rts = rts;
  o.orientation = or;
  o.warm_start = warm;
  tfp_dea_result r;
  char err[256];
  int rc = tfp_dea_run(d, ref, &o, &r, err, sizeof err);
  if (rc) { fprintf(stderr, "tfp_dea_run: %s\n", err); exit(2); }
  return r;
}

/* Charnes, Cooper & Rhodes (1981), 70 schools, 5 inputs, 3 outputs, against
   Benchmarking 0.33 / lp_solve, to 1e-6; warm and cold start alike. */
static void charnes1981_matches_benchmarking_in_all_four_models(void) {
  tfp_frame *f = ref_load("refs/dea/charnes1981.csv");
  tfp_frame *e = ref_load("refs/dea/charnes1981_expected.csv");
  const char *xn[] = { "x1", "x2", "x3", "x4", "x5" }, *yn[] = { "y1", "y2", "y3" };
  const double *xb[5], *yb[3];
  tfp_dea_data d = data_of(f, xn, 5, yn, 3, xb, yb);
  struct { const char *col; tfp_dea_rts rts; tfp_dea_orientation or; } m[] = {
    { "crs_in", TFP_RTS_CRS, TFP_DEA_INPUT }, { "crs_out", TFP_RTS_CRS, TFP_DEA_OUTPUT },
    { "vrs_in", TFP_RTS_VRS, TFP_DEA_INPUT }, { "vrs_out", TFP_RTS_VRS, TFP_DEA_OUTPUT },
  };
  CHECK(e->nrow == 70 && f->nrow == 70);
  for (size_t k = 0; k < 4; k++) {
    const double *want = ref_col(e, m[k].col);
    for (int warm = 0; warm <= 1; warm++) {
      tfp_dea_result r = run(&d, NULL, m[k].rts, m[k].or, warm);
      CHECK(r.n_lp == 70 && r.n_infeasible == 0 && r.n_failed == 0);
      for (size_t j = 0; j < 70; j++) CHECK_NEAR(r.eff[j], want[j], 1e-6);
      tfp_dea_result_clear(&r);
    }
  }
  tfp_frame_free(f);
  tfp_frame_free(e);
}

/* Warm-started re-solves give the cold-start answers (to 1e-10: the two
   paths pivot differently, so the last bits may differ). */
static void warm_start_gives_the_cold_start_scores(void) {
  tfp_frame *f = ref_load("refs/dea/charnes1981.csv");
  const char *xn[] = { "x1", "x2", "x3", "x4", "x5" }, *yn[] = { "y1", "y2", "y3" };
  const double *xb[5], *yb[3];
  tfp_dea_data d = data_of(f, xn, 5, yn, 3, xb, yb);
  for (int rts = TFP_RTS_CRS; rts <= TFP_RTS_NDRS; rts++)
    for (int or = 0; or <= 1; or++) {
      tfp_dea_result w = run(&d, NULL, rts, or, 1), c = run(&d, NULL, rts, or, 0);
      for (size_t j = 0; j < d.n; j++) CHECK_NEAR(w.eff[j], c.eff[j], 1e-10);
      tfp_dea_result_clear(&w);
      tfp_dea_result_clear(&c);
    }
  tfp_frame_free(f);
}

/* DEAP guide eg1: published CRS input scores (3 decimals, to 6e-4), deaR's
   full-precision CRS/VRS scores both orientations (1e-6), and DEAP's
   published peer weights (printed to 3 decimals; deaR's lambdas to 5). */
static void deap_eg1_matches_published_scores_and_peer_weights(void) {
  tfp_frame *f = ref_load("refs/dea/deap_eg1_reproduced.csv");
  tfp_frame *g = ref_load("refs/dea/deap_eg1_published_full_vs_deaR.csv");
  const char *xn[] = { "x1", "x2" }, *yn[] = { "y" };
  const double *xb[2], *yb[1];
  tfp_dea_data d = data_of(f, xn, 2, yn, 1, xb, yb);
  struct { const char *col; tfp_dea_rts rts; tfp_dea_orientation or; } m[] = {
    { "te_crs_in", TFP_RTS_CRS, TFP_DEA_INPUT }, { "te_crs_out", TFP_RTS_CRS, TFP_DEA_OUTPUT },
    { "te_vrs_in", TFP_RTS_VRS, TFP_DEA_INPUT }, { "te_vrs_out", TFP_RTS_VRS, TFP_DEA_OUTPUT },
  };
  for (size_t k = 0; k < 4; k++) {
    tfp_dea_result r = run(&d, NULL, m[k].rts, m[k].or, 1);
    const double *want = ref_col(f, m[k].col);
    for (size_t j = 0; j < 5; j++) CHECK_NEAR(r.eff[j], want[j], 1e-6);
    if (k == 0) {
      const double *pub = ref_col(f, "published_te_crs_in"), *pub2 = ref_col(g, "te");
      for (size_t j = 0; j < 5; j++) {
        CHECK_NEAR(r.eff[j], pub[j], 6e-4);
        CHECK_NEAR(r.eff[j], pub2[j], 6e-4);
      }
    }
    tfp_dea_result_clear(&r);
  }
  tfp_dea_opts o;
  tfp_dea_opts_init(&o);
  o.want_lambda = 1;
  tfp_dea_result r;
  char err[256];
  CHECK(tfp_dea_run(&d, NULL, &o, &r, err, sizeof err) == TFP_OK);
  const double *l2 = ref_col(g, "lambda_firm2"), *l5 = ref_col(g, "lambda_firm5");
  for (size_t j = 0; j < 5; j++) {
    CHECK_NEAR(lambda(&r, j, 1), l2[j], 1e-4);
    CHECK_NEAR(lambda(&r, j, 4), l5[j], 1e-4);
    CHECK(lambda(&r, j, 0) == 0 || j == 0);   /* only firms 2 and 5 are peers */
    CHECK(lambda(&r, j, 2) == 0 && lambda(&r, j, 3) == 0);
  }
  /* DEAP: firm 3's peers are 5 and 2 with weights 0.500 and 1.000. */
  CHECK_NEAR(lambda(&r, 2, 4), 0.5, 6e-4);
  CHECK_NEAR(lambda(&r, 2, 1), 1.0, 6e-4);
  tfp_dea_result_clear(&r);
  tfp_frame_free(f);
  tfp_frame_free(g);
}

/* DEAP eg1's second stage: published slacks and targets (3 decimals, 6e-4)
   and deaR's two-stage targets and slacks (1e-6), both paths. */
static void deap_eg1_slacks_and_targets_match_deap_and_deaR(void) {
  tfp_frame *g = ref_load("refs/dea/deap_eg1_published_full_vs_deaR.csv");
  const char *xn[] = { "x1", "x2" }, *yn[] = { "y" };
  const double *xb[2], *yb[1];
  tfp_dea_data d = data_of(g, xn, 2, yn, 1, xb, yb);
  const char *pub_s[] = { "slack_x1", "slack_x2", "slack_y" };
  const char *ref_s[] = { "slack_x1_deaR", "slack_x2_deaR", "slack_y_deaR" };
  const char *pub_t[] = { "target_x1", "target_x2", "target_y" };
  const char *ref_t[] = { "target_x1_deaR", "target_x2_deaR", "target_y_deaR" };
  for (int warm = 0; warm <= 1; warm++) {
    tfp_dea_opts o;
    tfp_dea_opts_init(&o);
    o.want_slacks = 1;
    o.want_lambda = 1;
    o.warm_start = warm;
    tfp_dea_result r;
    char err[256];
    CHECK(tfp_dea_run(&d, NULL, &o, &r, err, sizeof err) == TFP_OK);
    CHECK(r.n_lp == 10 && r.n_slack_failed == 0);
    for (size_t j = 0; j < 5; j++)
      for (size_t v = 0; v < 3; v++) {
        double sl = r.slack[j * 3 + v];
        double data = v < 2 ? xb[v][j] : yb[0][j];
        double target = v < 2 ? r.eff[j] * data - sl : data + sl;
        CHECK_NEAR(sl, ref_col(g, pub_s[v])[j], 6e-4);
        CHECK_NEAR(sl, ref_col(g, ref_s[v])[j], 1e-6);
        CHECK_NEAR(target, ref_col(g, pub_t[v])[j], 6e-4);
        CHECK_NEAR(target, ref_col(g, ref_t[v])[j], 1e-6);
      }
    /* Peers from the second stage: DEAP's weights (lambda columns). */
    const double *l2 = ref_col(g, "lambda_firm2"), *l5 = ref_col(g, "lambda_firm5");
    for (size_t j = 0; j < 5; j++) {
      CHECK_NEAR(lambda(&r, j, 1), l2[j], 1e-4);
      CHECK_NEAR(lambda(&r, j, 4), l5[j], 1e-4);
    }
    tfp_dea_result_clear(&r);
  }
  tfp_frame_free(g);
}

/* Targets (radial projection less slacks) are fully efficient: against the
   same technology their score is 1 and their own slacks are 0. Charnes 1981
   data, every model. */
static void slack_targets_are_fully_efficient(void) {
  tfp_frame *f = ref_load("refs/dea/charnes1981.csv");
  const char *xn[] = { "x1", "x2", "x3", "x4", "x5" }, *yn[] = { "y1", "y2", "y3" };
  const double *xb[5], *yb[3];
  tfp_dea_data d = data_of(f, xn, 5, yn, 3, xb, yb);
  size_t n = d.n;
  double *tx[5], *ty[3];
  for (int v = 0; v < 5; v++) tx[v] = malloc(n * sizeof(double));
  for (int v = 0; v < 3; v++) ty[v] = malloc(n * sizeof(double));
  for (int rts = TFP_RTS_CRS; rts <= TFP_RTS_NDRS; rts++)
    for (int or = 0; or <= 1; or++) {
      tfp_dea_opts o;
      tfp_dea_opts_init(&o);
      o.rts = rts;
      o.orientation = or;
      o.want_slacks = 1;
      tfp_dea_result r, t;
      char err[256];
      CHECK(tfp_dea_run(&d, NULL, &o, &r, err, sizeof err) == TFP_OK);
      int nonneg = 1;
      for (size_t j = 0; j < n; j++) {
        double score = or == TFP_DEA_INPUT ? r.eff[j] : 1 / r.eff[j];
        for (int v = 0; v < 8; v++) if (!(r.slack[j * 8 + v] >= 0)) nonneg = 0;
        for (int v = 0; v < 5; v++)
          tx[v][j] = (or == TFP_DEA_INPUT ? score : 1) * xb[v][j] - r.slack[j * 8 + v];
        for (int v = 0; v < 3; v++)
          ty[v][j] = (or == TFP_DEA_INPUT ? 1 : score) * yb[v][j] + r.slack[j * 8 + 5 + v];
      }
      CHECK(nonneg);
      tfp_dea_data td = { n, 5, 3, (const double *const *)tx, (const double *const *)ty, xn, yn };
      CHECK(tfp_dea_run(&td, &d, &o, &t, err, sizeof err) == TFP_OK);
      int eff1 = 1, zero = 1;
      for (size_t j = 0; j < n; j++) {
        if (fabs(t.eff[j] - 1) > 1e-6) eff1 = 0;
        for (int v = 0; v < 8; v++) if (t.slack[j * 8 + v] > 1e-5) zero = 0;
      }
      CHECK(eff1);
      CHECK(zero);
      tfp_dea_result_clear(&r);
      tfp_dea_result_clear(&t);
    }
  for (int v = 0; v < 5; v++) free(tx[v]);
  for (int v = 0; v < 3; v++) free(ty[v]);
  tfp_frame_free(f);
}

/* DEAP 111 data (values up to 2.7e7 beside values near 1e4): firm 7's year-2
   data against the year-1 CRS frontier is 0.6312867 (DEAP prints 0.631; an
   unscaled solve returned 0.6385). Reference: scipy/HiGHS, deaR and
   Benchmarking agreeing to 1e-12. */
static void deap111_badly_scaled_cross_period_distance_matches_deap(void) {
  tfp_frame *f = ref_load("refs/dea/deap111_data.csv");
  tfp_frame *e = ref_load("refs/dea/deap111_reproduced_scipy_out.csv");
  const double *year = ref_col(f, "year"), *firm = ref_col(f, "firm");
  const char *xn[] = { "x1", "x2", "x3" }, *yn[] = { "y1", "y2", "y3" };
  double *x[2][3], *y[2][3];
  for (int t = 0; t < 2; t++)
    for (int v = 0; v < 3; v++) {
      x[t][v] = malloc(7 * sizeof(double));
      y[t][v] = malloc(7 * sizeof(double));
    }
  size_t cnt[2] = { 0, 0 };
  for (size_t i = 0; i < f->nrow; i++) {
    int t = (int)year[i] - 1;
    if (t < 0 || t > 1) continue;
    CHECK(firm[i] == (double)(cnt[t] + 1));
    for (int v = 0; v < 3; v++) {
      x[t][v][cnt[t]] = ref_col(f, xn[v])[i];
      y[t][v][cnt[t]] = ref_col(f, yn[v])[i];
    }
    cnt[t]++;
  }
  tfp_dea_data d1 = { 7, 3, 3, (const double *const *)x[0], (const double *const *)y[0], xn, yn };
  tfp_dea_data d2 = { 7, 3, 3, (const double *const *)x[1], (const double *const *)y[1], xn, yn };
  tfp_dea_result r = run(&d2, &d1, TFP_RTS_CRS, TFP_DEA_OUTPUT, 1);
  CHECK_NEAR(r.eff[6], 0.6312867, 1e-6);
  CHECK_NEAR(r.eff[6], 0.631, 6e-4);
  const double *ey = ref_col(e, "year"), *ef = ref_col(e, "firm"), *tm1 = ref_col(e, "crs_te_tech_tm1");
  size_t matched = 0;
  for (size_t i = 0; i < e->nrow; i++)
    if (ey[i] == 2) { CHECK_NEAR(r.eff[(size_t)ef[i] - 1], tm1[i], 1e-6); matched++; }
  CHECK(matched == 7);
  for (int or = 0; or <= 1; or++) {
    tfp_dea_result c = run(&d2, &d1, TFP_RTS_CRS, or, 0);
    for (size_t j = 0; j < 7; j++) CHECK_NEAR(c.eff[j], r.eff[j], 1e-9);
    tfp_dea_result_clear(&c);
  }
  tfp_dea_result_clear(&r);
  for (int t = 0; t < 2; t++)
    for (int v = 0; v < 3; v++) { free(x[t][v]); free(y[t][v]); }
  tfp_frame_free(f);
  tfp_frame_free(e);
}

/* Seeded data for the identities: log-normal inputs, Cobb-Douglas output
   with inefficiency. */
static uint64_t lcg_state;
static double unif(void) {
  lcg_state = lcg_state * 6364136223846793005ULL + 1442695040888963407ULL;
  return ((double)(lcg_state >> 11) + 0.5) / 9007199254740992.0;
}

typedef struct { size_t n; double *x1, *x2, *y; const double *xp[2], *yp[1]; tfp_dea_data d; } toy;

static void toy_make(toy *t, size_t n, uint64_t seed) {
  lcg_state = seed;
  t->n = n;
  t->x1 = malloc(n * sizeof(double));
  t->x2 = malloc(n * sizeof(double));
  t->y = malloc(n * sizeof(double));
  for (size_t j = 0; j < n; j++) {
    t->x1[j] = exp(2 * unif());
    t->x2[j] = exp(2 * unif());
    t->y[j] = pow(t->x1[j], 0.4) * pow(t->x2[j], 0.5) * exp(-0.5 * unif());
  }
  t->xp[0] = t->x1; t->xp[1] = t->x2; t->yp[0] = t->y;
  tfp_dea_data d = { n, 2, 1, t->xp, t->yp, NULL, NULL };
  t->d = d;
}

static void toy_free(toy *t) { free(t->x1); free(t->x2); free(t->y); }

static void crs_input_and_output_scores_are_equal_and_vrs_is_not_below_crs(void) {
  toy t;
  toy_make(&t, 200, 42);
  tfp_dea_result ci = run(&t.d, NULL, TFP_RTS_CRS, TFP_DEA_INPUT, 1);
  tfp_dea_result co = run(&t.d, NULL, TFP_RTS_CRS, TFP_DEA_OUTPUT, 1);
  int ok_eq = 1, ok_vrs = 1, ok_nirs = 1, ok_range = 1;
  for (int or = 0; or <= 1; or++) {
    tfp_dea_result v = run(&t.d, NULL, TFP_RTS_VRS, or, 1);
    tfp_dea_result ni = run(&t.d, NULL, TFP_RTS_NIRS, or, 1);
    tfp_dea_result nd = run(&t.d, NULL, TFP_RTS_NDRS, or, 1);
    const double *crs = or ? co.eff : ci.eff;
    for (size_t j = 0; j < t.n; j++) {
      if (!(v.eff[j] >= crs[j] - 1e-9)) ok_vrs = 0;
      /* CRS <= NIRS, NDRS <= VRS; one of NIRS/NDRS equals VRS. */
      if (!(ni.eff[j] >= crs[j] - 1e-9 && ni.eff[j] <= v.eff[j] + 1e-9 &&
            nd.eff[j] >= crs[j] - 1e-9 && nd.eff[j] <= v.eff[j] + 1e-9 &&
            (fabs(ni.eff[j] - v.eff[j]) < 1e-9 || fabs(nd.eff[j] - v.eff[j]) < 1e-9)))
        ok_nirs = 0;
      if (!(v.eff[j] > 0 && v.eff[j] <= 1 + 1e-9)) ok_range = 0;
    }
    tfp_dea_result_clear(&v); tfp_dea_result_clear(&ni); tfp_dea_result_clear(&nd);
  }
  for (size_t j = 0; j < t.n; j++) {
    if (fabs(ci.eff[j] - co.eff[j]) > 1e-9) ok_eq = 0;
    if (!(ci.eff[j] > 0 && ci.eff[j] <= 1 + 1e-9)) ok_range = 0;
  }
  CHECK(ok_eq);
  CHECK(ok_vrs);
  CHECK(ok_nirs);
  CHECK(ok_range);
  tfp_dea_result_clear(&ci);
  tfp_dea_result_clear(&co);
  toy_free(&t);
}

/* Returns to scale by hand: one input, one output, units (1,1), (2,3), (4,4).
   The CRS ray y = 1.5x goes through (2,3); (1,1) is below the ray on the
   small side (irs), (4,4) on the large side (drs); input scores 2/3, 1, 2/3. */
static void scale_efficiency_and_nature_follow_deap(void) {
  double x[] = { 1, 2, 4 }, y[] = { 1, 3, 4 };
  const double *xp[] = { x }, *yp[] = { y };
  tfp_dea_data d = { 3, 1, 1, xp, yp, NULL, NULL };
  tfp_dea_result c = run(&d, NULL, TFP_RTS_CRS, TFP_DEA_INPUT, 1);
  tfp_dea_result v = run(&d, NULL, TFP_RTS_VRS, TFP_DEA_INPUT, 1);
  tfp_dea_result ni = run(&d, NULL, TFP_RTS_NIRS, TFP_DEA_INPUT, 1);
  double scale[3];
  int nature[3];
  tfp_dea_scale_nature(3, c.eff, v.eff, ni.eff, 1e-6, scale, nature);
  CHECK_NEAR(c.eff[0], 2.0 / 3, 1e-9);
  CHECK_NEAR(c.eff[1], 1.0, 1e-9);
  CHECK_NEAR(c.eff[2], 2.0 / 3, 1e-9);
  CHECK_NEAR(scale[0], 2.0 / 3, 1e-9);
  CHECK_NEAR(scale[1], 1.0, 1e-9);
  CHECK(nature[0] == TFP_RTS_NATURE_IRS);
  CHECK(nature[1] == TFP_RTS_NATURE_CRS);
  CHECK(nature[2] == TFP_RTS_NATURE_DRS);
  tfp_dea_result_clear(&c); tfp_dea_result_clear(&v); tfp_dea_result_clear(&ni);
}

/* Andersen-Petersen: inefficient units keep their score, frontier units get
   >= 1; under VRS output orientation the largest-input unit has no feasible
   solution without itself: NaN, counted, never 0. By hand on the units
   (1,1), (2,3), (4,4): without (2,3) the CRS ray is y = x, so (2,3) needs
   input 3 = 1.5 * 2. */
static void super_efficiency_scores_frontier_units_and_reports_infeasible(void) {
  double x[] = { 1, 2, 4 }, y[] = { 1, 3, 4 };
  const double *xp[] = { x }, *yp[] = { y };
  tfp_dea_data d = { 3, 1, 1, xp, yp, NULL, NULL };
  tfp_dea_opts o;
  tfp_dea_opts_init(&o);
  o.super = 1;
  tfp_dea_result r;
  char err[256];
  for (int warm = 0; warm <= 1; warm++) {
    o.warm_start = warm;
    o.rts = TFP_RTS_CRS;
    o.orientation = TFP_DEA_INPUT;
    CHECK(tfp_dea_run(&d, NULL, &o, &r, err, sizeof err) == TFP_OK);
    CHECK_NEAR(r.eff[0], 2.0 / 3, 1e-9);
    CHECK_NEAR(r.eff[1], 1.5, 1e-9);
    CHECK_NEAR(r.eff[2], 2.0 / 3, 1e-9);
    CHECK(r.n_infeasible == 0);
    tfp_dea_result_clear(&r);
    o.rts = TFP_RTS_VRS;
    o.orientation = TFP_DEA_OUTPUT;
    CHECK(tfp_dea_run(&d, NULL, &o, &r, err, sizeof err) == TFP_OK);
    /* Unit 1 has the smallest input: no convex combination of the others
       uses as little. (2,3) against the segment (1,1)-(4,4) at x <= 2 reaches
       y = 2: 1/phi = 3/2. (4,4) against (2,3) reaches y = 3: 1/phi = 4/3. */
    CHECK(isnan(r.eff[0]) && r.status[0] == TFP_DEA_INFEASIBLE);
    CHECK(r.n_infeasible == 1);
    CHECK_NEAR(r.eff[1], 1.5, 1e-9);
    CHECK_NEAR(r.eff[2], 4.0 / 3, 1e-9);
    tfp_dea_result_clear(&r);
  }
}

/* Against another technology under VRS an LP can be infeasible (by hand:
   reference units (1,1), (2,3), (4,4); no convex combination reaches y = 10,
   or uses input 0.5): NaN with status infeasible, counted, never 0. The
   feasible unit (3,2): on the segment (1,1)-(2,3) y = 2 needs x = 1.5,
   so theta = 1.5 / 3 = 0.5. */
static void infeasible_cross_technology_lps_give_nan_and_are_counted(void) {
  double rx[] = { 1, 2, 4 }, ry[] = { 1, 3, 4 }, ex[] = { 5, 3, 0.5 }, ey[] = { 10, 2, 1 };
  const double *rxp[] = { rx }, *ryp[] = { ry }, *exp_[] = { ex }, *eyp[] = { ey };
  tfp_dea_data ref = { 3, 1, 1, rxp, ryp, NULL, NULL }, ev = { 3, 1, 1, exp_, eyp, NULL, NULL };
  for (int warm = 0; warm <= 1; warm++) {
    tfp_dea_result in = run(&ev, &ref, TFP_RTS_VRS, TFP_DEA_INPUT, warm);
    CHECK(isnan(in.eff[0]) && in.status[0] == TFP_DEA_INFEASIBLE);
    CHECK_NEAR(in.eff[1], 0.5, 1e-9);
    CHECK(in.n_infeasible == 1 && in.n_failed == 0);
    tfp_dea_result out = run(&ev, &ref, TFP_RTS_VRS, TFP_DEA_OUTPUT, warm);
    CHECK(isnan(out.eff[2]) && out.status[2] == TFP_DEA_INFEASIBLE);
    CHECK(out.n_infeasible == 1);
    tfp_dea_result_clear(&in);
    tfp_dea_result_clear(&out);
  }
}

/* Bad input: one row per case, the message names variable and row. */
/* Leaving dominated and inefficient units out of the reference set changes
   no score (1e-10), for every model, on data with many dominated units;
   against the plain warm start and the cold start. */
static void screening_the_reference_set_changes_no_score(void) {
  toy t;
  toy_make(&t, 400, 11);
  for (int rts = TFP_RTS_CRS; rts <= TFP_RTS_NDRS; rts++)
    for (int or = 0; or <= 1; or++) {
      tfp_dea_opts o;
      tfp_dea_opts_init(&o);
      o.rts = rts;
      o.orientation = or;
      tfp_dea_result a, b, c;
      char err[256];
      CHECK(tfp_dea_run(&t.d, NULL, &o, &a, err, sizeof err) == TFP_OK);
      CHECK(a.n_cols < t.n);   /* something was screened out */
      o.screen = 0;
      CHECK(tfp_dea_run(&t.d, NULL, &o, &b, err, sizeof err) == TFP_OK);
      o.warm_start = 0;
      CHECK(tfp_dea_run(&t.d, NULL, &o, &c, err, sizeof err) == TFP_OK);
      int same = 1;
      for (size_t j = 0; j < t.n; j++)
        if (fabs(a.eff[j] - b.eff[j]) > 1e-10 || fabs(a.eff[j] - c.eff[j]) > 1e-10) same = 0;
      CHECK(same);
      tfp_dea_result_clear(&a); tfp_dea_result_clear(&b); tfp_dea_result_clear(&c);
    }
  toy_free(&t);
}

static void bad_input_is_rejected_naming_the_variable_and_row(void) {
  double x1[] = { 1, 2, 3, 4 }, x2[] = { 1, 2, 3, 4 }, y[] = { 1, 2, 3, 4 };
  double x1z[] = { 1, 2, 0, 4 }, yn[] = { 1, NAN, 3, 4 }, yi[] = { 1, 2, 3, INFINITY };
  double x2neg[] = { 1, 2, 3, -4 };
  const char *xn[] = { "labor", "capital" }, *ynm[] = { "gdp" };
  struct {
    const double *x1, *x2, *y;
    size_t n;
    int super, use_ref;
    int want_rc;
    const char *msg1, *msg2;
  } cases[] = {
    { x1z, x2, y, 4, 0, 0, TFP_EDATA, "input 'labor', row 3", "non-positive" },
    { x1, x2neg, y, 4, 0, 0, TFP_EDATA, "input 'capital', row 4", "non-positive" },
    { x1, x2, yn, 4, 0, 0, TFP_EDATA, "output 'gdp', row 2", "missing" },
    { x1, x2, yi, 4, 0, 0, TFP_EDATA, "output 'gdp', row 4", "infinite" },
    { x1, x2, y, 2, 0, 0, TFP_EDATA, "2 units", "fewer than inputs + outputs" },
    { x1, x2, y, 4, 1, 1, TFP_EINVAL, "super-efficiency", "own reference" },
    { x1, x2, y, 4, 0, 2, TFP_EDATA, "reference input 'labor', row 3", "non-positive" },
  };
  for (size_t k = 0; k < sizeof cases / sizeof cases[0]; k++) {
    const double *xp[] = { cases[k].x1, cases[k].x2 }, *yp[] = { cases[k].y };
    tfp_dea_data d = { cases[k].n, 2, 1, xp, yp, xn, ynm };
    const double *xr[] = { x1z, x2 }, *yr[] = { y };
    tfp_dea_data ref = { 4, 2, 1, cases[k].use_ref == 2 ? xr : xp, yr, xn, ynm };
    tfp_dea_opts o;
    tfp_dea_opts_init(&o);
    o.super = cases[k].super;
    tfp_dea_result r;
    char err[256] = "";
    int rc = tfp_dea_run(&d, cases[k].use_ref ? &ref : NULL, &o, &r, err, sizeof err);
    CHECK(rc == cases[k].want_rc);
    CHECK_STR_CONTAINS(err, cases[k].msg1);
    CHECK_STR_CONTAINS(err, cases[k].msg2);
    CHECK(r.eff == NULL);
  }
}

static int stop_at_once(void *ud, const char *what, size_t done, size_t total) {
  (void)what; (void)total;
  *(size_t *)ud = done;
  return 1;
}

static void a_progress_callback_can_interrupt_the_run(void) {
  toy t;
  toy_make(&t, 600, 7);
  tfp_dea_opts o;
  tfp_dea_opts_init(&o);
  size_t seen = 0;
  o.progress = stop_at_once;
  o.progress_ud = &seen;
  tfp_dea_result r;
  char err[256] = "";
  CHECK(tfp_dea_run(&t.d, NULL, &o, &r, err, sizeof err) == TFP_EINTR);
  CHECK(seen == 1);   /* asked after every LP */
  CHECK_STR_CONTAINS(err, "interrupted");
  toy_free(&t);
}

/* Peers are stored per unit, at most n_in + n_out + 1 each: 3,000 units take
   kilobytes (a dense n x n matrix: 72 MB), and every unit's weights reproduce
   its score-scaled input (CRS, input orientation: sum_k lambda_k x_k <= theta x). */
static void peers_are_sparse_and_consistent_with_the_scores(void) {
  toy t;
  toy_make(&t, 3000, 7);
  tfp_dea_opts o;
  tfp_dea_opts_init(&o);
  o.want_lambda = 1;
  tfp_dea_result r;
  char err[256];
  CHECK(tfp_dea_run(&t.d, NULL, &o, &r, err, sizeof err) == TFP_OK);
  CHECK(r.max_peers == 4);
  int ok = 1;
  for (size_t j = 0; j < t.n; j++) {
    double y = 0, x1 = 0;
    for (size_t k = 0; k < r.n_peers[j]; k++) {
      size_t p = r.peer[j * r.max_peers + k];
      double l = r.peer_weight[j * r.max_peers + k];
      if (k > 0 && p <= r.peer[j * r.max_peers + k - 1]) ok = 0;   /* ascending */
      y += l * t.y[p];
      x1 += l * t.x1[p];
    }
    if (r.n_peers[j] == 0 || y < t.y[j] * (1 - 1e-6) || x1 > r.eff[j] * t.x1[j] * (1 + 1e-6)) ok = 0;
  }
  CHECK(ok);
  tfp_dea_result_clear(&r);
  toy_free(&t);
}

/* An allocation failure inside GLPK (here its own memory limit, which takes
   the same path as a failed malloc) is a clean TFP_ENOMEM, not GLPK's abort;
   GLPK works again afterwards. */
static void glpk_out_of_memory_is_an_error_not_an_abort(void) {
  toy t;
  toy_make(&t, 20000, 11);
  tfp_dea_opts o;
  tfp_dea_opts_init(&o);
  o.lp_memory_mb = 1;
  o.warm_start = 1;
  o.screen = 0;
  tfp_dea_result r;
  char err[256];
  CHECK(tfp_dea_run(&t.d, NULL, &o, &r, err, sizeof err) == TFP_ENOMEM);
  CHECK_STR_CONTAINS(err, "out of memory in GLPK while evaluating unit 1 of 20000 (its memory limit)");
  CHECK(r.eff == NULL);
  toy_free(&t);
  toy_make(&t, 50, 3);
  tfp_dea_opts_init(&o);
  CHECK(tfp_dea_run(&t.d, NULL, &o, &r, err, sizeof err) == TFP_OK);
  tfp_dea_result_clear(&r);
  toy_free(&t);
}

int main(void) {
  charnes1981_matches_benchmarking_in_all_four_models();
  warm_start_gives_the_cold_start_scores();
  deap_eg1_matches_published_scores_and_peer_weights();
  deap_eg1_slacks_and_targets_match_deap_and_deaR();
  slack_targets_are_fully_efficient();
  deap111_badly_scaled_cross_period_distance_matches_deap();
  crs_input_and_output_scores_are_equal_and_vrs_is_not_below_crs();
  scale_efficiency_and_nature_follow_deap();
  super_efficiency_scores_frontier_units_and_reports_infeasible();
  screening_the_reference_set_changes_no_score();
  infeasible_cross_technology_lps_give_nan_and_are_counted();
  bad_input_is_rejected_naming_the_variable_and_row();
  a_progress_callback_can_interrupt_the_run();
  peers_are_sparse_and_consistent_with_the_scores();
  glpk_out_of_memory_is_an_error_not_an_abort();
  return check_report("test_dea");
}
