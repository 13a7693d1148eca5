/* dea.c — radial DEA efficiency through GLPK (see dea.h for the contract). */
#include "dea.h"
#include "hull.h"
#include "unit_order.h"
#include "green.h"

#include <glpk.h>
#include <limits.h>
#include <math.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

void tfp_dea_opts_init(tfp_dea_opts *o) {
  memset(o, 0, sizeof *o);
  o->rts = TFP_RTS_CRS;
  o->orientation = TFP_DEA_INPUT;
  o->warm_start = 1;
  o->screen = 1;
  o->hull = 1;
}

void tfp_dea_result_clear(tfp_dea_result *res) {
  if (!res) return;
  free(res->eff);
  free(res->status);
  free(res->n_peers);
  free(res->peer);
  free(res->peer_weight);
  free(res->slack);
  memset(res, 0, sizeof *res);
}

static void var_name(char *buf, size_t len, const char *const *names, size_t i,
                     const char *kind) {
  if (names && names[i]) snprintf(buf, len, "%s '%s'", kind, names[i]);
  else snprintf(buf, len, "%s %zu", kind, i + 1);
}

static int check_column(const double *v, size_t n, const char *what, const char *var,
                        const tfp_rows *rows, char *err, size_t errlen) {
  char rb[256];
  for (size_t j = 0; j < n; j++) {
    const char *why = NULL;
    if (isnan(v[j])) why = "missing value";
    else if (isinf(v[j])) why = "infinite value";
    else if (v[j] <= 0) why = "non-positive value";
    if (why) {
      if (isnan(v[j]) || isinf(v[j]))
        tfp_error(err, errlen, 0, "%s%s%s, %s: %s (DEA needs positive inputs and outputs)",
                what, *what ? " " : "", var, tfp_row_label(rows, j, rb, sizeof rb), why);
      else
        tfp_error(err, errlen, 0, "%s%s%s, %s: %s %g (DEA needs positive inputs and outputs)",
                what, *what ? " " : "", var, tfp_row_label(rows, j, rb, sizeof rb), why, v[j]);
      return TFP_EDATA;
    }
  }
  return TFP_OK;
}

int tfp_dea_check(const tfp_dea_data *d, int as_reference, const char *what, const tfp_rows *rows,
                  char *err, size_t errlen) {
  char var[256];
  if (!what) what = "";
  if (!d || d->n_in == 0 || d->n_out == 0 || !d->x || !d->y) {
    tfp_error(err, errlen, 0, "%s%sDEA needs at least one input and one output", what,
            *what ? ": " : "");
    return TFP_EINVAL;
  }
  for (size_t i = 0; i < d->n_in; i++) {
    var_name(var, sizeof var, d->x_names, i, "input");
    if (!d->x[i]) { tfp_error(err, errlen, 0, "%s is NULL", var); return TFP_EINVAL; }
    int rc = check_column(d->x[i], d->n, what, var, rows, err, errlen);
    if (rc) return rc;
  }
  for (size_t r = 0; r < d->n_out; r++) {
    var_name(var, sizeof var, d->y_names, r, "output");
    if (!d->y[r]) { tfp_error(err, errlen, 0, "%s is NULL", var); return TFP_EINVAL; }
    int rc = check_column(d->y[r], d->n, what, var, rows, err, errlen);
    if (rc) return rc;
  }
  if (as_reference && d->n < d->n_in + d->n_out) {
    tfp_error(err, errlen, 0, "%s%s%zu units, fewer than inputs + outputs (%zu): "
            "the frontier is not identified", what, *what ? ": " : "", d->n,
            d->n_in + d->n_out);
    return TFP_EDATA;
  }
  return TFP_OK;
}

typedef tfp_radial_lp dea_lp;

typedef struct {
  jmp_buf jb;
  char msg[256];   /* GLPK's last terminal output: the text of a fatal error */
} glpk_guard;

static void glpk_fatal(void *info) {
  glpk_guard *g = info;
  longjmp(g->jb, 1);
}

/* GLPK's terminal output, caught instead of printed (GLPK turns it on to
   report a fatal error, whose text tells an allocation failure apart). */
static int glpk_term(void *info, const char *s) {
  glpk_guard *g = info;
  size_t used = strlen(g->msg);
  if (used + 1 < sizeof g->msg) snprintf(g->msg + used, sizeof g->msg - used, "%s", s);
  return 1;
}

/* Unit j's peers from the lambda columns first_col.. of the solved LP. */
static void store_peers(tfp_dea_result *res, size_t j, glp_prob *lp, int first_col, const size_t *cols,
                        size_t n_cols) {
  size_t m = 0, *peer = res->peer + j * res->max_peers;
  double *w = res->peer_weight + j * res->max_peers;
  for (size_t k = 0; k < n_cols && m < res->max_peers; k++) {
    double l = glp_get_col_prim(lp, (int)k + first_col);
    if (fabs(l) < 1e-12) continue;
    peer[m] = cols[k];
    w[m++] = l;
  }
  res->n_peers[j] = m;
}

/* DEAP's second stage (its "2-stage" method): the radial score fixed, the
   largest sum of slacks, measured in the data's own units (objective
   coefficient = the column's scale). Columns: the lambdas, then one slack per
   input and per output; rows as in lp_build, fixed per unit at the radial
   target by slack_set_unit. */
