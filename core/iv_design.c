/* iv_design.c — the design pass (see iv_internal.h): the columns y, X1
   (endogenous), X2 (exogenous, dummies, _cons) and Z1 (excluded
   instruments) on the sample, put in units (a power of two each, centred
   when there is a constant), with the fixed effects swept out and the
   collinear columns dropped; then X = [X1 X2] and Z = [X2 Z1], both views
   of one block [y X1 X2 Z1] (no copies). It keeps the units, to map the
   results back at the end. */
#include "iv_internal.h"
#include "fe.h"
#include "linalg.h"
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

/* A column while the design is built: its values on the sample (in the
   design's one block) and its units. */
typedef struct {
  char *name;
  double *x;
  double scale;       /* x was multiplied by this power of two */
  double mean;        /* then this (scaled) mean was subtracted */
  double ref;         /* sum of squares before demeaning (centred when the model
                         has a constant or FE): the collinearity yardstick */
} col;

typedef struct {
  col *c;
  size_t nc, K1, K2, L1;   /* nc = 1 + K1 + K2 + L1: y, X1, X2, Z1 */
  double *block;           /* n x nc, column j of c at block + j n (the design's arena owns it) */
  size_t *orig;            /* after the screen: each kept column's index before it */
} colset;

static void colset_free(colset *cs)
{
  for (size_t j = 0; j < cs->nc; j++) free(cs->c[j].name);
  cs->nc = 0;
}

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

static int add_col(colset *cs, const char *name, const double *src, const size_t *rows, size_t n)
{
  col *c = &cs->c[cs->nc];
  c->x = cs->block + cs->nc++ * n;
  c->name = tfp_iv_strdup(name);
  if (!c->name) return TFP_ENOMEM;
  if (src && rows) for (size_t k = 0; k < n; k++) c->x[k] = src[rows[k]];
  else if (src) memcpy(c->x, src, n * sizeof *c->x);   /* the sample is every row */
  else for (size_t k = 0; k < n; k++) c->x[k] = 1.0;
  return TFP_OK;
}

/* The indicator columns of dummy vector j (first level dropped). */
static int add_dummies(colset *cs, const tfp_iv_var *v, const tfp_iv_sample *s,
                       const int *code, const double *lev, size_t G)
{
  for (size_t g = 1; g < G; g++) {
    col *c = &cs->c[cs->nc];
    c->x = cs->block + cs->nc++ * s->n;
    c->name = dummy_name(v->name ? v->name : "d", lev[g]);
    if (!c->name) return TFP_ENOMEM;
    for (size_t k = 0; k < s->n; k++) c->x[k] = code[k] == (int)g ? 1.0 : 0.0;
  }
  return TFP_OK;
}

/* y, X1, X2 (exogenous, dummies, _cons), Z1 on the sample, in one block
   from gm (so that X and Z are views of it, never copies). */
static int gather(colset *cs, const tfp_iv_sample *s, const tfp_iv_data *d, const tfp_iv_opts *o,
                  int has_const, tfp_iv_arena *gm)
{
  size_t n = s->n, n_dcols = 0, nd = d->n_dummies;
  tfp_iv_arena mem = TFP_IV_ARENA_INIT;
  int **code = tfp_iv_alloc(&mem, nd, sizeof *code);
  double **lev = tfp_iv_alloc(&mem, nd, sizeof *lev);
  size_t *G = tfp_iv_alloc(&mem, nd, sizeof *G);
  int rc = mem.oom ? TFP_ENOMEM : TFP_OK;
  for (size_t j = 0; !rc && j < nd; j++) {
    code[j] = tfp_iv_alloc(&mem, n, sizeof **code);
    rc = mem.oom ? TFP_ENOMEM : tfp_iv_codes(d->dummies[j].x, s->rows, n, code[j], &lev[j], &G[j], o);
    n_dcols += G[j] ? G[j] - 1 : 0;
  }
  cs->K1 = d->n_endog; cs->L1 = d->n_inst;
  cs->K2 = d->n_exog + n_dcols + (size_t)has_const;
  size_t nc = 1 + cs->K1 + cs->K2 + cs->L1;
  if (!rc) cs->c = calloc(nc, sizeof *cs->c);
  if (!rc && cs->c) cs->block = tfp_iv_take(gm, (n ? n : 1) * nc);
  if (!rc && (!cs->c || !cs->block)) rc = TFP_ENOMEM;
  if (!rc) rc = add_col(cs, d->y.name ? d->y.name : "y", d->y.x, s->rows, n);
  for (size_t j = 0; !rc && j < d->n_endog; j++) rc = add_col(cs, d->endog[j].name, d->endog[j].x, s->rows, n);
  for (size_t j = 0; !rc && j < d->n_exog; j++) rc = add_col(cs, d->exog[j].name, d->exog[j].x, s->rows, n);
  for (size_t j = 0; !rc && j < nd; j++) rc = add_dummies(cs, &d->dummies[j], s, code[j], lev[j], G[j]);
  if (!rc && has_const) rc = add_col(cs, "_cons", NULL, NULL, n);
  for (size_t j = 0; !rc && j < d->n_inst; j++) rc = add_col(cs, d->inst[j].name, d->inst[j].x, s->rows, n);
  for (size_t j = 0; lev && j < nd; j++) free(lev[j]);
  tfp_iv_arena_free(&mem);
  return rc;
}

