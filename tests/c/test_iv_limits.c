/* test_iv_limits.c — tfp_iv_fit has no hidden caps: many endogenous
   regressors get every first-stage statistic, a long list of endog() names
   is read to its end, and notes and messages keep long names and quoted
   errors whole, whether or not the caller passes an error buffer. */
#include <stdlib.h>
#include <string.h>
#include "check.h"
#include "iv.h"

enum { N = 600, K1 = 65, L1 = 67 };

static unsigned long long rng = 0x9E3779B97F4A7C15ULL;
static double unif(void)
{
  rng ^= rng << 13; rng ^= rng >> 7; rng ^= rng << 17;
  return ((rng >> 11) + 0.5) / 9007199254740992.0;
}
static double gauss(void) { return sqrt(-2 * log(unif())) * cos(6.283185307179586 * unif()); }

static double yv[N], xv[K1][N], zv[L1][N];
static char xname[K1][16], zname[L1][16];
static tfp_iv_var endog[K1], inst[L1];

/* y on K1 endogenous regressors, each driven by its own instrument and a
   shared error with y; two extra instruments overidentify. */
static void make_data(void)
{
  for (size_t i = 0; i < N; i++) {
    double u = gauss();
    for (size_t l = 0; l < L1; l++) zv[l][i] = gauss();
    yv[i] = u;
    for (size_t k = 0; k < K1; k++) {
      xv[k][i] = zv[k][i] + 0.3 * zv[K1 + k % 2][i] + 0.5 * u + 0.5 * gauss();
      yv[i] += 0.1 * xv[k][i];
    }
  }
  for (size_t k = 0; k < K1; k++) {
    snprintf(xname[k], sizeof xname[k], "x%zu", k + 1);
    endog[k].name = xname[k]; endog[k].x = xv[k];
  }
  for (size_t l = 0; l < L1; l++) {
    snprintf(zname[l], sizeof zname[l], "z%zu", l + 1);
    inst[l].name = zname[l]; inst[l].x = zv[l];
  }
}

static tfp_iv_data data(size_t n_endog, size_t n_inst)
{
  tfp_iv_data d;
  memset(&d, 0, sizeof d);
  d.n = N;
  d.y.name = "y"; d.y.x = yv;
  d.endog = endog; d.n_endog = n_endog;
  d.inst = inst; d.n_inst = n_inst;
  return d;
}

/* Sanderson-Windmeijer F needs the other K1 - 1 regressors: with 65 of them
   it used to be NaN with a p value of 0, silently. */
static void test_sixty_five_endogenous_regressors_get_sanderson_windmeijer_f(void)
{
  tfp_iv_data d = data(K1, L1);
  tfp_iv_result *r = NULL;
  char err[512];
  int rc = tfp_iv_fit(&d, NULL, &r, err, sizeof err);
  if (rc) fprintf(stderr, "%s\n", err);
  CHECK(rc == TFP_OK && r && r->n_first == K1);
  for (size_t j = 0; r && j < r->n_first; j++) {
    const tfp_iv_first *f = &r->first[j];
    CHECK(isfinite(f->sw_F) && f->sw_F > 0);
    CHECK(f->sw_p > 0 && f->sw_p <= 1);
    CHECK(f->sw_df == (double)(L1 - K1 + 1));
    /* strong instruments: SW F far above 10 */
    CHECK(f->sw_F > 10);
  }
  tfp_iv_result_free(r);
}

/* endog() names beyond the 256th were dropped without a word; each name is
   now read, and a repeated one is tested once. */
static void test_every_endog_name_is_read_and_repeats_count_once(void)
{
  enum { NT = 300 };
  const char *names[NT];
  for (size_t t = 0; t < NT; t++) names[t] = "x1";
  tfp_iv_data d = data(2, 3);
  d.endog_test = names; d.n_endog_test = NT;
  tfp_iv_result *r = NULL, *r1 = NULL;
  char err[512];
  CHECK(tfp_iv_fit(&d, NULL, &r, err, sizeof err) == TFP_OK);
  d.n_endog_test = 1;
  CHECK(tfp_iv_fit(&d, NULL, &r1, err, sizeof err) == TFP_OK);
  if (r && r1) {
    CHECK(r->endog_df == 1);
    CHECK_NEAR(r->endog, r1->endog, 1e-12);
    CHECK(isfinite(r->endog) && r->endog >= 0);
  }
  tfp_iv_result_free(r); tfp_iv_result_free(r1);
  names[NT - 1] = "y";   /* the last name is not an endogenous regressor */
  d.n_endog_test = NT;
  r = NULL;
  CHECK(tfp_iv_fit(&d, NULL, &r, err, sizeof err) == TFP_EINVAL && r == NULL);
  CHECK_STR_CONTAINS(err, "endog test: 'y' is not an endogenous regressor");
}

