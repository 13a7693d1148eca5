/* bench_csv_wide.c — reading a wide CSV: n_cols columns (names v0, v1, ...)
   and 3 rows of small integers, parsed from memory by tfp_csv_parse, then
   every column looked up by name with tfp_frame_find (what f.name and the
   model code do). Reports seconds (best of 3) and the text's size.

   usage: bench_csv_wide [n_cols]      (default 100000)

   One run here (2 cores, Release; ./bench_csv_wide), seconds:
     columns   size      parse      find all
     100000    1.6 MB    0.044 s    0.012 s
   Before the name index (frame.c) and the sort-based duplicate check
   (csv.c), the pairwise duplicate check and the linear lookups made the
   same parse take 29.6 s (tfp.read_csv of the same file: 29.8 s CPU; the
   issue's 2.4 MB file: 42 s); both grew as n_cols^2. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include "bench.h"
#include "csv.h"
#include "frame.h"

int main(int argc, char **argv) {
  size_t n = argc > 1 ? strtoul(argv[1], NULL, 10) : 100000;
  size_t cap = n * 32 + 64, len = 0;
  char *text = malloc(cap);
  if (!text) return 1;
  for (size_t j = 0; j < n; j++) len += (size_t)snprintf(text + len, cap - len, "%sv%zu", j ? "," : "", j);
  text[len++] = '\n';
  for (int r = 0; r < 3; r++) {
    for (size_t j = 0; j < n; j++) len += (size_t)snprintf(text + len, cap - len, "%s%zu", j ? "," : "", (j * 7 + (size_t)r) % 100);
    text[len++] = '\n';
  }
  double best_parse = 1e300, best_find = 1e300;
  char err[256] = "", name[32];
  for (int rep = 0; rep < 3; rep++) {
    tfp_frame *f = NULL;
    double t0 = now();
    if (tfp_csv_parse(text, len, "wide.csv", NULL, &f, err, sizeof err) != TFP_OK) {
      fprintf(stderr, "%s\n", err);
      return 1;
    }
    double t1 = now();
    size_t found = 0;
    for (size_t j = 0; j < n; j++) {
      snprintf(name, sizeof name, "v%zu", j);
      found += tfp_frame_find(f, name) == (int)j;
    }
    double t2 = now();
    if (found != n) { fprintf(stderr, "lookup failed\n"); return 1; }
    if (t1 - t0 < best_parse) best_parse = t1 - t0;
    if (t2 - t1 < best_find) best_find = t2 - t1;
    tfp_frame_free(f);
  }
  printf("columns   size      parse      find all\n");
  printf("%-9zu %.1f MB    %.3f s    %.3f s\n", n, (double)len / 1e6, best_parse, best_find);
  free(text);
  return 0;
}