/* Units: each column (not _cons) is multiplied by a power of two that
   brings its largest value into [0.5, 1) -- exact, and it keeps data in
   1e-150 or 1e150 units from under- or overflowing in cross products; the
   results are scaled back at the end. The collinearity yardstick of each
   column is its sum of squares now, before any demeaning: centred when the
   model has a constant or fixed effects (so that a column constant within
   the FE groups is seen as absorbed, and a large mean is no collinearity).
   With a constant (and no FE) the columns are centred: the constant is then
   orthogonal to them, so a mean large against the spread costs no digits;
   _cons is recovered at the end. */
static void set_units(colset *cs, size_t n, int demeaned, int centred, const double *sw)
{
  for (size_t j = 0; j < cs->nc; j++) {
    col *c = &cs->c[j];
    double *x = c->x;
    c->scale = 1; c->mean = 0;
    if (j >= 1 + cs->K1 && j < 1 + cs->K1 + cs->K2 && strcmp(c->name, "_cons") == 0) {
      c->ref = (double)n;
      if (sw) { c->ref = 0; for (size_t k = 0; k < n; k++) c->ref += sw[k] * sw[k]; }
      continue;
    }
    double mx = 0;
    for (size_t k = 0; k < n; k++) if (fabs(x[k]) > mx) mx = fabs(x[k]);
    if (mx > 0) {
      int ex;
      frexp(mx, &ex);
      if (ex < -1000) ex = -1000;   /* subnormal values: 2^-ex must stay finite */
      c->scale = ldexp(1.0, -ex);
      for (size_t k = 0; k < n; k++) x[k] *= c->scale;
    }
    double ss = 0;
    if (demeaned && sw) {   /* weighted mean and sum of squares */
      double m = 0, sum_w = 0;
      for (size_t k = 0; k < n; k++) { m += sw[k] * sw[k] * x[k]; sum_w += sw[k] * sw[k]; }
      m /= sum_w;
      for (size_t k = 0; k < n; k++) ss += sw[k] * sw[k] * (x[k] - m) * (x[k] - m);
      if (centred) c->mean = m;
    } else if (demeaned) {
      double m = 0, m2 = 0;
      for (size_t k = 0; k < n; k++) m += x[k];
      m /= (double)n;
      for (size_t k = 0; k < n; k++) m2 += x[k] - m;
      m += m2 / (double)n;
      for (size_t k = 0; k < n; k++) ss += (x[k] - m) * (x[k] - m);
      if (centred) c->mean = m;
    } else {
      for (size_t k = 0; k < n; k++) ss += x[k] * x[k];
    }
    c->ref = ss;
  }
  if (centred)
    for (size_t j = 0; j < cs->nc; j++)
      if (cs->c[j].mean != 0) for (size_t k = 0; k < n; k++) cs->c[j].x[k] -= cs->c[j].mean;
}

