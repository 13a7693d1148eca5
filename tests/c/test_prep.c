/* test_prep.c — location quotients, perpetual inventory capital stock and
   deflation: hand-worked small cases (the arithmetic is in the comments),
   identities that must hold on any data, and errors that name the unit, the
   row and the years. Tolerances: 1e-12 relative for hand-worked values and
   exact identities (a few floating-point operations), 1e-9 for the
   identities summed over the 3,915 rows of data/cities.csv. */
#include <math.h>
#include <stdlib.h>
#include <string.h>
#include "capital.h"
#include "check.h"
#include "csv.h"
#include "deflate.h"
#include "frame.h"
#include "lq.h"

/* ------------------------------------------------------------------- lq */

/* Two sectors s1, s2, total y; groups (years) A = rows 1-2, B = rows 3-5.
   A: x = 2+3 = 5 of 50, 1+1 = 2 of 50; X/Y = 7/100 = 0.07
      LQ1 = (5/50)/0.07 = 10/7, LQ2 = (2/50)/0.07 = 4/7.
   B: row 4 has a missing sector, so it is out: x = 4+4 = 8 of 80, 1+1 = 2 of 40;
      X/Y = 10/120 = 1/12; LQ3 = (8/80)*12 = 1.2, LQ5 = (2/40)*12 = 0.6, LQ4 missing. */
static void test_lq_matches_hand_calculation(void) {
  const double s1[] = {2, 1, 4, 1, 1}, s2[] = {3, 1, 4, NAN, 1}, y[] = {50, 50, 80, 20, 40};
  const int year[] = {0, 0, 1, 1, 1};
  const double *sec[] = {s1, s2};
  double lq[5];
  char err[256];
  CHECK(tfp_lq(5, 2, sec, y, year, 2, NULL, NULL, lq, err, sizeof err) == TFP_OK);
  CHECK_NEAR(lq[0], 10.0 / 7, 1e-12);
  CHECK_NEAR(lq[1], 4.0 / 7, 1e-12);
  CHECK_NEAR(lq[2], 1.2, 1e-12);
  CHECK(isnan(lq[3]));
  CHECK_NEAR(lq[4], 0.6, 1e-12);
}

/* Without groups all rows form one group: complete rows 1, 2, 3, 5 give
   X/Y = (5+2+8+2)/(50+50+80+40) = 17/220; LQ1 = 0.1 * 220/17 = 22/17. */
static void test_lq_without_groups_uses_the_whole_sample(void) {
  const double s1[] = {2, 1, 4, 1, 1}, s2[] = {3, 1, 4, NAN, 1}, y[] = {50, 50, 80, 20, 40};
  const double *sec[] = {s1, s2};
  double lq[5];
  char err[256];
  CHECK(tfp_lq(5, 2, sec, y, NULL, 0, NULL, NULL, lq, err, sizeof err) == TFP_OK);
  CHECK_NEAR(lq[0], 22.0 / 17, 1e-12);
  CHECK_NEAR(lq[4], 0.05 * 220 / 17, 1e-12);
}

static void test_lq_errors_name_the_row_and_column(void) {
  const double s1[] = {2, 1, 4}, neg[] = {2, -1, 4}, big[] = {2, 1, 90}, y[] = {50, 50, 80};
  const double zero_y[] = {50, 0, 80}, none[] = {0, 0, 0};
  const char *names[] = {"emp_ict", "emp_total"};
  double lq[3];
  char err[256];
  CHECK(tfp_lq(3, 1, (const double *[]){neg}, y, NULL, 0, names, NULL, lq, err, sizeof err) == TFP_EDATA);
  CHECK_STR_CONTAINS(err, "row 2: sector 'emp_ict' is negative");
  CHECK(tfp_lq(3, 1, (const double *[]){big}, y, NULL, 0, names, NULL, lq, err, sizeof err) == TFP_EDATA);
  CHECK_STR_CONTAINS(err, "row 3: the sectors sum to 90, more than total 'emp_total'");
  CHECK(tfp_lq(3, 1, (const double *[]){s1}, zero_y, NULL, 0, names, NULL, lq, err, sizeof err) == TFP_EDATA);
  CHECK_STR_CONTAINS(err, "row 2: total 'emp_total' is 0");
  CHECK(tfp_lq(3, 1, (const double *[]){none}, y, NULL, 0, names, NULL, lq, err, sizeof err) == TFP_EDATA);
  CHECK_STR_CONTAINS(err, "no employment in the sectors");
}

