/* sbm.c — SBM, super-SBM and SBM with undesirable outputs (see sbm.h). */
#include "sbm.h"
#include "colgen.h"

#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

void tfp_sbm_opts_init(tfp_sbm_opts *o) {
  memset(o, 0, sizeof *o);
  o->orientation = TFP_SBM_NONORIENTED;
  o->colgen = 1;
}

void tfp_sbm_result_clear(tfp_sbm_result *res) {
  if (!res) return;
  free(res->rho); free(res->status); free(res->slack);
  free(res->super); free(res->super_status); free(res->score);
  memset(res, 0, sizeof *res);
}

typedef struct {
  const tfp_green_data *d;
  const tfp_sbm_opts *o;
  tfp_sbm_result *res;
  const double *scale;
  tfp_cg cg[2];       /* SBM, super-SBM */
  double *u;          /* the evaluated unit, scaled */
  int *ind;
  double *val;
  size_t j;           /* unit being evaluated (messages) */
  size_t begin, end;  /* the units this part evaluates (split.h) */
  int interrupted;
} sbm_job;

static void unit_values(sbm_job *job, size_t j) {
  size_t n_var = job->res->n_var;
  for (size_t v = 0; v < n_var; v++) job->u[v] = tfp_green_var(job->d, v)[j] / job->scale[v];
}

/* SBM: columns t, then one slack per variable; data rows fixed at 0, the
   convexity row sum Lambda - t = 0, the normalisation row last. */
static void sbm_rows(sbm_job *job, tfp_cg *c) {
  glp_prob *lp = c->lp;
  size_t n_var = job->res->n_var;
  for (size_t v = 0; v < c->n_rows; v++) glp_set_row_bnds(lp, (int)v + 1, GLP_FX, 0.0, 0.0);
  glp_set_row_bnds(lp, (int)c->n_rows, GLP_FX, 1.0, 1.0);
  for (size_t v = 0; v <= n_var; v++) glp_set_col_bnds(lp, (int)v + 1, GLP_LO, 0.0, 0.0);
}

static void sbm_set_unit(sbm_job *job, tfp_cg *c) {
  const tfp_green_data *d = job->d;
  glp_prob *lp = c->lp;
  size_t m = d->n_in, n_good = d->n_out, n_var = job->res->n_var, n_o = n_var - m;
  int conv = c->s.conv, norm = (int)c->n_rows;
  tfp_sbm_orientation orient = job->o->orientation;
  const double *u = job->u;
  int k = 0;
  for (size_t v = 0; v < n_var; v++) { k++; job->ind[k] = (int)v + 1; job->val[k] = -u[v]; }
  if (conv) { k++; job->ind[k] = (int)n_var + 1; job->val[k] = -1.0; }
  k++; job->ind[k] = norm; job->val[k] = 1.0;
  glp_set_mat_col(lp, 1, k, job->ind, job->val);
  glp_set_obj_coef(lp, 1, orient == TFP_SBM_OUTPUT ? 1.0 : 1.0);
  for (size_t v = 0; v < n_var; v++) {
    int col = (int)v + 2;
    int is_in = v < m, is_good = !is_in && v < m + n_good;
    k = 1;
    job->ind[1] = (int)v + 1;
    job->val[1] = is_good ? -1.0 : 1.0;
    if (!is_in && orient == TFP_SBM_NONORIENTED) {
      k = 2;
      job->ind[2] = norm;
      job->val[2] = 1.0 / ((double)n_o * u[v]);
    }
    glp_set_mat_col(lp, col, k, job->ind, job->val);
    double cobj = 0;
    if (is_in && orient != TFP_SBM_OUTPUT) cobj = -1.0 / ((double)m * u[v]);
    if (!is_in && orient == TFP_SBM_OUTPUT) cobj = 1.0 / ((double)n_o * u[v]);
    glp_set_obj_coef(lp, col, cobj);
  }
}

/* Super-SBM: columns t, phi_i (input excess), psi_r (output shortfall);
   rows X Lambda - t x_o - phi <= 0, Y Lambda - t y_o + psi >= 0, convexity
   sum Lambda - t = 0, the normalisation row, then psi_r - t y_ro <= 0. */
