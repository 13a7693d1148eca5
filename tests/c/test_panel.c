/* test_panel.c — one panel module: group codes in sorted order for columns
   and plain arrays, panel order, and one message format for missing ids,
   missing or fractional times and duplicate unit-period pairs, whichever
   primitive (frame, capital stock, deflating, Malmquist) meets them. */
#include <math.h>
#include <stdlib.h>
#include <string.h>
#include "capital.h"
#include "check.h"
#include "deflate.h"
#include "frame.h"
#include "malmquist.h"
#include "panel.h"

static void string_groups_are_numbered_in_sorted_order(void) {
  char *s[] = {"West", "East", NULL, "Central", "East"};
  tfp_column c = {0};
  c.type = TFP_STR;
  c.str = s;
  int code[5];
  size_t ng = 0;
  CHECK(tfp_group_codes(&c, 5, code, &ng, NULL, NULL) == TFP_OK);
  CHECK(ng == 3);
  CHECK(code[0] == 2 && code[1] == 1 && code[2] == -1 && code[3] == 0 && code[4] == 1);
}

static void array_groups_match_column_groups_and_give_levels(void) {
  double v[] = {2007, 2003, NAN, 2005, 2003, 2007};
  size_t rows[] = {5, 1, 3};
  int code[6], sub[3];
  double *levels = NULL;
  size_t ng = 0;
  CHECK(tfp_group_codes_num(v, NULL, 6, code, &levels, &ng, NULL, NULL) == TFP_OK);
  CHECK(ng == 3 && levels[0] == 2003 && levels[1] == 2005 && levels[2] == 2007);
  CHECK(code[0] == 2 && code[1] == 0 && code[2] == -1 && code[3] == 1 && code[4] == 0 && code[5] == 2);
  free(levels);
  CHECK(tfp_group_codes_num(v, rows, 3, sub, NULL, &ng, NULL, NULL) == TFP_OK);
  CHECK(ng == 3 && sub[0] == 2 && sub[1] == 0 && sub[2] == 1);
}

static void keys_sort_by_unit_then_period(void) {
  int unit[] = {1, 0, 1, 0};
  double t[] = {2002, 2003, 2001, 2002};
  tfp_panel_key *key = NULL;
  char err[256] = "";
  CHECK(tfp_panel_keys(4, unit, t, TFP_PERIOD_WHOLE, NULL, NULL, NULL, &key, err, sizeof err) == TFP_OK);
  CHECK(key[0].row == 3 && key[1].row == 1 && key[2].row == 2 && key[3].row == 0);
  CHECK(tfp_panel_unique(key, 4, NULL, err, sizeof err) == TFP_OK);
  free(key);
}

static void every_primitive_words_a_duplicate_the_same_way(void) {
  const char *labels[] = {"Wuxi", "Xuzhou"};
  int unit[] = {0, 1, 0, 1};
  double t[] = {2002, 2002, 2002, 2003}, inv[] = {1, 2, 3, 4}, k[4];
  char err[256] = "";
  tfp_capital_opts co;
  tfp_capital_opts_init(&co);
  co.unit_label = labels;
  co.id_name = "city";
  co.time_name = "year";
  CHECK(tfp_capital_stock(4, unit, 2, t, inv, &co, k, err, sizeof err) == TFP_EDATA);
  CHECK_STR_CONTAINS(err, "duplicate city = Wuxi, year = 2002 in rows 1 and 3");
  tfp_deflate_opts dop;
  tfp_deflate_opts_init(&dop);
  dop.unit_label = labels;
  dop.id_name = "city";
  dop.time_name = "year";
  dop.base = 2002;
  CHECK(tfp_deflate(4, inv, inv, unit, 2, t, &dop, k, err, sizeof err) == TFP_EDATA);
  CHECK_STR_CONTAINS(err, "duplicate city = Wuxi, year = 2002 in rows 1 and 3");

  tfp_frame *f = tfp_frame_create(4);
  char **ids = malloc(4 * sizeof *ids);
  for (int i = 0; i < 4; i++) {
    ids[i] = malloc(8);
    strcpy(ids[i], labels[unit[i]]);
  }
  double *tt = malloc(sizeof t);
  memcpy(tt, t, sizeof t);
  tfp_frame_add_str(f, "city", ids);
  tfp_frame_add_num(f, "year", tt);
  CHECK(tfp_frame_panel(f, 0, 1, NULL, NULL, err, sizeof err) == TFP_EDATA);
  CHECK_STR_CONTAINS(err, "duplicate city = Wuxi, year = 2002 in rows 1 and 3");

  const double *xp[] = {inv}, *yp[] = {inv};
  const char *xn[] = {"x"}, *yn[] = {"y"};
  tfp_dea_data d = {4, 1, 1, xp, yp, xn, yn};
  tfp_malmquist_opts mo;
  tfp_malmquist_opts_init(&mo);
  mo.id_name = "city";
  mo.time_name = "year";
  mo.id_col = &f->col[0];
  tfp_malmquist_result r;
  CHECK(tfp_malmquist_run(&d, unit, 2, t, &mo, &r, err, sizeof err) == TFP_EDATA);
  CHECK_STR_CONTAINS(err, "duplicate city = Wuxi, year = 2002 in rows 1 and 3");
  tfp_frame_free(f);
}

static void missing_and_fractional_periods_name_the_unit(void) {
  const char *labels[] = {"Wuxi", "Xuzhou"};
  tfp_panel_names nm = {"city", "year", labels, NULL};
  int unit[] = {0, 1, -1};
  double t_nan[] = {2002, NAN, 2002}, t_half[] = {2002, 2002.5, 2002}, t_ok[] = {2002, 2002, 2003};
  tfp_panel_key *key = NULL;
  char err[256] = "";
  CHECK(tfp_panel_keys(3, unit, t_nan, TFP_PERIOD_WHOLE, &nm, NULL, NULL, &key, err, sizeof err) ==
        TFP_EDATA);
  CHECK_STR_CONTAINS(err, "time 'year' is missing in row 2 (city = Xuzhou)");
  CHECK(tfp_panel_keys(3, unit, t_half, TFP_PERIOD_WHOLE, &nm, NULL, NULL, &key, err, sizeof err) ==
        TFP_EDATA);
  CHECK_STR_CONTAINS(err, "time 'year' is 2002.5 in row 2 (city = Xuzhou): periods must be whole numbers");
  CHECK(tfp_panel_keys(3, unit, t_ok, TFP_PERIOD_WHOLE, &nm, NULL, NULL, &key, err, sizeof err) == TFP_EDATA);
  CHECK_STR_CONTAINS(err, "id 'city' is missing in row 3 (year = 2003)");
}

int main(void) {
  string_groups_are_numbered_in_sorted_order();
  array_groups_match_column_groups_and_give_levels();
  keys_sort_by_unit_then_period();
  every_primitive_words_a_duplicate_the_same_way();
  missing_and_fractional_periods_name_the_unit();
  return check_report("test_panel");
}