static tfp_frame *read_cities(void) {
  tfp_csv_opts o;
  tfp_csv_opts_init(&o);
  tfp_frame *f = NULL;
  char err[256];
  if (tfp_csv_read("../data/cities.csv", &o, &f, err, sizeof err) != TFP_OK) {
    fprintf(stderr, "reading ../data/cities.csv: %s\n", err);
    return NULL;
  }
  return f;
}

static const double *col(const tfp_frame *f, const char *name) {
  int j = tfp_frame_find(f, name);
  return j >= 0 && f->col[j].type == TFP_NUM ? f->col[j].num : NULL;
}

/* Sum_j y_j LQ_j / Y = Sum_j (x_j / y_j) y_j / (X/Y) / Y = X / (X/Y) / Y = 1 in every
   group: the employment-weighted mean LQ is 1 (the share ratio of the group). */
static void test_lq_employment_weighted_mean_is_one_in_each_year(void) {
  tfp_frame *f = read_cities();
  CHECK(f != NULL);
  if (!f) return;
  const char *sectors[] = {"emp_transport", "emp_ict", "emp_finance", "emp_leasing", "emp_research"};
  const double *sec[5], *y = col(f, "emp_total");
  for (int k = 0; k < 5; k++) sec[k] = col(f, sectors[k]);
  int *year = malloc(f->nrow * sizeof *year);
  double *lq = malloc(f->nrow * sizeof *lq);
  size_t n_years = 0;
  char err[256];
  CHECK(tfp_group_codes(&f->col[tfp_frame_find(f, "year")], f->nrow, year, &n_years, NULL, NULL) == TFP_OK);
  CHECK(n_years == 15);
  CHECK(tfp_lq(f->nrow, 5, sec, y, year, n_years, sectors, NULL, lq, err, sizeof err) == TFP_OK);
  double wsum[15] = {0}, ysum[15] = {0};
  for (size_t i = 0; i < f->nrow; i++) {
    wsum[year[i]] += y[i] * lq[i];
    ysum[year[i]] += y[i];
  }
  for (size_t g = 0; g < n_years; g++) CHECK_NEAR(wsum[g] / ysum[g], 1.0, 1e-9);
  /* The whole employment as the only "sector": every LQ is 1. */
  CHECK(tfp_lq(f->nrow, 1, (const double *[]){y}, y, year, n_years, NULL, NULL, lq, err, sizeof err) == TFP_OK);
  int all_one = 1;
  for (size_t i = 0; i < f->nrow; i++) all_one &= fabs(lq[i] - 1) < 1e-12;
  CHECK(all_one);
  free(year);
  free(lq);
  tfp_frame_free(f);
}

/* ------------------------------------------------------------- capital */

/* Unit 0 (years 2001-2003, I = 10, 12, 14.4; rows 3, 1, 5), unit 1 (2010-2011,
   I = 5, 5; rows 4, 2), delta = 0.1, rows out of order.
   Growth rule: unit 0: g = (14.4/10)^(1/2) - 1 = 0.2, K2001 = 10/(0.2+0.1) = 33.333...,
     K2002 = 0.9 * 33.333 + 12 = 42, K2003 = 0.9 * 42 + 14.4 = 52.2.
   unit 1: g = 0, K2010 = 5/0.1 = 50, K2011 = 0.9 * 50 + 5 = 50. */
