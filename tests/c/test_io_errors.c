/* test_io_errors.c — I/O and out-of-memory failures give the right message:
   never a stale errno ("Success", "Inappropriate ioctl for device"), never
   an unwritten buffer. Allocation failure is injected by interposing malloc
   (not under the sanitizers, whose runtime owns malloc). */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include "check.h"
#include "csv.h"
#include "frame.h"

#if defined(__SANITIZE_ADDRESS__)
#define TFP_NO_INJECT 1
#elif defined(__has_feature)
#if __has_feature(address_sanitizer) || __has_feature(memory_sanitizer)
#define TFP_NO_INJECT 1
#endif
#endif

#ifndef TFP_NO_INJECT
/* A malloc that fails on demand without setting errno, as an injected fault
   (or a C library's internal allocation) may. */
extern void *__libc_malloc(size_t);
static int fail_malloc;
void *malloc(size_t n) { return fail_malloc ? NULL : __libc_malloc(n); }

static void test_open_failing_in_malloc_says_out_of_memory(void) {
  char err[256] = "";
  tfp_frame *f = NULL;
  errno = ENOTTY;                      /* stale, as left by an isatty() */
  fail_malloc = 1;
  int rc = tfp_csv_read("refs/dea/charnes1981.csv", NULL, &f, err, sizeof err);
  fail_malloc = 0;
  CHECK(rc == TFP_ENOMEM);
  CHECK_STR_CONTAINS(err, "refs/dea/charnes1981.csv: out of memory");
  CHECK(strstr(err, "Inappropriate") == NULL && strstr(err, "Success") == NULL);
}

static void test_panel_out_of_memory_writes_its_message(void) {
  double id[3] = {1, 1, 2}, t[3] = {1, 2, 1};
  tfp_frame *f = tfp_frame_create(3);
  double *a = malloc(sizeof id), *b = malloc(sizeof t);
  memcpy(a, id, sizeof id); memcpy(b, t, sizeof t);
  tfp_frame_add_num(f, "id", a);
  tfp_frame_add_num(f, "t", b);
  char err[256];
  memset(err, 'X', sizeof err - 1); err[sizeof err - 1] = 0;   /* garbage, as uninitialised */
  fail_malloc = 1;
  int rc = tfp_frame_panel(f, 0, 1, NULL, NULL, err, sizeof err);
  fail_malloc = 0;
  CHECK(rc == TFP_ENOMEM);
  CHECK_STR_CONTAINS(err, "panel: out of memory");
  tfp_frame_free(f);
}
#endif

static void test_reading_a_directory_names_the_reason(void) {
  char err[256] = "";
  tfp_frame *f = NULL;
  errno = 0;
  int rc = tfp_csv_read("refs", NULL, &f, err, sizeof err);
  CHECK(rc == TFP_EIO);
  CHECK_STR_CONTAINS(err, "refs: read error: Is a directory");
}

int main(void) {
  test_reading_a_directory_names_the_reason();
#ifndef TFP_NO_INJECT
  test_open_failing_in_malloc_says_out_of_memory();
  test_panel_out_of_memory_writes_its_message();
#endif
  return check_report("test_io_errors");
}
