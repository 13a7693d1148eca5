/* test_frame_names.c — column lookup by name through frame.c's hash index:
   right after additions, replacements and drops, with many columns. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include "check.h"
#include "frame.h"

static double *col(size_t n, double v) {
  double *x = malloc(n * sizeof *x);
  for (size_t i = 0; i < n; i++) x[i] = v;
  return x;
}

static void test_lookup_survives_adds_replaces_and_drops(void) {
  tfp_frame *f = tfp_frame_create(2);
  char name[32];
  for (int j = 0; j < 5000; j++) {
    snprintf(name, sizeof name, "c%d", j);
    CHECK(tfp_frame_add_num(f, name, col(2, j)) == j);
  }
  CHECK(tfp_frame_find(f, "c4999") == 4999);
  CHECK(tfp_frame_find(f, "c0") == 0);
  CHECK(tfp_frame_find(f, "nope") == -1);
  CHECK(tfp_frame_add_num(f, "c10", col(2, -1)) == 10);   /* replaces, same slot */
  CHECK(f->ncol == 5000 && f->col[10].num[0] == -1);
  tfp_frame_drop(f, 3);                                   /* later columns move down */
  CHECK(tfp_frame_find(f, "c3") == -1);
  CHECK(tfp_frame_find(f, "c4") == 3);
  CHECK(tfp_frame_find(f, "c4999") == 4998);
  CHECK(tfp_frame_add_num(f, "c3", col(2, 3)) == 4999);   /* re-added at the end */
  CHECK(tfp_frame_find(f, "c3") == 4999);
  for (int j = 0; j < 5000; j++) {
    snprintf(name, sizeof name, "c%d", j);
    int k = tfp_frame_find(f, name);
    CHECK(k >= 0 && strcmp(f->col[k].name, name) == 0);
  }
  tfp_frame_free(f);
}

int main(void) {
  test_lookup_survives_adds_replaces_and_drops();
  return check_report("test_frame_names");
}