static const int cap_unit[] = {0, 1, 0, 1, 0};
static const double cap_time[] = {2002, 2011, 2001, 2010, 2003};
static const double cap_inv[] = {12, 5, 10, 5, 14.4};

static void test_capital_stock_matches_hand_calculation(void) {
  tfp_capital_opts o;
  tfp_capital_opts_init(&o);
  o.delta = 0.1;
  double k[5];
  char err[256];
  CHECK(tfp_capital_stock(5, cap_unit, 2, cap_time, cap_inv, &o, k, err, sizeof err) == TFP_OK);
  CHECK_NEAR(k[2], 10 / 0.3, 1e-12);
  CHECK_NEAR(k[0], 42, 1e-12);
  CHECK_NEAR(k[4], 52.2, 1e-12);
  CHECK_NEAR(k[3], 50, 1e-12);
  CHECK_NEAR(k[1], 50, 1e-12);
}

/* Initial stock from a column (read at the first year only): unit 0 K2001 = 100,
   K2002 = 90 + 12 = 102, K2003 = 91.8 + 14.4 = 106.2; unit 1 K2010 = 7, K2011 = 6.3 + 5 = 11.3. */
static void test_capital_stock_takes_the_initial_stock_from_a_column(void) {
  const double k0[] = {-1, NAN, 100, 7, NAN};   /* only rows of first years are read */
  tfp_capital_opts o;
  tfp_capital_opts_init(&o);
  o.delta = 0.1;
  o.initial = TFP_K0_GIVEN;
  o.k0 = k0;
  double k[5];
  char err[256];
  CHECK(tfp_capital_stock(5, cap_unit, 2, cap_time, cap_inv, &o, k, err, sizeof err) == TFP_OK);
  CHECK_NEAR(k[2], 100, 1e-12);
  CHECK_NEAR(k[0], 102, 1e-12);
  CHECK_NEAR(k[4], 106.2, 1e-12);
  CHECK_NEAR(k[3], 7, 1e-12);
  CHECK_NEAR(k[1], 11.3, 1e-12);
}

/* I_t = delta K for every t keeps K at K: (1 - delta) K + delta K = K, both
   with a given K0 and with the growth rule (g = 0 gives K0 = I/delta). */
static void test_capital_stock_is_constant_when_investment_equals_depreciation(void) {
  enum { T = 40 };
  const double deltas[] = {0.05, 0.096, 0.3, 1.0};
  int unit[T];
  double time[T], inv[T], k0[T], k[T];
  char err[256];
  for (int d = 0; d < 4; d++) {
    for (int t = 0; t < T; t++) {
      unit[t] = 0;
      time[t] = 1980 + (t * 7) % T;   /* a permutation of the years */
      inv[t] = deltas[d] * 250;
      k0[t] = 250;
    }
    tfp_capital_opts o;
    tfp_capital_opts_init(&o);
    o.delta = deltas[d];
    CHECK(tfp_capital_stock(T, unit, 1, time, inv, &o, k, err, sizeof err) == TFP_OK);
    for (int t = 0; t < T; t++) CHECK_NEAR(k[t], 250, 1e-12);
    o.initial = TFP_K0_GIVEN;
    o.k0 = k0;
    CHECK(tfp_capital_stock(T, unit, 1, time, inv, &o, k, err, sizeof err) == TFP_OK);
    for (int t = 0; t < T; t++) CHECK_NEAR(k[t], 250, 1e-12);
  }
}

