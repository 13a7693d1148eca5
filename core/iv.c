/* iv.c — 2SLS / two-step GMM estimation in ivreg2's conventions (see iv.h). */
#include "iv_internal.h"
#include "fe.h"
#include "linalg.h"
#include "sort.h"
#include <math.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

void tfp_iv_opts_init(tfp_iv_opts *o)
{
  memset(o, 0, sizeof *o);
  o->method = TFP_IV_2SLS;
  o->vce = TFP_VCE_UNADJUSTED;
  o->constant = -1;
  o->coll_tol = 1e-9;
  o->ap_tol = 1e-10;
  o->ap_maxit = 10000;
}

static char *xstrdup(const char *s)
{
  size_t n = strlen(s) + 1;
  char *p = malloc(n);
  if (p) memcpy(p, s, n);
  return p;
}

/* Append a line to r->notes, however long (names come from the user). */
static void note(tfp_iv_result *r, const char *fmt, ...)
{
  va_list ap;
  va_start(ap, fmt);
  int len = vsnprintf(NULL, 0, fmt, ap);
  va_end(ap);
  if (len < 0) return;
  size_t old = r->notes ? strlen(r->notes) : 0, add = (size_t)len;
  char *p = realloc(r->notes, old + add + 2);
  if (!p) return;
  va_start(ap, fmt);
  vsnprintf(p + old, add + 1, fmt, ap);
  va_end(ap);
  p[old + add] = '\n';
  p[old + add + 1] = 0;
  r->notes = p;
}

void tfp_iv_result_free(tfp_iv_result *r)
{
  if (!r) return;
  for (size_t j = 0; j < r->k; j++) free(r->names ? r->names[j] : NULL);
  free(r->names); free(r->coef); free(r->se); free(r->t); free(r->p); free(r->V);
  for (size_t i = 0; i < r->n_first; i++) {
    tfp_iv_first *f = &r->first[i];
    free(f->name);
    for (size_t j = 0; j < f->n_inst; j++) free(f->inst_names[j]);
    free(f->inst_names); free(f->coef); free(f->se);
  }
  free(r->first);
  for (size_t j = 0; j < r->n_dropped_vars; j++) free(r->dropped_vars[j]);
  free(r->dropped_vars);
  free(r->notes);
  free(r);
}

int tfp_iv_find(const tfp_iv_result *r, const char *name)
{
  for (size_t j = 0; j < r->k; j++) if (strcmp(r->names[j], name) == 0) return (int)j;
  return -1;
}

/* ---------------------------------------------------------------- sample */

typedef struct { double v; size_t i; } vi_pair;
static int cmp_vi(const void *a, const void *b)
{
  const vi_pair *x = a, *y = b;
  if (x->v < y->v) return -1;
  if (x->v > y->v) return 1;
  return x->i < y->i ? -1 : x->i > y->i;
}

/* Dense codes for v[rows[k]], k < n, in sorted order of the values. levels
   (optional) gets the sorted distinct values (caller frees). */
static int group_codes(const double *v, const size_t *rows, size_t n, int *code,
                       double **levels, size_t *G, tfp_progress_fn progress, void *progress_ud)
{
  vi_pair *p = malloc((n + 1) * sizeof *p);
  if (!p) return TFP_ENOMEM;
  for (size_t k = 0; k < n; k++) { p[k].v = v[rows ? rows[k] : k]; p[k].i = k; }
  if (tfp_sort(p, n, sizeof *p, cmp_vi, progress, progress_ud, "grouping")) { free(p); return TFP_EINTR; }
  size_t g = 0;
  double *lv = levels ? malloc((n + 1) * sizeof *lv) : NULL;
  if (levels && !lv) { free(p); return TFP_ENOMEM; }
  for (size_t k = 0; k < n; k++) {
    if (k > 0 && p[k].v != p[k - 1].v) g++;
    code[p[k].i] = (int)g;
    if (lv && (k == 0 || p[k].v != p[k - 1].v)) lv[g] = p[k].v;
  }
  *G = n ? g + 1 : 0;
  if (levels) *levels = lv;
  free(p);
  return TFP_OK;
}

/* ---------------------------------------------------------------- the fit */

typedef struct {
  const char *name;
  double *x;          /* n values on the estimation sample (owned) */
  double scale;       /* x was multiplied by this power of two */
  double mean;        /* then this (scaled) mean was subtracted */
  double ref;         /* sum of squares before demeaning (centred when the model
                         has a constant or FE): the collinearity yardstick */
} col;

static void free_cols(col *c, size_t n) { for (size_t j = 0; j < n; j++) free(c[j].x); }

/* Names for dummy columns: "<name>_<level>". */
static char *dummy_name(const char *base, double level)
{
  char lv[64];
  if (level == floor(level) && fabs(level) < 1e15) snprintf(lv, sizeof lv, "%.0f", level);
  else snprintf(lv, sizeof lv, "%g", level);
  size_t nb = strlen(base), nl = strlen(lv);
  char *p = malloc(nb + nl + 2);
  if (!p) return NULL;
  memcpy(p, base, nb);
  p[nb] = '_';
  memcpy(p + nb + 1, lv, nl + 1);
  return p;
}

/* Davidson-MacKinnon regression-based exogeneity test: OLS of y on [X, V]
   with V the first-stage residuals of the tested endogenous regressors;
   Wald test of V's coefficients with the model's VCE type (small: F). */