static void slack_build(dea_lp *d, const double *xs, const double *ys, const double *scale,
                        int *ia, int *ja, double *ar, tfp_dea_rts rts) {
  size_t n_in = d->n_in, n_out = d->n_out, n_ref = d->n_ref, n_var = n_in + n_out;
  int conv = rts != TFP_RTS_CRS;
  int n_rows = (int)n_var + conv;
  glp_prob *lp = glp_create_prob();
  d->lp = lp;
  glp_set_obj_dir(lp, GLP_MAX);
  glp_add_rows(lp, n_rows);
  glp_add_cols(lp, (int)(n_ref + n_var));
  for (int i = 1; i <= (int)n_var; i++) glp_set_row_bnds(lp, i, GLP_FX, 1.0, 1.0);
  if (conv) {
    int t = rts == TFP_RTS_VRS ? GLP_FX : rts == TFP_RTS_NIRS ? GLP_UP : GLP_LO;
    glp_set_row_bnds(lp, n_rows, t, 1.0, 1.0);
  }
  size_t nz = 0;
  for (size_t k = 0; k < n_ref; k++) {
    int col = (int)k + 1;
    glp_set_col_bnds(lp, col, GLP_LO, 0.0, 0.0);
    for (size_t i = 0; i < n_in; i++) {
      nz++; ia[nz] = (int)i + 1; ja[nz] = col; ar[nz] = xs[i * n_ref + k];
    }
    for (size_t r = 0; r < n_out; r++) {
      nz++; ia[nz] = (int)(n_in + r) + 1; ja[nz] = col; ar[nz] = ys[r * n_ref + k];
    }
    if (conv) { nz++; ia[nz] = n_rows; ja[nz] = col; ar[nz] = 1.0; }
  }
  for (size_t v = 0; v < n_var; v++) {
    int col = (int)(n_ref + v) + 1;
    glp_set_col_bnds(lp, col, GLP_LO, 0.0, 0.0);
    glp_set_obj_coef(lp, col, scale[v]);
    /* input rows: lambda x + s- = target; output rows: lambda y - s+ = target */
    nz++; ia[nz] = (int)v + 1; ja[nz] = col; ar[nz] = v < n_in ? 1.0 : -1.0;
  }
  glp_load_matrix(lp, (int)nz, ia, ja, ar);
}

/* Radial targets of the evaluated unit (scaled x0, y0; score = theta or phi). */
static void slack_set_unit(dea_lp *d, const double *x0, const double *y0, double score) {
  int in = !d->output;
  for (size_t i = 0; i < d->n_in; i++) {
    double t = in ? score * x0[i] : x0[i];
    glp_set_row_bnds(d->lp, (int)i + 1, GLP_FX, t, t);
  }
  for (size_t r = 0; r < d->n_out; r++) {
    double t = in ? y0[r] : score * y0[r];
    glp_set_row_bnds(d->lp, (int)(d->n_in + r) + 1, GLP_FX, t, t);
  }
}

static int lp_solve(dea_lp *d, double *obj) { return tfp_radial_solve(d, obj); }

/* Everything that runs under GLPK's error hook, in a function of its own so
   that nothing the longjmp could clobber lives in its frame. */
typedef struct {
  const tfp_dea_data *eval;
  const tfp_dea_opts *o;
  tfp_dea_result *res;
  dea_lp *d;
  const double *xys, *scale;
  double *unit;
  int *ia, *ja;
  double *ar;
  const size_t *cols; /* reference unit of each lambda column */
  const size_t *seq;  /* order in which units are evaluated */
  const long *col_of; /* LP column (0-based lambda) of each evaluated unit, or -1;
                         NULL unless the units are their own reference */
  size_t j;           /* unit being evaluated, for the message */
  int interrupted;
} dea_job;

/* Second stage for every unit with a radial score; lambdas, when wanted, are
   replaced by the second stage's (the peers that go with the slacks). */
