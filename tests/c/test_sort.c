/* test_sort.c — tfp_sort orders as qsort does at every size around its run
   length, and a progress callback that says stop ends it with TFP_EINTR,
   in the runs or in the merges (and nothing leaked, under ASan). */
#include <stdlib.h>
#include <string.h>
#include "check.h"
#include "sort.h"

typedef struct { double v; size_t row; } item;

static int cmp_item(const void *a, const void *b) {
  const item *x = a, *y = b;
  if (x->v != y->v) return (x->v > y->v) - (x->v < y->v);
  return (x->row > y->row) - (x->row < y->row);
}

static int go_on(void *ud, const char *what, size_t done, size_t total) {
  (void)what;
  ++*(int *)ud;
  CHECK(done <= total);
  return 0;
}

static int stop_at_third(void *ud, const char *what, size_t done, size_t total) {
  (void)what; (void)done; (void)total;
  return ++*(int *)ud >= 3;
}

/* stops once the runs are sorted and merging is under way */
static int stop_in_merges(void *ud, const char *what, size_t done, size_t total) {
  (void)what; (void)total;
  ++*(int *)ud;
  return done > 600000;   /* n = 500000: past the runs, in the second pass */
}

static item *random_items(size_t n, unsigned seed) {
  item *a = malloc(n * sizeof *a);
  srand(seed);
  for (size_t i = 0; i < n; i++) a[i] = (item){(double)(rand() % 1000), i};
  return a;
}

static void sorts_as_qsort_at_every_size(void) {
  size_t sizes[] = {0, 1, 2, 100, 8191, 8192, 8193, 3 * 8192 + 5, 200000};
  for (size_t s = 0; s < sizeof sizes / sizeof *sizes; s++) {
    size_t n = sizes[s];
    item *a = random_items(n ? n : 1, 7 + (unsigned)s), *b = malloc((n ? n : 1) * sizeof *b);
    memcpy(b, a, n * sizeof *a);
    int calls = 0;
    CHECK(tfp_sort(a, n, sizeof *a, cmp_item, go_on, &calls, "sorting") == TFP_OK);
    qsort(b, n, sizeof *b, cmp_item);
    CHECK(n == 0 || memcmp(a, b, n * sizeof *a) == 0);
    if (n > 8192) CHECK(calls > 2);
    free(a); free(b);
  }
}

static void without_progress_it_is_qsort(void) {
  size_t n = 50000;
  item *a = random_items(n, 3), *b = malloc(n * sizeof *b);
  memcpy(b, a, n * sizeof *a);
  CHECK(tfp_sort(a, n, sizeof *a, cmp_item, NULL, NULL, NULL) == TFP_OK);
  qsort(b, n, sizeof *b, cmp_item);
  CHECK(memcmp(a, b, n * sizeof *a) == 0);
  free(a); free(b);
}

static void a_stopping_callback_ends_the_sort_with_eintr(void) {
  size_t n = 500000;
  item *a = random_items(n, 5);
  int calls = 0;
  CHECK(tfp_sort(a, n, sizeof *a, cmp_item, stop_at_third, &calls, "sorting") == TFP_EINTR);
  CHECK(calls == 3);
  free(a);
  a = random_items(n, 6);
  calls = 0;
  CHECK(tfp_sort(a, n, sizeof *a, cmp_item, stop_in_merges, &calls, "sorting") == TFP_EINTR);
  CHECK(calls > 500000 / 8192);
  free(a);
}

int main(void) {
  sorts_as_qsort_at_every_size();
  without_progress_it_is_qsort();
  a_stopping_callback_ends_the_sort_with_eintr();
  return check_report("test_sort");
}
