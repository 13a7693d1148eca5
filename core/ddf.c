/* ddf.c — directional distance functions with weakly disposable bad outputs
   (see ddf.h). */
#include "ddf.h"
#include "colgen.h"

#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

void tfp_ddf_opts_init(tfp_ddf_opts *o) {
  memset(o, 0, sizeof *o);
  o->colgen = 1;
}

void tfp_ddf_result_clear(tfp_ddf_result *res) {
  if (!res) return;
  free(res->beta);
  free(res->status);
  memset(res, 0, sizeof *res);
}

typedef struct {
  const tfp_green_data *ref;
  tfp_ddf_eval *ev;
  size_t n_eval;
  const tfp_ddf_opts *o;
  tfp_ddf_stats *stats;
  const double *scale;
  tfp_cg cg;
  double *u, *g;
  int *ind;
  double *val;
  size_t e, j, done;   /* set and unit being evaluated */
  const size_t *block; /* set e: this part's units [block[2e], block[2e + 1]) (split.h) */
  int interrupted;
} ddf_job;

static int ddf_body(void *ud) {
  ddf_job *job = ud;
  const tfp_green_data *ref = job->ref;
  const tfp_ddf_opts *o = job->o;
  size_t m = ref->n_in, s = ref->n_out, n_var = m + s + ref->n_bad;
  tfp_cg *c = &job->cg;
  tfp_cg_build(c);
  glp_set_col_bnds(c->lp, 1, GLP_FR, 0.0, 0.0);
  glp_set_obj_coef(c->lp, 1, 1.0);
  if (c->s.conv) glp_set_row_bnds(c->lp, (int)n_var + 1, GLP_FX, 1.0, 1.0);
  for (size_t e = 0; e < job->n_eval; e++) {
    tfp_ddf_eval *ev = &job->ev[e];
    const tfp_green_data *d = ev->d;
    job->e = e;
    for (size_t j = job->block[2 * e]; j < job->block[2 * e + 1]; j++) {
      job->j = j;
      for (size_t v = 0; v < n_var; v++) {
        job->u[v] = tfp_green_var(d, v)[j] / job->scale[v];
        if (ev->direction) job->g[v] = ev->direction[v] ? ev->direction[v][j] / job->scale[v] : 0.0;
        else job->g[v] = v < m ? 0.0 : job->u[v];
      }
      int k = 0;
      for (size_t v = 0; v < n_var; v++) {
        int row = (int)v + 1;
        if (v < m) glp_set_row_bnds(c->lp, row, GLP_UP, 0.0, job->u[v]);
        else if (v < m + s) glp_set_row_bnds(c->lp, row, GLP_LO, job->u[v], 0.0);
        else glp_set_row_bnds(c->lp, row, GLP_FX, job->u[v], job->u[v]);
        if (job->g[v] != 0) { k++; job->ind[k] = row; job->val[k] = (v >= m && v < m + s) ? -job->g[v] : job->g[v]; }
      }
      glp_set_mat_col(c->lp, 1, k, job->ind, job->val);
      long self = ev->self ? ev->self[j] : -1;
      double obj = NAN;
      int st = tfp_cg_solve(c, self, -1, &obj);
      job->stats->n_lp++;
      if (st == TFP_CG_OPTIMAL && !isfinite(obj)) st = TFP_CG_FAILED;
      ev->status[j] = st;
      if (st == TFP_CG_OPTIMAL) ev->beta[j] = fabs(obj) < 1e-12 ? 0.0 : obj;
      else {
        ev->beta[j] = NAN;
        if (st == TFP_CG_INFEASIBLE) job->stats->n_infeasible++;
        else job->stats->n_failed++;
      }
      job->done++;
      if (o->progress && o->progress(o->progress_ud, o->progress_what ? o->progress_what : "ddf",
                                     o->progress_done + job->done, o->progress_total ? o->progress_total : job->done)) {
        job->interrupted = 1;
        return TFP_OK;
      }
    }
  }
  return TFP_OK;
}

/* A distributed run: every part's betas, statuses and counts (those of
   this call: stats before it in *before) on every part (split.h). */