/* Fixed effects (the sample's codes): the within transformation (xtivreg2
   fe), alternating projections for more; d_fe gets the degrees of freedom
   they take. */
static int absorb(colset *cs, const tfp_iv_sample *s, const tfp_iv_opts *o, long *d_fe,
                  tfp_iv_result *r, tfp_iv_notes *nb, char *err, size_t errlen)
{
  for (size_t f = 0; f < s->nfe; f++) *d_fe += (long)s->fe_G[f] - (f > 0 ? 1 : 0);
  r->N_g = s->fe_G[0];
  tfp_iv_arena mem = TFP_IV_ARENA_INIT;
  double **xs = tfp_iv_alloc(&mem, cs->nc, sizeof *xs);
  if (mem.oom) return tfp_iv_lost(TFP_ENOMEM, err, errlen);
  for (size_t j = 0; j < cs->nc; j++) xs[j] = cs->c[j].x;
  tfp_fe_opts fo;
  tfp_fe_opts_init(&fo);
  fo.tol = o->ap_tol; fo.maxit = o->ap_maxit; fo.accel = o->ap_accel; fo.threads = o->threads;
  fo.progress = o->progress; fo.progress_ud = o->progress_ud;
  int iters = 0;
  int rc = tfp_fe_demean(s->n, (const int *const *)s->fe_code, s->fe_G, s->nfe, xs, cs->nc, &fo, &iters,
                         err, errlen);
  if (!rc && s->nfe > 1)
    tfp_iv_note(nb, "%zu fixed effects absorbed by alternating projections (%d iterations)", s->nfe, iters);
  tfp_iv_arena_free(&mem);
  if (rc == TFP_ENOMEM || rc == TFP_EINTR) return tfp_iv_lost(rc, err, errlen);
  return rc;
}

/* Collinearity, in order, like _rmcoll: _cons first (so a constant
   regressor is the one dropped, as Stata), the other X2, then Z1 given X2
   (instruments against regressors and each other); then X1 against the kept
   X2 and each other, not against Z1. drop[j] (column j of cs) gets 1 for a
   dropped column. */
static int screen(const colset *cs, const double *Gb, double coll_tol, int *drop)
{
  size_t nc = cs->nc, p = nc - 1, K1 = cs->K1, K2 = cs->K2, L1 = cs->L1, m = 0, q = K2 + L1, qx = K2 + K1;
  tfp_iv_arena mem = TFP_IV_ARENA_INIT;
  double *G = tfp_iv_take(&mem, p * p), *ref = tfp_iv_take(&mem, p);
  double *Gq = tfp_iv_take(&mem, q * q), *Gxq = tfp_iv_take(&mem, qx * qx), *refx = tfp_iv_take(&mem, qx);
  int *keep = tfp_iv_alloc(&mem, p, sizeof *keep), *keepx = tfp_iv_alloc(&mem, qx, sizeof *keepx);
  size_t *ord = tfp_iv_alloc(&mem, p, sizeof *ord), *ix = tfp_iv_alloc(&mem, qx, sizeof *ix);
  if (mem.oom) { tfp_iv_arena_free(&mem); return TFP_ENOMEM; }
  for (size_t j = 1 + K1; j < 1 + K1 + K2; j++) if (strcmp(cs->c[j].name, "_cons") == 0) ord[m++] = j;
  for (size_t j = 1 + K1; j < 1 + K1 + K2; j++) if (strcmp(cs->c[j].name, "_cons") != 0) ord[m++] = j;
  for (size_t j = 1 + K1 + K2; j < cs->nc; j++) ord[m++] = j;
  for (size_t j = 1; j < 1 + K1; j++) ord[m++] = j;
  for (size_t a = 0; a < p; a++) {   /* the block's Gram matrix in that order */
    ref[a] = cs->c[ord[a]].ref;
    for (size_t b = 0; b < p; b++) G[a + b * p] = Gb[ord[a] + ord[b] * nc];
  }
  for (size_t a = 0; a < q; a++) for (size_t b = 0; b < q; b++) Gq[a + b * q] = G[a + b * p];
  tfp_la_rmcoll_ref(q, Gq, ref, coll_tol, keep);
  size_t nix = 0;
  for (size_t a = 0; a < K2; a++) if (keep[a]) ix[nix++] = a;
  for (size_t a = 0; a < K1; a++) ix[nix++] = q + a;
  for (size_t a = 0; a < nix; a++) {
    refx[a] = ref[ix[a]];
    for (size_t b = 0; b < nix; b++) Gxq[a + b * nix] = G[ix[a] + ix[b] * p];
  }
  tfp_la_rmcoll_ref(nix, Gxq, refx, coll_tol, keepx);
  for (size_t a = 0; a < K1; a++) keep[q + a] = keepx[nix - K1 + a];
  for (size_t j = 0; j < p; j++) drop[ord[j]] = !keep[j];
  tfp_iv_arena_free(&mem);
  return TFP_OK;
}

