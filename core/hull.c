/* hull.c — the frame of a DEA technology, radial LPs (see hull.h). */
#include "hull.h"
#include "green.h"
#include "colgen.h"
#include "cert.h"
#include "unit_order.h"

#include <glpk.h>

#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define HULL_BASE 192        /* a candidate set this small: the quadratic method */
#define HULL_STRIDE 8        /* the sample: every 8th candidate */
#define HULL_GRAIN 512       /* units per pricing chunk */
#define HULL_INSIDE 1e-9     /* score below 1 - this: inside the sample's technology */
#define HULL_INEFFICIENT 1e-6
#define HULL_FULL_LP 192     /* columns up to this: all in GLPK's LP from the start (a
                                 round of pricing costs a glp_simplex call; Malmquist
                                 261 x 15: 0.080 -> 0.064 s on one thread) */

/* ---- the radial LP */

size_t tfp_radial_nnz(size_t n_in, size_t n_out, size_t n_ref) {
  return n_ref * (n_in + n_out + 1) + n_in + n_out + 1;
}

void tfp_radial_build(tfp_radial_lp *d, const double *xys, int *ia, int *ja, double *ar) {
  size_t n_in = d->n_in, n_out = d->n_out, n_ref = d->n_ref;
  const double *ys = xys + n_in * n_ref;
  int n_rows = (int)(n_in + n_out) + (d->conv ? 1 : 0);
  glp_prob *lp = glp_create_prob();
  d->lp = lp;
  glp_set_obj_dir(lp, d->output ? GLP_MAX : GLP_MIN);
  glp_add_rows(lp, n_rows);
  glp_add_cols(lp, (int)n_ref + 1);
  for (size_t i = 0; i < n_in; i++) glp_set_row_bnds(lp, (int)i + 1, GLP_UP, 0.0, d->output ? 1.0 : 0.0);
  for (size_t r = 0; r < n_out; r++) glp_set_row_bnds(lp, (int)(n_in + r) + 1, GLP_LO, d->output ? 0.0 : 1.0, 0.0);
  if (d->conv) {
    int t = d->conv == TFP_CONV_EQ ? GLP_FX : d->conv == TFP_CONV_LE ? GLP_UP : GLP_LO;
    glp_set_row_bnds(lp, n_rows, t, 1.0, 1.0);
  }
  glp_set_col_bnds(lp, 1, GLP_LO, 0.0, 0.0);
  glp_set_obj_coef(lp, 1, 1.0);
  for (size_t k = 0; k < n_ref; k++) glp_set_col_bnds(lp, (int)k + 2, GLP_LO, 0.0, 0.0);
  size_t nz = 0;
  for (size_t k = 0; k < n_ref; k++) {
    int col = (int)k + 2;
    for (size_t i = 0; i < n_in; i++) {
      nz++; ia[nz] = (int)i + 1; ja[nz] = col; ar[nz] = xys[i * n_ref + k];
    }
    for (size_t r = 0; r < n_out; r++) {
      nz++; ia[nz] = (int)(n_in + r) + 1; ja[nz] = col; ar[nz] = ys[r * n_ref + k];
    }
    if (d->conv) { nz++; ia[nz] = n_rows; ja[nz] = col; ar[nz] = 1.0; }
  }
  glp_load_matrix(lp, (int)nz, ia, ja, ar);
}

void tfp_radial_set_unit(tfp_radial_lp *d, const double *x0, const double *y0) {
  size_t n_in = d->n_in, n_out = d->n_out;
  if (!d->output) {
    for (size_t i = 0; i < n_in; i++) { d->ind[i + 1] = (int)i + 1; d->val[i + 1] = -x0[i]; }
    glp_set_mat_col(d->lp, 1, (int)n_in, d->ind, d->val);
    for (size_t r = 0; r < n_out; r++) glp_set_row_bnds(d->lp, (int)(n_in + r) + 1, GLP_LO, y0[r], 0.0);
  } else {
    for (size_t r = 0; r < n_out; r++) { d->ind[r + 1] = (int)(n_in + r) + 1; d->val[r + 1] = -y0[r]; }
    glp_set_mat_col(d->lp, 1, (int)n_out, d->ind, d->val);
    for (size_t i = 0; i < n_in; i++) glp_set_row_bnds(d->lp, (int)i + 1, GLP_UP, 0.0, x0[i]);
  }
}

