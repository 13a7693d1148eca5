/* bench_green.c — SBM, DDF and GML timings on seeded panels with a bad
   output: 261 units x 15 years (the paper's panel) and 5,000 x 15. SBM and
   DDF are each year's cross-section against its own frontier (non-oriented
   SBM with the bad output; DDF with weak disposability, observed
   direction), CRS; GML is tfp_ml_run (each year's DDF plus every
   observation against the global frontier of all years pooled). Reports
   seconds, LPs, LPs per second, simplex iterations per LP and columns
   priced into the LPs (column generation, colgen.h); "full" rows solve
   the same LPs with every reference column in the LP from the start (the
   baseline; timed on the first 3 years only above 1,000 units and
   extrapolated, "est.").

   usage: bench_green [units ...]   (default: 261 5000)

   One run here (2 cores shared with other jobs, load ~4, RelWithDebInfo, GLPK 5.0):
     n     model  how          seconds       LPs        LP/s   simplex it/LP
     261   SBM    colgen         0.23      3915       17326     14.7
     261   DDF    colgen         0.14      3915       28158      5.0
     261   GML    colgen         0.41      7830       19096      4.5
     261   SBM    full           0.51      3915        7693     23.7
     261   DDF    full           0.19      3915       20138      5.0
     261   GML    full           3.13      7830        2499      4.5
     5000  SBM    colgen        20.2      75000        3721     42.2
     5000  DDF    colgen        20.7      75000        3616      7.7
     5000  GML    colgen        67.7     150000        2217      6.2
     5000  SBM    full        2733 est.   75000          27    375.1
     5000  DDF    full         108 est.   75000         696      7.4
   (est.: 3 of the 15 years timed; GML with full LPs on 5,000 x 15 is not
   run: 75,000 LPs over 75,000 columns.) Peak RSS 24 MB; GML mean 1.0109. */
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include "bench.h"
#include "ml.h"
#include "sbm.h"

#define YEARS 15

/* Two inputs, a good and a bad output: Cobb-Douglas with inefficiency,
   2% technical progress a year, emissions roughly proportional to output
   with their own noise and a slowly falling intensity. */
static void make_panel(size_t n, double *k, double *l, double *y, double *b, int *unit, double *time) {
  for (size_t j = 0; j < n; j++) {
    double k0 = exp(3 * unif()), l0 = exp(3 * unif());
    for (int t = 0; t < YEARS; t++) {
      size_t i = (size_t)t * n + j;
      k[i] = k0 * exp(0.04 * t + 0.05 * (unif() - 0.5));
      l[i] = l0 * exp(0.01 * t + 0.05 * (unif() - 0.5));
      y[i] = exp(0.02 * t) * pow(k[i], 0.35) * pow(l[i], 0.6) * exp(-fabs(0.4 * (unif() - 0.5)));
      b[i] = 0.8 * pow(y[i], 0.95) * exp(-0.02 * t) * exp(0.3 * (unif() - 0.5));
      unit[i] = (int)j;
      time[i] = 2003 + t;
    }
  }
}

static void report(const char *what, size_t n, const char *how, double secs, size_t lps, size_t iters, int est) {
  printf("%-6zu %-5s %-9s %9.2f s%s %9zu LPs %9.0f LP/s %6.1f it/LP\n", n, what, how, secs, est ? "*" : " ", lps,
         lps / secs, lps ? (double)iters / (double)lps : 0.0);
  fflush(stdout);
}

static void bench(size_t n) {
  size_t N = n * YEARS;
  double *k = malloc(N * sizeof *k), *l = malloc(N * sizeof *l), *y = malloc(N * sizeof *y), *b = malloc(N * sizeof *b);
  double *time = malloc(N * sizeof *time);
  int *unit = malloc(N * sizeof *unit);
  make_panel(n, k, l, y, b, unit, time);
  char err[256];
  for (int colgen = 1; colgen >= 0; colgen--) {
    int years = colgen || n <= 1000 ? YEARS : 3;
    const char *how = colgen ? "colgen" : "full";
    /* SBM: each year's cross-section */
    double t0 = now();
    size_t lps = 0, its = 0;
    for (int t = 0; t < years; t++) {
      const double *x[2] = { k + (size_t)t * n, l + (size_t)t * n }, *yy[1] = { y + (size_t)t * n }, *bb[1] = { b + (size_t)t * n };
      tfp_green_data d = { n, 2, 1, 1, x, yy, bb, NULL, NULL, NULL };
      tfp_sbm_opts o;
      tfp_sbm_opts_init(&o);
      o.colgen = colgen;
      tfp_sbm_result r;
      if (tfp_sbm_run(&d, &o, &r, err, sizeof err)) { fprintf(stderr, "sbm: %s\n", err); exit(1); }
      lps += r.n_lp; its += r.n_iter;
      tfp_sbm_result_clear(&r);
    }
    double s = now() - t0;
    report("SBM", n, how, s * YEARS / years, lps * YEARS / (size_t)years, its * YEARS / (size_t)years, years < YEARS);
    /* DDF: each year's cross-section */
    t0 = now();
    lps = its = 0;
    for (int t = 0; t < years; t++) {
      const double *x[2] = { k + (size_t)t * n, l + (size_t)t * n }, *yy[1] = { y + (size_t)t * n }, *bb[1] = { b + (size_t)t * n };
      tfp_green_data d = { n, 2, 1, 1, x, yy, bb, NULL, NULL, NULL };
      tfp_ddf_opts o;
      tfp_ddf_opts_init(&o);
      o.colgen = colgen;
      tfp_ddf_result r;
      if (tfp_ddf_run(&d, NULL, NULL, &o, NULL, &r, err, sizeof err)) { fprintf(stderr, "ddf: %s\n", err); exit(1); }
      lps += r.stats.n_lp; its += r.stats.n_iter;
      tfp_ddf_result_clear(&r);
    }
    s = now() - t0;
    report("DDF", n, how, s * YEARS / years, lps * YEARS / (size_t)years, its * YEARS / (size_t)years, years < YEARS);
    /* GML on the whole panel (the full-LP baseline only where it is affordable) */
    if (!colgen && n > 1000) continue;
    const double *x[2] = { k, l }, *yy[1] = { y }, *bb[1] = { b };
    tfp_green_data d = { N, 2, 1, 1, x, yy, bb, NULL, NULL, NULL };
    tfp_ml_opts o;
    tfp_ml_opts_init(&o);
    o.index = TFP_ML_GML;
    o.colgen = colgen;
    tfp_ml_result r;
    t0 = now();
    if (tfp_ml_run(&d, unit, n, time, &o, &r, err, sizeof err)) { fprintf(stderr, "gml: %s\n", err); exit(1); }
    s = now() - t0;
    report("GML", n, how, s, r.n_lp, r.n_iter, 0);
    if (colgen) printf("       GML mean %.6f (ec %.6f, bpc %.6f), peak RSS %.0f MB\n", r.mean[0], r.mean[1], r.mean[2], peak_mb());
    tfp_ml_result_clear(&r);
  }
  free(k); free(l); free(y); free(b); free(time); free(unit);
}

int main(int argc, char **argv) {
  if (argc < 2) { bench(261); bench(5000); return 0; }
  for (int a = 1; a < argc; a++) bench((size_t)atol(argv[a]));
  return 0;
}
