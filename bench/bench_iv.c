/* bench_iv.c — the paper's specification at scale: 1,000,000 observations
   (100,000 units x 10 periods), 1 endogenous regressor, 2 excluded
   instruments, 7 controls, unit and year fixed effects, robust VCE, 2SLS.
   Runs two paths on the same data in one process:
     baseline: within transformation (unit) + year dummies (xtivreg2 fe);
     AP:       unit and year both absorbed by alternating projections;
   and reports seconds, peak memory (getrusage ru_maxrss; the process peak
   after each path) and the AP/baseline time ratio.
   Usage: bench_iv [units [both|within|ap]] (one path alone: its own peak).
   Figures (2 cores, shared machine, 2026-11-29, RelWithDebInfo, 3 runs):
     within + year dummies 1.7-2.1 s, peak 557 MB (data alone: 105 MB);
     alternating projections 1.3-1.5 s, peak 433 MB when run alone;
     time ratio AP / within+dummies 0.63-0.88; coefficients agree to 4e-15. */
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/resource.h>
#include <time.h>
#include "iv.h"
#include "bench.h"

static double gauss(void) { return sqrt(-2 * log(unif())) * cos(6.283185307179586 * unif()); }

int main(int argc, char **argv)
{
  size_t n_units = argc > 1 ? (size_t)atol(argv[1]) : 100000, T = 10, n = n_units * T;
  const char *which = argc > 2 ? argv[2] : "both";
  int first = strcmp(which, "ap") == 0, last = strcmp(which, "within") == 0 ? 0 : 1;
  enum { NX = 7 };
  double *unit = malloc(n * sizeof *unit), *year = malloc(n * sizeof *year), *y = malloc(n * sizeof *y),
         *s = malloc(n * sizeof *s), *z1 = malloc(n * sizeof *z1), *z2 = malloc(n * sizeof *z2);
  double *x[NX];
  for (int j = 0; j < NX; j++) x[j] = malloc(n * sizeof(double));
  if (!unit || !year || !y || !s || !z1 || !z2) return 1;
  for (size_t i = 0, k = 0; i < n_units; i++) {
    double a = gauss();
    for (size_t t = 0; t < T; t++, k++) {
      double u = gauss(), v = 0.5 * u + gauss(), g = 0.05 * (double)t;
      unit[k] = (double)i; year[k] = 2001.0 + (double)t;
      z1[k] = gauss() + 0.2 * a; z2[k] = gauss();
      double xb = 0;
      for (int j = 0; j < NX; j++) { x[j][k] = gauss() + 0.1 * a; xb += 0.1 * (j + 1) * x[j][k]; }
      s[k] = 0.5 * z1[k] + 0.3 * z2[k] + a + g + v;
      y[k] = 0.8 * s[k] + xb + 2 * a + g + u;
    }
  }
  tfp_iv_var ex[NX], en[1] = {{"s", s}}, in[2] = {{"z1", z1}, {"z2", z2}}, du[1] = {{"year", year}};
  static char names[NX][8];
  for (int j = 0; j < NX; j++) { snprintf(names[j], sizeof names[j], "x%d", j + 1); ex[j].name = names[j]; ex[j].x = x[j]; }
  const double *more[1] = {year};
  double mem0 = peak_mb();
  printf("bench_iv: N = %zu (%zu units x %zu periods), 1 endogenous, 2 instruments, %d controls, unit + year FE, robust 2SLS\n",
         n, n_units, T, NX);
  printf("data: %.0f MB peak before fitting\n", mem0);

  double secs[2], mem[2], coef[2];
  secs[0] = secs[1] = NAN;
  for (int path = first; path <= last; path++) {
    tfp_iv_data d;
    memset(&d, 0, sizeof d);
    d.n = n; d.y.name = "y"; d.y.x = y;
    d.exog = ex; d.n_exog = NX; d.endog = en; d.n_endog = 1; d.inst = in; d.n_inst = 2;
    d.absorb = unit;
    if (path == 0) { d.dummies = du; d.n_dummies = 1; }
    else { d.absorb_more = more; d.n_absorb_more = 1; }
    tfp_iv_opts o;
    tfp_iv_opts_init(&o);
    o.vce = TFP_VCE_ROBUST;
    o.ap_tol = 1e-10;
    tfp_iv_result *r = NULL;
    char err[256];
    double t0 = now();
    if (tfp_iv_fit(&d, &o, &r, err, sizeof err) != TFP_OK) { fprintf(stderr, "%s\n", err); return 1; }
    secs[path] = now() - t0;
    mem[path] = peak_mb();
    coef[path] = r->coef[tfp_iv_find(r, "s")];
    printf("%-34s %7.2f s   peak %6.0f MB   b(s) = %.10f (se %.6f)  N = %zu  KP F = %.1f\n",
           path == 0 ? "within + year dummies (baseline):" : "alternating projections (unit+year):",
           secs[path], mem[path], coef[path], r->se[tfp_iv_find(r, "s")], r->N, r->kp_f);
    tfp_iv_result_free(r);
  }
  if (first == 0 && last == 1)
    printf("ratio AP / baseline: time %.2f; |b_AP - b_baseline| = %.2e\n", secs[1] / secs[0], fabs(coef[1] - coef[0]));
  free(unit); free(year); free(y); free(s); free(z1); free(z2);
  for (int j = 0; j < NX; j++) free(x[j]);
  return 0;
}