static void test_capital_stock_errors_name_the_unit_and_years(void) {
  const char *labels[] = {"Wuxi", "Xuzhou"};
  tfp_capital_opts o;
  tfp_capital_opts_init(&o);
  o.unit_label = labels;
  double k[5];
  char err[256];
  /* Xuzhou: 2010, 2013 (no 2011-2012) */
  const double gap[] = {2002, 2013, 2001, 2010, 2003};
  CHECK(tfp_capital_stock(5, cap_unit, 2, gap, cap_inv, &o, k, err, sizeof err) == TFP_EDATA);
  CHECK_STR_CONTAINS(err, "unit Xuzhou has a gap in the panel: no rows for 2011-2012 (between 2010 and 2013)");
  const double gap1[] = {2002, 2012, 2001, 2010, 2003};
  CHECK(tfp_capital_stock(5, cap_unit, 2, gap1, cap_inv, &o, k, err, sizeof err) == TFP_EDATA);
  CHECK_STR_CONTAINS(err, "unit Xuzhou has a gap in the panel: no row for 2011");
  const double dup[] = {2002, 2011, 2002, 2010, 2003};
  CHECK(tfp_capital_stock(5, cap_unit, 2, dup, cap_inv, &o, k, err, sizeof err) == TFP_EDATA);
  CHECK_STR_CONTAINS(err, "duplicate id = Wuxi, time = 2002 in rows 1 and 3");
  const double miss[] = {12, 5, 10, 5, NAN};
  CHECK(tfp_capital_stock(5, cap_unit, 2, cap_time, miss, &o, k, err, sizeof err) == TFP_EDATA);
  CHECK_STR_CONTAINS(err, "unit Wuxi, time 2003 (row 5): investment is missing");
  const int one_year[] = {0, 1, 0, 0, 0};
  const double t5[] = {2002, 2011, 2001, 2000, 2003};   /* Wuxi 2000-2003, I from 5 to 14.4 */
  CHECK(tfp_capital_stock(5, one_year, 2, t5, cap_inv, &o, k, err, sizeof err) == TFP_EDATA);
  CHECK_STR_CONTAINS(err, "unit Xuzhou: the growth rule needs");
  /* Wuxi 2001-2004 with I = 10, 12, 14.4, 5: g = (5/10)^(1/3) - 1 = -0.206, g + delta < 0. */
  const double t6[] = {2002, 2011, 2001, 2004, 2003};
  CHECK(tfp_capital_stock(5, one_year, 2, t6, cap_inv, &o, k, err, sizeof err) == TFP_EDATA);
  CHECK_STR_CONTAINS(err, "unit Wuxi: average investment growth -0.2063");
  const int no_id[] = {0, 1, -1, 1, 0};
  CHECK(tfp_capital_stock(5, no_id, 2, cap_time, cap_inv, &o, k, err, sizeof err) == TFP_EDATA);
  CHECK_STR_CONTAINS(err, "id 'id' is missing in row 3 (time = 2001)");
  o.delta = 0;
  CHECK(tfp_capital_stock(5, cap_unit, 2, cap_time, cap_inv, &o, k, err, sizeof err) == TFP_EINVAL);
  CHECK_STR_CONTAINS(err, "delta must be in (0, 1]");
}

/* ------------------------------------------------------------- deflate */

/* Chained index (previous year = 100), base 2004, rows out of order:
   year     2003  2004  2005   2006
   index     105   110   105    100     (2003's is not used: it links to 2002)
   P        1/1.1   1   1.05   1.05    P2003 = 1 / (110/100)
   nominal   100   110  115.5   126
   real      110   110   110    120 */
static void test_deflate_chained_matches_hand_calculation(void) {
  const double year[] = {2005, 2003, 2006, 2004};
  const double idx[] = {105, 105, 100, 110}, nominal[] = {115.5, 100, 126, 110};
  tfp_deflate_opts o;
  tfp_deflate_opts_init(&o);
  o.base = 2004;
  double real[4];
  char err[256];
  CHECK(tfp_deflate(4, nominal, idx, NULL, 0, year, &o, real, err, sizeof err) == TFP_OK);
  CHECK_NEAR(real[0], 110, 1e-12);
  CHECK_NEAR(real[1], 110, 1e-12);
  CHECK_NEAR(real[2], 120, 1e-12);
  CHECK_NEAR(real[3], 110, 1e-12);
}

