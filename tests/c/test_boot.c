/* test_boot.c — the Simar-Wilson bootstraps (core/boot.h): the DEA bootstrap
   against Benchmarking's dea.boot on year 2006 of the synthetic green panel
   (refs/green/README_frontiers.md; random, so within the tolerances stated
   there), the same numbers for any thread count, and the Malmquist
   bootstrap's intervals around its point estimates. */
#include <math.h>
#include <stdlib.h>
#include <string.h>
#include "check.h"
#include "refs.h"
#include "boot.h"

static void test_quantile_type9_is_rs(void) {
  double x[10];
  for (int k = 0; k < 10; k++) x[k] = k + 1;
  /* R: quantile(1:10, c(0.1, 0.5, 0.975, 0.01), type = 9) = 1.4, 5.5, 10, 1 */
  CHECK_NEAR(tfp_quantile9(x, 10, 0.1), 1.4, 1e-12);
  CHECK_NEAR(tfp_quantile9(x, 10, 0.5), 5.5, 1e-12);
  CHECK_NEAR(tfp_quantile9(x, 10, 0.975), 10, 1e-12);
  CHECK_NEAR(tfp_quantile9(x, 10, 0.01), 1, 1e-12);
}

/* Year 2006 of the panel: 30 units, inputs capital and labour, output output. */
typedef struct { double x1[64], x2[64], y[64]; const double *xs[2], *ys[1]; tfp_dea_data d; } year_data;

static void load_2006(year_data *yd) {
  tfp_frame *f = ref_load("refs/green/frontiers_synth_green_panel.csv");
  const double *yr = ref_col(f, "year"), *k = ref_col(f, "capital"), *l = ref_col(f, "labour"),
               *q = ref_col(f, "output");
  size_t m = 0;
  for (size_t i = 0; i < f->nrow; i++)
    if (yr[i] == 2006) { yd->x1[m] = k[i]; yd->x2[m] = l[i]; yd->y[m] = q[i]; m++; }
  tfp_frame_free(f);
  yd->xs[0] = yd->x1; yd->xs[1] = yd->x2; yd->ys[0] = yd->y;
  tfp_dea_data d = { m, 2, 1, yd->xs, yd->ys, NULL, NULL };
  yd->d = d;
}

static void boot(const year_data *yd, size_t reps, uint64_t seed, int threads, double bw,
                 tfp_boot_result *r) {
  tfp_dea_opts dopt;
  tfp_dea_opts_init(&dopt);
  dopt.rts = TFP_RTS_VRS;
  dopt.orientation = TFP_DEA_INPUT;
  tfp_boot_opts o;
  tfp_boot_opts_init(&o);
  o.reps = reps; o.seed = seed; o.threads = threads; o.bandwidth = bw;
  char err[256];
  if (tfp_dea_boot(&yd->d, &dopt, &o, r, err, sizeof err)) {
    fprintf(stderr, "tfp_dea_boot: %s\n", err);
    exit(2);
  }
}

static void test_dea_boot_matches_benchmarking(const year_data *yd, const tfp_boot_result *r,
                                               const char *path) {
  tfp_frame *ref = ref_load(path);
  CHECK(ref->nrow == 30 && r->n == 30);
  const double *eff = ref_col(ref, "eff"), *bc = ref_col(ref, "eff_bc"), *bias = ref_col(ref, "bias"),
               *var = ref_col(ref, "var"), *lo = ref_col(ref, "ci_lower"), *hi = ref_col(ref, "ci_upper");
  double worst_bc = 0, worst_lo = 0, worst_hi = 0, worst_var = 0;
  for (size_t j = 0; j < 30; j++) {
    CHECK_NEAR(r->eff[j], eff[j], 1e-9);
    CHECK(fabs(r->eff_bc[j] - bc[j]) <= 0.01);
    CHECK(fabs(r->bias[j] - bias[j]) <= 0.01);
    CHECK(fabs(r->lower[j] - lo[j]) <= 0.03);
    CHECK(fabs(r->upper[j] - hi[j]) <= 0.01);
    CHECK(fabs(r->var[j] - var[j]) <= 0.30 * var[j]);
    worst_bc = fmax(worst_bc, fabs(r->eff_bc[j] - bc[j]));
    worst_lo = fmax(worst_lo, fabs(r->lower[j] - lo[j]));
    worst_hi = fmax(worst_hi, fabs(r->upper[j] - hi[j]));
    worst_var = fmax(worst_var, fabs(r->var[j] / var[j] - 1));
    CHECK(r->lower[j] <= r->eff_bc[j] + 1e-12 && r->eff_bc[j] <= r->eff[j]);
  }
  printf("%s: largest |diff| eff_bc %.4f, ci_lower %.4f, ci_upper %.4f, var (relative) %.3f\n",
         path, worst_bc, worst_lo, worst_hi, worst_var);
  (void)yd;
  tfp_frame_free(ref);
}

