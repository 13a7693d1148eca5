/* capital.c — perpetual inventory capital stock (see capital.h). */
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include "capital.h"
#include "panel.h"

void tfp_capital_opts_init(tfp_capital_opts *o) {
  o->delta = 0.096;
  o->initial = TFP_K0_GROWTH;
  o->k0 = NULL;
  o->unit_label = NULL;
  o->id_name = "id";
  o->time_name = "time";
}

int tfp_capital_stock(size_t n, const int *unit, size_t n_units, const double *time,
                      const double *investment, const tfp_capital_opts *o,
                      double *k, char *err, size_t errlen) {
  tfp_capital_opts def;
  if (!o) { tfp_capital_opts_init(&def); o = &def; }
  if (!(o->delta > 0 && o->delta <= 1)) {
    tfp_error(err, errlen, 0, "delta must be in (0, 1], got %g", o->delta);
    return TFP_EINVAL;
  }
  if (o->initial == TFP_K0_GIVEN && !o->k0) {
    tfp_error(err, errlen, 0, "initial stock column not given");
    return TFP_EINVAL;
  }
  size_t *order = malloc((n ? n : 1) * sizeof *order);
  size_t *start = malloc((n_units + 1) * sizeof *start);
  int rc = order && start ? TFP_OK : TFP_ENOMEM;
  if (rc != TFP_OK && err) snprintf(err, errlen, "out of memory");
  tfp_panel_names nm = {o->id_name, o->time_name, o->unit_label, NULL};
  if (rc == TFP_OK) rc = tfp_panel_sort(n, unit, n_units, time, &nm, 1, order, start, err, errlen);
  char ub[32];
  for (size_t u = 0; rc == TFP_OK && u < n_units; u++) {
    size_t a = start[u], b = start[u + 1];
    if (a == b) continue;
    const char *name = tfp_unit_name(o->unit_label, (int)u, ub, sizeof ub);
    for (size_t j = a; j < b; j++) {
      double inv = investment[order[j]];
      if (isnan(inv) || inv < 0) {
        tfp_error(err, errlen, 0, "unit %s, time %.0f (row %zu): investment is %s", name,
                          time[order[j]], order[j] + 1, isnan(inv) ? "missing" : "negative");
        rc = TFP_EDATA;
        break;
      }
    }
    if (rc != TFP_OK) break;
    double t0 = time[order[a]], i0 = investment[order[a]], k_prev;
    if (o->initial == TFP_K0_GIVEN) {
      k_prev = o->k0[order[a]];
      if (isnan(k_prev) || k_prev < 0) {
        tfp_error(err, errlen, 0, "unit %s, time %.0f (row %zu): the initial stock is %s", name,
                          t0, order[a] + 1, isnan(k_prev) ? "missing" : "negative");
        rc = TFP_EDATA;
        break;
      }
    } else {
      double t1 = time[order[b - 1]], i1 = investment[order[b - 1]];
      if (b - a < 2 || i0 <= 0 || i1 <= 0) {
        tfp_error(err, errlen, 0, "unit %s: the growth rule needs investment > 0 in a first and a "
                          "last year (it has %zu year%s, from %.0f)", name, b - a, b - a == 1 ? "" : "s", t0);
        rc = TFP_EDATA;
        break;
      }
      double g = pow(i1 / i0, 1.0 / (t1 - t0)) - 1;
      if (g + o->delta <= 0) {
        tfp_error(err, errlen, 0, "unit %s: average investment growth %.4g plus delta is not positive, "
                          "the growth rule fails (give the initial stock as a column)", name, g);
        rc = TFP_EDATA;
        break;
      }
      k_prev = i0 / (g + o->delta);
    }
    k[order[a]] = k_prev;
    for (size_t j = a + 1; j < b; j++) {
      k_prev = (1 - o->delta) * k_prev + investment[order[j]];
      k[order[j]] = k_prev;
    }
  }
  free(order);
  free(start);
  return rc;
}