/* Fixed base (2003 = 100): index 100, 110, 121; nominal 50, 55, 60.5.
   Base 2003: real = nominal * 100/idx = 50, 50, 50. Rebased to 2004:
   real = nominal * 110/idx = 55, 55, 55. No base: as base 2003. */
static void test_deflate_fixed_base_matches_hand_calculation(void) {
  const double year[] = {2003, 2004, 2005}, idx[] = {100, 110, 121}, nominal[] = {50, 55, 60.5};
  tfp_deflate_opts o;
  tfp_deflate_opts_init(&o);
  o.chained = 0;
  double real[3];
  char err[256];
  CHECK(tfp_deflate(3, nominal, idx, NULL, 0, NULL, &o, real, err, sizeof err) == TFP_OK);
  for (int i = 0; i < 3; i++) CHECK_NEAR(real[i], 50, 1e-12);
  o.base = 2004;
  CHECK(tfp_deflate(3, nominal, idx, NULL, 0, year, &o, real, err, sizeof err) == TFP_OK);
  for (int i = 0; i < 3; i++) CHECK_NEAR(real[i], 55, 1e-12);
}

static void test_deflate_rejects_an_index_that_makes_an_infinite_value(void) {
  const double tiny[] = {100, 1e-320}, huge[] = {100, INFINITY}, nominal[] = {1, 2};
  tfp_deflate_opts o;
  tfp_deflate_opts_init(&o);
  o.chained = 0;
  double real[2];
  char err[256];
  CHECK(tfp_deflate(2, nominal, tiny, NULL, 0, NULL, &o, real, err, sizeof err) == TFP_EDATA);
  CHECK(strstr(err, "row 2") != NULL);
  CHECK(tfp_deflate(2, nominal, huge, NULL, 0, NULL, &o, real, err, sizeof err) == TFP_EDATA);
  CHECK(strstr(err, "row 2") != NULL);
  const double year[] = {2003, 2004};
  o.chained = 1;
  o.base = 2003;
  CHECK(tfp_deflate(2, nominal, tiny, NULL, 0, year, &o, real, err, sizeof err) == TFP_EDATA);
  CHECK(strstr(err, "row 2") != NULL);
}

/* Round trip on a panel: real series r, a chained index with arbitrary
   inflation, nominal = r * P (P from the index, base year = 1); deflating
   returns r. The fixed-base index 100 * P gives the same real values. */
static void test_deflate_round_trips_through_chained_and_fixed_indexes(void) {
  enum { U = 3, T = 12, N = U * T };
  int unit[N];
  double year[N], r[N], chained[N], fixed[N], nominal[N], real[N];
  const char *labels[] = {"a", "b", "c"};
  for (int u = 0; u < U; u++) {
    for (int t = 0; t < T; t++) {
      int i = ((u * T + t) * 17) % N;   /* scatter the rows */
      unit[i] = u;
      year[i] = 2000 + t;
      r[i] = 100 + 7 * u + 3 * t + (t % 3);
      chained[i] = 100 + ((t * 5 + u) % 11) - 3;   /* -3% .. +7% */
    }
  }
  /* Price levels in a second pass, year by year per unit, base 2005. */
  for (int u = 0; u < U; u++) {
    double p[T];
    int row[T];
    for (int i = 0; i < N; i++)
      if (unit[i] == u) row[(int)year[i] - 2000] = i;
    p[5] = 1;
    for (int t = 6; t < T; t++) p[t] = p[t - 1] * chained[row[t]] / 100;
    for (int t = 5; t > 0; t--) p[t - 1] = p[t] / (chained[row[t]] / 100);
    for (int t = 0; t < T; t++) {
      nominal[row[t]] = r[row[t]] * p[t];
      fixed[row[t]] = 100 * p[t];
    }
  }
  tfp_deflate_opts o;
  tfp_deflate_opts_init(&o);
  o.base = 2005;
  o.unit_label = labels;
  char err[256];
  CHECK(tfp_deflate(N, nominal, chained, unit, U, year, &o, real, err, sizeof err) == TFP_OK);
  for (int i = 0; i < N; i++) CHECK_NEAR(real[i], r[i], 1e-12);
  o.chained = 0;
  CHECK(tfp_deflate(N, nominal, fixed, unit, U, year, &o, real, err, sizeof err) == TFP_OK);
  for (int i = 0; i < N; i++) CHECK_NEAR(real[i], r[i], 1e-12);
}