int tfp_radial_solve(tfp_radial_lp *d, double *obj) {
  glp_smcp parm;
  glp_init_smcp(&parm);
  parm.msg_lev = GLP_MSG_OFF;
  parm.meth = GLP_DUALP;
  int ret = glp_simplex(d->lp, &parm);
  if (ret == GLP_EBADB || ret == GLP_ESING || ret == GLP_ECOND || ret == GLP_EFAIL) {
    glp_std_basis(d->lp);
    ret = glp_simplex(d->lp, &parm);
  }
  if (ret != 0) return TFP_RADIAL_FAILED;
  int st = glp_get_status(d->lp);
  if (st == GLP_OPT) { *obj = glp_get_obj_val(d->lp); return TFP_RADIAL_OPTIMAL; }
  if (st == GLP_NOFEAS) return TFP_RADIAL_INFEASIBLE;
  /* Dual simplex may stop at a dual-infeasible basis; primal settles it. */
  parm.meth = GLP_PRIMAL;
  ret = glp_simplex(d->lp, &parm);
  if (ret != 0) return TFP_RADIAL_FAILED;
  st = glp_get_status(d->lp);
  if (st == GLP_OPT) { *obj = glp_get_obj_val(d->lp); return TFP_RADIAL_OPTIMAL; }
  if (st == GLP_NOFEAS) return TFP_RADIAL_INFEASIBLE;
  return TFP_RADIAL_FAILED;
}

/* ---- the radial LP by column generation */

struct tfp_radial_cg {
  tfp_cg cg;
  size_t n_in, n_out;
  int output, conv;
  int ind[64];
  double val[64];
  tfp_cert *cert;       /* or NULL: every LP through GLPK */
  int certified;        /* the last solve was settled by cert */
  int basis[64];
};

tfp_radial_cg *tfp_radial_cg_new(size_t n_in, size_t n_out, int output, int conv, const double *cx, size_t n_cols) {
  if (n_in + n_out + 2 > 64) return NULL;
  tfp_radial_cg *r = calloc(1, sizeof *r);
  if (!r) return NULL;
  r->n_in = n_in; r->n_out = n_out; r->output = output; r->conv = conv;
  tfp_cg_spec spec = { n_in + n_out, 0, 1, conv != TFP_CONV_NONE, output, n_cols, cx, n_cols > HULL_FULL_LP };
  if (tfp_cg_init(&r->cg, &spec)) { free(r); return NULL; }
  return r;
}

int tfp_radial_cg_use_cert(tfp_radial_cg *r) {
  if (!r->cert) r->cert = tfp_cert_new(r->n_in, r->n_out, r->output, r->conv, r->cg.s.ref, r->cg.s.n_ref);
  return r->cert ? TFP_OK : TFP_ENOMEM;
}

/* GLPK's optimal basis, for cert (not when an artificial column is in it). */
static void remember_basis(tfp_radial_cg *r) {
  glp_prob *lp = r->cg.lp;
  size_t m = 0, nr = r->cg.n_rows, nref = r->cg.s.n_ref;
  for (int a = 0; a < 2 * (int)nr; a++)
    if (glp_get_col_stat(lp, r->cg.first_art + a) == GLP_BS) return;
  if (glp_get_col_stat(lp, 1) == GLP_BS) r->basis[m++] = 0;
  for (size_t a = 0; a < r->cg.n_active && m <= nr; a++)
    if (glp_get_col_stat(lp, r->cg.first_ref + (int)a) == GLP_BS) r->basis[m++] = 1 + (int)r->cg.ref_of[a];
  for (size_t i = 0; i < nr && m <= nr; i++)
    if (glp_get_row_stat(lp, (int)i + 1) == GLP_BS) r->basis[m++] = 1 + (int)(nref + i);
  if (m == nr) tfp_cert_remember(r->cert, r->basis);
}