static void super_rows(sbm_job *job, tfp_cg *c) {
  const tfp_green_data *d = job->d;
  glp_prob *lp = c->lp;
  size_t m = d->n_in, s = d->n_out;
  for (size_t i = 0; i < m; i++) glp_set_row_bnds(lp, (int)i + 1, GLP_UP, 0.0, 0.0);
  for (size_t r = 0; r < s; r++) glp_set_row_bnds(lp, (int)(m + r) + 1, GLP_LO, 0.0, 0.0);
  int row = (int)(m + s) + 1;
  if (c->s.conv) glp_set_row_bnds(lp, row++, GLP_FX, 0.0, 0.0);
  glp_set_row_bnds(lp, row++, GLP_FX, 1.0, 1.0);
  for (size_t r = 0; r < s; r++) glp_set_row_bnds(lp, row++, GLP_UP, 0.0, 0.0);
  glp_set_col_bnds(lp, 1, GLP_LO, 0.0, 0.0);
  tfp_sbm_orientation orient = job->o->orientation;
  for (size_t i = 0; i < m; i++)
    glp_set_col_bnds(lp, (int)i + 2, orient == TFP_SBM_OUTPUT ? GLP_FX : GLP_LO, 0.0, 0.0);
  for (size_t r = 0; r < s; r++)
    glp_set_col_bnds(lp, (int)(m + r) + 2, orient == TFP_SBM_INPUT ? GLP_FX : GLP_LO, 0.0, 0.0);
}

static void super_set_unit(sbm_job *job, tfp_cg *c) {
  const tfp_green_data *d = job->d;
  glp_prob *lp = c->lp;
  size_t m = d->n_in, s = d->n_out;
  int conv = c->s.conv;
  int norm = (int)(m + s) + 1 + conv, bound0 = norm + 1;
  tfp_sbm_orientation orient = job->o->orientation;
  const double *u = job->u;
  int k = 0;
  for (size_t v = 0; v < m + s; v++) { k++; job->ind[k] = (int)v + 1; job->val[k] = -u[v]; }
  if (conv) { k++; job->ind[k] = (int)(m + s) + 1; job->val[k] = -1.0; }
  k++; job->ind[k] = norm; job->val[k] = 1.0;
  for (size_t r = 0; r < s; r++) { k++; job->ind[k] = bound0 + (int)r; job->val[k] = -u[m + r]; }
  glp_set_mat_col(lp, 1, k, job->ind, job->val);
  glp_set_obj_coef(lp, 1, 1.0);
  for (size_t i = 0; i < m; i++) {
    job->ind[1] = (int)i + 1; job->val[1] = -1.0;
    glp_set_mat_col(lp, (int)i + 2, 1, job->ind, job->val);
    glp_set_obj_coef(lp, (int)i + 2, orient == TFP_SBM_OUTPUT ? 0.0 : 1.0 / ((double)m * u[i]));
  }
  for (size_t r = 0; r < s; r++) {
    int col = (int)(m + r) + 2;
    job->ind[1] = (int)(m + r) + 1; job->val[1] = 1.0;
    job->ind[2] = bound0 + (int)r; job->val[2] = 1.0;
    k = 2;
    if (orient == TFP_SBM_NONORIENTED) { k = 3; job->ind[3] = norm; job->val[3] = -1.0 / ((double)s * u[m + r]); }
    glp_set_mat_col(lp, col, k, job->ind, job->val);
    glp_set_obj_coef(lp, col, orient == TFP_SBM_OUTPUT ? -1.0 / ((double)s * u[m + r]) : 0.0);
  }
}

