/* test_ivbatch.c — many fits on the pool (core/ivbatch.h): every fit equals
   tfp_iv_fit alone, bit for bit and for any thread count; a fit that fails
   on its data is an outcome and the others go on; a misuse fails the batch
   naming the lowest failing fit; an interruption stops it. */
#include <math.h>
#include <stdlib.h>
#include <string.h>
#include "check.h"
#include "ivbatch.h"

enum { N_UNITS = 60, T = 8, N = N_UNITS * T, NX = 5, N_SPECS = 1 << NX };

static double unit[N], year[N], y[N], s[N], z1[N], z2[N], x[NX][N], y_missing[N];
static char names[NX][4];

static double lcg(void) {
  static unsigned long long st = 20261201ULL;
  st = st * 6364136223846793005ULL + 1442695040888963407ULL;
  return ((double)(st >> 11) + 0.5) / 9007199254740992.0 - 0.5;
}

static void make_data(void) {
  for (size_t k = 0; k < N; k++) {
    unit[k] = (double)(k / T); year[k] = 2000.0 + (double)(k % T);
    z1[k] = lcg(); z2[k] = lcg();
    double xb = 0;
    for (int j = 0; j < NX; j++) { x[j][k] = lcg() + 0.3 * z1[k] * (j == 0); xb += 0.2 * (j + 1) * x[j][k]; }
    double u = lcg();
    s[k] = z1[k] + 0.5 * z2[k] + 0.4 * u + lcg();
    y[k] = 0.7 * s[k] + xb + u + 0.1 * unit[k];
    y_missing[k] = NAN;
  }
  for (int j = 0; j < NX; j++) { names[j][0] = 'x'; names[j][1] = (char)('1' + j); names[j][2] = 0; }
}

/* The 2^NX subsets of the controls, as the curve fits them. */
typedef struct {
  tfp_iv_var exog[N_SPECS][NX], endog[1], inst[2], dummies[1];
  tfp_iv_data d[N_SPECS];
  tfp_iv_opts o;
  tfp_iv_job jobs[N_SPECS];
} specs;

static void make_specs(specs *sp, tfp_iv_method method) {
  memset(sp, 0, sizeof *sp);
  sp->endog[0] = (tfp_iv_var){"s", s};
  sp->inst[0] = (tfp_iv_var){"z1", z1};
  sp->inst[1] = (tfp_iv_var){"z2", z2};
  sp->dummies[0] = (tfp_iv_var){"year", year};
  tfp_iv_opts_init(&sp->o);
  sp->o.method = method;
  sp->o.vce = TFP_VCE_ROBUST;
  for (int m = 0; m < N_SPECS; m++) {
    size_t k = 0;
    for (int j = 0; j < NX; j++)
      if (m & (1 << j)) sp->exog[m][k++] = (tfp_iv_var){names[j], x[j]};
    tfp_iv_data *d = &sp->d[m];
    d->n = N;
    d->y = (tfp_iv_var){"y", y};
    d->exog = sp->exog[m]; d->n_exog = k;
    d->endog = sp->endog; d->n_endog = 1;
    d->inst = sp->inst; d->n_inst = 2;
    d->dummies = sp->dummies; d->n_dummies = 1;
    d->absorb = unit;
    sp->jobs[m] = (tfp_iv_job){d, &sp->o};
  }
}

static int same_bits(double a, double b) { return memcmp(&a, &b, sizeof a) == 0; }

static void test_every_fit_equals_the_fit_alone_for_any_thread_count(void) {
  static specs sp;
  make_specs(&sp, TFP_IV_GMM2S);
  static tfp_iv_outcome out[3][N_SPECS];
  const int threads[3] = {1, 2, 3};
  char err[512];
  for (int a = 0; a < 3; a++) {
    tfp_iv_batch_opts bo;
    tfp_iv_batch_opts_init(&bo);
    bo.threads = threads[a];
    int used = 0;
    CHECK(tfp_iv_batch(sp.jobs, N_SPECS, &bo, out[a], &used, err, sizeof err) == TFP_OK);
    CHECK(used == threads[a]);
  }
  for (int m = 0; m < N_SPECS; m++) {
    tfp_iv_result *alone = NULL;
    CHECK(tfp_iv_fit(&sp.d[m], &sp.o, &alone, err, sizeof err) == TFP_OK);
    for (int a = 0; a < 3; a++) {
      const tfp_iv_result *r = out[a][m].r;
      CHECK(r && out[a][m].status == TFP_OK && !out[a][m].message);
      if (!r || !alone) continue;
      CHECK(r->k == alone->k && r->N == alone->N);
      for (size_t j = 0; j < r->k && j < alone->k; j++) {
        CHECK_NEAR(r->coef[j], alone->coef[j], 1e-12);
        CHECK_NEAR(r->se[j], alone->se[j], 1e-12);
      }
      CHECK_NEAR(r->kp_f, alone->kp_f, 1e-12);
      CHECK_NEAR(r->hansen_j, alone->hansen_j, 1e-12);
      /* and bit for bit across thread counts */
      const tfp_iv_result *r1 = out[0][m].r;
      if (r1) {
        CHECK(same_bits(r->coef[0], r1->coef[0]) && same_bits(r->se[0], r1->se[0]));
        CHECK(same_bits(r->kp_f, r1->kp_f) && same_bits(r->hansen_j, r1->hansen_j));
      }
    }
    tfp_iv_result_free(alone);
  }
  for (int a = 0; a < 3; a++) tfp_iv_outcome_clear(out[a], N_SPECS);
  CHECK(out[0][0].r == NULL);
}

