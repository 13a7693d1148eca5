/* check.h — the C unit tests' assertions. Each failure prints where and why;
   a test program returns check_report(), non-zero when anything failed. */
#ifndef TFP_CHECK_H
#define TFP_CHECK_H
#include <math.h>
#include <stdio.h>

static int check_failures, check_count;

#define CHECK(cond) do { check_count++; if (!(cond)) { check_failures++; \
  fprintf(stderr, "%s:%d: CHECK(%s) failed\n", __FILE__, __LINE__, #cond); } } while (0)

/* |got - want| <= tol * max(1, |want|): relative for large values, absolute near 0. */
#define CHECK_NEAR(got, want, tol) do { double g_ = (got), w_ = (want); check_count++; \
  if (!(fabs(g_ - w_) <= (tol) * fmax(1.0, fabs(w_)))) { check_failures++; \
    fprintf(stderr, "%s:%d: %s = %.12g, want %.12g (tol %g)\n", __FILE__, __LINE__, \
            #got, g_, w_, (double)(tol)); } } while (0)

#define CHECK_STR_CONTAINS(s, sub) do { const char *s_ = (s); check_count++; \
  if (!s_ || !strstr(s_, (sub))) { check_failures++; \
    fprintf(stderr, "%s:%d: \"%s\" does not contain \"%s\"\n", __FILE__, __LINE__, \
            s_ ? s_ : "(null)", (sub)); } } while (0)

static inline int check_report(const char *name) {
  printf("%s: %d checks, %d failed\n", name, check_count, check_failures);
  return check_failures != 0;
}
#endif
