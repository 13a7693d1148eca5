/* test_stock_yogo_kclass.c — the LIML and Fuller-k tables of stock_yogo.c
   (transcribed from ivreg2's s_cdsy): entries read back from the source, the
   identities and orderings the tables must keep (a transcription slip breaks
   them), and ivreg2's choice of rows for LIML and Fuller. */
#include <string.h>
#include "check.h"
#include "stock_yogo.h"

/* cv[i].value for K1, L1 (LIML: fuller = 0). */
static size_t look(size_t K1, size_t L1, int fuller, tfp_iv_cv *cv)
{
  size_t n = 99;
  tfp_sy_lookup_liml(K1, L1, fuller, cv, &n);
  return n;
}

static void entries_are_ivreg2s(void)
{
  tfp_iv_cv cv[8];
  CHECK(look(1, 2, 0, cv) == 4);
  CHECK(cv[0].value == 8.68 && cv[1].value == 5.33 && cv[2].value == 4.42 && cv[3].value == 3.92);
  CHECK_STR_CONTAINS(cv[0].label, "10% maximal LIML size");
  CHECK(look(2, 30, 0, cv) == 4);
  CHECK(cv[0].value == 4.12 && cv[1].value == 2.39 && cv[2].value == 1.95 && cv[3].value == 1.75);
  CHECK(look(1, 1, 1, cv) == 8);
  CHECK(cv[0].value == 24.09 && cv[3].value == 12.71 && cv[4].value == 23.81 && cv[7].value == 12.76);
  CHECK_STR_CONTAINS(cv[0].label, "5% maximal Fuller rel. bias");
  CHECK_STR_CONTAINS(cv[4].label, "5% Fuller maximum bias");
  CHECK(look(2, 30, 1, cv) == 8);
  CHECK(cv[0].value == 2.47 && cv[3].value == 1.94 && cv[4].value == 2.23 && cv[7].value == 1.79);
  CHECK(look(2, 1, 0, cv) == 0 && look(2, 1, 1, cv) == 0);   /* L1 < K1: not tabulated */
  CHECK(look(3, 5, 0, cv) == 0 && look(1, 31, 1, cv) == 0 && look(0, 3, 0, cv) == 0);
}

/* Just identified, LIML is 2SLS: its size row is 2SLS's. */
static void just_identified_liml_size_is_2sls_size(void)
{
  tfp_iv_cv cv[8];
  for (size_t K1 = 1; K1 <= 2; K1++) {
    CHECK(look(K1, K1, 0, cv) == 4);
    for (int r = 0; r < 4; r++) CHECK(cv[r].value == tfp_sy_size(K1, K1, r));
  }
}

/* Stricter thresholds need larger F: 10% > 15% > 20% > 25% (size), 5% > 10%
   > 20% > 30% (bias); Fuller's values fall as instruments are added. */
static void tables_are_ordered(void)
{
  for (size_t K1 = 1; K1 <= 2; K1++) {
    double prev_rel[4] = {INFINITY, INFINITY, INFINITY, INFINITY}, prev_max[4];
    memcpy(prev_max, prev_rel, sizeof prev_max);
    for (size_t L1 = K1; L1 <= 30; L1++) {
      tfp_iv_cv cv[8];
      CHECK(look(K1, L1, 0, cv) == 4);
      for (int i = 1; i < 4; i++) CHECK(cv[i].value < cv[i - 1].value);
      CHECK(look(K1, L1, 1, cv) == 8);
      for (int i = 1; i < 4; i++) CHECK(cv[i].value < cv[i - 1].value && cv[4 + i].value < cv[3 + i].value);
      for (int i = 0; i < 4; i++) {
        CHECK(cv[i].value < prev_rel[i] && cv[4 + i].value < prev_max[i]);
        prev_rel[i] = cv[i].value; prev_max[i] = cv[4 + i].value;
      }
    }
  }
}

int main(void)
{
  entries_are_ivreg2s();
  just_identified_liml_size_is_2sls_size();
  tables_are_ordered();
  return check_report("test_stock_yogo_kclass");
}
