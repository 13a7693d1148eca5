/* deflate.c — deflating by chained or fixed-base price indexes (see deflate.h). */
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include "deflate.h"
#include "panel.h"

void tfp_deflate_opts_init(tfp_deflate_opts *o) {
  o->chained = 1;
  o->base = NAN;
  o->unit_label = NULL;
  o->id_name = "id";
  o->time_name = "time";
}

/* An index so small (or a chain so long) that a finite value deflates to an
   infinity is a data error, not a value to hand on. */
static int check_finite(size_t n, const double *nominal, const double *real, const int *unit,
                        const tfp_deflate_opts *o, char *err, size_t errlen) {
  char ub[32];
  for (size_t i = 0; i < n; i++) {
    if (isinf(real[i]) && isfinite(nominal[i])) {
      tfp_error(err, errlen, 0, "row %zu%s%s%s: the real value is infinite (the price index is too small)", i + 1,
                unit ? " (unit " : "", unit && unit[i] >= 0 ? tfp_unit_name(o->unit_label, unit[i], ub, sizeof ub) : "",
                unit ? ")" : "");
      return TFP_EDATA;
    }
  }
  return TFP_OK;
}

int tfp_deflate(size_t n, const double *nominal, const double *index, const int *unit,
                size_t n_units, const double *time, const tfp_deflate_opts *o,
                double *real, char *err, size_t errlen) {
  tfp_deflate_opts def;
  if (!o) { tfp_deflate_opts_init(&def); o = &def; }
  char ub[32];
  for (size_t i = 0; i < n; i++) {
    if (!isnan(index[i]) && (index[i] <= 0 || isinf(index[i]))) {
      tfp_error(err, errlen, 0, "row %zu%s%s%s: the price index is %g, must be positive and finite", i + 1,
                        unit ? " (unit " : "", unit && unit[i] >= 0 ? tfp_unit_name(o->unit_label, unit[i], ub, sizeof ub) : "",
                        unit ? ")" : "", index[i]);
      return TFP_EDATA;
    }
  }
  if (!o->chained && isnan(o->base)) {
    for (size_t i = 0; i < n; i++) real[i] = nominal[i] * 100 / index[i];
    return check_finite(n, nominal, real, unit, o, err, errlen);
  }
  if (isnan(o->base) || !time) {
    tfp_error(err, errlen, 0, o->chained ? "a chained index needs a base period and the time of each row"
                                              : "a base period needs the time of each row");
    return TFP_EINVAL;
  }
  int *one = NULL;
  const int *unit_given = unit;
  if (!unit) {
    one = calloc(n ? n : 1, sizeof *one);
    n_units = 1;
    unit = one;
  }
  size_t *order = malloc((n ? n : 1) * sizeof *order);
  size_t *start = malloc((n_units + 1) * sizeof *start);
  int rc = one || unit ? TFP_OK : TFP_ENOMEM;
  if (!order || !start) rc = TFP_ENOMEM;
  if (rc != TFP_OK && err) snprintf(err, errlen, "out of memory");
  tfp_panel_names nm = {o->id_name, o->time_name, o->unit_label, NULL};
  if (rc == TFP_OK) rc = tfp_panel_sort(n, unit, n_units, time, &nm, o->chained, order, start, err, errlen);
  for (size_t u = 0; rc == TFP_OK && u < n_units; u++) {
    size_t a = start[u], b = start[u + 1], jb = b;
    if (a == b) continue;
    for (size_t j = a; j < b; j++)
      if (time[order[j]] == o->base) jb = j;
    if (jb == b) {
      tfp_error(err, errlen, 0, "unit %s has no row for the base period %.0f (its rows cover %.0f-%.0f)",
                        tfp_unit_name(o->unit_label, (int)u, ub, sizeof ub), o->base,
                        time[order[a]], time[order[b - 1]]);
      rc = TFP_EDATA;
      break;
    }
    if (!o->chained) {
      double ib = index[order[jb]];
      for (size_t j = a; j < b; j++) real[order[j]] = nominal[order[j]] * ib / index[order[j]];
      continue;
    }
    double p = 1;
    real[order[jb]] = nominal[order[jb]];
    for (size_t j = jb + 1; j < b; j++) {
      p *= index[order[j]] / 100;   /* NaN stays NaN: the chain is broken */
      real[order[j]] = nominal[order[j]] / p;
    }
    p = 1;
    for (size_t j = jb; j > a; j--) {
      p /= index[order[j]] / 100;
      real[order[j - 1]] = nominal[order[j - 1]] / p;
    }
  }
  free(one);
  free(order);
  free(start);
  return rc == TFP_OK ? check_finite(n, nominal, real, unit_given, o, err, errlen) : rc;
}
