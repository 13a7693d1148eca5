/* bench_prep.c — timings of the data preparation primitives on seeded
   panels with rows in random order: tfp_lq (five sectors, by year),
   tfp_capital_stock (growth rule) and tfp_deflate (chained, base = first
   year), against a baseline run in the same process on the same data: one
   streaming pass that reads the same input columns and writes one output
   (what any per-row primitive must at least do). Reports seconds (best of
   3), the ratio to the baseline, and peak resident memory (ru_maxrss, the
   process's high-water mark so far).

   usage: bench_prep [max_units]      (default 100000; panels of 30 years)

   One run here (2 cores, RelWithDebInfo; ./bench_prep), seconds (ratio to the baseline):
     units x years   rows     baseline    lq               capital_stock    deflate          peak RSS
     261 x 15        3915     0.000015 s  0.000054 (3.5x)  0.00042 (27.8x)  0.00038 (25.1x)    2 MB
     10000 x 30      300000   0.0014 s    0.0040 (2.9x)    0.026 (18.9x)    0.026 (19.0x)     30 MB
     100000 x 30     3000000  0.023 s     0.044 (2.0x)     0.42 (18.7x)     0.47 (21.0x)     278 MB
   capital_stock and deflate order the rows by unit and time (counting sort on
   the unit codes, then each unit's years); with rows in random order that
   pass is cache-bound and dominates. A qsort of (unit, time) keys, the
   first version, took 1.32 s for 3M rows (66x). Peak RSS is mostly the
   benchmark's own 12 columns (288 MB at 3M rows). */
#include <math.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <sys/resource.h>
#include <time.h>
#include "capital.h"
#include "deflate.h"
#include "frame.h"
#include "lq.h"
#include "bench.h"


typedef struct {
  size_t n, n_units, n_years;
  int *unit, *year_code;
  double *year, *inv, *index, *total, *sector[5], *out;
} panel;

static int make_panel(panel *p, size_t n_units, size_t n_years) {
  size_t n = n_units * n_years;
  p->n = n;
  p->n_units = n_units;
  p->n_years = n_years;
  p->unit = malloc(n * sizeof *p->unit);
  p->year_code = malloc(n * sizeof *p->year_code);
  p->year = malloc(n * sizeof *p->year);
  p->inv = malloc(n * sizeof *p->inv);
  p->index = malloc(n * sizeof *p->index);
  p->total = malloc(n * sizeof *p->total);
  p->out = malloc(n * sizeof *p->out);
  int ok = p->unit && p->year_code && p->year && p->inv && p->index && p->total && p->out;
  for (int k = 0; k < 5; k++) ok = ok && (p->sector[k] = malloc(n * sizeof(double)));
  if (!ok) return 0;
  size_t *perm = malloc(n * sizeof *perm);
  if (!perm) return 0;
  for (size_t i = 0; i < n; i++) perm[i] = i;
  for (size_t i = n; i > 1; i--) {   /* Fisher-Yates: rows in random order */
    size_t j = (size_t)(unif() * (double)i);
    size_t t = perm[i - 1]; perm[i - 1] = perm[j]; perm[j] = t;
  }
  for (size_t u = 0; u < n_units; u++) {
    double inv = 10 + 90 * unif();
    for (size_t t = 0; t < n_years; t++) {
      size_t i = perm[u * n_years + t];
      p->unit[i] = (int)u;
      p->year_code[i] = (int)t;
      p->year[i] = 2003.0 + (double)t;
      inv *= 1.05 + 0.1 * unif();
      p->inv[i] = inv;
      p->index[i] = 97 + 8 * unif();
      p->total[i] = 20 + 200 * unif();
      for (int k = 0; k < 5; k++) p->sector[k][i] = p->total[i] * (0.005 + 0.03 * unif());
    }
  }
  free(perm);
  return 1;
}

static void free_panel(panel *p) {
  free(p->unit); free(p->year_code); free(p->year); free(p->inv); free(p->index);
  free(p->total); free(p->out);
  for (int k = 0; k < 5; k++) free(p->sector[k]);
}

/* The baseline: stream the inputs a primitive reads, write one output. */
static void baseline(panel *p) {
  for (size_t i = 0; i < p->n; i++) {
    double s = 0;
    for (int k = 0; k < 5; k++) s += p->sector[k][i];
    p->out[i] = (s + p->inv[i] + p->index[i] + p->year[i]) / p->total[i] + p->unit[i];
  }
}

static volatile double sink;

#define BEST_OF_3(secs, call) do { secs = INFINITY; for (int r_ = 0; r_ < 3; r_++) { \
  double t0_ = now(); call; double t_ = now() - t0_; if (t_ < secs) secs = t_; } } while (0)

int main(int argc, char **argv) {
  size_t max_units = argc > 1 ? (size_t)strtoul(argv[1], NULL, 10) : 100000;
  const size_t sizes[][2] = {{261, 15}, {10000, 30}, {100000, 30}};
  char err[256];
  printf("%-16s %9s %11s %20s %20s %20s %9s\n", "units x years", "rows", "baseline", "lq", "capital_stock",
         "deflate", "peak RSS");
  for (size_t s = 0; s < sizeof sizes / sizeof sizes[0]; s++) {
    if (sizes[s][0] > max_units) break;
    panel p;
    if (!make_panel(&p, sizes[s][0], sizes[s][1])) {
      fprintf(stderr, "out of memory\n");
      return 1;
    }
    const double *sec[5] = {p.sector[0], p.sector[1], p.sector[2], p.sector[3], p.sector[4]};
    tfp_capital_opts co;
    tfp_capital_opts_init(&co);
    tfp_deflate_opts dopt;
    tfp_deflate_opts_init(&dopt);
    dopt.base = 2003;
    double tb, tl, tc, td;
    int rc = TFP_OK;
    BEST_OF_3(tb, baseline(&p));
    sink = p.out[0];
    BEST_OF_3(tl, rc |= tfp_lq(p.n, 5, sec, p.total, p.year_code, p.n_years, NULL, NULL, p.out, err, sizeof err));
    BEST_OF_3(tc, rc |= tfp_capital_stock(p.n, p.unit, p.n_units, p.year, p.inv, &co, p.out, err, sizeof err));
    BEST_OF_3(td, rc |= tfp_deflate(p.n, p.inv, p.index, p.unit, p.n_units, p.year, &dopt, p.out, err, sizeof err));
    if (rc != TFP_OK) {
      fprintf(stderr, "failed: %s\n", err);
      return 1;
    }
    char label[32];
    snprintf(label, sizeof label, "%zu x %zu", sizes[s][0], sizes[s][1]);
    printf("%-16s %9zu %9.6f s %10.6f (%5.1fx) %10.6f (%5.1fx) %10.6f (%5.1fx) %6.0f MB\n", label, p.n, tb,
           tl, tl / tb, tc, tc / tb, td, td / tb, peak_mb());
    free_panel(&p);
  }
  return 0;
}
