/* frame.c — column-oriented data frame; see frame.h. */
#include "frame.h"
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

static char *dupstr(const char *s) {
  size_t n = strlen(s) + 1;
  char *d = malloc(n);
  return d ? memcpy(d, s, n) : NULL;
}

tfp_frame *tfp_frame_create(size_t nrow) {
  tfp_frame *f = calloc(1, sizeof *f);
  if (!f) return NULL;
  f->nrow = nrow;
  f->panel_id = f->panel_time = -1;
  return f;
}

void tfp_column_free_str(char **s, size_t n) {
  if (!s) return;
  for (size_t i = 0; i < n; i++) free(s[i]);
  free(s);
}

static void column_clear(tfp_column *c, size_t nrow) {
  free(c->name);
  free(c->label);
  free(c->num);
  tfp_column_free_str(c->str, nrow);
  memset(c, 0, sizeof *c);
}

/* ---- the name index (see frame.h) */

static size_t name_hash(const char *s) {
  size_t h = 1469598103934665603u;   /* FNV-1a */
  for (; *s; s++) h = (h ^ (unsigned char)*s) * 1099511628211u;
  return h;
}

static void index_clear(tfp_frame *f) {
  free(f->name_ix);
  f->name_ix = NULL;
  f->name_cap = 0;
}

static void index_put(tfp_frame *f, size_t j) {
  size_t mask = f->name_cap - 1, s = name_hash(f->col[j].name) & mask;
  while (f->name_ix[s]) s = (s + 1) & mask;
  f->name_ix[s] = j + 1;
}

/* Build for the current columns with room to grow; on failure the index
   stays absent and lookups scan (correct, only slower). */
static void index_build(tfp_frame *f) {
  index_clear(f);
  size_t cap = 64;
  while (cap < 2 * f->ncol + 2) cap *= 2;
  if (!(f->name_ix = calloc(cap, sizeof *f->name_ix))) return;
  f->name_cap = cap;
  for (size_t j = 0; j < f->ncol; j++) index_put(f, j);
}

void tfp_frame_free(tfp_frame *f) {
  if (!f) return;
  index_clear(f);
  for (size_t j = 0; j < f->ncol; j++) column_clear(&f->col[j], f->nrow);
  free(f->col);
  free(f);
}

int tfp_frame_find(const tfp_frame *f, const char *name) {
  if (f->ncol > 16 && !f->name_ix) index_build((tfp_frame *)f);   /* a cache: logically const */
  if (!f->name_ix) {
    for (size_t j = 0; j < f->ncol; j++)
      if (strcmp(f->col[j].name, name) == 0) return (int)j;
    return -1;
  }
  size_t mask = f->name_cap - 1;
  for (size_t s = name_hash(name) & mask; f->name_ix[s]; s = (s + 1) & mask) {
    size_t j = f->name_ix[s] - 1;
    if (strcmp(f->col[j].name, name) == 0) return (int)j;
  }
  return -1;
}

/* A slot for column `name`: the existing one (cleared) or a new one. */
static tfp_column *column_slot(tfp_frame *f, const char *name, int *index) {
  int j = tfp_frame_find(f, name);
  char *copy = dupstr(name);
  if (!copy) return NULL;
  if (j >= 0) {
    column_clear(&f->col[j], f->nrow);
  } else {
    if (f->ncol == f->cap) {
      size_t cap = f->cap ? 2 * f->cap : 8;
      tfp_column *grown = realloc(f->col, cap * sizeof *grown);
      if (!grown) { free(copy); return NULL; }
      f->col = grown;
      f->cap = cap;
    }
    j = (int)f->ncol++;
    memset(&f->col[j], 0, sizeof f->col[j]);
    f->col[j].name = copy;
    if (f->name_ix) {
      if (2 * f->ncol + 2 > f->name_cap) index_build(f);
      else index_put(f, (size_t)j);
    }
  }
  f->col[j].name = copy;
  *index = j;
  return &f->col[j];
}

int tfp_frame_add_num(tfp_frame *f, const char *name, double *data) {
  int j;
  tfp_column *c = column_slot(f, name, &j);
  if (!c) { free(data); return -1; }
  c->type = TFP_NUM;
  c->num = data;
  return j;
}

int tfp_frame_add_str(tfp_frame *f, const char *name, char **data) {
  int j;
  tfp_column *c = column_slot(f, name, &j);
  if (!c) { tfp_column_free_str(data, f->nrow); return -1; }
  c->type = TFP_STR;
  c->str = data;
  return j;
}