static void slack_stage(dea_job *job) {
  const tfp_dea_data *eval = job->eval;
  const tfp_dea_opts *o = job->o;
  tfp_dea_result *res = job->res;
  dea_lp *d = job->d;
  size_t n = eval->n, n_in = d->n_in, n_out = d->n_out, n_ref = d->n_ref, n_var = n_in + n_out;
  const double *scale = job->scale;
  double *unit = job->unit;
  int warm = o->warm_start;
  const double *xs = job->xys, *ys = job->xys + n_in * n_ref;
  if (warm) {
    slack_build(d, xs, ys, scale, job->ia, job->ja, job->ar, o->rts);
    if (job->col_of)   /* inefficient units are inside the technology */
      for (size_t j = 0; j < n; j++)
        if (job->col_of[j] >= 0 && !(res->eff[j] >= 1 - 1e-6))
          glp_set_col_bnds(d->lp, (int)job->col_of[j] + 1, GLP_FX, 0.0, 0.0);
  }
  for (size_t j = 0; j < n; j++) {
    if (o->progress && o->progress(o->progress_ud, "dea slacks", j, n)) { job->interrupted = 1; break; }
    job->j = j;
    double *sl = res->slack + j * n_var;
    for (size_t v = 0; v < n_var; v++) sl[v] = NAN;
    if (res->status[j] != TFP_DEA_OPTIMAL) continue;
    for (size_t i = 0; i < n_in; i++) unit[i] = eval->x[i][j] / scale[i];
    for (size_t r = 0; r < n_out; r++) unit[n_in + r] = eval->y[r][j] / scale[n_in + r];
    if (!warm) slack_build(d, xs, ys, scale, job->ia, job->ja, job->ar, o->rts);
    double score = o->orientation == TFP_DEA_INPUT ? res->eff[j] : 1.0 / res->eff[j];
    slack_set_unit(d, unit, unit + n_in, score);
    if (o->super) glp_set_col_bnds(d->lp, (int)j + 1, GLP_FX, 0.0, 0.0);
    double obj;
    int it0 = glp_get_it_cnt(d->lp);
    int st = lp_solve(d, &obj);
    res->n_iter += (size_t)(glp_get_it_cnt(d->lp) - it0);
    res->n_lp++;
    if (st == TFP_DEA_OPTIMAL) {
      for (size_t v = 0; v < n_var; v++) {
        double sv = glp_get_col_prim(d->lp, (int)(n_ref + v) + 1);
        sl[v] = fabs(sv) < 1e-9 ? 0.0 : sv * scale[v];
      }
      if (res->n_peers) store_peers(res, j, d->lp, 1, job->cols, n_ref);
    } else {
      res->n_slack_failed++;
    }
    if (o->super) glp_set_col_bnds(d->lp, (int)j + 1, GLP_LO, 0.0, 0.0);
    if (!warm) { glp_delete_prob(d->lp); d->lp = NULL; }
  }
  if (d->lp) glp_delete_prob(d->lp);
  d->lp = NULL;
}

static int solve_all(dea_job *job, glpk_guard *guard) {
  /* Initialise GLPK's environment here: done implicitly by the first GLPK
     call, a failure there would print and abort(). */
  guard->msg[0] = '\0';
  int env = glp_init_env();
  if (env != 0 && env != 1) {
    snprintf(guard->msg, sizeof guard->msg, "%s", env == 2 ? "no memory available" : "unsupported");
    return env == 2 ? TFP_ENOMEM : TFP_ENUMERIC;
  }
  if (setjmp(guard->jb)) {
    /* GLPK hit a fatal error: its objects are gone; free its environment. */
    glp_free_env();
    return strstr(guard->msg, "memory") || strstr(guard->msg, "no memory") ? TFP_ENOMEM : TFP_ENUMERIC;
  }
  glp_error_hook(glpk_fatal, guard);
  glp_term_hook(glpk_term, guard);
  glp_term_out(GLP_OFF);
  glp_mem_limit(job->o->lp_memory_mb > 0 ? job->o->lp_memory_mb : INT_MAX);
  const tfp_dea_data *eval = job->eval;
  const tfp_dea_opts *o = job->o;
  tfp_dea_result *res = job->res;
  dea_lp *d = job->d;
  size_t n = eval->n, n_in = d->n_in, n_out = d->n_out, n_ref = d->n_ref;
  const double *scale = job->scale;
  double *unit = job->unit;
  int warm = o->warm_start;
  if (warm) tfp_radial_build(d, job->xys, job->ia, job->ja, job->ar);
  for (size_t s = 0; s < n; s++) {
    size_t j = job->seq[s];
    job->j = j;
    for (size_t i = 0; i < n_in; i++) unit[i] = eval->x[i][j] / scale[i];
    for (size_t r = 0; r < n_out; r++) unit[n_in + r] = eval->y[r][j] / scale[n_in + r];
    if (!warm) tfp_radial_build(d, job->xys, job->ia, job->ja, job->ar);
    tfp_radial_set_unit(d, unit, unit + n_in);
    if (o->super) glp_set_col_bnds(d->lp, (int)j + 2, GLP_FX, 0.0, 0.0);
    double obj = NAN;
    int it0 = glp_get_it_cnt(d->lp);
    int st = lp_solve(d, &obj);
    res->n_iter += (size_t)(glp_get_it_cnt(d->lp) - it0);
    res->n_lp++;
    if (st == TFP_DEA_OPTIMAL && !(obj > 0 && isfinite(obj))) st = TFP_DEA_FAILED;
    res->status[j] = st;
    if (st == TFP_DEA_OPTIMAL) {
      res->eff[j] = o->orientation == TFP_DEA_INPUT ? obj : 1.0 / obj;
      if (res->n_peers) store_peers(res, j, d->lp, 2, job->cols, n_ref);
    } else {
      res->eff[j] = NAN;
      if (st == TFP_DEA_INFEASIBLE) res->n_infeasible++;
      else res->n_failed++;
    }
    if (o->super) glp_set_col_bnds(d->lp, (int)j + 2, GLP_LO, 0.0, 0.0);
    /* An inefficient unit lies inside the technology the others span (its
       optimal lambdas without itself dominate it), under every returns to
       scale: leave it out of the LPs that follow. */
    if (warm && job->col_of && job->col_of[j] >= 0 && st == TFP_DEA_OPTIMAL &&
        res->eff[j] < 1 - 1e-6)
      glp_set_col_bnds(d->lp, (int)job->col_of[j] + 2, GLP_FX, 0.0, 0.0);
    if (!warm) { glp_delete_prob(d->lp); d->lp = NULL; }
    /* after every LP: 256 of them took seconds on 30k units */
    if (o->progress && o->progress(o->progress_ud, "dea", s + 1, n)) {
      job->interrupted = 1;
      break;
    }
  }
  if (d->lp) glp_delete_prob(d->lp);
  d->lp = NULL;
  if (res->slack && !job->interrupted) slack_stage(job);
  glp_mem_limit(INT_MAX);
  glp_term_hook(NULL, NULL);
  glp_error_hook(NULL, NULL);
  return TFP_OK;
}