static void test_deflate_errors_name_the_unit_and_years(void) {
  const int unit[] = {0, 0, 1, 1};
  const double year[] = {2003, 2004, 2004, 2006}, idx[] = {100, 104, 103, 102}, v[] = {1, 2, 3, 4};
  const char *labels[] = {"Hefei", "Wuhu"};
  tfp_deflate_opts o;
  tfp_deflate_opts_init(&o);
  o.base = 2003;
  o.unit_label = labels;
  double real[4];
  char err[256];
  CHECK(tfp_deflate(4, v, idx, unit, 2, year, &o, real, err, sizeof err) == TFP_EDATA);
  CHECK_STR_CONTAINS(err, "unit Wuhu has a gap in the panel: no row for 2005 (between 2004 and 2006)");
  o.chained = 0;   /* gaps are fine for a fixed base, the base year is not */
  CHECK(tfp_deflate(4, v, idx, unit, 2, year, &o, real, err, sizeof err) == TFP_EDATA);
  CHECK_STR_CONTAINS(err, "unit Wuhu has no row for the base period 2003 (its rows cover 2004-2006)");
  const double bad[] = {100, 0, 103, 102};
  CHECK(tfp_deflate(4, v, bad, unit, 2, year, &o, real, err, sizeof err) == TFP_EDATA);
  CHECK_STR_CONTAINS(err, "row 2 (unit Hefei): the price index is 0");
  o.chained = 1;
  o.base = NAN;
  CHECK(tfp_deflate(4, v, idx, unit, 2, year, &o, real, err, sizeof err) == TFP_EINVAL);
  CHECK_STR_CONTAINS(err, "needs a base period");
}

/* A missing index breaks the chain beyond it (seen from the base), not before. */
static void test_deflate_missing_index_leaves_the_far_side_missing(void) {
  const double year[] = {2003, 2004, 2005, 2006}, idx[] = {100, 110, NAN, 105}, v[] = {10, 11, 12, 13};
  tfp_deflate_opts o;
  tfp_deflate_opts_init(&o);
  o.base = 2004;
  double real[4];
  char err[256];
  CHECK(tfp_deflate(4, v, idx, NULL, 0, year, &o, real, err, sizeof err) == TFP_OK);
  CHECK_NEAR(real[0], 11, 1e-12);   /* 10 * 1.1 */
  CHECK_NEAR(real[1], 11, 1e-12);
  CHECK(isnan(real[2]) && isnan(real[3]));
}

int main(void) {
  test_lq_matches_hand_calculation();
  test_lq_without_groups_uses_the_whole_sample();
  test_lq_errors_name_the_row_and_column();
  test_lq_employment_weighted_mean_is_one_in_each_year();
  test_capital_stock_matches_hand_calculation();
  test_capital_stock_takes_the_initial_stock_from_a_column();
  test_capital_stock_is_constant_when_investment_equals_depreciation();
  test_capital_stock_errors_name_the_unit_and_years();
  test_deflate_chained_matches_hand_calculation();
  test_deflate_fixed_base_matches_hand_calculation();
  test_deflate_rejects_an_index_that_makes_an_infinite_value();
  test_deflate_round_trips_through_chained_and_fixed_indexes();
  test_deflate_errors_name_the_unit_and_years();
  test_deflate_missing_index_leaves_the_far_side_missing();
  return check_report("test_prep");
}