void tfp_radial_cg_build(tfp_radial_cg *r) {
  tfp_cg_build(&r->cg);
  glp_prob *lp = r->cg.lp;
  size_t n_in = r->n_in, n_out = r->n_out;
  for (size_t i = 0; i < n_in; i++) glp_set_row_bnds(lp, (int)i + 1, GLP_UP, 0.0, 0.0);
  for (size_t q = 0; q < n_out; q++) glp_set_row_bnds(lp, (int)(n_in + q) + 1, GLP_LO, 0.0, 0.0);
  if (r->conv) {
    int t = r->conv == TFP_CONV_EQ ? GLP_FX : r->conv == TFP_CONV_LE ? GLP_UP : GLP_LO;
    glp_set_row_bnds(lp, (int)(n_in + n_out) + 1, t, 1.0, 1.0);
  }
  glp_set_col_bnds(lp, 1, GLP_LO, 0.0, 0.0);
  glp_set_obj_coef(lp, 1, 1.0);
}

/* Before each solve: keep the LP a few dozen columns wide. */
static void radial_cg_trim(tfp_radial_cg *r) { tfp_cg_trim(&r->cg, 2 * (r->n_in + r->n_out + 1) + 8); }

int tfp_radial_cg_solve(tfp_radial_cg *r, const double *x0, const double *y0, double *obj) {
  r->certified = r->cert && tfp_cert_solve(r->cert, x0, y0, obj);
  if (r->certified) return TFP_RADIAL_OPTIMAL;
  radial_cg_trim(r);
  glp_prob *lp = r->cg.lp;
  size_t n_in = r->n_in, n_out = r->n_out;
  if (!r->output) {
    for (size_t i = 0; i < n_in; i++) { r->ind[i + 1] = (int)i + 1; r->val[i + 1] = -x0[i]; }
    glp_set_mat_col(lp, 1, (int)n_in, r->ind, r->val);
    for (size_t q = 0; q < n_out; q++) glp_set_row_bnds(lp, (int)(n_in + q) + 1, GLP_LO, y0[q], 0.0);
  } else {
    for (size_t q = 0; q < n_out; q++) { r->ind[q + 1] = (int)(n_in + q) + 1; r->val[q + 1] = -y0[q]; }
    glp_set_mat_col(lp, 1, (int)n_out, r->ind, r->val);
    for (size_t i = 0; i < n_in; i++) glp_set_row_bnds(lp, (int)i + 1, GLP_UP, 0.0, x0[i]);
  }
  int st = tfp_cg_solve(&r->cg, -1, -1, obj);
  if (st == TFP_CG_OPTIMAL && r->cert) remember_basis(r);
  return st == TFP_CG_OPTIMAL ? TFP_RADIAL_OPTIMAL : st == TFP_CG_INFEASIBLE ? TFP_RADIAL_INFEASIBLE
                                                                                : TFP_RADIAL_FAILED;
}

size_t tfp_radial_cg_peers(const tfp_radial_cg *r, size_t *k, double *w, size_t max) {
  if (r->certified) return tfp_cert_peers(r->cert, k, w, max);
  size_t m = 0;
  for (size_t a = 0; a < r->cg.n_active && m < max; a++) {
    double l = glp_get_col_prim(r->cg.lp, r->cg.first_ref + (int)a);
    if (fabs(l) < 1e-12) continue;
    size_t kk = r->cg.ref_of[a], b = m++;
    for (; b > 0 && k[b - 1] > kk; b--) { k[b] = k[b - 1]; w[b] = w[b - 1]; }
    k[b] = kk;
    w[b] = l;
  }
  return m;
}