static int sbm_body(void *ud) {
  sbm_job *job = ud;
  const tfp_sbm_opts *o = job->o;
  tfp_sbm_result *res = job->res;
  size_t n_var = res->n_var;
  tfp_cg *c = &job->cg[0];
  tfp_cg_build(c);
  sbm_rows(job, c);
  int out = o->orientation == TFP_SBM_OUTPUT;
  size_t b = job->begin, e = job->end, mine = e - b, total = o->super ? 2 * mine : mine;
  for (size_t j = b; j < e; j++) {
    job->j = j;
    unit_values(job, j);
    sbm_set_unit(job, c);
    double obj = NAN;
    int st = tfp_cg_solve(c, (long)j, -1, &obj);
    res->n_lp++;
    if (st == TFP_CG_OPTIMAL && !(obj > 0 && isfinite(obj))) st = TFP_CG_FAILED;
    res->status[j] = st;
    if (st == TFP_CG_OPTIMAL) {
      double rho = out ? 1.0 / obj : obj;
      res->rho[j] = rho > 1 && rho < 1 + 1e-12 ? 1.0 : rho;
      if (res->slack) {
        double t = glp_get_col_prim(c->lp, 1);
        for (size_t v = 0; v < n_var; v++) {
          double sv = glp_get_col_prim(c->lp, (int)v + 2) / t;
          res->slack[j * n_var + v] = fabs(sv) < 1e-10 ? 0.0 : sv * job->scale[v];
        }
      }
    } else {
      res->rho[j] = NAN;
      if (st == TFP_CG_INFEASIBLE) res->n_infeasible++;
      else res->n_failed++;
      if (res->slack) for (size_t v = 0; v < n_var; v++) res->slack[j * n_var + v] = NAN;
    }
    if (o->progress && o->progress(o->progress_ud, "sbm", j - b + 1, total)) { job->interrupted = 1; return TFP_OK; }
  }
  res->n_iter += c->n_iter;
  if (!o->super) return TFP_OK;
  c = &job->cg[1];
  tfp_cg_build(c);
  super_rows(job, c);
  for (size_t j = b; j < e; j++) {
    job->j = j;
    unit_values(job, j);
    super_set_unit(job, c);
    double obj = NAN;
    int st = tfp_cg_solve(c, -1, (long)j, &obj);
    res->n_lp++;
    double delta = st == TFP_CG_OPTIMAL ? (out ? 1.0 / obj : obj) : NAN;
    if (st == TFP_CG_OPTIMAL && !(delta > 0 && isfinite(delta))) { st = TFP_CG_INFEASIBLE; delta = NAN; }
    if (delta < 1 && delta > 1 - 1e-12) delta = 1.0;
    res->super_status[j] = st;
    res->super[j] = delta;
    if (st == TFP_CG_INFEASIBLE) res->n_super_infeasible++;
    else if (st != TFP_CG_OPTIMAL) res->n_super_failed++;
    res->score[j] = res->rho[j] >= 1 - 1e-9 ? delta : res->rho[j];
    if (o->progress && o->progress(o->progress_ud, "sbm", mine + j - b + 1, total)) { job->interrupted = 1; return TFP_OK; }
  }
  res->n_iter += c->n_iter;
  return TFP_OK;
}

/* A distributed run: every part's units and counts on every part (split.h). */
static int combine_parts(const tfp_split *s, size_t b, size_t e, tfp_sbm_result *res) {
  size_t n = res->n;
  size_t counts[] = { res->n_lp, res->n_iter, res->n_failed, res->n_infeasible, res->n_super_infeasible,
                      res->n_super_failed };
  int rc = tfp_split_rows(s, res->rho, n, 1, b, e);
  if (!rc) rc = tfp_split_int_rows(s, res->status, n, b, e);
  if (!rc && res->slack) rc = tfp_split_rows(s, res->slack, n, res->n_var, b, e);
  if (!rc && res->super) rc = tfp_split_rows(s, res->super, n, 1, b, e);
  if (!rc && res->super) rc = tfp_split_rows(s, res->score, n, 1, b, e);
  if (!rc && res->super) rc = tfp_split_int_rows(s, res->super_status, n, b, e);
  if (!rc) rc = tfp_split_counts(s, counts, 6);
  if (rc) return rc;
  res->n_lp = counts[0]; res->n_iter = counts[1]; res->n_failed = counts[2]; res->n_infeasible = counts[3];
  res->n_super_infeasible = counts[4]; res->n_super_failed = counts[5];
  return TFP_OK;
}

