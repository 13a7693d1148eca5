/* bench_hull.c — the frame (hull) path against today's method in the same
   process: DEA CRS and VRS (2 inputs, 1 output, input orientation) for n =
   1e3 .. 1e6, and the DEAP Malmquist decomposition (output orientation,
   CRS and VRS parts) for 261 x 15 and 5,000 x 15. "today" is tfp_dea_run
   with hull = 0 (warm start, dominance screening, inefficient units dropped
   once found: the method before the frame), timed only where it finishes
   in reasonable time (n <= max_today, default 10,000). Prints seconds, the
   ratio, the largest score difference, the frame's size, and the slope of
   log time on log n over the hull path's sizes (the scaling exponent).

   usage: bench_hull [threads [max_n [max_today [what]]]]   (threads 0: all cores;
   what: 1 CRS, 2 VRS, 4 Malmquist 261 x 15, 8 Malmquist 5000 x 15, summed;
   default 15; the data come from one random stream, so a subset sees other data)
   The machine's load average is printed first: the 2 cores are shared.

   After the Malmquist work (CRS frame among the VRS frame's units, bases
   carried between runs over one frame, LPs of <= 192 columns without column
   generation, cert by dgetc2 without OpenBLAS's mutex, larger waves; quiet
   machine, load average 1.2-1.4, threads 0 = 2), against the commit before
   it in the same minutes: Malmquist 261 x 15 0.065-0.070 -> 0.041 s,
   5000 x 15 0.94-0.96 -> 0.75-0.76 s; CRS n = 1e5 0.25 -> 0.16 s, VRS
   n = 1e5 0.81-0.84 -> 0.75 s; max|diff| vs today 6.4e-13 (261 x 15, as
   before), 1.2e-10 (5000 x 15, as before), DEA <= 3.5e-13.

   One run after the basis certificates and ray order (cert.c, unit_order.c;
   2 cores shared with other jobs, load average 9.3-9.6; threads 0 = 2;
   ./bench_hull 0 100000 10000):
     CRS n = 1e3   0.013 s   today 0.095 s   7.2x    frame 15
     CRS n = 1e4   0.016 s   today 1.54 s    93x     frame 29
     CRS n = 1e5   0.246 s                           frame 42
     VRS n = 1e3   0.018 s   today 0.122 s   6.9x    frame 92
     VRS n = 1e4   0.125 s   today 5.29 s    42x     frame 249
     VRS n = 1e5   2.01 s                            frame 709
     Malmquist 261 x 15    0.091 s  today 0.442 s  4.9x
     Malmquist 5000 x 15   1.60 s   today 77.2 s   48x   (max |change diff| 1.2e-10)
   To 1e6 (./bench_hull 0 1000000 0 3, load 9.3-10.1): CRS n = 1e6 4.06 s
   (frame 63), VRS n = 1e6 28.7 s (frame 2023; peak 141 MB); VRS exponent 1e3..1e6 0.97
   (1e5 -> 1e6 alone: 1.23). Scores agree with today's to 4e-13 (DEA) and
   1.2e-10 (Malmquist changes); 1 and 2 threads give the same bits. On
   this loaded machine 2 threads barely beat 1: Malmquist 261 x 15 takes
   0.088 s of CPU.
   The run before them (load 5-6): CRS 1e4 0.098 s (9.8x), CRS 1e5 2.96 s,
   VRS 1e4 1.45 s (3.0x), VRS 1e5 41.9 s, Malmquist 261 x 15 0.32 s (2.3x),
   5000 x 15 21.5 s (3.6x); CRS n = 1e6 68.6 s at load 9. */
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include "bench.h"
#include "dea.h"
#include "malmquist.h"

static double run_dea(const tfp_dea_data *d, tfp_dea_rts rts, int hull, int threads, tfp_dea_result *r) {
  tfp_dea_opts o;
  tfp_dea_opts_init(&o);
  o.rts = rts;
  o.hull = hull;
  o.threads = threads;
  char err[256];
  double t0 = now();
  if (tfp_dea_run(d, NULL, &o, r, err, sizeof err)) { fprintf(stderr, "tfp_dea_run: %s\n", err); exit(1); }
  return now() - t0;
}

static double bench_dea(size_t n, tfp_dea_rts rts, int threads, size_t max_today) {
  double *x1 = malloc(n * sizeof *x1), *x2 = malloc(n * sizeof *x2), *y = malloc(n * sizeof *y);
  if (!x1 || !x2 || !y) exit(1);
  dea_units(n, 1.0, x1, x2, y);
  const double *xp[] = { x1, x2 }, *yp[] = { y };
  tfp_dea_data d = { n, 2, 1, xp, yp, NULL, NULL };
  tfp_dea_result h, t;
  double th = run_dea(&d, rts, 1, threads, &h);
  printf("  %-3s n = %8zu  hull %8.3f s  (frame %4zu units, %zu LPs)", rts == TFP_RTS_CRS ? "CRS" : "VRS", n, th,
         h.n_cols, h.n_lp);
  if (n <= max_today) {
    double tt = run_dea(&d, rts, 0, 1, &t);
    double diff = 0;
    for (size_t j = 0; j < n; j++) diff = fmax(diff, fabs(h.eff[j] - t.eff[j]));
    printf("  today %8.3f s  today/hull %6.1fx  max|diff| %.1e", tt, tt / th, diff);
    tfp_dea_result_clear(&t);
  }
  printf("  peak %.0f MB\n", peak_mb());
  fflush(stdout);
  tfp_dea_result_clear(&h);
  free(x1); free(x2); free(y);
  return th;
}

