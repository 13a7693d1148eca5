/* test_ddf.c — directional distance functions with a weakly disposable bad
   output against refs/green/synth_ddf.csv (scipy/HiGHS, cross-checked with
   Benchmarking and deaR): contemporaneous, global (every year pooled) and
   without the bad output, CRS and VRS, to 1e-6 absolute. */
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include "check.h"
#include "green_refs.h"
#include "ddf.h"

static tfp_ddf_result run(const tfp_green_data *eval, const tfp_green_data *ref, int vrs, int colgen) {
  tfp_ddf_opts o;
  tfp_ddf_opts_init(&o);
  o.vrs = vrs;
  o.colgen = colgen;
  tfp_ddf_result r;
  char err[256];
  if (tfp_ddf_run(eval, ref, NULL, &o, NULL, &r, err, sizeof err)) { fprintf(stderr, "tfp_ddf_run: %s\n", err); exit(2); }
  return r;
}

static void contemporaneous_global_and_no_bad_output_ddfs_match(void) {
  green_panel p;
  gp_load(&p);
  tfp_frame *e = ref_load("refs/green/synth_ddf.csv");
  const double *x[2] = { ref_col(p.f, "capital"), ref_col(p.f, "labour") };
  const double *y[1] = { ref_col(p.f, "output") }, *b[1] = { ref_col(p.f, "emissions") };
  tfp_green_data all = { p.f->nrow, 2, 1, 1, x, y, b, NULL, NULL, NULL };
  for (int colgen = 0; colgen <= 1; colgen++)
    for (int vrs = 0; vrs <= 1; vrs++) {
      const char *rts = vrs ? "vrs" : "crs";
      char c1[32], c2[32], c3[32];
      snprintf(c1, sizeof c1, "ddf_%s", rts);
      snprintf(c2, sizeof c2, "ddf_global_%s", rts);
      snprintf(c3, sizeof c3, "ddf_nobad_%s", rts);
      for (int t = 0; t < GP_YEARS; t++) {
        for (int bad = 0; bad <= 1; bad++) {
          tfp_green_data d = gp_year(&p, t, bad);
          tfp_ddf_result r = run(&d, NULL, vrs, colgen);
          CHECK(r.stats.n_infeasible == 0 && r.stats.n_failed == 0 && r.stats.n_lp == GP_UNITS);
          const double *want = ref_col(e, bad ? c1 : c3);
          for (size_t j = 0; j < GP_UNITS; j++) CHECK_REF(r.beta[j], want[p.row[t][j]], 1e-6);
          tfp_ddf_result_clear(&r);
        }
        /* the year's units against the global technology */
        tfp_green_data d = gp_year(&p, t, 1);
        tfp_ddf_result r = run(&d, &all, vrs, colgen);
        const double *want = ref_col(e, c2);
        for (size_t j = 0; j < GP_UNITS; j++) CHECK_REF(r.beta[j], want[p.row[t][j]], 1e-6);
        tfp_ddf_result_clear(&r);
      }
    }
  tfp_frame_free(e);
  tfp_frame_free(p.f);
}

/* A given direction: (0, 1, 1) in units of the data. Scaling the output
   column by 1000 and its direction with it leaves beta unchanged; the
   observed direction equals the direction given as the data's own columns. */
static void a_given_direction_is_used_and_units_invariant(void) {
  green_panel p;
  gp_load(&p);
  tfp_green_data d = gp_year(&p, 5, 1);
  double big[GP_UNITS], one[GP_UNITS], thousand[GP_UNITS];
  for (size_t j = 0; j < GP_UNITS; j++) { big[j] = 1000 * d.y[0][j]; one[j] = 1; thousand[j] = 1000; }
  const double *g1[4] = { NULL, NULL, one, one };
  const double *g2[4] = { NULL, NULL, thousand, one };
  const double *gobs[4] = { NULL, NULL, d.y[0], d.b[0] };
  const double *yb[1] = { big };
  tfp_green_data d2 = d;
  d2.y = yb;
  tfp_ddf_opts o;
  tfp_ddf_opts_init(&o);
  tfp_ddf_result a, b, c, obs;
  char err[256];
  CHECK(tfp_ddf_run(&d, NULL, g1, &o, NULL, &a, err, sizeof err) == 0);
  CHECK(tfp_ddf_run(&d2, NULL, g2, &o, NULL, &b, err, sizeof err) == 0);
  CHECK(tfp_ddf_run(&d, NULL, gobs, &o, NULL, &c, err, sizeof err) == 0);
  CHECK(tfp_ddf_run(&d, NULL, NULL, &o, NULL, &obs, err, sizeof err) == 0);
  int differs = 0;
  for (size_t j = 0; j < GP_UNITS; j++) {
    CHECK_NEAR(a.beta[j], b.beta[j], 1e-9);
    CHECK_NEAR(c.beta[j], obs.beta[j], 1e-9);
    CHECK(a.beta[j] >= -1e-12);
    differs |= fabs(a.beta[j] - obs.beta[j]) > 1e-3;
  }
  CHECK(differs);
  tfp_ddf_result_clear(&a); tfp_ddf_result_clear(&b); tfp_ddf_result_clear(&c); tfp_ddf_result_clear(&obs);
  /* a negative or all-zero direction is an error naming the unit */
  double neg[GP_UNITS];
  for (size_t j = 0; j < GP_UNITS; j++) neg[j] = j == 4 ? -1 : 1;
  const double *gn[4] = { NULL, NULL, neg, NULL };
  CHECK(tfp_ddf_run(&d, NULL, gn, &o, NULL, &a, err, sizeof err) == TFP_EDATA);
  CHECK_STR_CONTAINS(err, "direction of output 'output', row 5: -1");
  const double *gz[4] = { NULL, NULL, NULL, NULL };
  CHECK(tfp_ddf_run(&d, NULL, gz, &o, NULL, &a, err, sizeof err) == TFP_EDATA);
  CHECK_STR_CONTAINS(err, "direction of row 1 is 0 in every variable");
  tfp_frame_free(p.f);
}

int main(void) {
  contemporaneous_global_and_no_bad_output_ddfs_match();
  a_given_direction_is_used_and_units_invariant();
  return check_report("test_ddf");
}
