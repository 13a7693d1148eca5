/* test_csv_numbers.c — the CSV reader's decimal parser gives exactly the
   double strtod gives (correct rounding), on hard cases and on a million
   random decimal strings of every length and exponent; and reading a CSV
   in pieces gives the same frame as one piece. */
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include "check.h"
#include "csv.h"

static uint64_t state = 88172645463325252ull;
static uint64_t next(void) { state ^= state << 13; state ^= state >> 7; state ^= state << 17; return state; }

/* One random decimal: sign, 1-25 digits with a point somewhere (or none),
   an exponent sometimes, spaces sometimes. */
static int random_number(char *buf) {
  int n = 0, nd = 1 + (int)(next() % 25), point = (int)(next() % (uint64_t)(nd + 2)) - 1;
  if (next() % 8 == 0) buf[n++] = ' ';
  if (next() % 3 == 0) buf[n++] = '-';
  else if (next() % 20 == 0) buf[n++] = '+';
  for (int k = 0; k < nd; k++) {
    if (k == point) buf[n++] = '.';
    buf[n++] = (char)('0' + (k == 0 && next() % 4 ? 1 + next() % 9 : next() % 10));
  }
  if (next() % 2) n += sprintf(buf + n, "e%d", (int)(next() % 700) - 350);
  else if (next() % 4 == 0) n += sprintf(buf + n, "E+%d", (int)(next() % 30));
  buf[n] = 0;
  return n;
}

static const char *hard[] = {
  "0", "-0", "0.0", "-0.000", "1", "0.1", "0.2", "0.3", "1e22", "1e23", "9007199254740992",
  "9007199254740993", "9007199254740994", "9007199254740995", "18014398509481985",
  "2.2250738585072011e-308", "2.2250738585072012e-308", "2.2250738585072014e-308",
  "4.9406564584124654e-324", "2.4703282292062327e-324", "2.4703282292062328e-324", "1e-400",
  "1.7976931348623157e308", "1.7976931348623158e308", "8.98846567431158e307",
  "123456789012345678901234567890", "0.000000000000000000000000000001", "1.00000000000000011102230246251565404236316680908203125",
  "1.00000000000000011102230246251565404236316680908203124", "1.00000000000000011102230246251565404236316680908203126",
  "7.2057594037927933e16", "3.4028235677973366e38", "4503599627370496.5", "4503599627370497.5",
  "1e-22", "1e-23", "123.456", "  42  ", ".5", "5.", "-.25e+2", "1e0", "0e999", "99999999999999999999e-20",
  "0.1e-5", "1234567890123456789", "12345678901234567890", "0.00000000001234567890123456789e11",
};

static void check_column(char **items, size_t n) {
  size_t cap = 16, len = 0;
  for (size_t i = 0; i < n; i++) cap += strlen(items[i]) + 1;
  char *text = malloc(cap);
  len += (size_t)sprintf(text, "x\n");
  for (size_t i = 0; i < n; i++) len += (size_t)sprintf(text + len, "%s\n", items[i]);
  tfp_frame *f = NULL;
  char err[256] = "";
  CHECK(tfp_csv_parse(text, len, "numbers.csv", NULL, &f, err, sizeof err) == TFP_OK);
  if (!f) { fprintf(stderr, "%s\n", err); free(text); return; }
  CHECK(f->col[0].type == TFP_NUM && f->nrow == n);
  size_t bad = 0;
  for (size_t i = 0; i < n && f->col[0].type == TFP_NUM; i++) {
    double want = strtod(items[i], NULL), got = f->col[0].num[i];
    if (memcmp(&want, &got, sizeof want) != 0) {
      if (bad++ < 10) fprintf(stderr, "'%s': got %.17g, strtod %.17g\n", items[i], got, want);
    }
  }
  CHECK(bad == 0);
  /* the same text read from a file, in pieces, gives the same numbers */
  char path[] = "/tmp/tfp_csv_numXXXXXX";
  int fd = mkstemp(path);
  CHECK(fd >= 0 && write(fd, text, len) == (ssize_t)len);
  if (fd >= 0) close(fd);
  tfp_frame *g = NULL;
  CHECK(tfp_csv_read(path, NULL, &g, err, sizeof err) == TFP_OK);
  CHECK(g && g->nrow == n && memcmp(g->col[0].num, f->col[0].num, n * sizeof(double)) == 0);
  unlink(path);
  tfp_frame_free(g);
  tfp_frame_free(f);
  free(text);
}

static void test_hard_cases_round_as_strtod_does(void) {
  check_column((char **)hard, sizeof hard / sizeof *hard);
}

static void test_a_million_random_decimals_round_as_strtod_does(void) {
  enum { N = 1000000 };
  char **items = malloc(N * sizeof *items), buf[64];
  size_t m = 0;
  while (m < N) {
    random_number(buf);
    double v = strtod(buf, NULL);
    if (v > 1.7976931348623157e308 || v < -1.7976931348623157e308) continue;   /* out of range: an error */
    items[m++] = strdup(buf);
  }
  check_column(items, m);
  for (size_t i = 0; i < m; i++) free(items[i]);
  free(items);
}

/* A column that turns to text late (fread's bump) keeps every row's text,
   also when the file is read in pieces (> 8 MB). */
static void test_a_column_turning_to_text_late_keeps_its_earlier_rows(void) {
  enum { N = 700000 };
  size_t cap = (size_t)N * 24 + 64, len = 0;
  char *text = malloc(cap);
  len += (size_t)sprintf(text, "id,code,x\n");
  for (int i = 0; i < N; i++)
    len += (size_t)sprintf(text + len, i == N - 2 ? "%d,A%d,%d.5\n" : "%d,%03d,%d.5\n", i, i % 1000, i);
  char path[] = "/tmp/tfp_csv_bumpXXXXXX";
  int fd = mkstemp(path);
  CHECK(fd >= 0 && write(fd, text, len) == (ssize_t)len);
  if (fd >= 0) close(fd);
  tfp_frame *f = NULL;
  char err[256] = "";
  CHECK(tfp_csv_read(path, NULL, &f, err, sizeof err) == TFP_OK);
  CHECK(f && f->nrow == N && f->col[1].type == TFP_STR && f->col[2].type == TFP_NUM);
  if (f && f->col[1].type == TFP_STR) {
    CHECK(strcmp(f->col[1].str[0], "000") == 0 && strcmp(f->col[1].str[7], "007") == 0);
    CHECK(strcmp(f->col[1].str[N - 2], "A998") == 0 && strcmp(f->col[1].str[N - 1], "999") == 0);
    CHECK(f->col[2].num[N - 1] == N - 0.5);
  }
  unlink(path);
  tfp_frame_free(f);
  free(text);
}

int main(void) {
  test_hard_cases_round_as_strtod_does();
  test_a_million_random_decimals_round_as_strtod_does();
  test_a_column_turning_to_text_late_keeps_its_earlier_rows();
  return check_report("test_csv_numbers");
}