static int combine_parts(const tfp_split *sp, tfp_ddf_eval *ev, size_t n_eval, const size_t *block,
                         const tfp_ddf_stats *before, tfp_ddf_stats *stats) {
  int rc = TFP_OK;
  for (size_t e = 0; e < n_eval && !rc; e++) {
    rc = tfp_split_rows(sp, ev[e].beta, ev[e].d->n, 1, block[2 * e], block[2 * e + 1]);
    if (!rc) rc = tfp_split_int_rows(sp, ev[e].status, ev[e].d->n, block[2 * e], block[2 * e + 1]);
  }
  size_t c[] = { stats->n_lp - before->n_lp, stats->n_iter - before->n_iter,
                 stats->n_infeasible - before->n_infeasible, stats->n_failed - before->n_failed,
                 stats->n_phase1 - before->n_phase1 };
  if (!rc) rc = tfp_split_counts(sp, c, 5);
  if (rc) return rc;
  stats->n_lp = before->n_lp + c[0]; stats->n_iter = before->n_iter + c[1];
  stats->n_infeasible = before->n_infeasible + c[2]; stats->n_failed = before->n_failed + c[3];
  stats->n_phase1 = before->n_phase1 + c[4];
  return TFP_OK;
}

int tfp_ddf_solve(const tfp_green_data *ref, tfp_ddf_eval *ev, size_t n_eval, const tfp_ddf_opts *opts,
                  tfp_ddf_stats *stats, char *err, size_t errlen) {
  tfp_ddf_opts defaults;
  tfp_ddf_opts_init(&defaults);
  const tfp_ddf_opts *o = opts ? opts : &defaults;
  int rc = tfp_green_check(ref, 1, "DDF", n_eval == 1 && ev[0].d == ref ? "" : "reference", &o->ref_rows,
                           err, errlen);
  if (rc) return rc;
  size_t m = ref->n_in, s = ref->n_out, n_var = m + s + ref->n_bad;
  char rb[256], vb[256];
  for (size_t e = 0; e < n_eval; e++) {
    const tfp_green_data *d = ev[e].d;
    if (d != ref) {
      if (d->n_in != m || d->n_out != s || d->n_bad != ref->n_bad) {
        tfp_error(err, errlen, 0, "DDF: evaluated units have %zu inputs, %zu outputs and %zu bad outputs, "
                  "the reference %zu, %zu and %zu", d->n_in, d->n_out, d->n_bad, m, s, ref->n_bad);
        return TFP_EINVAL;
      }
      rc = tfp_green_check(d, 0, "DDF", "", &ev[e].rows, err, errlen);
      if (rc) return rc;
    }
    if (!ev[e].direction) continue;
    for (size_t j = 0; j < d->n; j++) {
      int any = 0;
      for (size_t v = 0; v < n_var; v++) {
        const double *gc = ev[e].direction[v];
        if (!gc) continue;
        if (!(gc[j] >= 0 && isfinite(gc[j]))) {
          tfp_error(err, errlen, 0, "direction of %s, %s: %g (a direction is finite and >= 0)",
                    tfp_green_var_name(ref, v, vb, sizeof vb), tfp_row_label(&ev[e].rows, j, rb, sizeof rb), gc[j]);
          return TFP_EDATA;
        }
        any |= gc[j] > 0;
      }
      if (!any) {
        tfp_error(err, errlen, 0, "direction of %s is 0 in every variable",
                  tfp_row_label(&ev[e].rows, j, rb, sizeof rb));
        return TFP_EDATA;
      }
    }
  }
  size_t n_ref = ref->n, nr = n_ref ? n_ref : 1;
  ddf_job job;
  memset(&job, 0, sizeof job);
  job.ref = ref; job.ev = ev; job.n_eval = n_eval; job.o = o; job.stats = stats;
  tfp_ddf_stats before = *stats;
  size_t *block = malloc((2 * n_eval + 1) * sizeof *block);
  for (size_t e = 0; block && e < n_eval; e++) {
    block[2 * e] = 0; block[2 * e + 1] = ev[e].d->n;
    if (tfp_split_active(&o->split))
      tfp_split_range(ev[e].d->n, o->split.part, o->split.n_parts, &block[2 * e], &block[2 * e + 1]);
  }
  job.block = block;
  double *scale = malloc(n_var * sizeof *scale);
  double *refm = malloc(n_var * nr * sizeof *refm);
  job.u = malloc(n_var * sizeof *job.u);
  job.g = malloc(n_var * sizeof *job.g);
  job.ind = malloc((n_var + 2) * sizeof *job.ind);
  job.val = malloc((n_var + 2) * sizeof *job.val);
  int cg_ok = 0;
  if (scale && refm && job.u && job.g && job.ind && job.val && block) {
    tfp_green_scales(ref, scale);
    for (size_t v = 0; v < n_var; v++) {
      const double *c = tfp_green_var(ref, v);
      for (size_t k = 0; k < n_ref; k++) refm[v * n_ref + k] = c[k] / scale[v];
    }
    job.scale = scale;
    tfp_cg_spec sp = { n_var, 0, 1, o->vrs != 0, 1, n_ref, refm, o->colgen };
    cg_ok = tfp_cg_init(&job.cg, &sp) == 0;
  }
  if (!cg_ok) {
    rc = TFP_ENOMEM;
    tfp_error(err, errlen, 0, "out of memory for DDF against %zu units", n_ref);
  } else {
    char msg[256] = "";
    int lost = 0;
    rc = tfp_glpk_guarded(ddf_body, &job, o->lp_memory_mb, &lost, msg, sizeof msg);
    stats->n_iter += job.cg.n_iter;
    stats->n_phase1 += job.cg.n_phase1;
    tfp_cg_free(&job.cg, lost);
    if (rc == TFP_ENOMEM)
      tfp_error(err, errlen, 0, "out of memory in GLPK while evaluating %s%s",
                tfp_row_label(&ev[job.e].rows, job.j, rb, sizeof rb), o->lp_memory_mb > 0 ? " (its memory limit)" : "");
    else if (rc)
      tfp_error(err, errlen, 0, "GLPK fatal error while evaluating %s: %s",
                tfp_row_label(&ev[job.e].rows, job.j, rb, sizeof rb), msg);
    else if (job.interrupted) {
      rc = TFP_EINTR;
      tfp_error(err, errlen, 0, "DDF interrupted after %zu LPs", job.done);
    } else if ((rc = combine_parts(&o->split, ev, n_eval, block, &before, stats)) != TFP_OK)
      tfp_error(err, errlen, 0, "DDF: combining the parts' results failed");
  }
  free(block);
  free(scale); free(refm); free(job.u); free(job.g); free(job.ind); free(job.val);
  return rc;
}