static void test_a_fit_failing_on_its_data_is_an_outcome_and_the_others_go_on(void) {
  static specs sp;
  make_specs(&sp, TFP_IV_2SLS);
  tfp_iv_data bad = sp.d[3];
  bad.y = (tfp_iv_var){"y_missing", y_missing};
  sp.jobs[3].data = &bad;
  static tfp_iv_outcome out[N_SPECS];
  char err[512];
  CHECK(tfp_iv_batch(sp.jobs, N_SPECS, NULL, out, NULL, err, sizeof err) == TFP_OK);
  CHECK(out[3].r == NULL && out[3].status == TFP_EDATA);
  CHECK_STR_CONTAINS(out[3].message, "y_missing");
  CHECK(out[2].r && out[4].r && out[N_SPECS - 1].r);
  tfp_iv_outcome_clear(out, N_SPECS);
}

static void test_a_misuse_fails_the_batch_naming_the_lowest_failing_fit(void) {
  static specs sp;
  make_specs(&sp, TFP_IV_2SLS);
  /* s both endogenous and exogenous: no data can repair it */
  tfp_iv_var twice[1] = {{"s", s}};
  tfp_iv_data bad = sp.d[0];
  bad.exog = twice; bad.n_exog = 1;
  sp.jobs[9].data = &bad;
  sp.jobs[20].data = &bad;
  for (int th = 1; th <= 3; th++) {
    static tfp_iv_outcome out[N_SPECS];
    tfp_iv_batch_opts bo;
    tfp_iv_batch_opts_init(&bo);
    bo.threads = th;
    char err[512];
    CHECK(tfp_iv_batch(sp.jobs, N_SPECS, &bo, out, NULL, err, sizeof err) == TFP_EINVAL);
    CHECK_STR_CONTAINS(err, "fit 10: variable 's' is listed both");
    CHECK(out[0].r == NULL && out[N_SPECS - 1].r == NULL);   /* cleared */
  }
}

static int stop_at_once(void *ud, const char *what, size_t done, size_t total) {
  (void)ud; (void)what; (void)done; (void)total;
  return 1;
}

static void test_the_progress_callback_stops_the_batch(void) {
  enum { MANY = 20000 };   /* far more than 50 ms of fits: the callback is asked */
  static specs sp;
  make_specs(&sp, TFP_IV_GMM2S);
  tfp_iv_job *jobs = malloc(MANY * sizeof *jobs);
  tfp_iv_outcome *out = malloc(MANY * sizeof *out);
  for (size_t i = 0; i < MANY; i++) jobs[i] = sp.jobs[i % N_SPECS];
  tfp_iv_batch_opts bo;
  tfp_iv_batch_opts_init(&bo);
  bo.threads = 2;
  bo.progress = stop_at_once;
  bo.what = "curve";
  char err[512];
  CHECK(tfp_iv_batch(jobs, MANY, &bo, out, NULL, err, sizeof err) == TFP_EINTR);
  CHECK_STR_CONTAINS(err, "curve interrupted after");
  CHECK(out[0].r == NULL);
  free(jobs);
  free(out);
}

int main(void) {
  make_data();
  test_every_fit_equals_the_fit_alone_for_any_thread_count();
  test_a_fit_failing_on_its_data_is_an_outcome_and_the_others_go_on();
  test_a_misuse_fails_the_batch_naming_the_lowest_failing_fit();
  test_the_progress_callback_stops_the_batch();
  return check_report("test_ivbatch");
}
