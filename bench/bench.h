/* bench.h — what every benchmark needs: a seeded uniform generator (so runs
   compare like with like), a monotonic clock, the process's peak memory, and
   the DEA benchmarks' synthetic units and panels. */
#ifndef TFP_BENCH_H
#define TFP_BENCH_H
#include <math.h>
#include <stddef.h>
#include <stdint.h>
#include <sys/resource.h>
#include <time.h>

static uint64_t bench_rng_state = 20261129;

/* Uniform on (0, 1): a 64-bit LCG's top 53 bits. */
static inline double unif(void) {
  bench_rng_state = bench_rng_state * 6364136223846793005ULL + 1442695040888963407ULL;
  return ((double)(bench_rng_state >> 11) + 0.5) / 9007199254740992.0;
}

static inline double now(void) {
  struct timespec t;
  clock_gettime(CLOCK_MONOTONIC, &t);
  return (double)t.tv_sec + 1e-9 * (double)t.tv_nsec;
}

/* Peak resident memory of the whole process so far (ru_maxrss), in MB. */
static inline double peak_mb(void) {
  struct rusage ru;
  getrusage(RUSAGE_SELF, &ru);
  return (double)ru.ru_maxrss / 1024.0;
}

/* n DMUs, 2 inputs and 1 output: a Cobb-Douglas frontier scaled by growth,
   each unit below it by a random inefficiency. */
static inline void dea_units(size_t n, double growth, double *x1, double *x2, double *y) {
  for (size_t j = 0; j < n; j++) {
    x1[j] = exp(3 * unif());
    x2[j] = exp(3 * unif());
    y[j] = growth * pow(x1[j], 0.35) * pow(x2[j], 0.55) * exp(-fabs(0.4 * (unif() - 0.5)));
  }
}

/* A balanced panel of n_units x n_per such DMUs, period by period (the
   frontier grows 2% a period from 2005): times t and unit codes per row. */
static inline void dea_panel(size_t n_units, size_t n_per, double *x1, double *x2, double *y, double *t,
                              int *code) {
  for (size_t p = 0; p < n_per; p++) {
    dea_units(n_units, exp(0.02 * (double)p), x1 + p * n_units, x2 + p * n_units, y + p * n_units);
    for (size_t u = 0; u < n_units; u++) {
      t[p * n_units + u] = 2005.0 + (double)p;
      code[p * n_units + u] = (int)u;
    }
  }
}
#endif
