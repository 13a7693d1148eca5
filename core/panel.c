/* panel.c — group codes, panel order and the panel checks (see panel.h). */
#include "panel.h"
#include "frame.h"
#include "sort.h"
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

/* ---- group codes: sort (value, row) pairs; the comparators need no shared state */

typedef struct {
  double v;
  const char *s;
  size_t row;
} keyed_row;

static int cmp_num(const void *a, const void *b) {
  double x = ((const keyed_row *)a)->v, y = ((const keyed_row *)b)->v;
  return (x > y) - (x < y);
}

static int cmp_str(const void *a, const void *b) {
  return strcmp(((const keyed_row *)a)->s, ((const keyed_row *)b)->s);
}

/* Number the m sorted keys: equal neighbours share a code. */
static size_t number_sorted(const keyed_row *k, size_t m, int (*cmp)(const void *, const void *), int *code) {
  size_t g = 0;
  for (size_t j = 0; j < m; j++) {
    if (j > 0 && cmp(&k[j - 1], &k[j]) != 0) g++;
    code[k[j].row] = (int)g;
  }
  return m ? g + 1 : 0;
}

int tfp_group_codes(const tfp_column *c, size_t nrow, int *code, size_t *n_groups, tfp_progress_fn progress,
                    void *progress_ud) {
  keyed_row *k = malloc((nrow ? nrow : 1) * sizeof *k);
  size_t m = 0;
  if (!k) return TFP_ENOMEM;
  for (size_t i = 0; i < nrow; i++) {
    code[i] = -1;
    if (c->type == TFP_NUM ? isnan(c->num[i]) : c->str[i] == NULL) continue;
    k[m].v = c->type == TFP_NUM ? c->num[i] : 0;
    k[m].s = c->type == TFP_STR ? c->str[i] : NULL;
    k[m++].row = i;
  }
  int (*cmp)(const void *, const void *) = c->type == TFP_NUM ? cmp_num : cmp_str;
  if (tfp_sort(k, m, sizeof *k, cmp, progress, progress_ud, "grouping") != TFP_OK) {
    free(k);
    return TFP_EINTR;
  }
  *n_groups = number_sorted(k, m, cmp, code);
  free(k);
  return TFP_OK;
}

int tfp_group_codes_num(const double *v, const size_t *rows, size_t n, int *code, double **levels,
                        size_t *n_groups, tfp_progress_fn progress, void *progress_ud) {
  keyed_row *k = malloc((n ? n : 1) * sizeof *k);
  size_t m = 0;
  if (!k) return TFP_ENOMEM;
  for (size_t i = 0; i < n; i++) {
    double x = v[rows ? rows[i] : i];
    code[i] = -1;
    if (isnan(x)) continue;
    k[m++] = (keyed_row){x, NULL, i};
  }
  if (tfp_sort(k, m, sizeof *k, cmp_num, progress, progress_ud, "grouping") != TFP_OK) {
    free(k);
    return TFP_EINTR;
  }
  size_t ng = number_sorted(k, m, cmp_num, code);
  if (levels) {
    double *lv = malloc((ng ? ng : 1) * sizeof *lv);
    if (!lv) {
      free(k);
      return TFP_ENOMEM;
    }
    for (size_t j = 0; j < m; j++) lv[code[k[j].row]] = k[j].v;
    *levels = lv;
  }
  *n_groups = ng;
  free(k);
  return TFP_OK;
}

/* ---- panel order and its checks */

int tfp_panel_key_cmp(const void *a, const void *b) {
  const tfp_panel_key *x = a, *y = b;
  if (x->g != y->g) return (x->g > y->g) - (x->g < y->g);
  if (x->t != y->t) return (x->t > y->t) - (x->t < y->t);
  return (x->row > y->row) - (x->row < y->row);
}

const char *tfp_unit_name(const char *const *unit_label, int u, char *buf, size_t len) {
  if (unit_label && unit_label[u]) return unit_label[u];
  snprintf(buf, len, "%d", u + 1);
  return buf;
}

const char *tfp_panel_unit(const tfp_panel_names *nm, int u, size_t row, char *buf, size_t len) {
  if (nm && nm->unit_label && nm->unit_label[u]) return nm->unit_label[u];
  const tfp_column *c = nm ? nm->id_col : NULL;
  if (c && c->type == TFP_STR && c->str[row]) return c->str[row];
  if (c && c->type == TFP_NUM && !isnan(c->num[row]))
    snprintf(buf, len, "%.15g", c->num[row]);
  else
    snprintf(buf, len, "%d", u + 1);
  return buf;
}

static const char *id_name(const tfp_panel_names *nm) {
  return nm && nm->id_name ? nm->id_name : "id";
}

static const char *time_name(const tfp_panel_names *nm) {
  return nm && nm->time_name ? nm->time_name : "time";
}