static int dm_test(const tfp_iv_work *w, size_t K, const double *X, size_t L, const double *Z,
                   const size_t *idx, size_t nt, tfp_iv_result *r, char *err, size_t errlen)
{
  size_t n = w->n, Ka = K + nt;
  int rc = TFP_OK;
  double *Xa = malloc((n * Ka + L * nt + L * L + Ka * Ka * 3 + Ka + n + nt * nt + nt + 1) * sizeof *Xa);
  if (!Xa) { snprintf(err, errlen, "out of memory: DM test"); return TFP_ENOMEM; }
  double *P = Xa + n * Ka, *ZZ = P + L * nt, *A = ZZ + L * L, *S = A + Ka * Ka, *V = S + Ka * Ka,
         *b = V + Ka * Ka, *e = b + Ka, *Vd = e + n, *g = Vd + nt * nt;
  memcpy(Xa, X, n * K * sizeof *Xa);
  for (size_t t = 0; t < nt; t++) memcpy(Xa + (K + t) * n, X + idx[t] * n, n * sizeof *Xa);
  /* V = M_Z X1: residuals of the first stages */
  tfp_la_gram(n, L, Z, ZZ);
  tfp_la_crossprod(n, L, Z, nt, Xa + K * n, P);
  if ((rc = tfp_la_chol_solve(L, ZZ, nt, P, err, errlen))) goto done;
  tfp_la_gemm(0, 0, n, nt, L, -1.0, Z, P, 1.0, Xa + K * n);
  tfp_la_gram(n, Ka, Xa, S);
  if ((rc = tfp_iv_gmm(n, Ka, Xa, Ka, Xa, w->y, S, b, e, NULL, A, err, errlen))) goto done;
  if ((rc = tfp_iv_omega(w, Ka, Xa, e, S, err, errlen))) goto done;
  /* V = A^-1 S A^-1 */
  if ((rc = tfp_la_chol_solve(Ka, A, Ka, S, err, errlen))) goto done;
  for (size_t i = 0; i < Ka; i++) for (size_t j = 0; j < Ka; j++) V[i + j * Ka] = S[j + i * Ka];
  if ((rc = tfp_la_chol_solve(Ka, A, Ka, V, err, errlen))) goto done;
  double N = (double)n, d = (double)w->d, sd = (double)w->sd, M = (double)w->M;
  double f = 1.0;
  if (w->small)
    f = w->vce == TFP_VCE_CLUSTER ? (N - 1) / (N - (double)Ka - sd) * M / (M - 1)
                                  : (N - d) / (N - (double)Ka - d - sd);
  for (size_t i = 0; i < nt; i++) {
    g[i] = b[K + i];
    for (size_t j = 0; j < nt; j++) Vd[i + j * nt] = f * 0.5 * (V[(K + i) + (K + j) * Ka] + V[(K + j) + (K + i) * Ka]);
  }
  double *h = malloc(nt * sizeof *h);
  if (!h) { rc = TFP_ENOMEM; snprintf(err, errlen, "out of memory: DM test"); goto done; }
  memcpy(h, g, nt * sizeof *h);
  if (tfp_la_chol_solve(nt, Vd, 1, h, err, errlen) != TFP_OK) {
    r->dm = r->dm_p = NAN; err[0] = 0;
  } else {
    double wald = 0;
    for (size_t i = 0; i < nt; i++) wald += g[i] * h[i];
    r->dm_df = (double)nt;
    if (w->small) {
      double dfr = w->vce == TFP_VCE_CLUSTER ? M - 1 : N - (double)Ka - d - sd;
      r->dm = wald / (double)nt; r->dm_is_F = 1;
      r->dm_p = tfp_F_tail((double)nt, dfr, r->dm);
    } else {
      r->dm = wald; r->dm_is_F = 0;
      r->dm_p = tfp_chi2_tail((double)nt, wald);
    }
  }
  free(h);
done:
  free(Xa);
  return rc;
}

static int fit(const tfp_iv_data *d, const tfp_iv_opts *o_in, tfp_iv_result **out,
               char *err, size_t errlen);

size_t tfp_iv_err_room(const tfp_iv_data *d)
{
  size_t longest = d->y.name ? strlen(d->y.name) : 0;
#define LONGEST(v, nv) for (size_t j_ = 0; j_ < (nv); j_++) \
    if ((v)[j_].name && strlen((v)[j_].name) > longest) longest = strlen((v)[j_].name);
  LONGEST(d->exog, d->n_exog) LONGEST(d->endog, d->n_endog) LONGEST(d->inst, d->n_inst)
  LONGEST(d->dummies, d->n_dummies)
#undef LONGEST
  for (size_t j = 0; j < d->n_endog_test; j++)
    if (d->endog_test[j] && strlen(d->endog_test[j]) > longest) longest = strlen(d->endog_test[j]);
  if (d->cluster_name && strlen(d->cluster_name) > longest) longest = strlen(d->cluster_name);
  if (d->absorb_name && strlen(d->absorb_name) > longest) longest = strlen(d->absorb_name);
  return 1024 + 2 * longest;
}

int tfp_iv_fit(const tfp_iv_data *d, const tfp_iv_opts *o_in, tfp_iv_result **out,
               char *err, size_t errlen)
{
  *out = NULL;
  if (err && errlen) err[0] = 0;
  if (!d) return tfp_error(err, errlen, TFP_EINVAL, "no data");
  size_t room = tfp_iv_err_room(d);
  char *e = malloc(room);
  if (!e) return tfp_error(err, errlen, TFP_ENOMEM, "out of memory");
  e[0] = 0;
  int rc = fit(d, o_in, out, e, room);
  if (rc) tfp_error(err, errlen, rc, "%s", e);
  free(e);
  return rc;
}