static int conv_of(tfp_dea_rts rts) {
  return rts == TFP_RTS_CRS ? TFP_CONV_NONE : rts == TFP_RTS_VRS ? TFP_CONV_EQ
       : rts == TFP_RTS_NIRS ? TFP_CONV_LE : TFP_CONV_GE;
}

/* Radial scores are invariant to the units of each variable: divide each
   by the power of two nearest its geometric mean over the reference units
   (the mean of the binary exponents), so the LP is well conditioned. A
   power of two divides exactly, and no sum is formed that could overflow
   (an arithmetic mean of values near 1e308 is inf). */
static void scale_reference(const tfp_dea_data *ref, double *scale, double *xys) {
  size_t n_in = ref->n_in, n_var = ref->n_in + ref->n_out, n_ref = ref->n;
  for (size_t v = 0; v < n_var; v++) {
    const double *c = v < n_in ? ref->x[v] : ref->y[v - n_in];
    double esum = 0;
    size_t cnt = 0;
    for (size_t k = 0; k < n_ref; k++)
      if (c[k] != 0 && isfinite(c[k])) {
        int ex;
        frexp(c[k], &ex);
        esum += ex; cnt++;
      }
    scale[v] = cnt ? ldexp(1.0, (int)lround(esum / (double)cnt)) : 1.0;
    for (size_t k = 0; k < n_ref; k++) xys[v * n_ref + k] = c[k] / scale[v];
  }
}

/* ---- the hull path: every LP over the frame, in chunks of units */

#define DEA_GRAIN_MIN 512
#define DEA_GRAIN_MAX 1024

/* Units per chunk: a function of n only, so chunks (each from a freshly
   built LP) and hence every number are the same for any thread count. */
static size_t dea_grain(size_t n) {
  size_t g = n / 64;
  return g < DEA_GRAIN_MIN ? DEA_GRAIN_MIN : g > DEA_GRAIN_MAX ? DEA_GRAIN_MAX : g;
}

typedef struct {
  const tfp_dea_data *eval;
  const tfp_dea_opts *o;
  tfp_dea_result *res;
  const double *fx, *scale;   /* the frame's scaled columns; the variables' scales */
  const size_t *fcols;        /* reference unit of each frame column */
  size_t n_f, ub, n_units, grain;
  size_t *cnt;                /* per chunk: LPs, iterations, failed second stages */
  const size_t *ord;          /* unit evaluated a-th, or NULL: unit ub + a */
  int cert;                   /* settle LPs by cert.h where it can */
  const tfp_dea_bases *seed;  /* or NULL: each chunk's cert starts with these */
  tfp_dea_bases *left;        /* or NULL: the last chunk's bases */
  size_t rows;                /* the LP's rows: codes per basis */
  char msg[256];
} frame_job;

static size_t job_unit(const frame_job *j, size_t a) { return j->ord ? j->ord[a] : j->ub + a; }

typedef struct {
  frame_job *j;
  tfp_radial_cg *rcg;
  dea_lp d;
  int *ia, *ja;
  double *ar, *unit;
  size_t b, e;
  tfp_pool_ctx *ctx;
  int interrupted;
} frame_pass;

static void frame_unit(frame_pass *p, size_t u) {
  const tfp_dea_data *eval = p->j->eval;
  size_t n_in = eval->n_in;
  for (size_t i = 0; i < n_in; i++) p->unit[i] = eval->x[i][u] / p->j->scale[i];
  for (size_t r = 0; r < eval->n_out; r++) p->unit[n_in + r] = eval->y[r][u] / p->j->scale[n_in + r];
}

/* DEAP's second stage for the chunk's units with a score. */
static void frame_slacks(frame_pass *p) {
  frame_job *j = p->j;
  tfp_dea_result *res = j->res;
  size_t n_in = j->eval->n_in, n_var = n_in + j->eval->n_out, *cnt = j->cnt + 3 * (p->b / j->grain);
  slack_build(&p->d, j->fx, j->fx + n_in * j->n_f, j->scale, p->ia, p->ja, p->ar, j->o->rts);
  for (size_t a = p->b; a < p->e; a++) {
    size_t u = job_unit(j, a);
    double *sl = res->slack + u * n_var;
    if (res->status[u] != TFP_DEA_OPTIMAL) continue;
    frame_unit(p, u);
    slack_set_unit(&p->d, p->unit, p->unit + n_in, j->o->orientation == TFP_DEA_INPUT ? res->eff[u] : 1.0 / res->eff[u]);
    double obj;
    int it0 = glp_get_it_cnt(p->d.lp);
    int st = lp_solve(&p->d, &obj);
    cnt[0]++;
    cnt[1] += (size_t)(glp_get_it_cnt(p->d.lp) - it0);
    if (st != TFP_DEA_OPTIMAL) { cnt[2]++; continue; }
    for (size_t v = 0; v < n_var; v++) {
      double sv = glp_get_col_prim(p->d.lp, (int)(j->n_f + v) + 1);
      sl[v] = fabs(sv) < 1e-9 ? 0.0 : sv * j->scale[v];
    }
    if (res->n_peers) store_peers(res, u, p->d.lp, 1, j->fcols, j->n_f);
  }
  glp_delete_prob(p->d.lp);
  p->d.lp = NULL;
}