int tfp_sbm_run(const tfp_green_data *d, const tfp_sbm_opts *opts, tfp_sbm_result *res,
                char *err, size_t errlen) {
  tfp_sbm_opts defaults;
  tfp_sbm_opts_init(&defaults);
  const tfp_sbm_opts *o = opts ? opts : &defaults;
  if (!res) { tfp_error(err, errlen, 0, "no result given"); return TFP_EINVAL; }
  memset(res, 0, sizeof *res);
  if ((unsigned)o->orientation > TFP_SBM_OUTPUT) {
    tfp_error(err, errlen, 0, "unknown SBM orientation");
    return TFP_EINVAL;
  }
  int rc = tfp_green_check(d, 1, "SBM", "", &o->rows, err, errlen);
  if (rc) return rc;
  if (o->super && d->n_bad) {
    tfp_error(err, errlen, 0, "super-SBM with bad outputs is not implemented (Tone 2002's model has none)");
    return TFP_EINVAL;
  }
  size_t n = d->n, n_var = d->n_in + d->n_out + d->n_bad, nn = n ? n : 1;
  res->n = n;
  res->n_var = n_var;
  sbm_job job;
  memset(&job, 0, sizeof job);
  job.d = d; job.o = o; job.res = res;
  job.end = n;
  if (tfp_split_active(&o->split)) tfp_split_range(n, o->split.part, o->split.n_parts, &job.begin, &job.end);
  double *scale = malloc(n_var * sizeof *scale);
  double *refm = malloc(n_var * nn * sizeof *refm);
  job.u = malloc(n_var * sizeof *job.u);
  job.ind = malloc((2 * n_var + 4) * sizeof *job.ind);
  job.val = malloc((2 * n_var + 4) * sizeof *job.val);
  res->rho = malloc(nn * sizeof *res->rho);
  res->status = malloc(nn * sizeof *res->status);
  if (o->want_slacks) res->slack = malloc(nn * n_var * sizeof *res->slack);
  if (o->super) {
    res->super = malloc(nn * sizeof *res->super);
    res->super_status = malloc(nn * sizeof *res->super_status);
    res->score = malloc(nn * sizeof *res->score);
  }
  int cg_ok[2] = { 0, 0 };
  int ok = scale && refm && job.u && job.ind && job.val && res->rho && res->status &&
           (!o->want_slacks || res->slack) && (!o->super || (res->super && res->super_status && res->score));
  if (ok) {
    tfp_green_scales(d, scale);
    for (size_t v = 0; v < n_var; v++) {
      const double *c = tfp_green_var(d, v);
      for (size_t k = 0; k < n; k++) refm[v * n + k] = c[k] / scale[v];
    }
    job.scale = scale;
    tfp_cg_spec sp = { n_var, 1, 1 + n_var, o->vrs != 0, o->orientation == TFP_SBM_OUTPUT, n, refm, o->colgen };
    ok = tfp_cg_init(&job.cg[0], &sp) == 0;
    cg_ok[0] = ok;
    if (ok && o->super) {
      tfp_cg_spec ss = { d->n_in + d->n_out, 1 + d->n_out, 1 + d->n_in + d->n_out, o->vrs != 0,
                         o->orientation == TFP_SBM_OUTPUT, n, refm, o->colgen };
      ok = tfp_cg_init(&job.cg[1], &ss) == 0;
      cg_ok[1] = ok;
    }
  }
  if (!ok) {
    rc = TFP_ENOMEM;
    tfp_error(err, errlen, 0, "out of memory for SBM on %zu units", n);
  } else {
    for (size_t j = 0; j < n; j++) {
      res->rho[j] = NAN; res->status[j] = TFP_SBM_FAILED;
      if (o->super) { res->super[j] = res->score[j] = NAN; res->super_status[j] = TFP_SBM_FAILED; }
    }
    char msg[256] = "";
    int lost = 0;
    rc = tfp_glpk_guarded(sbm_body, &job, o->lp_memory_mb, &lost, msg, sizeof msg);
    for (int k = 0; k < 2; k++) if (cg_ok[k]) tfp_cg_free(&job.cg[k], lost);
    cg_ok[0] = cg_ok[1] = 0;
    if (rc == TFP_ENOMEM)
      tfp_error(err, errlen, 0, "out of memory in GLPK while evaluating unit %zu of %zu%s", job.j + 1, n,
                o->lp_memory_mb > 0 ? " (its memory limit)" : "");
    else if (rc)
      tfp_error(err, errlen, 0, "GLPK fatal error while evaluating unit %zu: %s", job.j + 1, msg);
    else if (job.interrupted) {
      rc = TFP_EINTR;
      tfp_error(err, errlen, 0, "SBM interrupted at unit %zu of %zu", job.j + 1, n);
    } else if ((rc = combine_parts(&o->split, job.begin, job.end, res)) != TFP_OK)
      tfp_error(err, errlen, 0, "SBM: combining the parts' results failed");
  }
  for (int k = 0; k < 2; k++) if (cg_ok[k]) tfp_cg_free(&job.cg[k], 0);
  free(scale); free(refm); free(job.u); free(job.ind); free(job.val);
  if (rc) tfp_sbm_result_clear(res);
  return rc;
}
