/* iv_sample.c — the sample pass (see iv_internal.h): the rows without a
   missing value, less the singleton groups of the absorbed fixed effects,
   and the group codes of the FE and the clusters on them. */
#include "iv_internal.h"
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

int tfp_iv_codes(const double *v, const size_t *rows, size_t n, int *code, double **levels,
                 size_t *G, const tfp_iv_opts *o)
{
  int rc = tfp_group_codes_num(v, rows, n, code, NULL, G, o->progress, o->progress_ud);
  if (!rc && levels) {
    double *lv = malloc((*G ? *G : 1) * sizeof *lv);
    if (!lv) rc = TFP_ENOMEM;
    /* a level is the value of its first row (0 and -0 are one level) */
    else for (size_t k = n; k-- > 0;) lv[code[k]] = v[rows ? rows[k] : k];
    *levels = lv;
  }
  return rc;
}

/* The first of the fit's vectors that has no value at all, or NULL; *what
   says which kind it is. */
static const char *empty_vector(const tfp_iv_data *d, const tfp_iv_opts *o, const char **what)
{
  size_t n_all = d->n;
  *what = "variable";
  for (size_t g = 0; g < 4; g++) {
    const tfp_iv_var *v = g == 0 ? &d->y : g == 1 ? d->exog : g == 2 ? d->endog : d->inst;
    size_t nv = g == 0 ? 1 : g == 1 ? d->n_exog : g == 2 ? d->n_endog : d->n_inst;
    for (size_t j = 0; j < nv; j++) {
      size_t k = 0;
      while (k < n_all && isnan(v[j].x[k])) k++;
      if (k == n_all) return v[j].name;
    }
  }
  const double *cl = o->vce == TFP_VCE_CLUSTER ? d->cluster : NULL;
  if (cl) {
    size_t k = 0;
    while (k < n_all && isnan(cl[k])) k++;
    if (k == n_all) {
      *what = "cluster variable";
      return d->cluster_name ? d->cluster_name : "(cluster)";
    }
  }
  *what = "fixed-effect variable";
  if (d->absorb) {
    size_t k = 0;
    while (k < n_all && isnan(d->absorb[k])) k++;
    if (k == n_all) return d->absorb_name ? d->absorb_name : "(fixed effect)";
  }
  for (size_t j = 0; j < d->n_dummies; j++) {
    size_t k = 0;
    while (k < n_all && isnan(d->dummies[j].x[k])) k++;
    if (k == n_all) return d->dummies[j].name ? d->dummies[j].name : "(fixed effect)";
  }
  *what = "variable";
  return NULL;
}

static int complete(const tfp_iv_data *d, const tfp_iv_opts *o, size_t i)
{
  int ok = !isnan(d->y.x[i]);
  for (size_t j = 0; ok && j < d->n_exog; j++) ok = !isnan(d->exog[j].x[i]);
  for (size_t j = 0; ok && j < d->n_endog; j++) ok = !isnan(d->endog[j].x[i]);
  for (size_t j = 0; ok && j < d->n_inst; j++) ok = !isnan(d->inst[j].x[i]);
  for (size_t j = 0; ok && j < d->n_dummies; j++) ok = !isnan(d->dummies[j].x[i]);
  for (size_t j = 0; ok && j < d->n_absorb_more; j++) ok = !isnan(d->absorb_more[j][i]);
  if (ok && d->absorb) ok = !isnan(d->absorb[i]);
  if (ok && o->vce == TFP_VCE_CLUSTER) ok = !isnan(d->cluster[i]);
  if (ok && o->vce == TFP_VCE_CLUSTER && d->cluster2) ok = !isnan(d->cluster2[i]);
  if (ok && o->vce != TFP_VCE_CLUSTER && (o->kernel || o->kiefer)) {
    if (d->time) ok = !isnan(d->time[i]);
    if (ok && d->panel) ok = !isnan(d->panel[i]);
  }
  if (ok && d->weights) ok = !isnan(d->weights[i]);
  return ok;
}

/* Infinities are errors, not missing values: the first names its row. */
static int check_finite(const tfp_iv_var *v, const char *name, const tfp_iv_sample *s,
                        const tfp_iv_opts *o, char *err, size_t errlen)
{
  for (size_t k = 0; k < s->n; k++) {
    size_t i = s->rows[k];
    if (isfinite(v->x[i])) continue;
    char rb[256];
    snprintf(err, errlen, "variable '%s' is infinite at %s", name,
             tfp_row_label(&o->rows, i, rb, sizeof rb));
    return TFP_EDATA;
  }
  return TFP_OK;
}

static int check_all_finite(const tfp_iv_data *d, const tfp_iv_sample *s, const tfp_iv_opts *o,
                            char *err, size_t errlen)
{
  int rc = check_finite(&d->y, d->y.name ? d->y.name : "y", s, o, err, errlen);
  for (size_t j = 0; !rc && j < d->n_exog; j++) rc = check_finite(&d->exog[j], d->exog[j].name, s, o, err, errlen);
  for (size_t j = 0; !rc && j < d->n_endog; j++) rc = check_finite(&d->endog[j], d->endog[j].name, s, o, err, errlen);
  for (size_t j = 0; !rc && j < d->n_inst; j++) rc = check_finite(&d->inst[j], d->inst[j].name, s, o, err, errlen);
  return rc;
}