/* Drop the screened columns, each with a note; their names go to r. The
   kept columns move down the block; cs->orig gets where each was. */
static int drop_collinear(colset *cs, const int *drop, size_t n, tfp_iv_result *r, tfp_iv_notes *nb)
{
  size_t nd = 0, K1k = 0, K2k = 0, L1k = 0, w = 1;
  for (size_t j = 1; j < cs->nc; j++) nd += (size_t)drop[j];
  if (nd && !(r->dropped_vars = calloc(nd, sizeof *r->dropped_vars))) return TFP_ENOMEM;
  for (size_t j = 1; j < cs->nc; j++) {
    const char *kind = j < 1 + cs->K1 ? "endogenous regressor" : j < 1 + cs->K1 + cs->K2 ? "regressor" : "instrument";
    if (drop[j]) {
      tfp_iv_note(nb, "note: %s %s omitted because of collinearity", kind, cs->c[j].name);
      r->dropped_vars[r->n_dropped_vars++] = cs->c[j].name;
      continue;
    }
    if (j < 1 + cs->K1) K1k++; else if (j < 1 + cs->K1 + cs->K2) K2k++; else L1k++;
    if (w != j) memmove(cs->block + w * n, cs->c[j].x, n * sizeof *cs->block);
    cs->c[w] = cs->c[j];
    cs->c[w].x = cs->block + w * n;
    cs->orig[w++] = j;
  }
  cs->nc = w; cs->K1 = K1k; cs->K2 = K2k; cs->L1 = L1k;
  return TFP_OK;
}

/* The sizes the estimators need, or an error naming what is missing. */
static int check_sizes(const tfp_iv_design *g, const tfp_iv_result *r, char *err, size_t errlen)
{
  size_t K = g->K1 + g->K2;
  if (g->L1 < g->K1) {
    snprintf(err, errlen, "too few instruments: %zu excluded instrument(s) for %zu endogenous regressor(s)",
             g->L1, g->K1);
    return TFP_EDATA;
  }
  if (K == 0) { snprintf(err, errlen, "no regressors"); return TFP_EDATA; }
  if ((double)g->n - (double)r->dofminus - (double)K - (double)r->sdofminus <= 0) {
    snprintf(err, errlen, "too few observations: N=%zu for %zu regressors and dofminus %ld", g->n, K,
             r->dofminus);
    return TFP_EDATA;
  }
  return TFP_OK;
}

/* y, X = [X1 X2] and Z = [X2 Z1]: views of the block, which the design
   now owns; the names and units are kept. */
static int assemble(tfp_iv_design *g, colset *cs)
{
  size_t n = g->n;
  g->names = tfp_iv_alloc(&g->mem, cs->nc, sizeof *g->names);
  g->scale = tfp_iv_take(&g->mem, cs->nc);
  g->mean = tfp_iv_take(&g->mem, cs->nc);
  g->n_names = 0;
  if (g->mem.oom) return TFP_ENOMEM;
  g->y = cs->block; g->X = cs->block + n; g->Z = cs->block + (1 + g->K1) * n;
  for (size_t j = 0; j < cs->nc; j++) {
    g->names[j] = cs->c[j].name; cs->c[j].name = NULL;
    g->scale[j] = cs->c[j].scale;
    g->mean[j] = cs->c[j].mean;
  }
  g->n_names = cs->nc;
  return TFP_OK;
}

