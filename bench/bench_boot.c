/* bench_boot.c — the Simar-Wilson DEA bootstrap (core/boot.h) on 261 units
   (the embedded panel's cross-section size): seconds per 1,000 replications
   on 1 and 2 threads, input VRS and CRS, 2 inputs / 1 output, seeded
   Cobb-Douglas data with half-normal-like inefficiency. Each replication is
   one DEA of the 261 units against a pseudo technology (261 LPs). Checks
   that the two thread counts give the same numbers bit for bit.

   usage: bench_boot [reps]   (default 1000)

   Runs here (2 cores shared with other builds: load average 4-5 during
   both, so the second thread had little to run on; RelWithDebInfo, GLPK 5.0):
     ./bench_boot 1000               s / 1000 reps   LP/s
       VRS  1 thread                 11.61           22486
       VRS  2 threads                10.30           25328   same numbers: yes
       CRS  1 thread                  4.27           61176
       CRS  2 threads                 3.75           69678   same numbers: yes
     ./bench_boot 300 (a little less load)
       VRS  1 / 2 threads            21.77 / 12.34
       CRS  1 / 2 threads             4.82 /  4.21
   Peak RSS 6 MB. On an idle machine expect close to 2x with 2 threads: the
   replications share nothing but the input data. */
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include "boot.h"
#include "bench.h"

int main(int argc, char **argv) {
  size_t reps = argc > 1 ? (size_t)atol(argv[1]) : 1000, n = 261;
  double *x1 = malloc(n * sizeof *x1), *x2 = malloc(n * sizeof *x2), *y = malloc(n * sizeof *y);
  for (size_t j = 0; j < n; j++) {
    x1[j] = 1 + 99 * unif();
    x2[j] = 1 + 99 * unif();
    double u = fabs(sqrt(-2 * log(unif())) * cos(6.283185307179586 * unif()));
    y[j] = pow(x1[j], 0.4) * pow(x2[j], 0.5) * exp(-0.3 * u);
  }
  const double *xs[] = {x1, x2}, *ys[] = {y};
  tfp_dea_data d = { n, 2, 1, xs, ys, NULL, NULL };
  printf("bootstrap of %zu units, %zu replications (%zu LPs each)\n", n, reps, n);
  printf("%-5s %8s %14s %14s %8s %s\n", "rts", "threads", "seconds", "s / 1000 reps", "LP/s", "same numbers");
  const tfp_dea_rts rts[] = {TFP_RTS_VRS, TFP_RTS_CRS};
  for (int m = 0; m < 2; m++) {
    double *first = NULL;
    for (int th = 1; th <= 2; th++) {
      tfp_dea_opts dopt;
      tfp_dea_opts_init(&dopt);
      dopt.rts = rts[m];
      tfp_boot_opts o;
      tfp_boot_opts_init(&o);
      o.reps = reps; o.seed = 1; o.threads = th;
      tfp_boot_result r;
      char err[256];
      double t0 = now();
      if (tfp_dea_boot(&d, &dopt, &o, &r, err, sizeof err)) { fprintf(stderr, "%s\n", err); return 1; }
      double secs = now() - t0;
      int same = 1;
      if (!first) {
        first = malloc(n * sizeof *first);
        memcpy(first, r.eff_bc, n * sizeof *first);
      } else {
        same = memcmp(first, r.eff_bc, n * sizeof *first) == 0;
      }
      printf("%-5s %8d %14.2f %14.2f %8.0f %s\n", m == 0 ? "VRS" : "CRS", r.threads, secs,
             secs * 1000.0 / (double)reps, (double)r.n_lp / secs, th == 1 ? "-" : same ? "yes" : "NO");
      tfp_boot_result_clear(&r);
    }
    free(first);
  }
  printf("peak RSS %.0f MB\n", peak_mb());
  free(x1); free(x2); free(y);
  return 0;
}