static int frame_body(void *ud) {
  frame_pass *p = ud;
  frame_job *j = p->j;
  const tfp_dea_opts *o = j->o;
  tfp_dea_result *res = j->res;
  size_t n_in = j->eval->n_in, *cnt = j->cnt + 3 * (p->b / j->grain);
  tfp_radial_cg_build(p->rcg);
  for (size_t a = p->b; a < p->e; a++) {
    size_t u = job_unit(j, a);
    frame_unit(p, u);
    double obj = NAN;
    int st = tfp_radial_cg_solve(p->rcg, p->unit, p->unit + n_in, &obj);
    cnt[0]++;
    if (st == TFP_DEA_OPTIMAL && !(obj > 0 && isfinite(obj))) st = TFP_DEA_FAILED;
    res->status[u] = st;
    res->eff[u] = st == TFP_DEA_OPTIMAL ? (o->orientation == TFP_DEA_INPUT ? obj : 1.0 / obj) : NAN;
    if (st == TFP_DEA_OPTIMAL && res->n_peers) {
      size_t *pk = res->peer + u * res->max_peers;
      size_t m = tfp_radial_cg_peers(p->rcg, pk, res->peer_weight + u * res->max_peers, res->max_peers);
      for (size_t k = 0; k < m; k++) pk[k] = j->fcols[pk[k]];
      res->n_peers[u] = m;
    }
    if (tfp_hull_stop(p->ctx, o->progress, o->progress_ud, "dea", a + 1, j->n_units)) {
      p->interrupted = 1;
      break;
    }
  }
  cnt[1] += tfp_radial_cg_iterations(p->rcg);
  if (res->slack && !p->interrupted) frame_slacks(p);
  return p->interrupted ? TFP_EINTR : TFP_OK;
}

static int frame_chunk(void *ud, size_t begin, size_t end, tfp_pool_ctx *ctx) {
  frame_job *j = ud;
  size_t n_var = j->eval->n_in + j->eval->n_out, nnz = tfp_radial_nnz(j->eval->n_in, j->eval->n_out, j->n_f) + n_var + 1;
  frame_pass p = { j, NULL, { NULL, j->eval->n_in, j->eval->n_out, j->n_f, j->o->orientation == TFP_DEA_OUTPUT,
                        conv_of(j->o->rts), NULL, NULL }, NULL, NULL, NULL, NULL, begin, end, ctx, 0 };
  p.d.ind = malloc((n_var + 1) * sizeof *p.d.ind);
  p.d.val = malloc((n_var + 1) * sizeof *p.d.val);
  p.ia = malloc(nnz * sizeof *p.ia);
  p.ja = malloc(nnz * sizeof *p.ja);
  p.ar = malloc(nnz * sizeof *p.ar);
  p.unit = malloc(n_var * sizeof *p.unit);
  p.rcg = tfp_radial_cg_new(j->eval->n_in, j->eval->n_out, j->o->orientation == TFP_DEA_OUTPUT, conv_of(j->o->rts),
                            j->fx, j->n_f);
  int rc = TFP_ENOMEM, lost = 0;
  char gmsg[256] = "", msg[256] = "out of memory for DEA";
  /* peers without slacks come from the radial LP: GLPK's, as before */
  int cert_ok = p.rcg && j->cert ? tfp_radial_cg_use_cert(p.rcg) == TFP_OK : 1;
  if (p.d.ind && p.d.val && p.ia && p.ja && p.ar && p.unit && p.rcg && cert_ok) {
    if (j->cert && j->seed) tfp_radial_cg_seed(p.rcg, j->seed->basis, j->seed->n);
    rc = tfp_glpk_guarded(frame_body, &p, j->o->lp_memory_mb, &lost, gmsg, sizeof gmsg);
    if (rc == TFP_OK && j->cert && j->left && end == j->n_units) {   /* the chunks' order: any thread count */
      j->left->n = tfp_radial_cg_bases(p.rcg, j->left->basis, TFP_DEA_BASES);
      j->left->m = j->rows;
    }
    if (rc && rc != TFP_EINTR)
      snprintf(msg, sizeof msg, "%s while evaluating units %zu to %zu", rc == TFP_ENOMEM ?
               "out of memory in GLPK" : "GLPK fatal error", j->ub + begin + 1, j->ub + end);
  }
  tfp_radial_cg_free(p.rcg, lost);
  free(p.d.ind); free(p.d.val); free(p.ia); free(p.ja); free(p.ar); free(p.unit);
  if (rc && rc != TFP_EINTR) tfp_hull_chunk_error(ctx, j->msg, sizeof j->msg, msg);
  return rc;
}

