/* panel.c — group codes, panel order and the panel checks (see panel.h). */
#include "panel.h"
#include "frame.h"
#include "sort.h"
#include <math.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

/* ---- group codes of strings: sort (value, row) pairs; the comparators need no shared state */

typedef struct {
  double v;
  const char *s;
  size_t row;
} keyed_row;

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

/* ---- numeric codes without a full sort: a hash table gives each row the
   index of its value among the distinct values in order of appearance;
   only the distinct values are sorted, and each row's index is mapped to
   its value's rank. Same codes as sorting the rows (0 and -0 are one
   value, NaN is missing). */

enum { HASH_CHECK = 1 << 20 };

static size_t hash_slot(double x, size_t mask) {
  uint64_t b;
  if (x == 0) x = 0;   /* -0 and 0: one value */
  memcpy(&b, &x, sizeof b);
  b ^= b >> 29;
  b *= 0x9E3779B97F4A7C15ull;
  return (size_t)(b >> 20) & mask;
}

typedef struct {
  double *val;      /* distinct values, in order of appearance */
  size_t n, cap;
  int *slot;        /* -1 empty, else index into val */
  size_t mask;
} value_set;

static int set_grow(value_set *h) {
  size_t size = (h->mask + 1) * 2;
  int *slot = malloc(size * sizeof *slot);
  double *val = realloc(h->val, (size / 2) * sizeof *val);
  if (!slot || !val) { free(slot); if (val) h->val = val; return TFP_ENOMEM; }
  h->val = val;
  h->cap = size / 2;
  for (size_t k = 0; k < size; k++) slot[k] = -1;
  for (size_t v = 0; v < h->n; v++) {
    size_t k = hash_slot(val[v], size - 1);
    while (slot[k] >= 0) k = (k + 1) & (size - 1);
    slot[k] = (int)v;
  }
  free(h->slot);
  h->slot = slot;
  h->mask = size - 1;
  return TFP_OK;
}

/* The index of x in the set, added if new; -1 when memory runs out. */
static int set_index(value_set *h, double x) {
  size_t k = hash_slot(x, h->mask);
  for (;;) {
    int v = h->slot[k];
    if (v < 0) break;
    if (h->val[v] == x) return v;
    k = (k + 1) & h->mask;
  }
  if (h->n >= h->cap || h->n >= (size_t)0x7fffffff) {
    if (h->n >= (size_t)0x7fffffff || set_grow(h)) return -1;
    return set_index(h, x);
  }
  h->val[h->n] = x;
  h->slot[k] = (int)h->n;
  return (int)h->n++;
}

typedef struct { double v; int id; } ranked;
static int cmp_ranked(const void *a, const void *b) {
  double x = ((const ranked *)a)->v, y = ((const ranked *)b)->v;
  return (x > y) - (x < y);
}

/* code[i] for v[rows ? rows[i] : i], i < n; *ng the distinct values. */
static int hash_codes(const double *v, const size_t *rows, size_t n, int *code, size_t *ng,
                      tfp_progress_fn progress, void *progress_ud) {
  value_set h = {NULL, 0, 0, NULL, 63};
  int rc = set_grow(&h);
  for (size_t i = 0; !rc && i < n; i++) {
    if (i % HASH_CHECK == HASH_CHECK - 1 && progress && progress(progress_ud, "grouping", i, n)) rc = TFP_EINTR;
    double x = v[rows ? rows[i] : i];
    if (isnan(x)) { code[i] = -1; continue; }
    int id = set_index(&h, x);
    if (id < 0) rc = TFP_ENOMEM;
    code[i] = id;
  }
  ranked *r = rc ? NULL : malloc((h.n ? h.n : 1) * sizeof *r);
  int *rank = rc ? NULL : malloc((h.n ? h.n : 1) * sizeof *rank);
  if (!rc && (!r || !rank)) rc = TFP_ENOMEM;
  if (!rc) {
    for (size_t k = 0; k < h.n; k++) r[k] = (ranked){h.val[k], (int)k};
    qsort(r, h.n, sizeof *r, cmp_ranked);   /* distinct values: no ties */
    for (size_t k = 0; k < h.n; k++) rank[r[k].id] = (int)k;
    for (size_t i = 0; i < n; i++) if (code[i] >= 0) code[i] = rank[code[i]];
    *ng = h.n;
  }
  free(r); free(rank); free(h.val); free(h.slot);
  return rc;
}

int tfp_group_codes(const tfp_column *c, size_t nrow, int *code, size_t *n_groups, tfp_progress_fn progress,
                    void *progress_ud) {
  if (c->type == TFP_NUM) return hash_codes(c->num, NULL, nrow, code, n_groups, progress, progress_ud);
  keyed_row *k = malloc((nrow ? nrow : 1) * sizeof *k);
  size_t m = 0;
  if (!k) return TFP_ENOMEM;
  for (size_t i = 0; i < nrow; i++) {
    code[i] = -1;
    if (c->str[i] == NULL) continue;
    k[m].v = 0;
    k[m].s = c->str[i];
    k[m++].row = i;
  }
  if (tfp_sort(k, m, sizeof *k, cmp_str, progress, progress_ud, "grouping") != TFP_OK) {
    free(k);
    return TFP_EINTR;
  }
  *n_groups = number_sorted(k, m, cmp_str, code);
  free(k);
  return TFP_OK;
}

int tfp_group_codes_num(const double *v, const size_t *rows, size_t n, int *code, double **levels,
                        size_t *n_groups, tfp_progress_fn progress, void *progress_ud) {
  size_t ng = 0;
  int rc = hash_codes(v, rows, n, code, &ng, progress, progress_ud);
  if (rc) return rc;
  if (levels) {   /* each level's value in its last row (0 or -0), as the sort gave */
    double *lv = malloc((ng ? ng : 1) * sizeof *lv);
    if (!lv) return TFP_ENOMEM;
    for (size_t i = 0; i < n; i++) if (code[i] >= 0) lv[code[i]] = v[rows ? rows[i] : i];
    *levels = lv;
  }
  *n_groups = ng;
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

static int cmp_double(const void *a, const void *b) {
  double x = *(const double *)a, y = *(const double *)b;
  return (x > y) - (x < y);
}

int tfp_panel_periods(const double *time, size_t n, double *period, int *period_of, size_t *n_periods,
                      tfp_progress_fn progress, void *progress_ud) {
  memcpy(period, time, n * sizeof *time);
  if (tfp_sort(period, n, sizeof *period, cmp_double, progress, progress_ud, "periods")) return TFP_EINTR;
  size_t n_per = 0;
  for (size_t i = 0; i < n; i++)
    if (n_per == 0 || period[i] != period[n_per - 1]) period[n_per++] = period[i];
  *n_periods = n_per;
  for (size_t i = 0; i < n; i++) {
    const double *p = bsearch(&time[i], period, n_per, sizeof *period, cmp_double);
    period_of[i] = (int)(p - period);
  }
  return TFP_OK;
}

void tfp_panel_period_rows(const int *period_of, size_t n, size_t n_periods, size_t *off, size_t *rows) {
  memset(off, 0, (n_periods + 1) * sizeof *off);
  for (size_t i = 0; i < n; i++) off[period_of[i] + 1]++;
  for (size_t p = 0; p < n_periods; p++) off[p + 1] += off[p];
  for (size_t i = 0; i < n; i++) rows[off[period_of[i]]++] = i;   /* off[p]: the next free place of p */
  for (size_t p = n_periods; p > 0; p--) off[p] = off[p - 1];      /* now p's end: back to the starts */
  off[0] = 0;
}