static void test_bandwidth_is_dea_boots(const tfp_boot_result *r) {
  tfp_frame *ref = ref_load("refs/green/synth2006_boot_bandwidth_R.csv");   /* header: h,0.0901... */
  (void)ref;
  tfp_frame_free(ref);
  CHECK_NEAR(r->h, 0.090128656121362, 1e-9);
  CHECK_NEAR(tfp_boot_bandwidth(r->eff, r->n), 0.090128656121362, 1e-9);
}

static void test_the_same_numbers_for_any_thread_count(const year_data *yd) {
  tfp_boot_result a, b, c;
  boot(yd, 300, 7, 1, 0, &a);
  boot(yd, 300, 7, 2, 0, &b);
  boot(yd, 300, 8, 3, 0, &c);
  CHECK(a.threads == 1 && b.threads == 2);
  CHECK(memcmp(a.eff_bc, b.eff_bc, a.n * sizeof(double)) == 0);
  CHECK(memcmp(a.lower, b.lower, a.n * sizeof(double)) == 0);
  CHECK(memcmp(a.upper, b.upper, a.n * sizeof(double)) == 0);
  CHECK(memcmp(a.eff_bc, c.eff_bc, a.n * sizeof(double)) != 0);   /* another seed */
  tfp_boot_result_clear(&a); tfp_boot_result_clear(&b); tfp_boot_result_clear(&c);
}

static void test_a_given_bandwidth_is_used(const year_data *yd) {
  tfp_boot_result a, b;
  boot(yd, 200, 3, 2, 0.2, &a);
  boot(yd, 200, 3, 2, 0.01, &b);
  CHECK(a.h == 0.2 && b.h == 0.01);
  double wa = 0, wb = 0;
  for (size_t j = 0; j < a.n; j++) { wa += a.upper[j] - a.lower[j]; wb += b.upper[j] - b.lower[j]; }
  CHECK(wa > wb);   /* more smoothing, wider intervals */
  tfp_boot_result_clear(&a); tfp_boot_result_clear(&b);
}

static void test_misuse_is_refused(const year_data *yd) {
  tfp_boot_opts o;
  tfp_boot_opts_init(&o);
  tfp_boot_result r;
  char err[256] = "";
  o.reps = 1;
  CHECK(tfp_dea_boot(&yd->d, NULL, &o, &r, err, sizeof err) == TFP_EINVAL);
  o.reps = 10; o.alpha = 1.5;
  CHECK(tfp_dea_boot(&yd->d, NULL, &o, &r, err, sizeof err) == TFP_EINVAL);
  CHECK_STR_CONTAINS(err, "alpha");
}

static int stop_now(void *ud, const char *what, size_t done, size_t total) {
  (void)ud; (void)what; (void)done; (void)total;
  return 1;
}

static void test_progress_interrupts_the_bootstrap(const year_data *yd) {
  tfp_dea_opts dopt;
  tfp_dea_opts_init(&dopt);
  dopt.progress = stop_now;
  tfp_boot_opts o;
  tfp_boot_opts_init(&o);
  o.reps = 200000;
  o.threads = 2;
  tfp_boot_result r;
  char err[256] = "";
  CHECK(tfp_dea_boot(&yd->d, &dopt, &o, &r, err, sizeof err) == TFP_EINTR);
  CHECK(r.eff == NULL);
}

/* ------------------------------------------------------------ Malmquist */
typedef struct { tfp_frame *f; int *code; size_t n_units; const double *year; const double *xs[2], *ys[1]; tfp_dea_data d; } mq_panel;

static void mq_open(mq_panel *p) {
  p->f = ref_load("refs/green/frontiers_synth_green_panel.csv");
  p->year = ref_col(p->f, "year");
  p->code = malloc(p->f->nrow * sizeof *p->code);
  CHECK(tfp_group_codes(&p->f->col[tfp_frame_find(p->f, "id")], p->f->nrow, p->code, &p->n_units, NULL, NULL) == TFP_OK);
  p->xs[0] = ref_col(p->f, "capital"); p->xs[1] = ref_col(p->f, "labour"); p->ys[0] = ref_col(p->f, "output");
  tfp_dea_data d = { p->f->nrow, 2, 1, p->xs, p->ys, NULL, NULL };
  p->d = d;
}

static void mq_boot(const mq_panel *p, size_t reps, int threads, tfp_malmquist_boot_result *r) {
  tfp_boot_opts o;
  tfp_boot_opts_init(&o);
  o.reps = reps; o.seed = 5; o.threads = threads;
  char err[256];
  if (tfp_malmquist_boot(&p->d, p->code, p->n_units, p->year, NULL, &o, r, err, sizeof err)) {
    fprintf(stderr, "tfp_malmquist_boot: %s\n", err);
    exit(2);
  }
}

