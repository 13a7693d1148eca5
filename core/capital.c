/* capital.c — perpetual inventory capital stock (see capital.h). */
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include "capital.h"
#include "frame.h"

void tfp_capital_opts_init(tfp_capital_opts *o) {
  o->delta = 0.096;
  o->initial = TFP_K0_GROWTH;
  o->k0 = NULL;
  o->unit_label = NULL;
}

const char *tfp_unit_name(const char *const *unit_label, int u, char *buf, size_t len) {
  if (unit_label && unit_label[u]) return unit_label[u];
  snprintf(buf, len, "%d", u + 1);
  return buf;
}

typedef struct { double time; size_t row; } panel_key;

static int cmp_key(const void *a, const void *b) {
  const panel_key *x = a, *y = b;
  if (x->time != y->time) return x->time < y->time ? -1 : 1;
  return x->row < y->row ? -1 : (x->row > y->row);
}

/* Sort one unit's rows (order[0..m-1]) by time: insertion sort for the usual
   short, nearly sorted runs; qsort on a key copy for long ones. */
static int sort_by_time(size_t *order, size_t m, const double *time) {
  if (m <= 64) {
    for (size_t j = 1; j < m; j++) {
      size_t r = order[j], k = j;
      while (k > 0 && time[order[k - 1]] > time[r]) { order[k] = order[k - 1]; k--; }
      order[k] = r;
    }
    return TFP_OK;
  }
  panel_key *key = malloc(m * sizeof *key);
  if (!key) return TFP_ENOMEM;
  for (size_t j = 0; j < m; j++) key[j] = (panel_key){time[order[j]], order[j]};
  qsort(key, m, sizeof *key, cmp_key);
  for (size_t j = 0; j < m; j++) order[j] = key[j].row;
  free(key);
  return TFP_OK;
}

int tfp_panel_sort(size_t n, const int *unit, size_t n_units, const double *time,
                   const char *const *unit_label, int consecutive,
                   size_t *order, size_t *start, char *err, size_t errlen) {
  char ub[32];
  for (size_t i = 0; i < n; i++) {
    if (unit[i] < 0 || (size_t)unit[i] >= n_units) {
      tfp_error(err, errlen, 0, "row %zu: the unit id is missing", i + 1);
      return TFP_EDATA;
    }
    if (isnan(time[i]) || time[i] != floor(time[i]) || fabs(time[i]) > 1e9) {
      tfp_error(err, errlen, 0, "row %zu (unit %s): the time is %s", i + 1,
                        tfp_unit_name(unit_label, unit[i], ub, sizeof ub),
                        isnan(time[i]) ? "missing" : "not an integer");
      return TFP_EDATA;
    }
  }
  /* Counting sort by unit (codes are dense), then each unit by time. */
  for (size_t u = 0; u <= n_units; u++) start[u] = 0;
  for (size_t i = 0; i < n; i++) start[unit[i] + 1]++;
  for (size_t u = 0; u < n_units; u++) start[u + 1] += start[u];
  for (size_t i = 0; i < n; i++) order[start[unit[i]]++] = i;
  for (size_t u = n_units; u > 0; u--) start[u] = start[u - 1];   /* undo the fill's advance */
  start[0] = 0;
  for (size_t u = 0; u < n_units; u++) {
    size_t a = start[u], b = start[u + 1];
    if (sort_by_time(order + a, b - a, time) != TFP_OK) {
      tfp_error(err, errlen, 0, "out of memory");
      return TFP_ENOMEM;
    }
    for (size_t j = a + 1; j < b; j++) {
      double prev = time[order[j - 1]], t = time[order[j]];
      const char *name = tfp_unit_name(unit_label, (int)u, ub, sizeof ub);
      if (t == prev) {
        tfp_error(err, errlen, 0, "unit %s has two rows for time %.0f (rows %zu and %zu)",
                          name, t, order[j - 1] + 1, order[j] + 1);
        return TFP_EDATA;
      }
      if (consecutive && t != prev + 1) {
        if (err) {
          if (t == prev + 2)
            snprintf(err, errlen, "unit %s has a gap in the panel: no row for %.0f (between %.0f and %.0f)",
                     name, prev + 1, prev, t);
          else
            snprintf(err, errlen, "unit %s has a gap in the panel: no rows for %.0f-%.0f (between %.0f and %.0f)",
                     name, prev + 1, t - 1, prev, t);
        }
        return TFP_EDATA;
      }
    }
  }
  return TFP_OK;
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
  if (rc == TFP_OK)
    rc = tfp_panel_sort(n, unit, n_units, time, o->unit_label, 1, order, start, err, errlen);
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
