/* test_sbm.c — SBM, super-SBM and SBM with undesirable outputs against the
   independent references of refs/green (scipy/HiGHS, cross-checked with
   deaR; README there): the synthetic panel's cross-sections and deaR's
   published examples, to 1e-6 absolute, NA (infeasible) patterns exactly. */
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include "check.h"
#include "green_refs.h"
#include "sbm.h"

static tfp_sbm_result run(const tfp_green_data *d, int vrs, tfp_sbm_orientation or, int super,
                          int colgen) {
  tfp_sbm_opts o;
  tfp_sbm_opts_init(&o);
  o.vrs = vrs;
  o.orientation = or;
  o.super = super;
  o.colgen = colgen;
  o.want_slacks = 1;
  tfp_sbm_result r;
  char err[256];
  if (tfp_sbm_run(d, &o, &r, err, sizeof err)) { fprintf(stderr, "tfp_sbm_run: %s\n", err); exit(2); }
  return r;
}

static const char *orient_word[] = { "nonoriented", "input", "output" };

static void synthetic_panel_sbm_matches_in_six_variants_each_year(void) {
  green_panel p;
  gp_load(&p);
  tfp_frame *e = ref_load("refs/green/synth_sbm.csv");
  for (int colgen = 0; colgen <= 1; colgen++)
    for (int vrs = 0; vrs <= 1; vrs++)
      for (int or = 0; or < 3; or++) {
        char col[64];
        snprintf(col, sizeof col, "rho_sbm_%s_%s", vrs ? "vrs" : "crs", orient_word[or]);
        const double *want = ref_col(e, col);
        for (int t = 0; t < GP_YEARS; t++) {
          tfp_green_data d = gp_year(&p, t, 0);
          tfp_sbm_result r = run(&d, vrs, or, 0, colgen);
          CHECK(r.n_infeasible == 0 && r.n_failed == 0);
          for (size_t j = 0; j < GP_UNITS; j++) CHECK_REF(r.rho[j], want[p.row[t][j]], 1e-6);
          tfp_sbm_result_clear(&r);
        }
      }
  tfp_frame_free(e);
  tfp_frame_free(p.f);
}

static void synthetic_panel_super_sbm_matches_with_its_infeasible_units(void) {
  green_panel p;
  gp_load(&p);
  tfp_frame *e = ref_load("refs/green/synth_supersbm.csv");
  for (int colgen = 0; colgen <= 1; colgen++)
    for (int vrs = 0; vrs <= 1; vrs++) {
      const double *flag = ref_col(e, vrs ? "sbm_efficient_vrs" : "sbm_efficient_crs");
      const double *score = ref_col(e, vrs ? "score_sbm_or_supersbm_vrs" : "score_sbm_or_supersbm_crs");
      for (int or = 0; or < 3; or++) {
        char col[64];
        snprintf(col, sizeof col, "delta_supersbm_%s_%s", vrs ? "vrs" : "crs", orient_word[or]);
        const double *want = ref_col(e, col);
        size_t n_na = 0;
        for (int t = 0; t < GP_YEARS; t++) {
          tfp_green_data d = gp_year(&p, t, 0);
          tfp_sbm_result r = run(&d, vrs, or, 1, colgen);
          for (size_t j = 0; j < GP_UNITS; j++) {
            size_t i = p.row[t][j];
            CHECK_REF(r.super[j], want[i], 1e-6);
            n_na += isnan(want[i]);
            CHECK((r.super_status[j] == TFP_SBM_INFEASIBLE) == isnan(want[i]));
            if (or == TFP_SBM_NONORIENTED) {
              CHECK((r.rho[j] >= 1 - 1e-9) == (flag[i] == 1));
              CHECK_REF(r.score[j], score[i], 1e-6);
            }
          }
          size_t cnt = 0;
          for (size_t j = 0; j < GP_UNITS; j++) cnt += r.super_status[j] == TFP_SBM_INFEASIBLE;
          CHECK(r.n_super_infeasible == cnt);
          tfp_sbm_result_clear(&r);
        }
        /* input VRS: U22 each year; output VRS: U03 and U24 each year */
        size_t want_na = !vrs || or == TFP_SBM_NONORIENTED ? 0 : or == TFP_SBM_INPUT ? 6 : 12;
        CHECK(n_na == want_na);
      }
    }
  tfp_frame_free(e);
  tfp_frame_free(p.f);
}