static void test_malmquist_boot_brackets_its_estimates(const mq_panel *p) {
  tfp_malmquist_boot_result a, b;
  mq_boot(p, 200, 1, &a);
  mq_boot(p, 200, 2, &b);
  tfp_malmquist_result plain;
  char err[256];
  CHECK(tfp_malmquist_run(&p->d, p->code, p->n_units, p->year, NULL, &plain, err, sizeof err) == TFP_OK);
  size_t n = p->f->nrow, with = 0, inside = 0;
  for (size_t i = 0; i < n; i++) {
    for (int k = 0; k < TFP_MQ_NCOMP; k++) {
      double est = a.mq.change[k][i];
      CHECK(est == plain.change[k][i] || (isnan(est) && isnan(plain.change[k][i])));
      CHECK(memcmp(&a.lower[k][i], &b.lower[k][i], sizeof(double)) == 0);   /* any thread count */
      CHECK(memcmp(&a.bc[k][i], &b.bc[k][i], sizeof(double)) == 0);
      if (isnan(est)) { CHECK(isnan(a.lower[k][i])); continue; }
      CHECK(a.lower[k][i] <= a.upper[k][i]);
      if (k == TFP_MQ_TFPCH) {
        with++;
        inside += a.lower[k][i] <= est && est <= a.upper[k][i];
        CHECK(a.upper[k][i] - a.lower[k][i] < 0.5);
      }
    }
  }
  CHECK(with == 150);              /* 30 units x 5 changes */
  CHECK(inside >= 140);            /* the estimate sits inside its own interval, nearly always */
  CHECK(a.n_lp == 200 * 5 * 6 * 30);
  CHECK(isnan(a.h[0]) && fabs(a.h[1] - pow(30, -1.0 / 6)) < 1e-15);
  tfp_malmquist_result_clear(&plain);
  tfp_malmquist_boot_result_clear(&a);
  tfp_malmquist_boot_result_clear(&b);
}

static void test_malmquist_boot_refuses_other_references(const mq_panel *p) {
  tfp_malmquist_opts mo;
  tfp_malmquist_opts_init(&mo);
  mo.reference = TFP_REF_SEQUENTIAL;
  tfp_malmquist_boot_result r;
  char err[256] = "";
  CHECK(tfp_malmquist_boot(&p->d, p->code, p->n_units, p->year, &mo, NULL, &r, err, sizeof err) == TFP_EINVAL);
  CHECK_STR_CONTAINS(err, "contemporaneous");
}

static int stop_in_replications(void *ud, const char *what, size_t done, size_t total) {
  (void)ud; (void)done; (void)total;
  return strcmp(what, "malmquist bootstrap") == 0;
}

static void test_malmquist_boot_stops_on_request(const mq_panel *p) {
  tfp_malmquist_opts mo;
  tfp_malmquist_opts_init(&mo);
  tfp_boot_opts o;
  tfp_boot_opts_init(&o);
  o.reps = 100000;
  o.threads = 2;
  mo.progress = stop_in_replications;
  tfp_malmquist_boot_result r;
  char err[256] = "";
  CHECK(tfp_malmquist_boot(&p->d, p->code, p->n_units, p->year, &mo, &o, &r, err, sizeof err) == TFP_EINTR);
  CHECK_STR_CONTAINS(err, "malmquist bootstrap interrupted");
  CHECK(r.h == NULL);
}

int main(void) {
  test_quantile_type9_is_rs();
  year_data yd;
  load_2006(&yd);
  tfp_boot_result r1, r2;
  /* 10,000 replications (Benchmarking's runs have 2,000): the tolerances
     cover two independent 2,000-replication runs, and ours only gets closer
     to the expectation with more */
  boot(&yd, 10000, 1, 0, 0, &r1);
  boot(&yd, 10000, 2, 0, 0, &r2);
  test_dea_boot_matches_benchmarking(&yd, &r1, "refs/green/synth2006_boot_vrs_in_seed1.csv");
  test_dea_boot_matches_benchmarking(&yd, &r2, "refs/green/synth2006_boot_vrs_in_seed2.csv");
  test_bandwidth_is_dea_boots(&r1);
  tfp_boot_result_clear(&r1);
  tfp_boot_result_clear(&r2);
  test_the_same_numbers_for_any_thread_count(&yd);
  test_a_given_bandwidth_is_used(&yd);
  test_misuse_is_refused(&yd);
  test_progress_interrupts_the_bootstrap(&yd);
  mq_panel mp;
  mq_open(&mp);
  test_malmquist_boot_brackets_its_estimates(&mp);
  test_malmquist_boot_refuses_other_references(&mp);
  test_malmquist_boot_stops_on_request(&mp);
  tfp_frame_free(mp.f);
  free(mp.code);
  return check_report("test_boot");
}
