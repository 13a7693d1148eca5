/* test_iv_kclass_vce.c — LIML, Fuller and k-class estimators with the VCEs of
   iv_vce.c where no ivreg2 fixture holds them (test_iv_stata.c checks k = 1
   and a just-identified LIML against ivreg2's two-way and HAC fixtures):
   - the overidentified LIML's two-way VCE is V(firm) + V(year) - V(firm x
     year) of its one-way cluster VCEs (Cameron, Gelbach & Miller; ivreg2's
     definition), whose k-class sandwich card_liml_*_cl checks;
   - Driscoll-Kraay with a Bartlett bandwidth of 1 (no lag) is the cluster VCE
     on the periods, for LIML and Fuller;
   - refused, with a usage error (TFP_EINVAL): k-class with Kiefer,
     fweights with a kernel VCE (HAC, Driscoll-Kraay), as ivreg2 refuses them. */
#include <stdlib.h>
#include <string.h>
#include "check.h"
#include "csv.h"
#include "iv.h"

#define TWOWAY "refs/stata-ivreg2/sim_twoway_data.csv"
#define WAGEPAN "refs/stata-ivreg2/wp_ck_data.csv"

static tfp_frame *read(const char *path)
{
  tfp_csv_opts o;
  tfp_csv_opts_init(&o);
  tfp_frame *f = NULL;
  char err[256];
  if (tfp_csv_read(path, &o, &f, err, sizeof err) != TFP_OK) fprintf(stderr, "%s\n", err);
  return f;
}

static const double *col(const tfp_frame *f, const char *name)
{
  int j = tfp_frame_find(f, name);
  if (j < 0) { fprintf(stderr, "no column %s\n", name); exit(2); }
  return f->col[j].num;
}

/* ivreg2 y x1 (endo1 = z1 z2) on the two-way data, LIML (or Fuller's a),
   clustered on c1 (and c2), with an optional kernel; *rc the fit's status. */
static tfp_iv_result *fit(const tfp_frame *f, double fuller, const double *c1, const double *c2,
                          tfp_iv_kernel kernel, double bw, int *rc)
{
  tfp_iv_var ex[1] = {{"x1", col(f, "x1")}}, en[1] = {{"endo1", col(f, "endo1")}};
  tfp_iv_var in[2] = {{"z1", col(f, "z1")}, {"z2", col(f, "z2")}};
  tfp_iv_data d;
  memset(&d, 0, sizeof d);
  d.n = f->nrow; d.y = (tfp_iv_var){"y", col(f, "y")};
  d.exog = ex; d.n_exog = 1; d.endog = en; d.n_endog = 1; d.inst = in; d.n_inst = 2;
  d.cluster = c1; d.cluster2 = c2;
  tfp_iv_opts o;
  tfp_iv_opts_init(&o);
  o.method = TFP_IV_LIML; o.fuller = fuller; o.vce = TFP_VCE_CLUSTER;
  o.kernel = kernel; o.bw = bw;
  tfp_iv_result *r = NULL;
  char err[512];
  *rc = tfp_iv_fit(&d, &o, &r, err, sizeof err);
  if (*rc) fprintf(stderr, "fit: %s\n", err);
  return r;
}

static void two_way_is_cgm(const tfp_frame *f, const double *firm, const double *year, const double *cell)
{
  int rc[4];
  tfp_iv_result *r2 = fit(f, 0, firm, year, TFP_KERNEL_NONE, 0, &rc[0]);
  tfp_iv_result *ra = fit(f, 0, firm, NULL, TFP_KERNEL_NONE, 0, &rc[1]);
  tfp_iv_result *rb = fit(f, 0, year, NULL, TFP_KERNEL_NONE, 0, &rc[2]);
  tfp_iv_result *rab = fit(f, 0, cell, NULL, TFP_KERNEL_NONE, 0, &rc[3]);
  CHECK(!rc[0] && !rc[1] && !rc[2] && !rc[3]);
  if (!rc[0] && !rc[1] && !rc[2] && !rc[3]) {
    CHECK(r2->lambda > 1.0 + 1e-6);   /* overidentified: not 2SLS */
    CHECK(r2->N_clust == 10 && r2->N_clust1 == 25 && r2->N_clust2 == 10);
    size_t k = r2->k;
    for (size_t i = 0; i < k; i++) CHECK_NEAR(r2->coef[i], ra->coef[i], 1e-12);
    for (size_t i = 0; i < k * k; i++) {
      double want = ra->V[i] + rb->V[i] - rab->V[i];
      CHECK_NEAR(r2->V[i], want, 1e-10 * sqrt(fabs(ra->V[(i % k) * (k + 1)] * ra->V[(i / k) * (k + 1)])) + 1e-300);
    }
  }
  tfp_iv_result_free(r2); tfp_iv_result_free(ra); tfp_iv_result_free(rb); tfp_iv_result_free(rab);
}