size_t tfp_radial_cg_iterations(const tfp_radial_cg *r) { return r->cg.n_iter; }

size_t tfp_radial_cg_bases(const tfp_radial_cg *r, int *out, size_t max) {
  return r->cert ? tfp_cert_bases(r->cert, out, max) : 0;
}

void tfp_radial_cg_seed(tfp_radial_cg *r, const int *bases, size_t n) {
  size_t m = r->cert ? tfp_cert_rows(r->cert) : 0;
  for (size_t s = n; m && s > 0; s--) tfp_cert_remember(r->cert, bases + (s - 1) * m);
}

void tfp_radial_cg_free(tfp_radial_cg *r, int lost) {
  if (!r) return;
  tfp_cert_free(r->cert);
  tfp_cg_free(&r->cg, lost);
  free(r);
}


/* ---- dominance */

typedef struct { double score; size_t k; } screen_key;

static int cmp_screen(const void *a, const void *b) {
  const screen_key *p = a, *q = b;
  if (p->score != q->score) return p->score < q->score ? 1 : -1;
  return (p->k > q->k) - (p->k < q->k);
}

static int cmp_size(const void *a, const void *b) {
  size_t p = *(const size_t *)a, q = *(const size_t *)b;
  return (p > q) - (p < q);
}

/* Sorted by (outputs - inputs), a dominating unit always comes first, so
   one pass against the kept set finds them all. */
int tfp_hull_undominated(const double *xys, size_t n_in, size_t n_out, size_t n_ref, size_t *cols,
                         size_t *n_cols) {
  screen_key *key = malloc((n_ref ? n_ref : 1) * sizeof *key);
  if (!key) return TFP_ENOMEM;
  const double *ys = xys + n_in * n_ref;
  for (size_t k = 0; k < n_ref; k++) {
    double sc = 0;
    for (size_t i = 0; i < n_in; i++) sc -= xys[i * n_ref + k];
    for (size_t r = 0; r < n_out; r++) sc += ys[r * n_ref + k];
    key[k].score = sc;
    key[k].k = k;
  }
  qsort(key, n_ref, sizeof *key, cmp_screen);
  size_t m = 0;
  for (size_t a = 0; a < n_ref; a++) {
    size_t k = key[a].k;
    int dominated = 0;
    for (size_t b = 0; b < m && !dominated; b++) {
      size_t l = cols[b];
      int dom = 1;
      for (size_t i = 0; i < n_in && dom; i++) dom = xys[i * n_ref + l] <= xys[i * n_ref + k];
      for (size_t r = 0; r < n_out && dom; r++) dom = ys[r * n_ref + l] >= ys[r * n_ref + k];
      dominated = dom;
    }
    if (!dominated) cols[m++] = k;
  }
  qsort(cols, m, sizeof *cols, cmp_size);
  *n_cols = m;
  free(key);
  return TFP_OK;
}

/* ---- chunks through the pool, or inline */

typedef struct {
  tfp_hull_chunk_fn fn;
  void *ud;
} chunk_task;

static int pool_body(void *ud, void *state, size_t begin, size_t end, tfp_pool_ctx *c) {
  (void)state;
  const chunk_task *t = ud;
  return t->fn(t->ud, begin, end, c);
}

static void pool_fini(void *ud, void *state, tfp_pool_ctx *c) {
  (void)ud; (void)state; (void)c;
  tfp_pool_glpk_release();
}

int tfp_hull_stop(tfp_pool_ctx *ctx, tfp_progress_fn progress, void *progress_ud, const char *what,
                  size_t done, size_t total) {
  if (ctx) return tfp_pool_stopping(ctx);
  return progress && progress(progress_ud, what, done, total);
}

