/* refs.h — reading the reference files (tests/refs/...) in C tests. A file
   that cannot be read ends the test with a message: a missing reference is a
   broken checkout, not a failed check. */
#ifndef TFP_TEST_REFS_H
#define TFP_TEST_REFS_H
#include <stdio.h>
#include <stdlib.h>
#include "csv.h"

static inline tfp_frame *ref_load(const char *path) {
  tfp_frame *f = NULL;
  char err[256];
  if (tfp_csv_read(path, NULL, &f, err, sizeof err) != TFP_OK) {
    fprintf(stderr, "cannot read %s: %s\n", path, err);
    exit(2);
  }
  return f;
}

/* The numeric column `name` of a reference frame. */
static inline const double *ref_col(const tfp_frame *f, const char *name) {
  int j = tfp_frame_find(f, name);
  if (j < 0 || f->col[j].type != TFP_NUM) {
    fprintf(stderr, "reference column %s missing or not numeric\n", name);
    exit(2);
  }
  return f->col[j].num;
}
#endif