static void dkraay_without_lags_is_cluster_on_periods(const tfp_frame *f, const double *year, double fuller)
{
  int rc[2];
  tfp_iv_result *dk = fit(f, fuller, year, NULL, TFP_KERNEL_BARTLETT, 1, &rc[0]);
  tfp_iv_result *cl = fit(f, fuller, year, NULL, TFP_KERNEL_NONE, 0, &rc[1]);
  CHECK(!rc[0] && !rc[1]);
  if (!rc[0] && !rc[1]) {
    CHECK(dk->N_clust == cl->N_clust);
    for (size_t i = 0; i < dk->k; i++) CHECK_NEAR(dk->coef[i], cl->coef[i], 1e-12);
    for (size_t i = 0; i < dk->k * dk->k; i++) CHECK_NEAR(dk->V[i], cl->V[i], 1e-12);
    CHECK_NEAR(dk->hansen_j, cl->hansen_j, 1e-10);
  }
  tfp_iv_result_free(dk); tfp_iv_result_free(cl);
}

/* Kiefer with LIML, and fweights with HAC or Driscoll-Kraay (ivreg2 refuses them): refused. */
static void unverified_combinations_are_refused(const tfp_frame *f, const tfp_frame *wp)
{
  tfp_iv_var ex[1] = {{"exper", col(wp, "exper")}}, en[1] = {{"hours", col(wp, "hours")}};
  tfp_iv_var in[2] = {{"educ", col(wp, "educ")}, {"black", col(wp, "black")}};
  tfp_iv_data d;
  memset(&d, 0, sizeof d);
  d.n = wp->nrow; d.y = (tfp_iv_var){"lwage", col(wp, "lwage")};
  d.exog = ex; d.n_exog = 1; d.endog = en; d.n_endog = 1; d.inst = in; d.n_inst = 2;
  d.time = col(wp, "year"); d.panel = col(wp, "nr");
  tfp_iv_opts o;
  tfp_iv_opts_init(&o);
  o.method = TFP_IV_LIML; o.kiefer = 1;
  tfp_iv_result *r = NULL;
  char err[512] = "";
  CHECK(tfp_iv_fit(&d, &o, &r, err, sizeof err) == TFP_EINVAL);
  CHECK_STR_CONTAINS(err, "Kiefer VCE are not supported");
  tfp_iv_result_free(r); r = NULL;
  /* fweights with HAC */
  double *w = malloc(wp->nrow * sizeof *w);
  for (size_t i = 0; i < wp->nrow; i++) w[i] = 1.0 + (double)(i % 3);
  o.method = TFP_IV_2SLS; o.kiefer = 0; o.vce = TFP_VCE_ROBUST; o.kernel = TFP_KERNEL_BARTLETT; o.bw = 2;
  d.weights = w; d.wtype = TFP_IV_FWEIGHT; d.weights_name = "w";
  CHECK(tfp_iv_fit(&d, &o, &r, err, sizeof err) == TFP_EINVAL);
  CHECK_STR_CONTAINS(err, "weights with a kernel VCE");
  tfp_iv_result_free(r); r = NULL;
  free(w);
  /* fweights with Driscoll-Kraay */
  int rc;
  double *wt = malloc(f->nrow * sizeof *wt);
  for (size_t i = 0; i < f->nrow; i++) wt[i] = 1.0;
  tfp_iv_var ex2[1] = {{"x1", col(f, "x1")}}, en2[1] = {{"endo1", col(f, "endo1")}};
  tfp_iv_var in2[2] = {{"z1", col(f, "z1")}, {"z2", col(f, "z2")}};
  memset(&d, 0, sizeof d);
  d.n = f->nrow; d.y = (tfp_iv_var){"y", col(f, "y")};
  d.exog = ex2; d.n_exog = 1; d.endog = en2; d.n_endog = 1; d.inst = in2; d.n_inst = 2;
  d.cluster = col(f, "year_id"); d.weights = wt; d.wtype = TFP_IV_FWEIGHT;
  tfp_iv_opts_init(&o);
  o.vce = TFP_VCE_CLUSTER; o.kernel = TFP_KERNEL_BARTLETT; o.bw = 2;
  rc = tfp_iv_fit(&d, &o, &r, err, sizeof err);
  CHECK(rc == TFP_EINVAL);
  tfp_iv_result_free(r);
  free(wt);
}

int main(void)
{
  tfp_frame *f = read(TWOWAY), *wp = read(WAGEPAN);
  if (!f || !wp) return 2;
  const double *firm = col(f, "firm_id"), *year = col(f, "year_id");
  double *cell = malloc(f->nrow * sizeof *cell);
  for (size_t i = 0; i < f->nrow; i++) cell[i] = firm[i] * 1000 + year[i];
  two_way_is_cgm(f, firm, year, cell);
  dkraay_without_lags_is_cluster_on_periods(f, year, 0);
  dkraay_without_lags_is_cluster_on_periods(f, year, 1);
  unverified_combinations_are_refused(f, wp);
  free(cell);
  tfp_frame_free(f);
  tfp_frame_free(wp);
  return check_report("test_iv_kclass_vce");
}