/* Drop the rows of FE f's groups of one row from the sample (and from
   every FE's codes), and renumber the codes of f on the rows left (dense,
   in the same sorted order). Returns the rows dropped. */
static size_t drop_groups_of_one(tfp_iv_sample *s, size_t f, int *cnt)
{
  int *code = s->fe_code[f];
  size_t G = s->fe_G[f], m = 0, g_new = 0;
  for (size_t k = 0; k < s->n; k++) cnt[code[k]]++;
  for (size_t g = 0; g < G; g++) cnt[g] = cnt[g] > 1 ? (int)g_new++ : -1;
  if (g_new == G) return 0;
  for (size_t k = 0; k < s->n; k++)
    if (cnt[code[k]] >= 0) {
      s->rows[m] = s->rows[k];
      for (size_t h = 0; h < s->nfe; h++) if (h != f) s->fe_code[h][m] = s->fe_code[h][k];
      code[m] = cnt[code[k]];
      m++;
    }
  size_t dropped = s->n - m;
  s->n = m;
  s->fe_G[f] = g_new;
  return dropped;
}

/* Codes 0..G-1 of FE f made dense again, in the same order (a drop by
   another FE may have emptied a level): what tfp_iv_codes gives. */
static void renumber(tfp_iv_sample *s, size_t f, int *map)
{
  int *code = s->fe_code[f];
  size_t G = s->fe_G[f], g_new = 0;
  for (size_t g = 0; g < G; g++) map[g] = 0;
  for (size_t k = 0; k < s->n; k++) map[code[k]] = 1;
  for (size_t g = 0; g < G; g++) map[g] = map[g] ? (int)g_new++ : -1;
  if (g_new != G) for (size_t k = 0; k < s->n; k++) code[k] = map[code[k]];
  s->fe_G[f] = g_new;
}

/* Codes of the absorbed FE on the sample (computed once, by value), less
   their singleton groups (iterated when several FE: a drop may leave
   another group alone; until a pass over every FE drops nothing). */
static int absorbed_codes(tfp_iv_sample *s, const tfp_iv_data *d, const tfp_iv_opts *o,
                          tfp_iv_result *r)
{
  s->nfe = (d->absorb ? 1 : 0) + d->n_absorb_more;
  s->fe_code = tfp_iv_alloc(&s->mem, s->nfe, sizeof *s->fe_code);
  s->fe_G = tfp_iv_alloc(&s->mem, s->nfe, sizeof *s->fe_G);
  for (size_t f = 0; f < s->nfe; f++) s->fe_code[f] = tfp_iv_alloc(&s->mem, s->n, sizeof **s->fe_code);
  if (s->mem.oom) return TFP_ENOMEM;
  int rc = TFP_OK;
  size_t Gmax = 0;
  for (size_t f = 0; f < s->nfe && !rc; f++) {
    const double *v = (d->absorb && f == 0) ? d->absorb : d->absorb_more[f - (d->absorb ? 1 : 0)];
    rc = tfp_iv_codes(v, s->rows, s->n, s->fe_code[f], NULL, &s->fe_G[f], o);
    if (s->fe_G[f] > Gmax) Gmax = s->fe_G[f];
  }
  int *cnt = rc ? NULL : calloc(Gmax + 1, sizeof *cnt);
  if (!rc && !cnt) rc = TFP_ENOMEM;
  for (int changed = 1; changed && !rc;) {
    changed = 0;
    for (size_t f = 0; f < s->nfe; f++) {
      memset(cnt, 0, (s->fe_G[f] + 1) * sizeof *cnt);
      size_t dropped = drop_groups_of_one(s, f, cnt);
      r->N_singletons += dropped;
      changed |= dropped > 0;
    }
    if (!d->n_absorb_more) break;   /* xtivreg2: one pass for one FE */
  }
  for (size_t f = 0; f < s->nfe && !rc; f++) renumber(s, f, cnt);
  free(cnt);
  return rc;
}