int tfp_frame_set_label(tfp_frame *f, int col, const char *label) {
  char *copy = label ? dupstr(label) : NULL;
  if (label && !copy) return TFP_ENOMEM;
  free(f->col[col].label);
  f->col[col].label = copy;
  return TFP_OK;
}

void tfp_frame_drop(tfp_frame *f, int col) {
  column_clear(&f->col[col], f->nrow);
  memmove(&f->col[col], &f->col[col + 1], (f->ncol - (size_t)col - 1) * sizeof *f->col);
  f->ncol--;
  index_clear(f);   /* indices moved: rebuilt at the next lookup */
  if (f->panel_id == col || f->panel_time == col) f->panel_id = f->panel_time = -1;
  if (f->panel_id > col) f->panel_id--;
  if (f->panel_time > col) f->panel_time--;
}

double *tfp_column_copy_num(const tfp_column *c, size_t n) {
  double *d = malloc((n ? n : 1) * sizeof *d);
  if (d && n) memcpy(d, c->num, n * sizeof *d);
  return d;
}

char **tfp_column_copy_str(const tfp_column *c, size_t n) {
  char **s = calloc(n ? n : 1, sizeof *s);
  if (!s) return NULL;
  for (size_t i = 0; i < n; i++)
    if (c->str[i] && !(s[i] = dupstr(c->str[i]))) { tfp_column_free_str(s, n); return NULL; }
  return s;
}

tfp_frame *tfp_frame_rows(const tfp_frame *f, const size_t *rows, size_t n) {
  tfp_frame *g = tfp_frame_create(n);
  if (!g) return NULL;
  for (size_t j = 0; j < f->ncol; j++) {
    const tfp_column *c = &f->col[j];
    int k;
    if (c->type == TFP_NUM) {
      double *d = malloc((n ? n : 1) * sizeof *d);
      if (!d) goto oom;
      for (size_t i = 0; i < n; i++) d[i] = c->num[rows[i]];
      k = tfp_frame_add_num(g, c->name, d);
    } else {
      char **s = calloc(n ? n : 1, sizeof *s);
      if (!s) goto oom;
      for (size_t i = 0; i < n; i++)
        if (c->str[rows[i]] && !(s[i] = dupstr(c->str[rows[i]]))) {
          tfp_column_free_str(s, n);
          goto oom;
        }
      k = tfp_frame_add_str(g, c->name, s);
    }
    if (k < 0 || tfp_frame_set_label(g, k, c->label) != TFP_OK) goto oom;
  }
  g->panel_id = f->panel_id;
  g->panel_time = f->panel_time;
  return g;
oom:
  tfp_frame_free(g);
  return NULL;
}

static int panel_index(const tfp_frame *f, int id_col, int time_col, tfp_panel_key **out,
                       tfp_progress_fn progress, void *progress_ud, char *err, size_t errlen) {
  const tfp_column *id = &f->col[id_col], *tm = &f->col[time_col];
  size_t n = f->nrow, ng;
  if (tm->type != TFP_NUM)
    return tfp_error(err, errlen, TFP_EINVAL, "panel: time variable '%s' is not numeric", tm->name);
  int *code = malloc((n ? n : 1) * sizeof *code);
  if (!code) return tfp_error(err, errlen, TFP_ENOMEM, "panel: out of memory for %zu rows", n);
  int rc = tfp_group_codes(id, n, code, &ng, progress, progress_ud);
  if (rc == TFP_ENOMEM) tfp_error(err, errlen, rc, "panel: out of memory for %zu rows", n);
  if (rc == TFP_EINTR) tfp_error(err, errlen, rc, "interrupted");
  tfp_panel_names nm = {id->name, tm->name, NULL, id};
  if (rc == TFP_OK)
    rc = tfp_panel_keys(n, code, tm->num, TFP_PERIOD_WHOLE, &nm, progress, progress_ud, out, err, errlen);
  free(code);
  return rc;
}

int tfp_frame_panel(tfp_frame *f, int id_col, int time_col, tfp_progress_fn progress,
                    void *progress_ud, char *err, size_t errlen) {
  tfp_panel_key *key;
  int rc = panel_index(f, id_col, time_col, &key, progress, progress_ud, err, errlen);
  if (rc != TFP_OK) return rc;
  tfp_panel_names nm = {f->col[id_col].name, f->col[time_col].name, NULL, &f->col[id_col]};
  rc = tfp_panel_unique(key, f->nrow, &nm, err, errlen);
  free(key);
  if (rc == TFP_OK) {
    f->panel_id = id_col;
    f->panel_time = time_col;
  }
  return rc;
}

