/* bench_dea.c — DEA and DEA-Malmquist timings: warm-started re-solves (one
   LP per technology) against the cold-start baseline (one LP built and
   solved from scratch per unit), in the same process on the same seeded
   data. Reports seconds, LPs per second, peak resident memory (ru_maxrss,
   a high-water mark of the whole process so far) and the speed ratio.

   usage: bench_dea [max_cold_units]
   The cold baseline evaluates at most max_cold_units units (default 2000)
   against the full reference set and is timed per LP; with fewer units
   than n the cold total is extrapolated (marked "est."). Results of the
   units both paths solve are compared (max abs difference printed). */
#include <math.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <sys/resource.h>
#include <time.h>
#include "dea.h"
#include "malmquist.h"

static uint64_t lcg_state = 20261129;
static double unif(void) {
  lcg_state = lcg_state * 6364136223846793005ULL + 1442695040888963407ULL;
  return ((double)(lcg_state >> 11) + 0.5) / 9007199254740992.0;
}

static double now(void) {
  struct timespec t;
  clock_gettime(CLOCK_MONOTONIC, &t);
  return (double)t.tv_sec + 1e-9 * (double)t.tv_nsec;
}

static double peak_mb(void) {
  struct rusage ru;
  getrusage(RUSAGE_SELF, &ru);
  return (double)ru.ru_maxrss / 1024.0;
}

/* Two inputs, one output: Cobb-Douglas with half-normal-like inefficiency. */
static void make_units(size_t n, double growth, double *x1, double *x2, double *y) {
  for (size_t j = 0; j < n; j++) {
    x1[j] = exp(3 * unif());
    x2[j] = exp(3 * unif());
    y[j] = growth * pow(x1[j], 0.35) * pow(x2[j], 0.55) * exp(-fabs(0.4 * (unif() - 0.5)));
  }
}

static int run(const tfp_dea_data *d, const tfp_dea_data *ref, tfp_dea_rts rts, int warm,
               tfp_dea_result *r) {
  tfp_dea_opts o;
  tfp_dea_opts_init(&o);
  o.rts = rts;
  o.warm_start = warm;
  char err[256];
  int rc = tfp_dea_run(d, ref, &o, r, err, sizeof err);
  if (rc) fprintf(stderr, "tfp_dea_run: %s\n", err);
  return rc;
}

static int bench_dea(size_t n, size_t max_cold, tfp_dea_rts rts) {
  double *x1 = malloc(n * sizeof *x1), *x2 = malloc(n * sizeof *x2), *y = malloc(n * sizeof *y);
  if (!x1 || !x2 || !y) return 1;
  make_units(n, 1.0, x1, x2, y);
  const double *xp[] = { x1, x2 }, *yp[] = { y };
  tfp_dea_data d = { n, 2, 1, xp, yp, NULL, NULL };
  size_t n_cold = n < max_cold ? n : max_cold;
  tfp_dea_data dc = { n_cold, 2, 1, xp, yp, NULL, NULL };
  const char *rn = rts == TFP_RTS_CRS ? "crs" : "vrs";

  tfp_dea_result cold, warm;
  double t0 = now();
  if (run(&dc, &d, rts, 0, &cold)) return 1;
  double t_cold = now() - t0, m_cold = peak_mb();
  t0 = now();
  if (run(&d, NULL, rts, 1, &warm)) return 1;
  double t_warm = now() - t0, m_warm = peak_mb();
  double diff = 0;
  for (size_t j = 0; j < n_cold; j++) diff = fmax(diff, fabs(cold.eff[j] - warm.eff[j]));
  double per_cold = t_cold / (double)n_cold, t_cold_all = per_cold * (double)n;
  printf("dea %s n=%-6zu warm: %8.3f s %7.0f LP/s %5.1f it/LP peak %6.1f MB | cold: %8.3f s%s "
         "%7.0f LP/s %5.1f it/LP (%zu LPs timed) peak %6.1f MB | cold/warm time %5.1fx | "
         "max |diff| %.1e\n",
         rn, n, t_warm, (double)n / t_warm, (double)warm.n_iter / (double)n, m_warm, t_cold_all,
         n_cold < n ? " est." : "     ", 1.0 / per_cold, (double)cold.n_iter / (double)n_cold,
         n_cold, m_cold, t_cold_all / t_warm, diff);
  tfp_dea_result_free(&cold);
  tfp_dea_result_free(&warm);
  free(x1); free(x2); free(y);
  return 0;
}

static int bench_malmquist(size_t n_units, size_t n_per) {
  size_t n = n_units * n_per;
  double *x1 = malloc(n * sizeof *x1), *x2 = malloc(n * sizeof *x2), *y = malloc(n * sizeof *y);
  double *t = malloc(n * sizeof *t);
  int *code = malloc(n * sizeof *code);
  if (!x1 || !x2 || !y || !t || !code) return 1;
  for (size_t p = 0; p < n_per; p++) {
    make_units(n_units, exp(0.02 * (double)p), x1 + p * n_units, x2 + p * n_units, y + p * n_units);
    for (size_t u = 0; u < n_units; u++) {
      t[p * n_units + u] = 2005.0 + (double)p;
      code[p * n_units + u] = (int)u;
    }
  }
  const double *xp[] = { x1, x2 }, *yp[] = { y };
  tfp_dea_data d = { n, 2, 1, xp, yp, NULL, NULL };
  tfp_malmquist_result r[2];
  double secs[2], mem[2];
  for (int warm = 0; warm <= 1; warm++) {
    tfp_malmquist_opts o;
    tfp_malmquist_opts_init(&o);
    o.warm_start = warm;
    char err[256];
    double t0 = now();
    if (tfp_malmquist_run(&d, code, n_units, t, &o, &r[warm], err, sizeof err)) {
      fprintf(stderr, "tfp_malmquist_run: %s\n", err);
      return 1;
    }
    secs[warm] = now() - t0;
    mem[warm] = peak_mb();
  }
  double diff = 0;
  for (size_t i = 0; i < n; i++)
    if (!isnan(r[1].change[TFP_MQ_TFPCH][i]))
      diff = fmax(diff, fabs(r[1].change[TFP_MQ_TFPCH][i] - r[0].change[TFP_MQ_TFPCH][i]));
  printf("malmquist %zu units x %zu periods (%zu LPs): warm %.3f s %.0f LP/s peak %.1f MB | "
         "cold %.3f s %.0f LP/s peak %.1f MB | cold/warm time %.1fx | max |diff tfpch| %.1e\n",
         n_units, n_per, r[1].n_lp, secs[1], (double)r[1].n_lp / secs[1], mem[1], secs[0],
         (double)r[0].n_lp / secs[0], mem[0], secs[0] / secs[1], diff);
  tfp_malmquist_result_free(&r[0]);
  tfp_malmquist_result_free(&r[1]);
  free(x1); free(x2); free(y); free(t); free(code);
  return 0;
}

int main(int argc, char **argv) {
  size_t max_cold = argc > 1 ? (size_t)strtoul(argv[1], NULL, 10) : 2000;
  if (max_cold == 0) max_cold = 1;
  printf("peak memory at start: %.1f MB\n", peak_mb());
  const size_t sizes[] = { 1000, 5000, 20000 };
  for (int k = 0; k < 3; k++) {
    if (bench_dea(sizes[k], max_cold, TFP_RTS_CRS)) return 1;
    if (bench_dea(sizes[k], max_cold, TFP_RTS_VRS)) return 1;
    fflush(stdout);
  }
  return bench_malmquist(261, 15);
}