void tfp_hull_chunk_error(tfp_pool_ctx *ctx, char *msg, size_t msglen, const char *text) {
  if (ctx) tfp_pool_error(ctx, "%s", text);
  else snprintf(msg, msglen, "%s", text);
}

int tfp_hull_for(tfp_pool *pool, size_t n, size_t grain, tfp_hull_chunk_fn fn, void *ud, const char *msg,
                 tfp_progress_fn progress, void *progress_ud, const char *what, char *err, size_t errlen) {
  if (grain == 0) grain = 1;
  if (pool && n > grain && tfp_pool_threads(pool) > 1) {
    chunk_task ct = { fn, ud };
    tfp_pool_task t;
    tfp_pool_task_init(&t);
    t.n = n;
    t.grain = grain;
    t.body = pool_body;
    t.fini = pool_fini;
    t.ud = &ct;
    t.progress = progress;
    t.progress_ud = progress_ud;
    t.what = what;
    return tfp_pool_for(pool, &t, err, errlen);
  }
  for (size_t b = 0; b < n; b += grain) {
    size_t e = n - b < grain ? n : b + grain;
    int rc = fn(ud, b, e, NULL);
    if (rc == TFP_EINTR) return tfp_error(err, errlen, rc, "interrupted");
    if (rc) return tfp_error(err, errlen, rc, "%s", msg && msg[0] ? msg : "failed");
  }
  return TFP_OK;
}

/* ---- the frame */

/* Columns q[0..m-1] of s->xys into c, variable-major over m columns. */
static void gather(const tfp_hull_spec *s, const size_t *q, size_t m, double *c) {
  size_t nv = s->n_in + s->n_out;
  for (size_t v = 0; v < nv; v++)
    for (size_t a = 0; a < m; a++) c[v * m + a] = s->xys[v * s->n_ref + q[a]];
}

typedef struct {
  const tfp_hull_spec *s;
  tfp_radial_cg *r;
  double *unit;
  const size_t *q;      /* units evaluated */
  size_t begin, end;
  char *flag;           /* base: inefficient; pricing: outside */
  tfp_pool_ctx *ctx;
  int interrupted;
} lp_pass;

/* Unit k's score (input orientation) against the pass's columns. */
static int unit_score(lp_pass *p, size_t k, double *obj) {
  const tfp_hull_spec *s = p->s;
  size_t nv = s->n_in + s->n_out;
  for (size_t v = 0; v < nv; v++) p->unit[v] = s->xys[v * s->n_ref + k];
  *obj = NAN;
  return tfp_radial_cg_solve(p->r, p->unit, p->unit + s->n_in, obj);
}

/* Small case: each unit of q against all of q; the inefficient flagged. */
static int base_body(void *ud) {
  lp_pass *p = ud;
  const tfp_hull_spec *s = p->s;
  tfp_radial_cg_build(p->r);
  for (size_t a = p->begin; a < p->end; a++) {
    double obj;
    int st = unit_score(p, p->q[a], &obj);
    p->flag[a] = st == TFP_RADIAL_OPTIMAL && obj < 1 - HULL_INEFFICIENT;
    if (s->progress && s->progress(s->progress_ud, "dea frame", a + 1, p->end)) { p->interrupted = 1; break; }
  }
  return p->interrupted ? TFP_EINTR : TFP_OK;
}

/* Pricing: units q[begin..end) against the sample's frame; flag those not
   strictly inside. */
static int price_body(void *ud) {
  lp_pass *p = ud;
  tfp_radial_cg_build(p->r);
  for (size_t a = p->begin; a < p->end; a++) {
    double obj;
    int st = unit_score(p, p->q[a], &obj);
    p->flag[a] = !(st == TFP_RADIAL_OPTIMAL && obj < 1 - HULL_INSIDE);
    if (tfp_hull_stop(p->ctx, p->s->progress, p->s->progress_ud, "dea frame", a + 1, p->end)) {
      p->interrupted = 1;
      break;
    }
  }
  return p->interrupted ? TFP_EINTR : TFP_OK;
}