int tfp_frame_panel_info(const tfp_frame *f, tfp_panel_info *info, tfp_progress_fn progress,
                         void *progress_ud, char *err, size_t errlen) {
  if (f->panel_id < 0)
    return tfp_error(err, errlen, TFP_EINVAL, "panel: the frame has no panel structure (call panel(id, time) first)");
  tfp_panel_key *key;
  int rc = panel_index(f, f->panel_id, f->panel_time, &key, progress, progress_ud, err, errlen);
  if (rc != TFP_OK) return rc;
  size_t n = f->nrow;
  *info = (tfp_panel_info){0, n, NAN, NAN, 0, 0, 0, 2};
  for (size_t k = 0; k < n; k++) {
    if (!(key[k].t >= info->first)) info->first = key[k].t;
    if (!(key[k].t <= info->last)) info->last = key[k].t;
  }
  if (n) info->n_periods = (size_t)(info->last - info->first) + 1;
  size_t t_first_unit = 0;
  for (size_t a = 0, b; a < n; a = b) {
    for (b = a; b < n && key[b].g == key[a].g; b++) {}
    size_t t_i = b - a;
    double lo = key[a].t, hi = key[b - 1].t;
    info->n_units++;
    if (hi - lo + 1 > (double)t_i) info->n_gaps++;
    if (lo > info->first || hi < info->last) info->n_partial++;
    if (a == 0) t_first_unit = t_i;
    else if (t_i != t_first_unit) info->balance = 0;
  }
  if (info->balance && (info->n_gaps || info->n_partial)) info->balance = 1;
  free(key);
  return TFP_OK;
}

int tfp_frame_lag(const tfp_frame *f, const double *x, long k, double *out,
                  tfp_progress_fn progress, void *progress_ud, char *err, size_t errlen) {
  if (f->panel_id < 0)
    return tfp_error(err, errlen, TFP_EINVAL, "lag: the frame has no panel structure (call panel(id, time) first)");
  tfp_panel_key *key;
  int rc = panel_index(f, f->panel_id, f->panel_time, &key, progress, progress_ud, err, errlen);
  if (rc != TFP_OK) return rc;
  size_t n = f->nrow;
  /* t - k is exact only below 2^53: above it, distinct periods can round to
     one value and a lag would pick the wrong row */
  for (size_t i = 0; i < n; i++)
    if (fabs(key[i].t) >= 9007199254740992.0) {
      rc = tfp_error(err, errlen, TFP_EDATA, "lag: time '%s' is %.17g in row %zu: lags need times "
                     "below 2^53 (9007199254740992) in magnitude, where whole numbers are exact",
                     f->col[f->panel_time].name, key[i].t, key[i].row + 1);
      free(key);
      return rc;
    }
  for (size_t i = 0; i < n; i++) out[i] = NAN;
  /* Within a group rows are sorted by time, so t - k only grows: one forward
     pointer finds every lag (or lead) in linear time. */
  for (size_t a = 0, b; a < n; a = b) {
    for (b = a; b < n && key[b].g == key[a].g; b++) {}
    for (size_t i = a, j = a; i < b; i++) {
      double want = key[i].t - (double)k;
      while (j < b && key[j].t < want) j++;
      if (j < b && key[j].t == want) out[key[i].row] = x[key[j].row];
    }
  }
  free(key);
  return TFP_OK;
}

/* "name value" of column j at row i into buf; 0 when missing. */
static int cell_label(const tfp_column *c, size_t i, char *buf, size_t len) {
  if (c->type == TFP_STR) {
    if (!c->str[i]) return 0;
    snprintf(buf, len, "%s %s", c->name, c->str[i]);
  } else {
    if (isnan(c->num[i])) return 0;
    snprintf(buf, len, "%s %.15g", c->name, c->num[i]);
  }
  return 1;
}

void tfp_frame_row_label(const void *ud, size_t row, char *buf, size_t len) {
  const tfp_frame_namer *nm = ud;
  char unit[96], time[96];
  int has_unit = nm->id >= 0 && cell_label(&nm->f->col[nm->id], row, unit, sizeof unit);
  int has_time = nm->time >= 0 && cell_label(&nm->f->col[nm->time], row, time, sizeof time);
  if (has_unit && has_time) snprintf(buf, len, "%s, %s (row %zu)", unit, time, row + 1);
  else if (has_unit) snprintf(buf, len, "%s (row %zu)", unit, row + 1);
  else snprintf(buf, len, "row %zu", row + 1);
}