/* The pool a run uses: the caller's, or one of its own (*owned) when more
   than one thread is asked for and GLPK allows it; NULL: the caller's thread. */
static tfp_pool *run_pool(const tfp_dea_opts *o, int *owned) {
  *owned = 0;
  if (o->pool) return o->pool;
  int th = o->threads > 0 ? o->threads : tfp_pool_default_threads();
  if (th <= 1 || !tfp_pool_glpk_ok()) return NULL;
  tfp_pool *p = tfp_pool_create(th);
  *owned = p != NULL;
  return p;
}

static int find_frame(const tfp_dea_data *ref, const tfp_dea_opts *o, tfp_pool *pool, const double *xys,
                      size_t *frame, size_t *n_frame, char *err, size_t errlen) {
  if (o->frame) {
    for (size_t k = 0; k < o->n_frame; k++)
      if (o->frame[k] >= ref->n) return tfp_error(err, errlen, TFP_EINVAL, "frame unit %zu beyond the reference", k + 1);
    memcpy(frame, o->frame, o->n_frame * sizeof *frame);
    *n_frame = o->n_frame;
    return TFP_OK;
  }
  for (size_t k = 0; o->frame_among && k < o->n_frame_among; k++)
    if (o->frame_among[k] >= ref->n) return tfp_error(err, errlen, TFP_EINVAL, "frame unit %zu beyond the reference", k + 1);
  tfp_hull_spec hs = { ref->n_in, ref->n_out, ref->n, xys, conv_of(o->rts), pool, o->progress, o->progress_ud,
                       o->lp_memory_mb, o->frame_among, o->frame_among ? o->n_frame_among : 0 };
  return tfp_hull_frame(&hs, frame, n_frame, err, errlen);
}

/* Units [ub, ue) in the order of unit_order.h (*ord, malloc'ed). */
static int order_units(const tfp_dea_data *eval, const tfp_dea_data *ref, const tfp_dea_opts *o,
                       const double *xys, const double *scale, size_t ub, size_t ue, size_t **ord) {
  size_t m = ue - ub, n_in = eval->n_in, n_var = n_in + eval->n_out, n = eval->n;
  size_t *q = malloc((m ? m : 1) * sizeof *q);
  double *exs = NULL;
  if (!q) return TFP_ENOMEM;
  for (size_t a = 0; a < m; a++) q[a] = ub + a;
  if (eval != ref) {   /* the evaluated units, scaled as the reference */
    if (!(exs = malloc((n ? n : 1) * n_var * sizeof *exs))) { free(q); return TFP_ENOMEM; }
    for (size_t v = 0; v < n_var; v++)
      for (size_t u = ub; u < ue; u++) exs[v * n + u] = (v < n_in ? eval->x[v][u] : eval->y[v - n_in][u]) / scale[v];
  }
  int rc = tfp_unit_order(exs ? exs : xys, n, n_in, eval->n_out, o->orientation == TFP_DEA_OUTPUT,
                          o->rts == TFP_RTS_CRS, q, m);
  free(exs);
  if (rc) free(q);
  else *ord = q;
  return rc;
}

static int run_on_frame(const tfp_dea_data *eval, const tfp_dea_data *ref, const tfp_dea_opts *o,
                        tfp_dea_result *res, const double *xys, const double *scale, char *err, size_t errlen) {
  size_t n = eval->n, n_ref = ref->n, n_var = eval->n_in + eval->n_out, nf = 0;
  size_t ub = o->unit_begin, ue = o->unit_end ? o->unit_end : n;
  if (ue > n || ub > ue) return tfp_error(err, errlen, TFP_EINVAL, "units [%zu, %zu) beyond the %zu units", ub, ue, n);
  int owned;
  tfp_pool *pool = run_pool(o, &owned);
  size_t *frame = malloc((n_ref ? n_ref : 1) * sizeof *frame), grain = dea_grain(ue - ub);
  size_t n_chunks = (ue - ub + grain - 1) / grain;
  size_t *cnt = calloc(3 * n_chunks + 1, sizeof *cnt);
  double *fx = NULL;
  size_t *ord = NULL;
  int rc = frame && cnt ? TFP_OK : TFP_ENOMEM;
  if (rc == TFP_OK) rc = find_frame(ref, o, pool, xys, frame, &nf, err, errlen);
  if (rc == TFP_OK && !(fx = malloc((nf ? nf : 1) * n_var * sizeof *fx))) rc = TFP_ENOMEM;
  for (size_t u = 0; u < n; u++) {
    res->eff[u] = NAN;
    res->status[u] = TFP_DEA_SKIPPED;
    if (res->slack) for (size_t v = 0; v < n_var; v++) res->slack[u * n_var + v] = NAN;
  }
  if (rc == TFP_OK) {
    for (size_t v = 0; v < n_var; v++)
      for (size_t k = 0; k < nf; k++) fx[v * nf + k] = xys[v * n_ref + frame[k]];
    /* peers without slacks come from the radial LP: GLPK's, in unit order, as before */
    int cert = !res->n_peers || res->slack;
    if (cert) rc = order_units(eval, ref, o, xys, scale, ub, ue, &ord);
    /* the caller's bases copied: the last chunk may end before another starts */
    size_t rows = n_var + (conv_of(o->rts) != TFP_CONV_NONE);
    tfp_dea_bases seed, left = { 0, rows, { 0 } };
    int carry = cert && o->bases && rows <= TFP_DEA_BASIS_ROWS;
    if (carry) seed = *o->bases;
    frame_job j = { eval, o, res, fx, scale, frame, nf, ub, ue - ub, grain, cnt, ord, cert,
                    carry && seed.m == rows ? &seed : NULL, carry ? &left : NULL, rows, "" };
    if (rc == TFP_OK)
      rc = tfp_hull_for(pool, ue - ub, grain, frame_chunk, &j, j.msg, o->progress, o->progress_ud, "dea", err, errlen);
    if (rc == TFP_OK && carry) *o->bases = left;
    if (rc == TFP_EINTR) tfp_error(err, errlen, rc, "DEA interrupted after %zu units", ub);
  }
  res->n_cols = nf;
  for (size_t c = 0; c < n_chunks; c++) {
    res->n_lp += cnt[3 * c];
    res->n_iter += cnt[3 * c + 1];
    res->n_slack_failed += cnt[3 * c + 2];
  }
  for (size_t u = ub; u < ue; u++) {
    res->n_infeasible += res->status[u] == TFP_DEA_INFEASIBLE;
    res->n_failed += res->status[u] == TFP_DEA_FAILED;
  }
  if (rc == TFP_ENOMEM) tfp_error(err, errlen, rc, "out of memory for DEA on %zu units against %zu", n, n_ref);
  if (owned) tfp_pool_free(pool);
  free(frame); free(cnt); free(fx); free(ord);
  return rc;
}