/* The first row with a missing unit or a time that is not a period. */
static int check_rows(size_t n, const int *unit, const double *time, int whole, const tfp_panel_names *nm,
                      char *err, size_t errlen) {
  char ub[64];
  for (size_t i = 0; i < n; i++) {
    double t = time[i];
    if (unit[i] < 0) {
      if (isnan(t))
        return tfp_error(err, errlen, TFP_EDATA, "id '%s' is missing in row %zu", id_name(nm), i + 1);
      return tfp_error(err, errlen, TFP_EDATA, "id '%s' is missing in row %zu (%s = %.15g)", id_name(nm),
                       i + 1, time_name(nm), t);
    }
    int bad_time = !isfinite(t) || (whole && t != floor(t));
    if (!bad_time) continue;
    const char *unit_text = tfp_panel_unit(nm, unit[i], i, ub, sizeof ub);
    if (isnan(t))
      return tfp_error(err, errlen, TFP_EDATA, "time '%s' is missing in row %zu (%s = %s)", time_name(nm),
                       i + 1, id_name(nm), unit_text);
    return tfp_error(err, errlen, TFP_EDATA, "time '%s' is %.15g in row %zu (%s = %s): periods must be %s",
                     time_name(nm), t, i + 1, id_name(nm), unit_text, whole ? "whole numbers" : "finite");
  }
  return TFP_OK;
}

int tfp_panel_keys(size_t n, const int *unit, const double *time, int whole, const tfp_panel_names *nm,
                   tfp_progress_fn progress, void *progress_ud, tfp_panel_key **out, char *err,
                   size_t errlen) {
  int rc = check_rows(n, unit, time, whole, nm, err, errlen);
  if (rc != TFP_OK) return rc;
  tfp_panel_key *key = malloc((n ? n : 1) * sizeof *key);
  if (!key) return tfp_error(err, errlen, TFP_ENOMEM, "panel: out of memory for %zu rows", n);
  for (size_t i = 0; i < n; i++) key[i] = (tfp_panel_key){unit[i], time[i], i};
  if (tfp_sort(key, n, sizeof *key, tfp_panel_key_cmp, progress, progress_ud, "sorting the panel")) {
    free(key);
    return tfp_error(err, errlen, TFP_EINTR, "interrupted");
  }
  *out = key;
  return TFP_OK;
}

int tfp_panel_unique(const tfp_panel_key *key, size_t n, const tfp_panel_names *nm, char *err,
                     size_t errlen) {
  for (size_t k = 1; k < n; k++) {
    if (key[k].g != key[k - 1].g || key[k].t != key[k - 1].t) continue;
    char ub[64];
    return tfp_error(err, errlen, TFP_EDATA, "duplicate %s = %s, %s = %.15g in rows %zu and %zu", id_name(nm),
                     tfp_panel_unit(nm, key[k].g, key[k].row, ub, sizeof ub), time_name(nm), key[k].t,
                     key[k - 1].row + 1, key[k].row + 1);
  }
  return TFP_OK;
}

/* A gap between a unit's consecutive periods prev < t. */
static int gap_error(const char *unit, double prev, double t, char *err, size_t errlen) {
  if (t == prev + 2)
    return tfp_error(err, errlen, TFP_EDATA,
                     "unit %s has a gap in the panel: no row for %.0f (between %.0f and %.0f)", unit,
                     prev + 1, prev, t);
  return tfp_error(err, errlen, TFP_EDATA,
                   "unit %s has a gap in the panel: no rows for %.0f-%.0f (between %.0f and %.0f)", unit,
                   prev + 1, t - 1, prev, t);
}

int tfp_panel_sort(size_t n, const int *unit, size_t n_units, const double *time, const tfp_panel_names *nm,
                   int consecutive, size_t *order, size_t *start, char *err, size_t errlen) {
  char ub[64];
  for (size_t i = 0; i < n; i++)
    if ((size_t)unit[i] >= n_units && unit[i] >= 0)
      return tfp_error(err, errlen, TFP_EINVAL, "row %zu: unit code %d beyond the %zu units", i + 1, unit[i],
                       n_units);
  tfp_panel_key *key;
  int rc = tfp_panel_keys(n, unit, time, TFP_PERIOD_WHOLE, nm, NULL, NULL, &key, err, errlen);
  if (rc != TFP_OK) return rc;
  for (size_t i = 0; rc == TFP_OK && i < n; i++)
    if (fabs(time[i]) > 1e9) /* years: %.0f and t + 1 stay exact */
      rc = tfp_error(err, errlen, TFP_EDATA,
                     "time '%s' is %.15g in row %zu (%s = %s): periods must be "
                     "whole numbers up to 1e9",
                     time_name(nm), time[i], i + 1, id_name(nm),
                     tfp_panel_unit(nm, unit[i], i, ub, sizeof ub));
  if (rc == TFP_OK) rc = tfp_panel_unique(key, n, nm, err, errlen);
  for (size_t u = 0; u <= n_units; u++) start[u] = 0;
  for (size_t k = 0; rc == TFP_OK && k < n; k++) {
    order[k] = key[k].row;
    start[key[k].g + 1]++;
    if (consecutive && k > 0 && key[k].g == key[k - 1].g && key[k].t != key[k - 1].t + 1)
      rc = gap_error(tfp_panel_unit(nm, key[k].g, key[k].row, ub, sizeof ub), key[k - 1].t, key[k].t, err,
                     errlen);
  }
  for (size_t u = 0; u < n_units; u++) start[u + 1] += start[u];
  free(key);
  return rc;
}
