/* test_meta.c — the metafrontier by group. With the years of the synthetic
   green panel as groups, the group frontiers are the contemporaneous ones
   and the metafrontier is the global one: refs/green/synth_ddf.csv's
   ddf_{crs,vrs} and ddf_global_{crs,vrs} (scipy/HiGHS), to 1e-6. The
   radial version against tfp_dea_run on each group and on the pool. */
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include "check.h"
#include "green_refs.h"
#include "meta.h"

static void years_as_groups_give_contemporaneous_and_global_ddfs(void) {
  tfp_frame *f = ref_load("refs/green/synth_green_panel.csv");
  tfp_frame *e = ref_load("refs/green/synth_ddf.csv");
  const double *x[2] = { ref_col(f, "capital"), ref_col(f, "labour") };
  const double *y[1] = { ref_col(f, "output") }, *b[1] = { ref_col(f, "emissions") };
  tfp_green_data d = { f->nrow, 2, 1, 1, x, y, b, NULL, NULL, NULL };
  int group[GP_YEARS * GP_UNITS];
  for (size_t i = 0; i < f->nrow; i++) group[i] = (int)ref_col(f, "year")[i] - 2001;
  for (int vrs = 0; vrs <= 1; vrs++) {
    tfp_meta_opts o;
    tfp_meta_opts_init(&o);
    o.model = TFP_META_DDF;
    o.rts = vrs ? TFP_RTS_VRS : TFP_RTS_CRS;
    tfp_meta_result r;
    char err[256];
    CHECK(tfp_meta_run(&d, group, GP_YEARS, &o, &r, err, sizeof err) == 0);
    const double *gw = ref_col(e, vrs ? "ddf_vrs" : "ddf_crs"), *mw = ref_col(e, vrs ? "ddf_global_vrs" : "ddf_global_crs");
    for (size_t i = 0; i < f->nrow; i++) {
      CHECK_NEAR(r.group_beta[i], gw[i], 1e-6);
      CHECK_NEAR(r.meta_beta[i], mw[i], 1e-6);
      CHECK_NEAR(r.tgr[i], (1 + gw[i]) / (1 + mw[i]), 1e-6);
      CHECK(r.tgr[i] <= 1 + 1e-9);
    }
    CHECK(r.n_lp == 2 * f->nrow);
    tfp_meta_result_clear(&r);
  }
  tfp_frame_free(e);
  tfp_frame_free(f);
}

static void radial_metafrontier_is_dea_on_each_group_and_on_the_pool(void) {
  tfp_frame *f = ref_load("refs/green/synth_green_panel.csv");
  const double *x[2] = { ref_col(f, "capital"), ref_col(f, "labour") }, *y[1] = { ref_col(f, "output") };
  size_t n = 60;   /* 2001 and 2002 */
  tfp_green_data d = { n, 2, 1, 0, x, y, NULL, NULL, NULL, NULL };
  int group[60];
  const char *names[2] = { "first half", "second half" };
  for (size_t i = 0; i < n; i++) group[i] = (i % 30) >= 15;
  tfp_meta_opts o;
  tfp_meta_opts_init(&o);
  o.rts = TFP_RTS_VRS;
  o.orientation = TFP_DEA_OUTPUT;
  o.group_names = names;
  tfp_meta_result r;
  char err[256];
  CHECK(tfp_meta_run(&d, group, 2, &o, &r, err, sizeof err) == 0);
  tfp_dea_opts dopt;
  tfp_dea_opts_init(&dopt);
  dopt.rts = TFP_RTS_VRS;
  dopt.orientation = TFP_DEA_OUTPUT;
  tfp_dea_data all = { n, 2, 1, x, y, NULL, NULL };
  tfp_dea_result m;
  CHECK(tfp_dea_run(&all, NULL, &dopt, &m, err, sizeof err) == 0);
  for (size_t i = 0; i < n; i++) {
    CHECK_NEAR(r.meta_eff[i], m.eff[i], 1e-9);
    CHECK(r.tgr[i] <= 1 + 1e-9 && r.group_eff[i] >= r.meta_eff[i] - 1e-9);
  }
  tfp_dea_result_clear(&m);
  tfp_meta_result_clear(&r);
  /* a group too small for its frontier is an error naming the group */
  for (size_t i = 0; i < n; i++) group[i] = i == 7;
  CHECK(tfp_meta_run(&d, group, 2, &o, &r, err, sizeof err) == TFP_EDATA);
  CHECK_STR_CONTAINS(err, "group 'second half'");
  tfp_frame_free(f);
}

int main(void) {
  years_as_groups_give_contemporaneous_and_global_ddfs();
  radial_metafrontier_is_dea_on_each_group_and_on_the_pool();
  return check_report("test_meta");
}