/* The cross products of y, X and Z for every pass after, read off the
   block's Gram matrix Gb (ncb x ncb, before the screen): no pass over the
   rows. Column j of the block was column orig[j] of Gb. */
static int moments(tfp_iv_design *g, const double *Gb, size_t ncb, const size_t *orig)
{
  size_t K1 = g->K1, K = g->K1 + g->K2, L = g->L1 + g->K2;
  g->ZZ = tfp_iv_take(&g->mem, L * L); g->ZX = tfp_iv_take(&g->mem, L * K); g->Zy = tfp_iv_take(&g->mem, L);
  g->XX = tfp_iv_take(&g->mem, K * K); g->Xy = tfp_iv_take(&g->mem, K);
  if (g->mem.oom) return TFP_ENOMEM;
#define GB(a, b) Gb[orig[a] + orig[b] * ncb]
  for (size_t a = 0; a < L; a++) {
    for (size_t b = 0; b < L; b++) g->ZZ[a + b * L] = GB(1 + K1 + a, 1 + K1 + b);
    for (size_t k = 0; k < K; k++) g->ZX[a + k * L] = GB(1 + K1 + a, 1 + k);
    g->Zy[a] = GB(1 + K1 + a, 0);
  }
  for (size_t j = 0; j < K; j++) {
    for (size_t k = 0; k < K; k++) g->XX[j + k * K] = GB(1 + j, 1 + k);
    g->Xy[j] = GB(1 + j, 0);
  }
  g->yy = GB(0, 0);
#undef GB
  return TFP_OK;
}

/* The sample's rows and FE codes, released once the design has read them
   (the rows stay for the cluster codes and a kernel's time); when the
   sample is every row (rows[k] = k), the rows go before the block comes. */
static void release_sample(tfp_iv_sample *s, const tfp_iv_data *d, const tfp_iv_opts *o, int phase)
{
  int later = o->vce == TFP_VCE_CLUSTER || o->kernel || o->kiefer;   /* rows wanted after */
  if ((phase == 0 && !later && s->n == d->n) || (phase == 1 && !later)) {
    tfp_iv_release(&s->mem, s->rows);
    s->rows = NULL;
  }
  for (size_t f = 0; phase == 2 && f < s->nfe; f++) { tfp_iv_release(&s->mem, s->fe_code[f]); s->fe_code[f] = NULL; }
}

int tfp_iv_design_build(tfp_iv_design *g, tfp_iv_sample *s, const tfp_iv_data *d,
                        const tfp_iv_opts *o, tfp_iv_result *r, tfp_iv_notes *nb,
                        char *err, size_t errlen)
{
  int fe = d->absorb || d->n_absorb_more;
  g->n = s->n;
  g->has_const = o->constant < 0 ? (d->absorb == NULL) : o->constant != 0;
  g->centred = g->has_const && !fe;
  colset cs = {0};
  long d_fe = 0;
  int *drop = NULL;
  double *Gb = NULL;
  release_sample(s, d, o, 0);
  int rc = gather(&cs, s, d, o, g->has_const, &g->mem);
  if (rc) rc = tfp_iv_lost(rc, err, errlen);
  else release_sample(s, d, o, 1);
  g->sw = s->sw;
  if (!rc) set_units(&cs, g->n, g->has_const || fe, g->centred, g->sw);
  if (!rc && fe) rc = absorb(&cs, s, o, &d_fe, r, nb, err, errlen);
  if (!rc && fe) release_sample(s, d, o, 2);
  for (size_t j = 0; !rc && g->sw && j < cs.nc; j++)   /* weights: every column times sqrt(w) */
    for (size_t k = 0; k < g->n; k++) cs.c[j].x[k] *= g->sw[k];
  r->dofminus = o->dofminus + d_fe;
  r->sdofminus = o->sdofminus;
  size_t ncb = cs.nc;
  if (!rc) {   /* one Gram matrix of the block serves the screen and every cross product */
    drop = calloc(ncb, sizeof *drop);
    cs.orig = calloc(ncb, sizeof *cs.orig);
    Gb = tfp_iv_take(&g->mem, ncb * ncb);
    if (!drop || !cs.orig || !Gb) rc = TFP_ENOMEM;
    else {
      tfp_la_gram(g->n, ncb, cs.block, Gb);
      rc = screen(&cs, Gb, o->coll_tol, drop);
    }
    if (!rc) rc = drop_collinear(&cs, drop, g->n, r, nb);
    if (rc) rc = tfp_iv_lost(rc, err, errlen);
  }
  if (!rc) {
    g->K1 = cs.K1; g->K2 = cs.K2; g->L1 = cs.L1;
    rc = check_sizes(g, r, err, errlen);
  }
  if (!rc && (assemble(g, &cs) || moments(g, Gb, ncb, cs.orig))) rc = tfp_iv_lost(TFP_ENOMEM, err, errlen);
  free(drop);
  free(cs.orig);
  colset_free(&cs);
  free(cs.c);
  return rc;
}