static int fit(const tfp_iv_data *d, const tfp_iv_opts *o_in, tfp_iv_result **out,
               char *err, size_t errlen)
{
  tfp_iv_opts o;
  if (o_in) o = *o_in; else tfp_iv_opts_init(&o);
  if (!d->y.x) { snprintf(err, errlen, "no dependent variable"); return TFP_EINVAL; }
  if (o.vce == TFP_VCE_CLUSTER && !d->cluster) {
    snprintf(err, errlen, "vce cluster needs a cluster variable"); return TFP_EINVAL;
  }
  if (o.dofminus < 0 || o.sdofminus < 0) {
    snprintf(err, errlen, "dofminus and sdofminus must be >= 0"); return TFP_EINVAL;
  }
  int has_const = o.constant < 0 ? (d->absorb == NULL) : o.constant != 0;
  size_t n_all = d->n;
  /* a regressor cannot be both endogenous and exogenous (nor endogenous twice) */
  for (size_t j = 0; j < d->n_endog; j++) {
    const char *nm = d->endog[j].name;
    if (!nm) continue;
    for (size_t k = 0; k < d->n_exog; k++)
      if (d->exog[k].name && strcmp(nm, d->exog[k].name) == 0) {
        snprintf(err, errlen, "variable '%s' is listed both as an endogenous regressor and as an "
                 "exogenous regressor (control): list it once", nm);
        return TFP_EINVAL;
      }
    for (size_t k = 0; k < j; k++)
      if (d->endog[k].name && strcmp(nm, d->endog[k].name) == 0) {
        snprintf(err, errlen, "endogenous regressor '%s' is listed twice", nm);
        return TFP_EINVAL;
      }
  }

  /* 1. estimation sample: no missing value in any used vector */
  int rc = TFP_OK;
  size_t c = 0;
  tfp_iv_result *r = calloc(1, sizeof *r);
  size_t *rows = malloc((n_all + 1) * sizeof *rows);
  char *use = malloc(n_all + 1);
  int *unit = NULL, *clu = NULL;
  col *cols = NULL;
  char **colnames = NULL;
  double *y = NULL, *X1 = NULL, *X2 = NULL, *Z1 = NULL;
  if (!r || !rows || !use) { rc = TFP_ENOMEM; goto nomem; }
  r->method = o.method; r->vce = o.vce; r->small = o.small;
  for (size_t i = 0; i < n_all; i++) {
    int ok = !isnan(d->y.x[i]);
    for (size_t j = 0; ok && j < d->n_exog; j++) ok = !isnan(d->exog[j].x[i]);
    for (size_t j = 0; ok && j < d->n_endog; j++) ok = !isnan(d->endog[j].x[i]);
    for (size_t j = 0; ok && j < d->n_inst; j++) ok = !isnan(d->inst[j].x[i]);
    for (size_t j = 0; ok && j < d->n_dummies; j++) ok = !isnan(d->dummies[j].x[i]);
    for (size_t j = 0; ok && j < d->n_absorb_more; j++) ok = !isnan(d->absorb_more[j][i]);
    if (ok && d->absorb) ok = !isnan(d->absorb[i]);
    if (ok && o.vce == TFP_VCE_CLUSTER) ok = !isnan(d->cluster[i]);
    use[i] = (char)ok;
  }
  /* infinities are errors, not missing values */
#define CHECK_FINITE(v, nm) do { for (size_t i_ = 0; i_ < n_all; i_++) \
    if (use[i_] && !isfinite((v)[i_])) { char rb_[256]; rc = TFP_EDATA; \
      snprintf(err, errlen, "variable '%s' is infinite at %s", (nm), \
               tfp_row_label(&o.rows, i_, rb_, sizeof rb_)); goto fail; } } while (0)
  CHECK_FINITE(d->y.x, d->y.name ? d->y.name : "y");
  for (size_t j = 0; j < d->n_exog; j++) CHECK_FINITE(d->exog[j].x, d->exog[j].name);
  for (size_t j = 0; j < d->n_endog; j++) CHECK_FINITE(d->endog[j].x, d->endog[j].name);
  for (size_t j = 0; j < d->n_inst; j++) CHECK_FINITE(d->inst[j].x, d->inst[j].name);
  size_t n = 0;
  for (size_t i = 0; i < n_all; i++) if (use[i]) rows[n++] = i;
  r->N_dropped = n_all - n;
  if (r->N_dropped) note(r, "%zu observations dropped for missing values", r->N_dropped);

  /* 2. singleton groups of the absorbed FE (iterated when several FE) */
  if (d->absorb || d->n_absorb_more) {
    unit = malloc((n + 1) * sizeof *unit);
    int *cnt = NULL;
    if (!unit) { rc = TFP_ENOMEM; goto nomem; }
    for (int changed = 1; changed;) {
      changed = 0;
      size_t nfe = (d->absorb ? 1 : 0) + d->n_absorb_more;
      for (size_t f = 0; f < nfe; f++) {
        const double *v = (d->absorb && f == 0) ? d->absorb : d->absorb_more[f - (d->absorb ? 1 : 0)];
        size_t G;
        if ((rc = group_codes(v, rows, n, unit, NULL, &G, o.progress, o.progress_ud))) goto nomem;
        cnt = calloc(G + 1, sizeof *cnt);
        if (!cnt) { rc = TFP_ENOMEM; goto nomem; }
        for (size_t k = 0; k < n; k++) cnt[unit[k]]++;
        size_t m = 0;
        for (size_t k = 0; k < n; k++)
          if (cnt[unit[k]] > 1) rows[m++] = rows[k]; else { r->N_singletons++; changed = 1; }
        n = m;
        free(cnt); cnt = NULL;
      }
      if (!d->n_absorb_more) break;   /* xtivreg2: one pass for one FE */
    }
    if (r->N_singletons) note(r, "%zu singleton observations dropped", r->N_singletons);
  }
  if (n == 0) {   /* name the culprit: a variable with no value at all, if any */
    const char *empty = NULL;
    for (size_t g = 0; !empty && g < 4; g++) {
      const tfp_iv_var *v = g == 0 ? &d->y : g == 1 ? d->exog : g == 2 ? d->endog : d->inst;
      size_t nv = g == 0 ? 1 : g == 1 ? d->n_exog : g == 2 ? d->n_endog : d->n_inst;
      for (size_t j = 0; !empty && j < nv; j++) {
        size_t k = 0;
        while (k < n_all && isnan(v[j].x[k])) k++;
        if (k == n_all) empty = v[j].name;
      }
    }
    const char *what = "variable";
    for (size_t g = 0; !empty && g < 3; g++) {
      const double *v = g == 0 ? (o.vce == TFP_VCE_CLUSTER ? d->cluster : NULL)
                      : g == 1 ? d->absorb : NULL;
      if (g == 2) {
        for (size_t j = 0; !empty && j < d->n_dummies; j++) {
          size_t k = 0;
          while (k < n_all && isnan(d->dummies[j].x[k])) k++;
          if (k == n_all) { empty = d->dummies[j].name ? d->dummies[j].name : "(fixed effect)"; what = "fixed-effect variable"; }
        }
        continue;
      }
      if (!v) continue;
      size_t k = 0;
      while (k < n_all && isnan(v[k])) k++;
      if (k == n_all) {
        what = g == 0 ? "cluster variable" : "fixed-effect variable";
        empty = g == 0 ? (d->cluster_name ? d->cluster_name : "(cluster)")
                       : (d->absorb_name ? d->absorb_name : "(fixed effect)");
      }
    }
    rc = TFP_EDATA;
    if (empty) snprintf(err, errlen, "no observations: %s '%s' has no non-missing value", what, empty);
    else snprintf(err, errlen, "no observations without a missing value (%zu rows, %zu singletons)",
                  n_all, r->N_singletons);
    goto fail;
  }
  r->N = n;

  /* 3. columns on the sample: y, X1 (endog), X2 (exog, dummies, const), Z1 */
  size_t n_dcols = 0;
  int *code = malloc((n + 1) * sizeof *code);
  if (!code) { rc = TFP_ENOMEM; goto nomem; }
  size_t *dG = calloc(d->n_dummies + 1, sizeof *dG);
  double **dlev = calloc(d->n_dummies + 1, sizeof *dlev);
  int **dcode = calloc(d->n_dummies + 1, sizeof *dcode);
  if (!dG || !dlev || !dcode) { free(code); free(dG); free(dlev); free(dcode); rc = TFP_ENOMEM; goto nomem; }
  for (size_t j = 0; j < d->n_dummies; j++) {
    dcode[j] = malloc((n + 1) * sizeof **dcode);
    if (!dcode[j]) { rc = TFP_ENOMEM; break; }
    if ((rc = group_codes(d->dummies[j].x, rows, n, dcode[j], &dlev[j], &dG[j], o.progress, o.progress_ud))) break;
    n_dcols += dG[j] ? dG[j] - 1 : 0;
  }
  size_t K1 = d->n_endog, L1 = d->n_inst, K2 = d->n_exog + n_dcols + (size_t)has_const;
  size_t ncol = 1 + K1 + K2 + L1;
  cols = calloc(ncol + 1, sizeof *cols);
  colnames = calloc(ncol + 1, sizeof *colnames);
  if (rc || !cols || !colnames) {
    for (size_t j = 0; j < d->n_dummies; j++) { free(dcode[j]); free(dlev[j]); }
    free(code); free(dG); free(dlev); free(dcode); if (rc != TFP_EINTR) rc = TFP_ENOMEM; goto nomem;
  }
  c = 0;
