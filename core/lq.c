/* lq.c — location quotients (see lq.h). */
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include "frame.h"
#include "lq.h"

static const char *name_of(const char *const *names, size_t k, char *buf, size_t len) {
  if (names && names[k]) return names[k];
  snprintf(buf, len, "#%zu", k + 1);
  return buf;
}

int tfp_lq(size_t n, size_t n_sectors, const double *const *sector, const double *total,
           const int *group, size_t n_groups, const char *const *names, const tfp_rows *rows,
           double *lq, char *err, size_t errlen) {
  char nb[32], rb[256];
  if (n_sectors == 0 || !sector || !total || !lq) {
    tfp_error(err, errlen, 0, "no sector columns given");
    return TFP_EINVAL;
  }
  if (!group) n_groups = 1;
  double *sum = calloc(2 * (n_groups ? n_groups : 1), sizeof *sum);   /* X_g, Y_g */
  if (!sum) {
    tfp_error(err, errlen, 0, "out of memory");
    return TFP_ENOMEM;
  }
  /* Infinite values are errors (one would make every quotient of its group
     inf or 0); the sums are formed on values scaled by a power of two (exact)
     so that finite values near 1e308 cannot overflow them. */
  double big = 0;
  for (size_t i = 0; i < n; i++)
    for (size_t k = 0; k <= n_sectors; k++) {
      double v = k < n_sectors ? sector[k][i] : total[i];
      if (isinf(v)) {
        tfp_error(err, errlen, 0, "%s: %s '%s' is infinite", tfp_row_label(rows, i, rb, sizeof rb),
                  k < n_sectors ? "sector" : "total", name_of(names, k, nb, sizeof nb));
        free(sum);
        return TFP_EDATA;
      }
      if (fabs(v) > big) big = fabs(v);
    }
  int ex = 0;
  if (big > 0) frexp(big, &ex);
  if (ex < -1000) ex = -1000;   /* subnormal values: 2^-ex must stay finite */
  double c = ldexp(1.0, -ex);
  /* First pass: each row's sector sum (kept in lq) and the group sums. */
  for (size_t i = 0; i < n; i++) {
    int g = group ? group[i] : 0;
    double x = 0, y = total[i] * c;
    int complete = !isnan(y);
    for (size_t k = 0; k < n_sectors; k++) {
      double v = sector[k][i];
      if (isnan(v)) { complete = 0; continue; }
      if (v < 0) {
        tfp_error(err, errlen, 0, "%s: sector '%s' is negative (%g)", tfp_row_label(rows, i, rb, sizeof rb),
                          name_of(names, k, nb, sizeof nb), v);
        free(sum);
        return TFP_EDATA;
      }
      x += v * c;
    }
    if (complete && y <= 0) {
      tfp_error(err, errlen, 0, "%s: total '%s' is %g, must be positive", tfp_row_label(rows, i, rb, sizeof rb),
                        name_of(names, n_sectors, nb, sizeof nb), total[i]);
      free(sum);
      return TFP_EDATA;
    }
    /* A little slack for rounding in published figures. */
    if (complete && x > y * (1 + 1e-9)) {
      tfp_error(err, errlen, 0, "%s: the sectors sum to %g, more than total '%s' (%g)",
                tfp_row_label(rows, i, rb, sizeof rb), x / c, name_of(names, n_sectors, nb, sizeof nb),
                total[i]);
      free(sum);
      return TFP_EDATA;
    }
    if (!complete || g < 0 || (size_t)g >= n_groups) { lq[i] = NAN; continue; }
    lq[i] = x;
    sum[2 * g] += x;
    sum[2 * g + 1] += y;
  }
  for (size_t i = 0; i < n; i++) {
    if (isnan(lq[i])) continue;
    int g = group ? group[i] : 0;
    if (sum[2 * g] <= 0) {
      tfp_error(err, errlen, 0, "%s: no employment in the sectors in any row of its group, "
                        "the location quotient is undefined", tfp_row_label(rows, i, rb, sizeof rb));
      free(sum);
      return TFP_EDATA;
    }
    lq[i] = (lq[i] / (total[i] * c)) / (sum[2 * g] / sum[2 * g + 1]);
  }
  free(sum);
  return TFP_OK;
}