static void bench_malmquist(size_t n_units, size_t n_per, int threads, int today) {
  size_t n = n_units * n_per;
  double *x1 = malloc(n * sizeof *x1), *x2 = malloc(n * sizeof *x2), *y = malloc(n * sizeof *y);
  double *t = malloc(n * sizeof *t);
  int *code = malloc(n * sizeof *code);
  if (!x1 || !x2 || !y || !t || !code) exit(1);
  dea_panel(n_units, n_per, x1, x2, y, t, code);
  const double *xp[] = { x1, x2 }, *yp[] = { y };
  tfp_dea_data d = { n, 2, 1, xp, yp, NULL, NULL };
  tfp_malmquist_result r[2];
  double secs[2] = { 0, 0 };
  for (int k = 0; k < 1 + today; k++) {
    tfp_malmquist_opts o;
    tfp_malmquist_opts_init(&o);
    o.hull = k == 0;
    o.threads = k == 0 ? threads : 1;
    char err[256];
    double best = 1e30;
    for (int rep = 0; rep < (n_units < 1000 ? 5 : 1); rep++) {
      if (rep) tfp_malmquist_result_clear(&r[k]);
      double t0 = now();
      if (tfp_malmquist_run(&d, code, n_units, t, &o, &r[k], err, sizeof err)) {
        fprintf(stderr, "tfp_malmquist_run: %s\n", err);
        exit(1);
      }
      best = fmin(best, now() - t0);
    }
    secs[k] = best;
  }
  printf("  malmquist %zu x %zu  hull %.4f s (%zu LPs)", n_units, n_per, secs[0], r[0].n_lp);
  if (today) {
    double diff = 0;
    for (size_t i = 0; i < n; i++)
      for (int m = 0; m < TFP_MQ_NCOMP; m++)
        if (!isnan(r[1].change[m][i])) diff = fmax(diff, fabs(r[0].change[m][i] - r[1].change[m][i]));
    printf("  today %.4f s  today/hull %.1fx  max|diff| %.1e", secs[1], secs[1] / secs[0], diff);
    tfp_malmquist_result_clear(&r[1]);
  }
  printf("\n");
  fflush(stdout);
  tfp_malmquist_result_clear(&r[0]);
  free(x1); free(x2); free(y); free(t); free(code);
}

int main(int argc, char **argv) {
  int threads = argc > 1 ? atoi(argv[1]) : 0;
  size_t max_n = argc > 2 ? (size_t)strtod(argv[2], NULL) : 1000000;
  size_t max_today = argc > 3 ? (size_t)strtod(argv[3], NULL) : 10000;
  int what = argc > 4 ? atoi(argv[4]) : 15;   /* 1 CRS, 2 VRS, 4 Malmquist 261, 8 Malmquist 5000 */
  double la[3] = { 0, 0, 0 };
  FILE *f = fopen("/proc/loadavg", "r");
  if (f) { if (fscanf(f, "%lf %lf %lf", &la[0], &la[1], &la[2]) != 3) la[0] = NAN; fclose(f); }
  printf("threads %d (0: all cores = %d); load average %.2f %.2f %.2f\n", threads, tfp_pool_default_threads(),
         la[0], la[1], la[2]);
  for (int m = 0; m < 2; m++) {
    if (!(what & (1 << m))) continue;
    tfp_dea_rts rts = m ? TFP_RTS_VRS : TFP_RTS_CRS;
    double sx = 0, sy = 0, sxx = 0, sxy = 0;
    int k = 0;
    for (size_t n = 1000; n <= max_n; n *= 10) {
      double secs = bench_dea(n, rts, threads, max_today);
      double lx = log((double)n), ly = log(secs);
      sx += lx; sy += ly; sxx += lx * lx; sxy += lx * ly; k++;
    }
    if (k > 1)
      printf("  %s scaling exponent (slope of log time on log n, n = 1e3..%.0e): %.2f\n", m ? "VRS" : "CRS",
             (double)max_n, (k * sxy - sx * sy) / (k * sxx - sx * sx));
  }
  if (what & 4) bench_malmquist(261, 15, threads, 1);
  if (what & 8) bench_malmquist(5000, 15, threads, max_today >= 5000);
  printf("peak memory at end: %.1f MB (ru_maxrss, whole process)\n", peak_mb());
  return 0;
}