static void synthetic_panel_sbm_with_bad_output_matches(void) {
  green_panel p;
  gp_load(&p);
  tfp_frame *e = ref_load("refs/green/synth_sbm_undesirable.csv");
  for (int colgen = 0; colgen <= 1; colgen++)
    for (int vrs = 0; vrs <= 1; vrs++) {
      const double *want = ref_col(e, vrs ? "rho_sbmu_vrs" : "rho_sbmu_crs");
      for (int t = 0; t < GP_YEARS; t++) {
        tfp_green_data d = gp_year(&p, t, 1);
        tfp_sbm_result r = run(&d, vrs, TFP_SBM_NONORIENTED, 0, colgen);
        for (size_t j = 0; j < GP_UNITS; j++) CHECK_REF(r.rho[j], want[p.row[t][j]], 1e-6);
        /* the slacks reproduce rho's formula and the targets lie on the frontier */
        for (size_t j = 0; j < GP_UNITS; j++) {
          const double *s = r.slack + 4 * j;
          double num = 1 - 0.5 * (s[0] / d.x[0][j] + s[1] / d.x[1][j]);
          double den = 1 + 0.5 * (s[2] / d.y[0][j] + s[3] / d.b[0][j]);
          CHECK_NEAR(num / den, r.rho[j], 1e-7);
        }
        tfp_sbm_result_clear(&r);
      }
    }
  tfp_frame_free(e);
  tfp_frame_free(p.f);
}

/* deaR's example data sets (Tone 2001, Tone 2003, Power plants) against
   deaR's and scipy's values. */
static void dear_examples_match(void) {
  struct { const char *name; const char *xs[4]; size_t m; const char *ys[2]; size_t s; const char *bad; } ex[] = {
    { "Tone2001", { "Input1", "Input2" }, 2, { "Output1", "Output2" }, 2, NULL },
    { "Power_plants", { "X1", "X2", "X3", "X4" }, 4, { "Y1", "Y2" }, 2, NULL },
    { "Tone2003", { "x" }, 1, { "yg" }, 1, "yb" },
  };
  for (size_t k = 0; k < 3; k++) {
    char path[128];
    snprintf(path, sizeof path, "refs/green/deaR_examples/%s_data.csv", ex[k].name);
    tfp_frame *f = ref_load(path);
    snprintf(path, sizeof path, "refs/green/deaR_examples/%s_scipy.csv", ex[k].name);
    tfp_frame *e = ref_load(path);
    snprintf(path, sizeof path, "refs/green/deaR_examples/%s_deaR.csv", ex[k].name);
    tfp_frame *e2 = ref_load(path);
    const double *x[4], *y[2], *b[1];
    for (size_t i = 0; i < ex[k].m; i++) x[i] = ref_col(f, ex[k].xs[i]);
    for (size_t r = 0; r < ex[k].s; r++) y[r] = ref_col(f, ex[k].ys[r]);
    if (ex[k].bad) b[0] = ref_col(f, ex[k].bad);
    tfp_green_data d = { f->nrow, ex[k].m, ex[k].s, ex[k].bad ? 1 : 0, x, y, ex[k].bad ? b : NULL, NULL, NULL, NULL };
    for (int vrs = 0; vrs <= 1; vrs++) {
      if (ex[k].bad) {
        const char *col = vrs ? "rho_sbmu_vrs" : "rho_sbmu_crs";
        tfp_sbm_result r = run(&d, vrs, TFP_SBM_NONORIENTED, 0, 1);
        for (size_t j = 0; j < d.n; j++) {
          CHECK_REF(r.rho[j], ref_col(e, col)[j], 1e-6);
          CHECK_REF(r.rho[j], ref_col(e2, col)[j], 1e-6);
        }
        tfp_sbm_result_clear(&r);
        continue;
      }
      for (int or = 0; or < 3; or++) {
        tfp_sbm_result r = run(&d, vrs, or, 1, 1);
        char col[64], col2[64];
        snprintf(col, sizeof col, "rho_sbm_%s_%s", vrs ? "vrs" : "crs", orient_word[or]);
        snprintf(col2, sizeof col2, "delta_supersbm_%s_%s", vrs ? "vrs" : "crs", orient_word[or]);
        for (size_t j = 0; j < d.n; j++) {
          CHECK_REF(r.rho[j], ref_col(e, col)[j], 1e-6);
          CHECK_REF(r.rho[j], ref_col(e2, col)[j], 1e-6);
          CHECK_REF(r.super[j], ref_col(e, col2)[j], 1e-6);
          CHECK_REF(r.super[j], ref_col(e2, col2)[j], 1e-6);
        }
        tfp_sbm_result_clear(&r);
      }
    }
    tfp_frame_free(f); tfp_frame_free(e); tfp_frame_free(e2);
  }
}