typedef struct {
  const tfp_hull_spec *s;
  const double *cx;
  size_t n_cols;
  const size_t *q;
  char *flag;
  char msg[256];
} price_job;

static int run_pass(const tfp_hull_spec *s, lp_pass *p, int (*body)(void *), const double *cx, size_t n_cols,
                    char *msg, size_t msglen) {
  p->r = tfp_radial_cg_new(s->n_in, s->n_out, 0, s->conv, cx, n_cols);
  p->unit = malloc((s->n_in + s->n_out) * sizeof *p->unit);
  int rc = TFP_ENOMEM, lost = 0;
  if (p->r && p->unit && tfp_radial_cg_use_cert(p->r) == TFP_OK) {
    char gmsg[256];
    rc = tfp_glpk_guarded(body, p, s->lp_memory_mb, &lost, gmsg, sizeof gmsg);
    if (rc && rc != TFP_EINTR)
      snprintf(msg, msglen, "GLPK %s while finding the frame", rc == TFP_ENOMEM ? "ran out of memory" : "failed");
  } else {
    snprintf(msg, msglen, "out of memory while finding the frame");
  }
  tfp_radial_cg_free(p->r, lost);
  free(p->unit);
  return rc;
}

static int price_chunk(void *ud, size_t begin, size_t end, tfp_pool_ctx *ctx) {
  price_job *j = ud;
  lp_pass p = { j->s, NULL, NULL, j->q, begin, end, j->flag, ctx, 0 };
  char msg[256];
  int rc = run_pass(j->s, &p, price_body, j->cx, j->n_cols, msg, sizeof msg);
  if (rc && rc != TFP_EINTR) tfp_hull_chunk_error(ctx, j->msg, sizeof j->msg, msg);
  return rc;
}

static int base_frame(const tfp_hull_spec *s, const size_t *q, size_t m, size_t *out, size_t *nf, char *err,
                      size_t errlen) {
  double *cx = malloc((m ? m : 1) * (s->n_in + s->n_out) * sizeof *cx);
  char *drop = calloc(m ? m : 1, 1);
  size_t *qe = malloc((m ? m : 1) * sizeof *qe);   /* q, evaluated along the rays */
  if (!cx || !drop || !qe) {
    free(cx); free(drop); free(qe);
    return tfp_error(err, errlen, TFP_ENOMEM, "out of memory while finding the frame");
  }
  /* dominated units lie inside the technology: no LP for them; the others
     against all of q */
  gather(s, q, m, cx);
  size_t mu = 0;
  int rc = tfp_hull_undominated(cx, s->n_in, s->n_out, m, qe, &mu);
  for (size_t a = 0; rc == TFP_OK && a < mu; a++) qe[a] = q[qe[a]];
  if (rc == TFP_OK) rc = tfp_unit_order(s->xys, s->n_ref, s->n_in, s->n_out, 0, s->conv == TFP_CONV_NONE, qe, mu);
  lp_pass p = { s, NULL, NULL, qe, 0, mu, drop, NULL, 0 };
  char msg[256] = "out of memory while finding the frame";
  if (rc == TFP_OK) rc = run_pass(s, &p, base_body, cx, m, msg, sizeof msg);
  if (rc == TFP_EINTR) tfp_error(err, errlen, rc, "interrupted");
  else if (rc) tfp_error(err, errlen, rc, "%s", msg);
  size_t k = 0;
  for (size_t a = 0; a < mu; a++)
    if (!drop[a]) out[k++] = qe[a];
  qsort(out, k, sizeof *out, cmp_size);
  *nf = k;
  free(cx); free(drop); free(qe);
  return rc;
}