int tfp_iv_sample_draw(tfp_iv_sample *s, const tfp_iv_data *d, const tfp_iv_opts *o,
                       tfp_iv_result *r, tfp_iv_notes *nb, char *err, size_t errlen)
{
  size_t n_all = d->n;
  s->rows = tfp_iv_alloc(&s->mem, n_all, sizeof *s->rows);
  if (s->mem.oom) return tfp_iv_lost(TFP_ENOMEM, err, errlen);
  s->n = 0;
  for (size_t i = 0; i < n_all; i++) if (complete(d, o, i)) s->rows[s->n++] = i;
  int rc = check_all_finite(d, s, o, err, errlen);
  if (rc) return rc;
  r->N_dropped = n_all - s->n;
  if (r->N_dropped) tfp_iv_note(nb, "%zu observations dropped for missing values", r->N_dropped);
  if (d->absorb || d->n_absorb_more) {
    if ((rc = absorbed_codes(s, d, o, r))) return tfp_iv_lost(rc, err, errlen);
    if (r->N_singletons) tfp_iv_note(nb, "%zu singleton observations dropped", r->N_singletons);
  }
  if (s->n == 0) {   /* name the culprit: a vector with no value at all, if any */
    const char *what, *empty = empty_vector(d, o, &what);
    if (empty) snprintf(err, errlen, "no observations: %s '%s' has no non-missing value", what, empty);
    else snprintf(err, errlen, "no observations without a missing value (%zu rows, %zu singletons)",
                  n_all, r->N_singletons);
    return TFP_EDATA;
  }
  r->N = s->n;
  return TFP_OK;
}

/* Codes of the pairs (a, b) of two code vectors, dense. */
static int pair_codes(tfp_iv_sample *s, const int *a, const int *b, size_t Mb, int *code, size_t *G,
                      const tfp_iv_opts *o)
{
  double *key = malloc((s->n ? s->n : 1) * sizeof *key);
  size_t *id = malloc((s->n ? s->n : 1) * sizeof *id);
  int rc = key && id ? TFP_OK : TFP_ENOMEM;
  if (!rc) {
    for (size_t k = 0; k < s->n; k++) { key[k] = (double)a[k] * (double)Mb + (double)b[k]; id[k] = k; }
    rc = tfp_iv_codes(key, id, s->n, code, NULL, G, o);
  }
  free(key); free(id);
  return rc;
}

/* The second cluster variable's codes, and the intersection's (two-way). */
static int second_clusters(tfp_iv_sample *s, const tfp_iv_data *d, const tfp_iv_opts *o,
                           tfp_iv_result *r, char *err, size_t errlen)
{
  s->clu2 = tfp_iv_alloc(&s->mem, s->n, sizeof *s->clu2);
  s->clu12 = tfp_iv_alloc(&s->mem, s->n, sizeof *s->clu12);
  if (s->mem.oom) return tfp_iv_lost(TFP_ENOMEM, err, errlen);
  int rc = tfp_iv_codes(d->cluster2, s->rows, s->n, s->clu2, NULL, &s->M2, o);
  if (!rc) rc = pair_codes(s, s->clu, s->clu2, s->M2, s->clu12, &s->M12, o);
  if (rc) return tfp_iv_lost(rc, err, errlen);
  r->N_clust1 = s->M; r->N_clust2 = s->M2;
  if (s->M2 < 2) {
    snprintf(err, errlen, "two-way clusters need at least 2 clusters of each variable: '%s' has %zu "
             "in the estimation sample", d->cluster2_name ? d->cluster2_name : "(cluster 2)", s->M2);
    return TFP_EDATA;
  }
  return TFP_OK;
}

int tfp_iv_sample_clusters(tfp_iv_sample *s, const tfp_iv_data *d, const tfp_iv_opts *o,
                           tfp_iv_result *r, char *err, size_t errlen)
{
  if (o->vce != TFP_VCE_CLUSTER) {
    if (!(o->kernel || o->kiefer) || !d->panel) return TFP_OK;
    s->unit = tfp_iv_alloc(&s->mem, s->n, sizeof *s->unit);
    if (s->mem.oom) return tfp_iv_lost(TFP_ENOMEM, err, errlen);
    int rc = tfp_iv_codes(d->panel, s->rows, s->n, s->unit, NULL, &s->n_units, o);
    return rc ? tfp_iv_lost(rc, err, errlen) : TFP_OK;
  }
  s->clu = tfp_iv_alloc(&s->mem, s->n, sizeof *s->clu);
  if (s->mem.oom) return tfp_iv_lost(TFP_ENOMEM, err, errlen);
  int rc = tfp_iv_codes(d->cluster, s->rows, s->n, s->clu, NULL, &s->M, o);
  if (rc) return tfp_iv_lost(rc, err, errlen);
  r->N_clust = s->M;
  if (s->M < 2) {   /* the cluster-robust VCE is then zero: ivreg2 refuses */
    snprintf(err, errlen, "vce cluster needs at least 2 clusters: cluster variable '%s' has %zu "
             "cluster in the estimation sample", d->cluster_name ? d->cluster_name : "(cluster)", s->M);
    return TFP_EDATA;
  }
  if (!d->cluster2) return TFP_OK;
  if ((rc = second_clusters(s, d, o, r, err, errlen))) return rc;
  r->N_clust = s->M2 < s->M ? s->M2 : s->M;   /* ivreg2: the smaller count */
  return TFP_OK;
}

void tfp_iv_sample_clear(tfp_iv_sample *s)
{
  tfp_iv_arena_free(&s->mem);
  memset(s, 0, sizeof *s);
}