static void published_tone_numbers_are_reproduced(void) {
  /* Tone (2001) SBM-CRS 0.7980 0.5682 1 0.6667 1 as deaR replicates it */
  tfp_frame *f = ref_load("refs/green/deaR_examples/Tone2001_data.csv");
  const double *x[2] = { ref_col(f, "Input1"), ref_col(f, "Input2") };
  const double *y[2] = { ref_col(f, "Output1"), ref_col(f, "Output2") };
  tfp_green_data d = { 5, 2, 2, 0, x, y, NULL, NULL, NULL, NULL };
  tfp_sbm_result r = run(&d, 0, TFP_SBM_NONORIENTED, 0, 1);
  const double want[5] = { 0.7980, 0.5682, 1, 0.6667, 1 };
  for (size_t j = 0; j < 5; j++) CHECK_NEAR(r.rho[j], want[j], 5e-5);
  tfp_sbm_result_clear(&r);
  tfp_frame_free(f);
}

static void bad_data_and_bad_options_are_errors_naming_them(void) {
  double x1[3] = { 1, 2, -3 }, y1[3] = { 1, 1, 1 };
  const double *x[1] = { x1 }, *y[1] = { y1 };
  const char *xn[1] = { "capital" };
  tfp_green_data d = { 3, 1, 1, 0, x, y, NULL, xn, NULL, NULL };
  tfp_sbm_result r;
  char err[256];
  CHECK(tfp_sbm_run(&d, NULL, &r, err, sizeof err) == TFP_EDATA);
  CHECK_STR_CONTAINS(err, "input 'capital', row 3: non-positive value -3");
  x1[2] = 3;
  tfp_green_data db = { 3, 1, 1, 1, x, y, y, xn, NULL, NULL };
  tfp_sbm_opts o;
  tfp_sbm_opts_init(&o);
  o.super = 1;
  CHECK(tfp_sbm_run(&db, &o, &r, err, sizeof err) == TFP_EINVAL);
  CHECK_STR_CONTAINS(err, "super-SBM with bad outputs");
}

int main(void) {
  synthetic_panel_sbm_matches_in_six_variants_each_year();
  synthetic_panel_super_sbm_matches_with_its_infeasible_units();
  synthetic_panel_sbm_with_bad_output_matches();
  dear_examples_match();
  published_tone_numbers_are_reproduced();
  bad_data_and_bad_options_are_errors_naming_them();
  return check_report("test_sbm");
}
