/* test_frame.c — group codes, panel declaration and lags with gaps. */
#include <stdlib.h>
#include <string.h>
#include "check.h"
#include "frame.h"

static double *nums(size_t n, const double *v) {
  double *d = malloc(n * sizeof *d);
  memcpy(d, v, n * sizeof *d);
  return d;
}

/* Unit 1 observed in 2001, 2002, 2004 (a gap in 2003); unit 2 in 2002, 2003;
   rows deliberately out of order. */
static tfp_frame *small_panel(void) {
  tfp_frame *f = tfp_frame_create(5);
  tfp_frame_add_num(f, "id", nums(5, (double[]){2, 1, 1, 2, 1}));
  tfp_frame_add_num(f, "t", nums(5, (double[]){2003, 2004, 2001, 2002, 2002}));
  tfp_frame_add_num(f, "x", nums(5, (double[]){23, 14, 11, 22, 12}));
  return f;
}

static void test_lags_respect_gaps(void) {
  tfp_frame *f = small_panel();
  char err[256];
  double lag1[5], lag2[5], lead1[5];
  CHECK(tfp_frame_panel(f, 0, 1, NULL, NULL, err, sizeof err) == TFP_OK);
  CHECK(tfp_frame_lag(f, f->col[2].num, 1, lag1, NULL, NULL, err, sizeof err) == TFP_OK);
  CHECK(tfp_frame_lag(f, f->col[2].num, 2, lag2, NULL, NULL, err, sizeof err) == TFP_OK);
  CHECK(tfp_frame_lag(f, f->col[2].num, -1, lead1, NULL, NULL, err, sizeof err) == TFP_OK);
  /* row: (2,2003) (1,2004) (1,2001) (2,2002) (1,2002) */
  CHECK(lag1[0] == 22 && isnan(lag1[1]) && isnan(lag1[2]) && isnan(lag1[3]) && lag1[4] == 11);
  CHECK(isnan(lag2[0]) && lag2[1] == 12 && isnan(lag2[4]));
  CHECK(isnan(lead1[0]) && lead1[2] == 12 && lead1[3] == 23 && isnan(lead1[4]));
  tfp_frame_free(f);
}

static void test_duplicate_pairs_are_named(void) {
  tfp_frame *f = small_panel();
  f->col[1].num[4] = 2001;   /* unit 1 now has 2001 twice (rows 3 and 5) */
  char err[256];
  CHECK(tfp_frame_panel(f, 0, 1, NULL, NULL, err, sizeof err) == TFP_EDATA);
  CHECK_STR_CONTAINS(err, "duplicate id = 1, t = 2001 in rows 3 and 5");
  f->col[1].num[4] = NAN;
  CHECK(tfp_frame_panel(f, 0, 1, NULL, NULL, err, sizeof err) == TFP_EDATA);
  CHECK_STR_CONTAINS(err, "time 't' is missing in row 5");
  double out[5];
  CHECK(tfp_frame_lag(f, f->col[2].num, 1, out, NULL, NULL, err, sizeof err) == TFP_EINVAL);
  tfp_frame_free(f);
}

static void test_group_codes_sort_values(void) {
  tfp_column c = {0};
  char *s[] = {"West", "East", NULL, "East", "Central"};
  c.type = TFP_STR;
  c.str = s;
  int code[5];
  size_t ng;
  CHECK(tfp_group_codes(&c, 5, code, &ng, NULL, NULL) == TFP_OK);
  CHECK(ng == 3 && code[0] == 2 && code[1] == 1 && code[2] == -1 && code[3] == 1 && code[4] == 0);
}

static void test_rows_copy_and_replace(void) {
  tfp_frame *f = small_panel();
  size_t rows[] = {4, 0};
  tfp_frame *g = tfp_frame_rows(f, rows, 2);
  CHECK(g->nrow == 2 && g->ncol == 3 && g->col[2].num[0] == 12 && g->col[2].num[1] == 23);
  CHECK(tfp_frame_add_num(g, "x", nums(2, (double[]){1, 2})) == 2 && g->ncol == 3);
  tfp_frame_drop(g, 0);
  CHECK(g->ncol == 2 && tfp_frame_find(g, "id") == -1 && tfp_frame_find(g, "x") == 1);
  tfp_frame_free(g);
  tfp_frame_free(f);
}

int main(void) {
  test_lags_respect_gaps();
  test_duplicate_pairs_are_named();
  test_group_codes_sort_values();
  test_rows_copy_and_replace();
  return check_report("test_frame");
}
