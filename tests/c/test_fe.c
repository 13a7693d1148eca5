/* test_fe.c — absorbing fixed effects: after demeaning, every group mean of
   every FE is zero (the defining property of the projection), one FE takes
   one sweep, and a progress callback can stop the sweeps. */
#include <stdlib.h>
#include <string.h>
#include "check.h"
#include "fe.h"

enum { N_UNIT = 40, N_YEAR = 7, N = N_UNIT * N_YEAR };

static int unit[N], year[N];
static double x[N];

static void make(void) {
  for (int i = 0; i < N; i++) {
    unit[i] = i / N_YEAR;
    year[i] = i % N_YEAR;
    x[i] = sin(0.7 * i) + 0.1 * unit[i] + 0.3 * year[i] * year[i];
  }
}

static double max_group_mean(const int *code, size_t G, const double *v) {
  double sum[N] = {0}, cnt[N] = {0}, worst = 0;
  for (int i = 0; i < N; i++) { sum[code[i]] += v[i]; cnt[code[i]] += 1; }
  for (size_t g = 0; g < G; g++) if (fabs(sum[g] / cnt[g]) > worst) worst = fabs(sum[g] / cnt[g]);
  return worst;
}

static void two_way_demeaning_zeroes_every_group_mean(void) {
  make();
  const int *code[] = {unit, year};
  size_t G[] = {N_UNIT, N_YEAR};
  double *cols[] = {x};
  int iters = 0;
  char err[128];
  CHECK(tfp_fe_demean(N, code, G, 2, cols, 1, NULL, &iters, err, sizeof err) == TFP_OK);
  CHECK(max_group_mean(unit, N_UNIT, x) < 1e-9);
  CHECK(max_group_mean(year, N_YEAR, x) < 1e-9);
  /* a balanced panel: the two projections commute, so AP converges at once */
  CHECK(iters <= 3);
}

static void one_fixed_effect_is_one_exact_sweep(void) {
  make();
  const int *code[] = {unit};
  size_t G[] = {N_UNIT};
  double *cols[] = {x};
  int iters = 0;
  char err[128];
  CHECK(tfp_fe_demean(N, code, G, 1, cols, 1, NULL, &iters, err, sizeof err) == TFP_OK);
  CHECK(iters == 1);
  CHECK(max_group_mean(unit, N_UNIT, x) < 1e-12);
}

static int stop(void *ud, const char *what, size_t done, size_t total) {
  (void)what; (void)done; (void)total;
  ++*(int *)ud;
  return 1;
}

static void a_progress_callback_stops_the_sweeps(void) {
  make();
  const int *code[] = {unit};
  size_t G[] = {N_UNIT};
  double *cols[] = {x};
  int calls = 0;
  char err[128] = "";
  tfp_fe_opts o;
  tfp_fe_opts_init(&o);
  o.progress = stop;
  o.progress_ud = &calls;
  CHECK(tfp_fe_demean(N, code, G, 1, cols, 1, &o, NULL, err, sizeof err) == TFP_EINTR);
  CHECK(calls == 1);
  CHECK_STR_CONTAINS(err, "interrupted");
}

/* Two-way, weakly connected (slow alternating projections) on 200k rows:
   asked after every sweep, so a stop comes at once, with nothing leaked. */
static int stop_at_fifth(void *ud, const char *what, size_t done, size_t total) {
  (void)what; (void)done; (void)total;
  return ++*(int *)ud >= 5;
}

static void a_progress_callback_stops_two_way_sweeps_after_any_sweep(void) {
  enum { M = 200000, GA = 10000, GB = 400 };
  int *a = malloc(M * sizeof *a), *b = malloc(M * sizeof *b);
  double *v = malloc(M * sizeof *v);
  srand(11);
  for (int i = 0; i < M; i++) {
    a[i] = rand() % GA;
    b[i] = rand() % 100 == 0 ? rand() % GB : a[i] / (GA / GB);
    v[i] = (double)(rand() % 1000) / 100.0;
  }
  const int *code[] = {a, b};
  size_t G[] = {GA, GB};
  double *cols[] = {v};
  int calls = 0;
  char err[128] = "";
  tfp_fe_opts o;
  tfp_fe_opts_init(&o);
  o.progress = stop_at_fifth;
  o.progress_ud = &calls;
  CHECK(tfp_fe_demean(M, code, G, 2, cols, 1, &o, NULL, err, sizeof err) == TFP_EINTR);
  CHECK(calls == 5);   /* the fifth sweep: in the third iteration, not the sixteenth */
  CHECK_STR_CONTAINS(err, "interrupted");
  free(a); free(b); free(v);
}

int main(void) {
  a_progress_callback_stops_two_way_sweeps_after_any_sweep();
  two_way_demeaning_zeroes_every_group_mean();
  one_fixed_effect_is_one_exact_sweep();
  a_progress_callback_stops_the_sweeps();
  return check_report("test_fe");
}