int tfp_ddf_run(const tfp_green_data *eval, const tfp_green_data *ref, const double *const *direction,
                const tfp_ddf_opts *o, const tfp_rows *rows, tfp_ddf_result *res, char *err, size_t errlen) {
  if (!res) { tfp_error(err, errlen, 0, "no result given"); return TFP_EINVAL; }
  memset(res, 0, sizeof *res);
  if (!eval) { tfp_error(err, errlen, 0, "DDF needs data"); return TFP_EINVAL; }
  size_t n = eval->n, nn = n ? n : 1;
  res->n = n;
  res->beta = malloc(nn * sizeof *res->beta);
  res->status = malloc(nn * sizeof *res->status);
  long *self = ref ? NULL : malloc(nn * sizeof *self);
  if (!res->beta || !res->status || (!ref && !self)) {
    free(self);
    tfp_ddf_result_clear(res);
    tfp_error(err, errlen, 0, "out of memory for DDF on %zu units", n);
    return TFP_ENOMEM;
  }
  if (self) for (size_t j = 0; j < n; j++) self[j] = (long)j;
  tfp_ddf_eval ev = { eval, self, direction, rows ? *rows : (tfp_rows){ NULL, NULL }, res->beta, res->status };
  tfp_ddf_opts oo;
  if (o) oo = *o; else tfp_ddf_opts_init(&oo);
  if (!ref) oo.ref_rows = ev.rows;
  int rc = tfp_ddf_solve(ref ? ref : eval, &ev, 1, &oo, &res->stats, err, errlen);
  free(self);
  if (rc) tfp_ddf_result_clear(res);
  return rc;
}