int tfp_dea_frame(const tfp_dea_data *ref, const tfp_dea_opts *opts, size_t **frame, size_t *n_frame,
                  char *err, size_t errlen) {
  tfp_dea_opts defaults;
  tfp_dea_opts_init(&defaults);
  const tfp_dea_opts *o = opts ? opts : &defaults;
  *frame = NULL;
  *n_frame = 0;
  int rc = tfp_dea_check(ref, 1, "reference", &o->ref_rows, err, errlen);
  if (rc) return rc;
  size_t n_var = ref->n_in + ref->n_out;
  double *scale = malloc(n_var * sizeof *scale), *xys = malloc((ref->n ? ref->n : 1) * n_var * sizeof *xys);
  size_t *f = malloc((ref->n ? ref->n : 1) * sizeof *f);
  int owned = 0;
  tfp_pool *pool = NULL;
  if (!scale || !xys || !f) rc = tfp_error(err, errlen, TFP_ENOMEM, "out of memory for the frame of %zu units", ref->n);
  if (rc == TFP_OK) {
    scale_reference(ref, scale, xys);
    pool = run_pool(o, &owned);
    tfp_dea_opts o2 = *o;
    o2.frame = NULL;
    rc = find_frame(ref, &o2, pool, xys, f, n_frame, err, errlen);
  }
  if (owned) tfp_pool_free(pool);
  free(scale); free(xys);
  if (rc) { free(f); *n_frame = 0; } else *frame = f;
  return rc;
}

static int same_shape(const tfp_dea_data *a, const tfp_dea_data *b) {
  return a->n_in == b->n_in && a->n_out == b->n_out;
}