static int frame_rec(const tfp_hull_spec *s, const size_t *q, size_t m, size_t *out, size_t *nf, char *err,
                     size_t errlen) {
  if (m <= HULL_BASE) return base_frame(s, q, m, out, nf, err, errlen);
  size_t ms = (m + HULL_STRIDE - 1) / HULL_STRIDE, nr = m - ms, nv = s->n_in + s->n_out;
  size_t *smp = malloc(ms * sizeof *smp), *rest = malloc(nr * sizeof *rest), *cand = malloc(m * sizeof *cand);
  char *outside = calloc(nr, 1);
  double *cx = NULL;
  int rc = smp && rest && cand && outside ? TFP_OK : TFP_ENOMEM;
  size_t nfs = 0, a_s = 0, a_r = 0;
  if (rc == TFP_OK) {
    for (size_t a = 0; a < m; a++) {
      if (a % HULL_STRIDE == 0) smp[a_s++] = q[a];
      else rest[a_r++] = q[a];
    }
    rc = frame_rec(s, smp, ms, cand, &nfs, err, errlen);
  }
  /* priced along their rays: neighbours share optimal bases (cert.h) */
  if (rc == TFP_OK) rc = tfp_unit_order(s->xys, s->n_ref, s->n_in, s->n_out, 0, s->conv == TFP_CONV_NONE, rest, nr);
  if (rc == TFP_OK && !(cx = malloc((nfs ? nfs : 1) * nv * sizeof *cx))) rc = TFP_ENOMEM;
  if (rc == TFP_OK) {
    gather(s, cand, nfs, cx);
    price_job j = { s, cx, nfs, rest, outside, "" };
    rc = tfp_hull_for(s->pool, nr, HULL_GRAIN, price_chunk, &j, j.msg, s->progress, s->progress_ud,
                      "dea frame", err, errlen);
  }
  if (rc == TFP_OK) {
    size_t n2 = nfs;
    for (size_t a = 0; a < nr; a++)
      if (outside[a]) cand[n2++] = rest[a];
    qsort(cand, n2, sizeof *cand, cmp_size);
    if (2 * n2 > m) rc = base_frame(s, cand, n2, out, nf, err, errlen);
    else rc = frame_rec(s, cand, n2, out, nf, err, errlen);
  }
  if (rc == TFP_ENOMEM) tfp_error(err, errlen, rc, "out of memory while finding the frame");
  free(smp); free(rest); free(cand); free(outside); free(cx);
  return rc;
}

int tfp_hull_frame(const tfp_hull_spec *s, size_t *frame, size_t *n_frame, char *err, size_t errlen) {
  size_t n = s->n_ref, nv = s->n_in + s->n_out, nf = 0;
  size_t *q = malloc((n ? n : 1) * sizeof *q);
  if (!q) return tfp_error(err, errlen, TFP_ENOMEM, "out of memory while finding the frame");
  for (size_t k = 0; k < n; k++) q[k] = k;
  if (s->among) {
    memcpy(q, s->among, s->n_among * sizeof *q);
    n = s->n_among;
  }
  int rc = frame_rec(s, q, n, frame, &nf, err, errlen);
  double *cx = NULL;
  if (rc == TFP_OK && !(cx = malloc((nf ? nf : 1) * nv * sizeof *cx))) rc = TFP_ENOMEM;
  if (rc == TFP_OK) {
    /* weakly efficient units the others dominate (and duplicates) out */
    size_t nd = 0;
    gather(s, frame, nf, cx);
    rc = tfp_hull_undominated(cx, s->n_in, s->n_out, nf, q, &nd);
    for (size_t a = 0; rc == TFP_OK && a < nd; a++) q[a] = frame[q[a]];
    if (rc == TFP_OK) {
      memcpy(frame, q, nd * sizeof *frame);
      nf = nd;
    }
  }
  if (rc == TFP_ENOMEM) tfp_error(err, errlen, rc, "out of memory while finding the frame");
  *n_frame = rc == TFP_OK ? nf : 0;
  free(q); free(cx);
  return rc;
}