#define ADD_COL(nm, src) do { cols[c].x = malloc(n * sizeof(double)); if (!cols[c].x) { rc = TFP_ENOMEM; break; } \
    for (size_t k_ = 0; k_ < n; k_++) { cols[c].x[k_] = (src)[rows[k_]]; } \
    colnames[c] = xstrdup(nm); c++; } while (0)
  ADD_COL(d->y.name ? d->y.name : "y", d->y.x);
  for (size_t j = 0; !rc && j < K1; j++) ADD_COL(d->endog[j].name, d->endog[j].x);
  for (size_t j = 0; !rc && j < d->n_exog; j++) ADD_COL(d->exog[j].name, d->exog[j].x);
  for (size_t j = 0; !rc && j < d->n_dummies; j++)
    for (size_t g = 1; !rc && g < dG[j]; g++) {
      cols[c].x = malloc(n * sizeof(double));
      if (!cols[c].x) { rc = TFP_ENOMEM; break; }
      for (size_t k = 0; k < n; k++) cols[c].x[k] = dcode[j][k] == (int)g ? 1.0 : 0.0;
      colnames[c] = dummy_name(d->dummies[j].name ? d->dummies[j].name : "d", dlev[j][g]);
      c++;
    }
  if (!rc && has_const) {
    cols[c].x = malloc(n * sizeof(double));
    if (!cols[c].x) rc = TFP_ENOMEM;
    else { for (size_t k = 0; k < n; k++) cols[c].x[k] = 1.0; colnames[c] = xstrdup("_cons"); c++; }
  }
  for (size_t j = 0; !rc && j < L1; j++) ADD_COL(d->inst[j].name, d->inst[j].x);
  for (size_t j = 0; j < d->n_dummies; j++) { free(dcode[j]); free(dlev[j]); }
  free(dG); free(dlev); free(dcode);
  if (rc) { free(code); goto nomem; }
  for (size_t j = 0; j < c; j++) if (!colnames[j]) { free(code); rc = TFP_ENOMEM; goto nomem; }

  /* 3b. units: each column (not _cons) is multiplied by a power of two that
     brings its largest value into [0.5, 1) -- exact, and it keeps data in
     1e-150 or 1e150 units from under- or overflowing in cross products; the
     results are scaled back at the end. The collinearity yardstick of each
     column is its sum of squares now, before any demeaning: centred when the
     model has a constant or fixed effects (so that a column constant within
     the FE groups is seen as absorbed, and a large mean is no collinearity). */
  int centred = has_const && !(d->absorb || d->n_absorb_more);
  for (size_t j = 0; j < c; j++) {
    double *x = cols[j].x;
    cols[j].scale = 1; cols[j].mean = 0;
    if (j >= 1 + K1 && j < 1 + K1 + K2 && strcmp(colnames[j], "_cons") == 0) {
      cols[j].ref = (double)n;
      continue;
    }
    double mx = 0;
    for (size_t k = 0; k < n; k++) if (fabs(x[k]) > mx) mx = fabs(x[k]);
    if (mx > 0) {
      int ex;
      frexp(mx, &ex);
      if (ex < -1000) ex = -1000;   /* subnormal values: 2^-ex must stay finite */
      cols[j].scale = ldexp(1.0, -ex);
      for (size_t k = 0; k < n; k++) x[k] *= cols[j].scale;
    }
    double ss = 0;
    if (has_const || d->absorb || d->n_absorb_more) {
      double m = 0, m2 = 0;
      for (size_t k = 0; k < n; k++) m += x[k];
      m /= (double)n;
      for (size_t k = 0; k < n; k++) m2 += x[k] - m;
      m += m2 / (double)n;
      for (size_t k = 0; k < n; k++) ss += (x[k] - m) * (x[k] - m);
      if (centred) cols[j].mean = m;
    } else {
      for (size_t k = 0; k < n; k++) ss += x[k] * x[k];
    }
    cols[j].ref = ss;
  }
  /* with a constant (and no FE), the other columns are centred: the constant
     is then orthogonal to them, so a mean large against the spread costs no
     digits; _cons is recovered at the end */
  if (centred)
    for (size_t j = 0; j < c; j++)
      if (cols[j].mean != 0) for (size_t k = 0; k < n; k++) cols[j].x[k] -= cols[j].mean;

  /* 4. fixed effects: within transformation (xtivreg2 fe), alternating projections for more */
  long d_fe = 0;
  if (d->absorb || d->n_absorb_more) {
    size_t nfe = (d->absorb ? 1 : 0) + d->n_absorb_more;
    int **fe_code = calloc(nfe, sizeof *fe_code);
    size_t *fe_G = calloc(nfe, sizeof *fe_G);
    if (!fe_code || !fe_G) { free(fe_code); free(fe_G); free(code); rc = TFP_ENOMEM; goto nomem; }
    for (size_t f = 0; f < nfe && !rc; f++) {
      const double *v = (d->absorb && f == 0) ? d->absorb : d->absorb_more[f - (d->absorb ? 1 : 0)];
      fe_code[f] = malloc((n + 1) * sizeof(int));
      if (!fe_code[f]) rc = TFP_ENOMEM;
      else rc = group_codes(v, rows, n, fe_code[f], NULL, &fe_G[f], o.progress, o.progress_ud);
      if (!rc)
        d_fe += (long)fe_G[f] - (f > 0 ? 1 : 0);
    }
    if (!rc) {
      r->N_g = fe_G[0];
      double **xs = malloc(c * sizeof *xs);
      if (!xs) rc = TFP_ENOMEM;
      else {
        size_t nx = 0;
        for (size_t j = 0; j < c; j++) xs[nx++] = cols[j].x;
        tfp_fe_opts fo;
        tfp_fe_opts_init(&fo);
        fo.tol = o.ap_tol; fo.maxit = o.ap_maxit;
        fo.progress = o.progress; fo.progress_ud = o.progress_ud;
        int iters = 0;
        rc = tfp_fe_demean(n, (const int *const *)fe_code, fe_G, nfe, xs, nx, &fo, &iters, err, errlen);
        if (!rc && nfe > 1) note(r, "%zu fixed effects absorbed by alternating projections (%d iterations)", nfe, iters);
        free(xs);
      }
    }
    for (size_t f = 0; f < nfe; f++) free(fe_code[f]);
    free(fe_code); free(fe_G);
    if (rc) { free(code); if (rc == TFP_ENOMEM || rc == TFP_EINTR) goto nomem; goto fail; }
  }
  r->dofminus = o.dofminus + d_fe;
  r->sdofminus = o.sdofminus;

  /* 5. collinearity, in order: X2, then Z1 given X2, then X1 given X2 */
  {
    size_t p = c - 1;     /* all but y */
    double *A = malloc(n * p * sizeof *A), *G = malloc(p * p * sizeof *G);
    int *keep = malloc(p * sizeof *keep);
    if (!A || !G || !keep) { free(A); free(G); free(keep); free(code); rc = TFP_ENOMEM; goto nomem; }
    /* order: X2 columns, Z1, then X1 (so instruments/endog are screened against X2) */
    size_t *ord = malloc(p * sizeof *ord), m = 0;
    if (!ord) { free(A); free(G); free(keep); free(code); rc = TFP_ENOMEM; goto nomem; }
    /* _cons is screened first, so a constant regressor is the one dropped (as Stata) */
    for (size_t j = 1 + K1; j < 1 + K1 + K2; j++) if (strcmp(colnames[j], "_cons") == 0) ord[m++] = j;
    for (size_t j = 1 + K1; j < 1 + K1 + K2; j++) if (strcmp(colnames[j], "_cons") != 0) ord[m++] = j;
    for (size_t j = 1 + K1 + K2; j < c; j++) ord[m++] = j;
    for (size_t j = 1; j < 1 + K1; j++) ord[m++] = j;
    double *ref = malloc((p + 1) * sizeof *ref);
    if (!ref) { free(A); free(G); free(keep); free(ord); free(code); rc = TFP_ENOMEM; goto nomem; }
    for (size_t j = 0; j < p; j++) { memcpy(A + j * n, cols[ord[j]].x, n * sizeof *A); ref[j] = cols[ord[j]].ref; }
    tfp_la_gram(n, p, A, G);
    free(A);
    /* first screen: X2 then Z1 (instruments against regressors and each other);
       second screen: X1 against the kept X2 and each other, not against Z1 */
    size_t q = K2 + L1, qx = K2 + K1;
    double *Gq = malloc((q * q + qx * qx + 1) * sizeof *Gq);
    int *keepx = malloc((qx + 1) * sizeof *keepx);
    size_t *ix = malloc((qx + 1) * sizeof *ix);
    double *refx = malloc((qx + 1) * sizeof *refx);
    if (!Gq || !keepx || !ix || !refx) { free(Gq); free(keepx); free(ix); free(refx); free(ref); free(G); free(keep); free(ord); free(code); rc = TFP_ENOMEM; goto nomem; }
    double *Gxq = Gq + q * q;
    for (size_t a = 0; a < q; a++) for (size_t bb = 0; bb < q; bb++) Gq[a + bb * q] = G[a + bb * p];
    tfp_la_rmcoll_ref(q, Gq, ref, o.coll_tol, keep);
    size_t nix = 0;
    for (size_t a = 0; a < K2; a++) if (keep[a]) ix[nix++] = a;
    for (size_t a = 0; a < K1; a++) ix[nix++] = q + a;
    for (size_t a = 0; a < nix; a++) {
      refx[a] = ref[ix[a]];
      for (size_t bb = 0; bb < nix; bb++) Gxq[a + bb * nix] = G[ix[a] + ix[bb] * p];
    }
    tfp_la_rmcoll_ref(nix, Gxq, refx, o.coll_tol, keepx);
    for (size_t a = 0; a < K1; a++) keep[q + a] = keepx[nix - K1 + a];
    free(Gq); free(keepx); free(ix); free(refx); free(ref); free(G);
    /* drop, note, compact */
    int *drop = calloc(c, sizeof *drop);
    if (!drop) { free(keep); free(ord); free(code); rc = TFP_ENOMEM; goto nomem; }
    for (size_t j = 0; j < p; j++) if (!keep[j]) drop[ord[j]] = 1;
    free(keep); free(ord);
    size_t nd = 0;
    for (size_t j = 1; j < c; j++) nd += (size_t)drop[j];
    if (nd) {
      r->dropped_vars = calloc(nd, sizeof *r->dropped_vars);
      if (!r->dropped_vars) { free(drop); free(code); rc = TFP_ENOMEM; goto nomem; }
    }
    size_t K1k = 0, K2k = 0, L1k = 0, w = 1;
    for (size_t j = 1; j < c; j++) {
      const char *kind = j < 1 + K1 ? "endogenous regressor" : j < 1 + K1 + K2 ? "regressor" : "instrument";
      if (drop[j]) {
        note(r, "note: %s %s omitted because of collinearity", kind, colnames[j]);
        r->dropped_vars[r->n_dropped_vars++] = colnames[j];
        free(cols[j].x);
        continue;
      }
      if (j < 1 + K1) K1k++; else if (j < 1 + K1 + K2) K2k++; else L1k++;
      cols[w] = cols[j]; colnames[w] = colnames[j]; w++;
    }
    free(drop);
    c = w; K1 = K1k; K2 = K2k; L1 = L1k;
  }
  free(code);
  if (L1 < K1) {
    rc = TFP_EDATA;
    snprintf(err, errlen, "too few instruments: %zu excluded instrument(s) for %zu endogenous regressor(s)", L1, K1);
    goto fail;
  }
  size_t K = K1 + K2, L = L1 + K2;
  if (K == 0) { rc = TFP_EDATA; snprintf(err, errlen, "no regressors"); goto fail; }
  long dd = r->dofminus, sd = r->sdofminus;
  if ((double)n - (double)dd - (double)K - (double)sd <= 0) {
    rc = TFP_EDATA;
    snprintf(err, errlen, "too few observations: N=%zu for %zu regressors and dofminus %ld", n, K, dd);
    goto fail;
  }

  /* 6. matrices X = [X1 X2], Z = [Z1 X2] */
  y = cols[0].x;
  double *X = malloc(n * (K + L + 1) * sizeof *X);
  if (!X) { rc = TFP_ENOMEM; goto nomem; }
  double *Z = X + n * K;
  for (size_t j = 0; j < K; j++) memcpy(X + j * n, cols[1 + j].x, n * sizeof *X);
  for (size_t j = 0; j < L1; j++) memcpy(Z + j * n, cols[1 + K + j].x, n * sizeof *Z);
  for (size_t j = 0; j < K2; j++) memcpy(Z + (L1 + j) * n, cols[1 + K1 + j].x, n * sizeof *Z);
  X1 = X; X2 = X + n * K1; Z1 = Z;
  /* the columns now live in X and Z: release the copies (y stays) */
  for (size_t j = 1; j < c; j++) { free(cols[j].x); cols[j].x = NULL; }

  if (o.vce == TFP_VCE_CLUSTER) {
    clu = malloc((n + 1) * sizeof *clu);
    if (!clu) { free(X); rc = TFP_ENOMEM; goto nomem; }
    if ((rc = group_codes(d->cluster, rows, n, clu, NULL, &r->N_clust, o.progress, o.progress_ud))) { free(X); goto nomem; }
    if (r->N_clust < 2) {   /* the cluster-robust VCE is then zero: ivreg2 refuses */
      free(X);
      rc = TFP_EDATA;
      snprintf(err, errlen, "vce cluster needs at least 2 clusters: cluster variable '%s' has %zu "
               "cluster in the estimation sample", d->cluster_name ? d->cluster_name : "(cluster)", r->N_clust);
      goto fail;
    }
  }
  tfp_iv_work w = { n, K1, K2, L1, y, X1, X2, Z1, clu, r->N_clust, dd, sd, (int)o.vce, o.small };
  r->K1 = K1; r->L1 = L1; r->K = K; r->L = L;

  /* 7. estimation */
  double *S = malloc((L * L + K * K * 3 + K + 2 * n + L * K + (L + K) * (L + K) + 1) * sizeof *S);
  if (!S) { free(X); rc = TFP_ENOMEM; goto nomem; }
  double *A = S + L * L, *V = A + K * K, *B = V + K * K, *b = B + K * K, *e = b + K, *e2 = e + n,
         *Pi = e2 + n, *SA = Pi + L * K;
  double J, J2;
  tfp_la_gram(n, L, Z, S);
  if ((rc = tfp_iv_gmm(n, K, X, L, Z, y, S, b, e, NULL, A, err, errlen))) goto est_fail;
  /* S-tilde from 2SLS residuals: the two-step GMM weight and the J statistic */
  if ((rc = tfp_iv_omega(&w, L, Z, e, S, err, errlen))) goto est_fail;
  /* ivreg2: a rank-deficient S stops two-step GMM (the optimal weight is not
     unique); 2SLS goes on without the J statistic. The rank is decided with a
     stated tolerance and the cluster bound, never by whether a Cholesky
     factorisation happens to succeed on this machine's rounding. */
  size_t rank_S;
  if ((rc = tfp_iv_s_rank(&w, L, S, &rank_S, err, errlen))) goto est_fail;
  char clusters[64] = "";
  if (o.vce == TFP_VCE_CLUSTER) snprintf(clusters, sizeof clusters, ", %zu clusters", r->N_clust);
  if (rank_S < L && o.method == TFP_IV_GMM2S) {
    rc = TFP_EDATA;
    snprintf(err, errlen, "estimated covariance matrix of moment conditions not of full rank "
             "(rank %zu for %zu moment conditions%s): the optimal GMM weighting matrix is not "
             "unique, so two-step GMM cannot be computed (as in ivreg2; possible causes: too few "
             "clusters, a singleton dummy variable)", rank_S, L, clusters);
    goto est_fail;
  }
  double *bg = malloc(K * sizeof *bg), *Vg = malloc(K * K * sizeof *Vg);
  if (!bg || !Vg) { free(bg); free(Vg); rc = TFP_ENOMEM; goto est_fail; }
  if (rank_S < L) {
    r->warn_singular_S = 1;
    note(r, "warning: estimated covariance matrix of moment conditions not of full rank "
            "(rank %zu for %zu moment conditions%s); overidentification statistic not reported, "
            "and standard errors and model tests should be interpreted with caution",
         rank_S, L, clusters);
    J = NAN;
  } else {
    rc = tfp_iv_gmm(n, K, X, L, Z, y, S, bg, e2, &J, Vg, err, errlen);
    if (rc == TFP_ENUMERIC && o.method == TFP_IV_2SLS) {
      /* the 2SLS fit stands; only the overidentification statistic is lost */
      note(r, "warning: two-step GMM step failed (%s); J statistic not available", err);
      J = NAN; rc = TFP_OK; err[0] = 0;
    }
  }
  if (rc) { free(bg); free(Vg); goto est_fail; }
  if (o.method == TFP_IV_GMM2S) {
    memcpy(b, bg, K * sizeof *b);
    memcpy(e, e2, n * sizeof *e);
    /* V = (X'Z S^-1 Z'X)^-1 */
    for (size_t i = 0; i < K * K; i++) V[i] = 0;
    for (size_t i = 0; i < K; i++) V[i + i * K] = 1;
    if ((rc = tfp_la_chol_solve(K, Vg, K, V, err, errlen))) { free(bg); free(Vg); goto est_fail; }
  } else {
    /* 2SLS: V = A^-1 (Pi' S Pi) A^-1, Pi = (Z'Z)^-1 Z'X; iid: S = sigma^2 Z'Z gives sigma^2 A^-1 */
    double *ZZ = SA;
    tfp_la_gram(n, L, Z, ZZ);
    tfp_la_crossprod(n, L, Z, K, X, Pi);
    if ((rc = tfp_la_chol_solve(L, ZZ, K, Pi, err, errlen))) { free(bg); free(Vg); goto est_fail; }
    double *SP = malloc(L * K * sizeof *SP);
    if (!SP) { free(bg); free(Vg); rc = TFP_ENOMEM; goto est_fail; }
    tfp_la_gemm(0, 0, L, K, L, 1.0, S, Pi, 0.0, SP);
    tfp_la_gemm(1, 0, K, K, L, 1.0, Pi, SP, 0.0, B);
    free(SP);
    /* V = A^-1 B A^-1: two solves */
    if ((rc = tfp_la_chol_solve(K, A, K, B, err, errlen))) { free(bg); free(Vg); goto est_fail; }
    for (size_t i = 0; i < K; i++) for (size_t j = 0; j < K; j++) V[i + j * K] = B[j + i * K];
    if ((rc = tfp_la_chol_solve(K, A, K, V, err, errlen))) { free(bg); free(Vg); goto est_fail; }
  }
  free(bg); free(Vg);
  for (size_t i = 0; i < K; i++) for (size_t j = 0; j < i; j++) {
    double v = 0.5 * (V[i + j * K] + V[j + i * K]);
    V[i + j * K] = V[j + i * K] = v;
  }
  double Nd = (double)n - (double)dd;
  double dfr_small = (double)n - (double)K - (double)dd - (double)sd;
  if (o.small) {
    double f = o.vce == TFP_VCE_CLUSTER
                 ? ((double)n - 1) / ((double)n - (double)K - (double)sd) * (double)r->N_clust / ((double)r->N_clust - 1)
                 : Nd / dfr_small;
    for (size_t i = 0; i < K * K; i++) V[i] *= f;
    r->df_r = o.vce == TFP_VCE_CLUSTER ? (double)r->N_clust - 1 : dfr_small;
  } else r->df_r = NAN;

  /* 8. fit statistics */
  double rss = 0, ybar = 0, tss = 0, yy = 0;
  double y_mean = cols[0].mean;   /* y was centred with the other columns */
  for (size_t i = 0; i < n; i++) { rss += e[i] * e[i]; ybar += y[i]; yy += (y[i] + y_mean) * (y[i] + y_mean); }
  ybar /= (double)n;
  for (size_t i = 0; i < n; i++) tss += (y[i] - ybar) * (y[i] - ybar);
  r->rss = rss;
  r->r2 = 1 - rss / tss;
  r->r2_u = 1 - rss / yy;
  r->sigmasq = rss / (o.small ? dfr_small : Nd);
  r->rmse = sqrt(r->sigmasq);
  r->mss = tss - rss;

  /* 9. coefficient table */
  r->k = K;
  r->names = calloc(K, sizeof *r->names);
  r->coef = malloc(K * sizeof(double)); r->se = malloc(K * sizeof(double));
  r->t = malloc(K * sizeof(double)); r->p = malloc(K * sizeof(double));
  r->V = malloc(K * K * sizeof(double));
  if (!r->names || !r->coef || !r->se || !r->t || !r->p || !r->V) { rc = TFP_ENOMEM; goto est_fail; }
  memcpy(r->V, V, K * K * sizeof *V);
  for (size_t j = 0; j < K; j++) {
    r->names[j] = colnames[1 + j]; colnames[1 + j] = NULL;
    r->coef[j] = b[j];
    r->se[j] = sqrt(V[j + j * K]);
    r->t[j] = b[j] / r->se[j];
    r->p[j] = o.small ? tfp_t_tail2(r->df_r, r->t[j]) : tfp_norm_tail2(r->t[j]);
  }

  /* 9b. adjusted R2 and the model F test of all slopes (ivreg2's F_stat) */
  r->r2_a = has_const ? 1 - (1 - r->r2) * ((double)n - 1) / dfr_small : NAN;
  {
    size_t ks = has_const ? K - 1 : K;   /* _cons is the last coefficient */
    double *Vs = malloc((ks * ks + 2 * ks + 1) * sizeof *Vs);
    if (!Vs) { rc = TFP_ENOMEM; snprintf(err, errlen, "out of memory"); goto est_fail; }
    double *g = Vs + ks * ks, *h = g + ks;
    for (size_t i = 0; i < ks; i++) {
      g[i] = h[i] = b[i];
      for (size_t j = 0; j < ks; j++) Vs[i + j * ks] = V[i + j * K];
    }
    r->F = r->F_p = NAN;
    r->F_df1 = (double)ks;
    r->F_df2 = o.vce == TFP_VCE_CLUSTER ? (double)r->N_clust - 1 : dfr_small;
    if (ks > 0 && tfp_la_chol_solve(ks, Vs, 1, h, err, errlen) == TFP_OK) {
      double wald = 0;
      for (size_t i = 0; i < ks; i++) wald += g[i] * h[i];
      /* large-sample V: ivreg2's small-sample F convention */
      double c = o.small ? 1.0
               : o.vce == TFP_VCE_CLUSTER ? ((double)n - (double)K - (double)sd) / ((double)n - 1) *
                                              ((double)r->N_clust - 1) / (double)r->N_clust
                                          : dfr_small / Nd;
      r->F = wald / (double)ks * c;
      r->F_p = tfp_F_tail(r->F_df1, r->F_df2, r->F);
    }
    err[0] = 0;
    free(Vs);
  }

  /* 10. overidentification: J of two-step GMM (Sargan when iid) */
  r->hansen_df = (double)(L1 - K1);
  r->hansen_j = L1 > K1 ? J : 0.0;
  r->hansen_j_p = L1 > K1 ? tfp_chi2_tail(r->hansen_df, r->hansen_j) : NAN;
  r->sargan = o.vce == TFP_VCE_UNADJUSTED ? r->hansen_j : NAN;
  r->sargan_p = o.vce == TFP_VCE_UNADJUSTED ? r->hansen_j_p : NAN;

  /* 11. endog(): C = J(A) - J(B), both with S of model A (tested regressors exogenous) */
  r->endog = r->endog_p = r->endog_df = NAN;
  /* the tested regressors (each once), for endog() and Davidson-MacKinnon */
  size_t nt = 0, *idx = malloc((K1 + 1) * sizeof *idx);
  if (!idx) { rc = TFP_ENOMEM; goto est_fail; }
  for (size_t t = 0; t < d->n_endog_test; t++) {
    size_t j;
    for (j = 0; j < K1; j++) if (strcmp(r->names[j], d->endog_test[t]) == 0) break;
    if (j == K1) {   /* an endogenous regressor dropped as collinear is not tested */
      int dropped = 0;
      for (size_t q = 0; q < r->n_dropped_vars; q++) dropped |= strcmp(r->dropped_vars[q], d->endog_test[t]) == 0;
      if (dropped) continue;
      rc = TFP_EINVAL;
      snprintf(err, errlen, "endog test: '%s' is not an endogenous regressor", d->endog_test[t]);
      free(idx);
      goto est_fail;
    }
    int seen = 0;
    for (size_t q = 0; q < nt; q++) seen |= idx[q] == j;
    if (!seen) idx[nt++] = j;
  }
  if (d->n_endog_test > 0 && K1 > 0) {
    size_t LA = L + nt;
    double *ZA = malloc((n * LA + LA * LA + L * L + 1) * sizeof *ZA);
    if (!ZA) { free(idx); rc = TFP_ENOMEM; goto est_fail; }
    double *SAm = ZA + n * LA, *SB = SAm + LA * LA;
    memcpy(ZA, Z, n * L * sizeof *ZA);
    for (size_t t = 0; t < nt; t++) memcpy(ZA + (L + t) * n, X + idx[t] * n, n * sizeof *ZA);
    tfp_la_gram(n, LA, ZA, SAm);
    size_t rank_A = LA;
    rc = tfp_iv_gmm(n, K, X, LA, ZA, y, SAm, b, e2, NULL, B, err, errlen);
    if (!rc) rc = tfp_iv_omega(&w, LA, ZA, e2, SAm, err, errlen);
    if (!rc) rc = tfp_iv_s_rank(&w, LA, SAm, &rank_A, err, errlen);
    if (!rc && (r->warn_singular_S || rank_A < LA)) {
      /* as ivreg2: no C statistic from a rank-deficient S */
      note(r, "warning: endog() statistic not reported: estimated covariance matrix of moment "
              "conditions not of full rank (rank %zu for %zu moment conditions%s)",
           r->warn_singular_S ? rank_S : rank_A, r->warn_singular_S ? L : LA, clusters);
      J = J2 = NAN;
    } else {
      if (!rc) rc = tfp_iv_gmm(n, K, X, LA, ZA, y, SAm, b, e2, &J, B, err, errlen);
      for (size_t a = 0; a < L; a++) for (size_t bb = 0; bb < L; bb++) SB[a + bb * L] = SAm[a + bb * LA];
      if (!rc) rc = tfp_iv_gmm(n, K, X, L, Z, y, SB, b, e2, &J2, B, err, errlen);
      if (rc == TFP_ENUMERIC) {
        note(r, "warning: endog() statistic not available (%s)", err);
        rc = TFP_OK; err[0] = 0; J = J2 = NAN;
      }
    }
    free(ZA);
    if (rc) { free(idx); goto est_fail; }
    r->endog = J - J2;
    r->endog_df = (double)nt;
    r->endog_p = tfp_chi2_tail(r->endog_df, r->endog);
    memcpy(b, r->coef, K * sizeof *b);
  }

  /* 12a. Davidson-MacKinnon test of the endog() regressors (all endogenous if none named) */
  r->dm = r->dm_p = r->dm_df = NAN;
  if (K1 > 0) {
    if (d->n_endog_test == 0) for (size_t j = 0; j < K1; j++) idx[nt++] = j;
    if ((rc = dm_test(&w, K, X, L, Z, idx, nt, r, err, errlen))) {
      if (rc != TFP_ENUMERIC) { free(idx); goto est_fail; }
      note(r, "warning: Davidson-MacKinnon test not available (%s)", err);
      rc = TFP_OK; err[0] = 0;
    }
  }
  free(idx);

  /* 12. identification diagnostics, first stages, Stock-Yogo (iv_diag.c) */
  if (K1 > 0) {
    if ((rc = tfp_iv_diag_ident(&w, r, err, errlen))) goto est_fail;
    /* first-stage coefficient names */
    for (size_t j = 0; j < r->n_first; j++) {
      r->first[j].name = xstrdup(r->names[j]);
      r->first[j].inst_names = calloc(L1 + 1, sizeof(char *));
      if (!r->first[j].name || !r->first[j].inst_names) { rc = TFP_ENOMEM; goto est_fail; }
      r->first[j].n_inst = L1;
      for (size_t i = 0; i < L1; i++)
        if (!(r->first[j].inst_names[i] = xstrdup(colnames[1 + K + i]))) { rc = TFP_ENOMEM; goto est_fail; }
    }
    if (isinf(r->cd_f) || isinf(r->kp_f))
      note(r, "note: the excluded instruments predict the endogenous regressor%s exactly "
              "(first-stage R2 = 1): weak-identification F statistics are infinite",
           K1 > 1 ? "s" : "");
  } else {
    r->kp_lm = r->kp_lm_p = r->kp_lm_df = r->cd_f = r->kp_f = NAN;
  }

  /* 13. back to the data's units: undo the centring (only _cons moves:
     _cons = a + ybar - sum_j mean_j b_j, V by the same linear map) and the
     power-of-two scaling of each column */
  {
    double sy = cols[0].scale;
    int kc = -1;
    for (size_t j = K1; j < K; j++) if (strcmp(r->names[j], "_cons") == 0) kc = (int)j;
    if (kc >= 0 && centred) {
      double *g = malloc((2 * K + 1) * sizeof *g);
      if (!g) { rc = TFP_ENOMEM; goto est_fail; }
      double *Vg2 = g + K;
      for (size_t j = 0; j < K; j++) g[j] = (int)j == kc ? 1.0 : -cols[1 + j].mean;
      double a = cols[0].mean;
      for (size_t j = 0; j < K; j++) a += g[j] * r->coef[j];
      r->coef[kc] = a;
      for (size_t i = 0; i < K; i++) {
        double v = 0;
        for (size_t j = 0; j < K; j++) v += r->V[i + j * K] * g[j];
        Vg2[i] = v;                          /* V g */
      }
      double gvg = 0;
      for (size_t i = 0; i < K; i++) gvg += g[i] * Vg2[i];
      for (size_t i = 0; i < K; i++) if ((int)i != kc) r->V[i + kc * K] = r->V[kc + i * K] = Vg2[i];
      r->V[kc + kc * K] = gvg;
      free(g);
    }
    for (size_t i = 0; i < K; i++) {
      double fi = cols[1 + i].scale / sy;
      for (size_t j = 0; j < K; j++) r->V[i + j * K] *= fi * (cols[1 + j].scale / sy);
      r->coef[i] *= fi;
    }
    for (size_t j = 0; j < K; j++) {
      r->se[j] = sqrt(r->V[j + j * K]);
      r->t[j] = r->coef[j] / r->se[j];
      r->p[j] = o.small ? tfp_t_tail2(r->df_r, r->t[j]) : tfp_norm_tail2(r->t[j]);
    }
    r->rss /= sy * sy; r->mss /= sy * sy; r->sigmasq /= sy * sy; r->rmse /= sy;
    for (size_t j = 0; j < r->n_first; j++) {
      tfp_iv_first *f = &r->first[j];
      double sx = cols[1 + j].scale;
      f->rmse /= sx;
      for (size_t i = 0; i < f->n_inst; i++) {
        double fz = cols[1 + K + i].scale / sx;
        f->coef[i] *= fz; f->se[i] *= fz;
      }
    }
  }

  free(S); free(X);
  free(clu); free(unit); free(use); free(rows);
  free_cols(cols, c); free(cols);
  for (size_t j = 0; j < c; j++) free(colnames[j]);
  free(colnames);
  *out = r;
  return TFP_OK;

est_fail:
  free(S); free(X);
  goto fail;
nomem:
  if (rc == TFP_EINTR) snprintf(err, errlen, "interrupted");
  else if (rc == TFP_ENOMEM || rc == TFP_OK) { rc = TFP_ENOMEM; snprintf(err, errlen, "out of memory"); }
fail:
  free(clu); free(unit); free(use); free(rows);
  if (cols) { free_cols(cols, c); free(cols); }
  if (colnames) { for (size_t j = 0; j < c; j++) free(colnames[j]); free(colnames); }
  tfp_iv_result_free(r);
  return rc;
}
