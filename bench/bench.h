/* bench.h — what every benchmark needs: a seeded uniform generator (so runs
   compare like with like), a monotonic clock and the process's peak memory. */
#ifndef TFP_BENCH_H
#define TFP_BENCH_H
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
#endif