static char *long_name(char c, size_t len)
{
  char *s = malloc(len + 1);
  if (!s) return NULL;
  memset(s, c, len);
  s[len] = 0;
  return s;
}

/* Notes used to pass through a 512-byte buffer: a long name was cut. */
static void test_a_collinearity_note_keeps_a_long_name_whole(void)
{
  char *nm = long_name('w', 2000);
  static double dup[N];
  memcpy(dup, zv[0], sizeof dup);
  tfp_iv_var ex[2] = {{"z1copy", zv[0]}, {nm, dup}};
  tfp_iv_data d = data(1, 2);
  d.inst = inst + 1;   /* z2, z3: z1 stays an exogenous regressor */
  d.exog = ex; d.n_exog = 2;
  tfp_iv_result *r = NULL;
  CHECK(tfp_iv_fit(&d, NULL, &r, NULL, 0) == TFP_OK);
  if (r) {
    CHECK(r->n_dropped_vars == 1 && strcmp(r->dropped_vars[0], nm) == 0);
    char *want = malloc(2100);
    snprintf(want, 2100, "regressor %s omitted because of collinearity", nm);
    CHECK_STR_CONTAINS(r->notes, want);
    free(want);
  }
  tfp_iv_result_free(r);
  free(nm);
}

/* A note that quotes an error (a test that could not be computed) used to
   quote it through an 8-byte buffer when the caller passed err = NULL. An
   endogenous regressor equal to an instrument, on dyadic data, has exactly
   zero first-stage residuals, so the Davidson-MacKinnon regression is
   singular. */
static void test_a_note_quoting_an_error_is_whole_without_an_error_buffer(void)
{
  enum { M = 16 };
  static double y[M], z[M];
  for (size_t i = 0; i < M; i++) { z[i] = (double)(i % 4 == 0); y[i] = (double)(i % 3) + 0.25 * (double)(i % 5); }
  tfp_iv_var en[1] = {{"x", z}}, in[1] = {{"z", z}};
  tfp_iv_data d;
  memset(&d, 0, sizeof d);
  d.n = M; d.y.name = "y"; d.y.x = y;
  d.endog = en; d.n_endog = 1; d.inst = in; d.n_inst = 1;
  tfp_iv_result *r = NULL;
  CHECK(tfp_iv_fit(&d, NULL, &r, NULL, 0) == TFP_OK);
  if (r) {
    CHECK(isnan(r->dm));
    CHECK_STR_CONTAINS(r->notes, "Davidson-MacKinnon test not available (Cholesky factorisation "
                                 "(matrix not positive definite) failed (info ");
  }
  tfp_iv_result_free(r);
}

/* An error naming a long variable reaches a large enough caller buffer whole. */
static void test_an_error_keeps_a_long_name_whole(void)
{
  char *nm = long_name('v', 3000);
  static double bad[N];
  memcpy(bad, zv[0], sizeof bad);
  bad[9] = INFINITY;
  tfp_iv_var ex[1] = {{nm, bad}};
  tfp_iv_data d = data(1, 2);
  d.exog = ex; d.n_exog = 1;
  tfp_iv_result *r = NULL;
  char *err = malloc(4096), *want = malloc(4096);
  CHECK(tfp_iv_fit(&d, NULL, &r, err, 4096) == TFP_EDATA && r == NULL);
  snprintf(want, 4096, "variable '%s' is infinite at row 10", nm);
  CHECK(strcmp(err, want) == 0);
  free(err); free(want); free(nm);
}

int main(void)
{
  make_data();
  test_sixty_five_endogenous_regressors_get_sanderson_windmeijer_f();
  test_every_endog_name_is_read_and_repeats_count_once();
  test_a_collinearity_note_keeps_a_long_name_whole();
  test_a_note_quoting_an_error_is_whole_without_an_error_buffer();
  test_an_error_keeps_a_long_name_whole();
  return check_report("test_iv_limits");
}