/* _cons = a + ybar - sum_j mean_j b_j, and V by the same linear map g. */
static int uncentre(const tfp_iv_design *g, tfp_iv_result *r)
{
  size_t K = r->k;
  int kc = -1;
  for (size_t j = g->K1; j < K; j++) if (strcmp(r->names[j], "_cons") == 0) kc = (int)j;
  if (kc < 0 || !g->centred) return TFP_OK;
  tfp_iv_arena mem = TFP_IV_ARENA_INIT;
  double *gv = tfp_iv_take(&mem, K), *Vg = tfp_iv_take(&mem, K);
  if (mem.oom) return TFP_ENOMEM;
  for (size_t j = 0; j < K; j++) gv[j] = (int)j == kc ? 1.0 : -g->mean[1 + j];
  double a = g->mean[0];
  for (size_t j = 0; j < K; j++) a += gv[j] * r->coef[j];
  r->coef[kc] = a;
  for (size_t i = 0; i < K; i++) {
    double v = 0;
    for (size_t j = 0; j < K; j++) v += r->V[i + j * K] * gv[j];
    Vg[i] = v;                          /* V g */
  }
  double gvg = 0;
  for (size_t i = 0; i < K; i++) gvg += gv[i] * Vg[i];
  for (size_t i = 0; i < K; i++) if ((int)i != kc) r->V[i + kc * K] = r->V[kc + i * K] = Vg[i];
  r->V[kc + kc * K] = gvg;
  tfp_iv_arena_free(&mem);
  return TFP_OK;
}

int tfp_iv_design_unscale(const tfp_iv_design *g, tfp_iv_result *r, char *err, size_t errlen)
{
  size_t K = r->k;
  double sy = g->scale[0];
  if (uncentre(g, r)) return tfp_iv_lost(TFP_ENOMEM, err, errlen);
  for (size_t i = 0; i < K; i++) {
    double fi = g->scale[1 + i] / sy;
    for (size_t j = 0; j < K; j++) r->V[i + j * K] *= fi * (g->scale[1 + j] / sy);
    r->coef[i] *= fi;
  }
  for (size_t j = 0; j < K; j++) {
    r->se[j] = sqrt(r->V[j + j * K]);
    r->t[j] = r->coef[j] / r->se[j];
    r->p[j] = r->small ? tfp_t_tail2(r->df_r, r->t[j]) : tfp_norm_tail2(r->t[j]);
  }
  r->rss /= sy * sy; r->mss /= sy * sy; r->sigmasq /= sy * sy; r->rmse /= sy;
  for (size_t j = 0; j < r->n_first; j++) {
    tfp_iv_first *f = &r->first[j];
    double sx = g->scale[1 + j];
    f->rmse /= sx;
    for (size_t i = 0; i < f->n_inst; i++) {
      double fz = g->scale[1 + K + i] / sx;
      f->coef[i] *= fz; f->se[i] *= fz;
    }
  }
  return TFP_OK;
}

void tfp_iv_design_clear(tfp_iv_design *g)
{
  for (size_t j = 0; j < g->n_names; j++) free(g->names[j]);
  tfp_iv_arena_free(&g->mem);
  memset(g, 0, sizeof *g);
}