int tfp_dea_run(const tfp_dea_data *eval, const tfp_dea_data *ref_in,
                const tfp_dea_opts *opts, tfp_dea_result *res, char *err, size_t errlen) {
  tfp_dea_opts defaults;
  tfp_dea_opts_init(&defaults);
  const tfp_dea_opts *const o = opts ? opts : &defaults;
  const tfp_dea_data *const ref = ref_in ? ref_in : eval;
  if (!res) { tfp_error(err, errlen, 0, "no result given"); return TFP_EINVAL; }
  memset(res, 0, sizeof *res);
  if ((unsigned)o->rts > TFP_RTS_NDRS || (unsigned)o->orientation > TFP_DEA_OUTPUT) {
    tfp_error(err, errlen, 0, "unknown returns to scale or orientation");
    return TFP_EINVAL;
  }
  if (o->super && ref_in) {
    tfp_error(err, errlen, 0, "super-efficiency needs the evaluated units as their own reference");
    return TFP_EINVAL;
  }
  int rc = tfp_dea_check(eval, ref_in == NULL, "", &o->rows, err, errlen);
  if (rc) return rc;
  if (ref_in) {
    if (!same_shape(eval, ref)) {
      tfp_error(err, errlen, 0, "reference has %zu inputs and %zu outputs, the data %zu and %zu",
              ref->n_in, ref->n_out, eval->n_in, eval->n_out);
      return TFP_EINVAL;
    }
    rc = tfp_dea_check(ref, 1, "reference", &o->ref_rows, err, errlen);
    if (rc) return rc;
  }

  size_t n = eval->n, n_ref = ref->n, n_in = eval->n_in, n_out = eval->n_out;
  size_t n_var = n_in + n_out;
  size_t nnz = n_ref * (n_var + 1) + n_var + 1;
  size_t *cols = malloc((n_ref ? n_ref : 1) * sizeof *cols);
  size_t *seq = malloc((n ? n : 1) * sizeof *seq);
  long *col_of = malloc((n ? n : 1) * sizeof *col_of);
  double *scale = malloc(n_var * sizeof *scale);
  double *xys = malloc(n_var * n_ref * sizeof *xys);
  double *unit = malloc(n_var * sizeof *unit);
  int *ia = malloc(nnz * sizeof *ia), *ja = malloc(nnz * sizeof *ja);
  double *ar = malloc(nnz * sizeof *ar);
  int *ind = malloc((n_var + 1) * sizeof *ind);
  double *val = malloc((n_var + 1) * sizeof *val);
  glpk_guard *guard = malloc(sizeof *guard);
  res->n = n;
  res->n_ref = n_ref;
  res->eff = malloc(n * sizeof *res->eff);
  res->status = malloc(n * sizeof *res->status);
  if (o->want_lambda) {
    res->max_peers = n_var + 1;
    res->n_peers = calloc(n ? n : 1, sizeof *res->n_peers);
    res->peer = malloc((n ? n : 1) * res->max_peers * sizeof *res->peer);
    res->peer_weight = malloc((n ? n : 1) * res->max_peers * sizeof *res->peer_weight);
  }
  if (o->want_slacks) res->slack = malloc((n ? n : 1) * n_var * sizeof *res->slack);
  if ((o->want_slacks && !res->slack) || !cols || !seq || !col_of || !scale || !xys || !unit || !ia || !ja || !ar || !ind || !val || !guard ||
      !res->eff || !res->status || (o->want_lambda && (!res->n_peers || !res->peer || !res->peer_weight))) {
    rc = TFP_ENOMEM;
    tfp_error(err, errlen, 0, "out of memory for DEA on %zu units against %zu", n, n_ref);
    goto done;
  }

  /* Radial scores are invariant to the units of each variable: divide each
     by the power of two nearest its geometric mean over the reference units
     (the mean of the binary exponents), so the LP is well conditioned. A
     power of two divides exactly, and no sum is formed that could overflow
     (an arithmetic mean of values near 1e308 is inf). */
  scale_reference(ref, scale, xys);
  if (o->hull && o->warm_start && o->screen && !o->super) {
    rc = run_on_frame(eval, ref, o, res, xys, scale, err, errlen);
    goto done;
  }
  size_t n_cols = n_ref;
  for (size_t k = 0; k < n_ref; k++) cols[k] = k;
  if (o->screen && !o->super) {
    rc = tfp_hull_undominated(xys, n_in, n_out, n_ref, cols, &n_cols);
    if (rc) { tfp_error(err, errlen, 0, "out of memory for DEA on %zu units", n_ref); goto done; }
    for (size_t v = 0; v < n_var; v++)
      for (size_t k = 0; k < n_cols; k++) xys[v * n_cols + k] = xys[v * n_ref + cols[k]];
  }

  /* Own technology: evaluate the reference columns first, so the columns of
     inefficient ones are out of the way for everyone else. */
  size_t m = 0;
  int drop_inefficient = !ref_in && !o->super && o->screen;
  if (drop_inefficient) {
    for (size_t j = 0; j < n; j++) col_of[j] = -1;
    for (size_t k = 0; k < n_cols; k++) { col_of[cols[k]] = (long)k; seq[m++] = cols[k]; }
    for (size_t j = 0; j < n; j++)
      if (col_of[j] < 0) seq[m++] = j;
  } else {
    for (size_t j = 0; j < n; j++) seq[j] = j;
  }
  dea_lp d = { NULL, n_in, n_out, n_cols, o->orientation == TFP_DEA_OUTPUT, conv_of(o->rts), ind, val };
  dea_job job = { eval, o, res, &d, xys, scale, unit, ia, ja, ar, cols, seq,
                  drop_inefficient ? col_of : NULL, 0, 0 };
  rc = solve_all(&job, guard);
  if (rc == TFP_ENOMEM) {
    tfp_error(err, errlen, 0, "out of memory in GLPK while evaluating unit %zu of %zu%s", job.j + 1, n,
              o->lp_memory_mb > 0 ? " (its memory limit)" : "");
  } else if (rc) {
    tfp_error(err, errlen, 0, "GLPK fatal error while evaluating unit %zu", job.j + 1);
  } else if (job.interrupted) {
    rc = TFP_EINTR;
    tfp_error(err, errlen, 0, "DEA interrupted at unit %zu of %zu", job.j + 1, n);
  }
  res->n_cols = n_cols;

done:
  free(cols); free(seq); free(col_of); free(scale); free(xys); free(unit); free(ia); free(ja); free(ar);
  free(ind); free(val); free(guard);
  if (rc) tfp_dea_result_clear(res);
  return rc;
}

void tfp_dea_scale_nature(size_t n, const double *crs, const double *vrs,
                          const double *nirs, double tol, double *scale, int *nature) {
  for (size_t j = 0; j < n; j++) {
    if (isnan(crs[j]) || isnan(vrs[j]) || isnan(nirs[j])) {
      scale[j] = NAN; nature[j] = -1; continue;
    }
    scale[j] = crs[j] / vrs[j];
    if (fabs(scale[j] - 1.0) <= tol) nature[j] = TFP_RTS_NATURE_CRS;
    else if (fabs(nirs[j] - vrs[j]) <= tol) nature[j] = TFP_RTS_NATURE_DRS;
    else nature[j] = TFP_RTS_NATURE_IRS;
  }
}
