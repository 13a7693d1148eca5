/* iv.c — 2SLS / two-step GMM estimation in ivreg2's conventions (see iv.h):
   the entry points, and tfp_iv_fit's driver over the passes of
   iv_internal.h (sample, design, estimate, tests, identification). */
#include "iv_internal.h"
#include "stock_yogo.h"
#include <math.h>
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
  o->ap_accel = 1;
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
  tfp_iv_weak_free(r->weak);
  free(r);
}

int tfp_iv_find(const tfp_iv_result *r, const char *name)
{
  for (size_t j = 0; j < r->k; j++) if (strcmp(r->names[j], name) == 0) return (int)j;
  return -1;
}

/* Misuse refused at the door: what no data can repair. */
static int check_spec(const tfp_iv_data *d, const tfp_iv_opts *o, char *err, size_t errlen)
{
  if (!d->y.x) { snprintf(err, errlen, "no dependent variable"); return TFP_EINVAL; }
  if (o->vce == TFP_VCE_CLUSTER && !d->cluster) {
    snprintf(err, errlen, "vce cluster needs a cluster variable"); return TFP_EINVAL;
  }
  if (d->cluster2 && o->vce != TFP_VCE_CLUSTER) {
    snprintf(err, errlen, "a second cluster variable needs vce cluster"); return TFP_EINVAL;
  }
  if (o->kiefer && (o->vce != TFP_VCE_UNADJUSTED || o->kernel)) {
    snprintf(err, errlen, "kiefer is its own VCE (truncated kernel, unadjusted): no robust, cluster or kernel "
             "with it"); return TFP_EINVAL;
  }
  if ((o->kernel || o->kiefer) && o->vce != TFP_VCE_CLUSTER && !d->time) {
    snprintf(err, errlen, "a kernel VCE (HAC, AC, Kiefer) needs a time variable"); return TFP_EINVAL;
  }
  if (o->kernel > TFP_KERNEL_TENT) { snprintf(err, errlen, "unknown kernel"); return TFP_EINVAL; }
  /* combinations with no ivreg2 reference to match are refused, not guessed */
  int kernel = o->kernel || o->kiefer;
  if (d->weights && d->wtype == TFP_IV_FWEIGHT && kernel) {   /* ivreg2: "fweights not allowed (data are -tsset-)" */
    snprintf(err, errlen, "fweights with a kernel VCE (HAC, AC, Kiefer, Driscoll-Kraay, Thompson) are refused, "
             "as ivreg2 refuses them: a series has one row per period, which a frequency weight would repeat; "
             "aweights and pweights are allowed"); return TFP_EINVAL;
  }
  if ((o->method == TFP_IV_LIML || o->method == TFP_IV_KCLASS) && kernel && o->vce == TFP_VCE_UNADJUSTED) {
    snprintf(err, errlen, "LIML, Fuller and k-class estimators with the %s VCE are not supported: use "
             "robust (HAC), cluster or two-way cluster VCEs with them", o->kiefer ? "Kiefer" : "AC (kernel without robust)");
    return TFP_EINVAL;
  }
  if (o->method == TFP_IV_KCLASS && !(o->kclass >= 0 && isfinite(o->kclass))) {
    snprintf(err, errlen, "k-class: k must be a finite number >= 0, got %g", o->kclass); return TFP_EINVAL;
  }
  if (o->method == TFP_IV_LIML && !(o->fuller >= 0 && isfinite(o->fuller))) {
    snprintf(err, errlen, "Fuller's parameter must be a finite number >= 0, got %g", o->fuller); return TFP_EINVAL;
  }
  if (o->dofminus < 0 || o->sdofminus < 0) {
    snprintf(err, errlen, "dofminus and sdofminus must be >= 0"); return TFP_EINVAL;
  }
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
  return TFP_OK;
}

/* y, X1 and Z1 of the design replaced by their residuals on X2. */
static int partial_x2(tfp_iv_design *g, tfp_iv_work *wd, char *err, size_t errlen)
{
  size_t n = g->n;
  const double *X2 = g->X + n * g->K1;   /* = Z's first K2 columns */
  int rc = tfp_iv_partial(n, g->K2, X2, 1 + g->K1, g->y, err, errlen);   /* y and X1 are adjacent */
  if (!rc) rc = tfp_iv_partial(n, g->K2, X2, g->L1, g->Z + n * g->K2, err, errlen);
  wd->partialled = 1;
  return rc;
}

/* The passes in order, each owning its memory; r gets their results. */
static int fit(const tfp_iv_data *d, const tfp_iv_opts *o, tfp_iv_result *r, tfp_iv_notes *nb,
               char *err, size_t errlen)
{
  tfp_iv_sample s = {0};
  tfp_iv_design g = {0};
  tfp_iv_vx vx = {0};
  size_t rank_S = 0;
  r->method = o->method; r->vce = o->vce; r->small = o->small;
  r->cstat = r->cstat_p = r->cstat_df = NAN;
  /* pweights imply the robust VCE (Stata) */
  if (d->weights && d->wtype == TFP_IV_PWEIGHT && r->vce == TFP_VCE_UNADJUSTED) r->vce = TFP_VCE_ROBUST;
  int rc = tfp_iv_sample_draw(&s, d, o, r, nb, err, errlen);
  if (!rc) rc = tfp_iv_sample_weights(&s, d, r, o, err, errlen);
  if (!rc) rc = tfp_iv_design_build(&g, &s, d, o, r, nb, err, errlen);
  if (!rc) rc = tfp_iv_sample_clusters(&s, d, o, r, err, errlen);
  if (!rc) rc = tfp_iv_vx_setup(&vx, &s, d, o, r, nb, err, errlen);
  if (!rc) {
    tfp_iv_work w = {g.n, g.K1, g.K2, g.L1, g.y, g.X, g.X + g.n * g.K1, g.Z + g.n * g.K2, s.clu, r->N_clust,
                     r->dofminus, r->sdofminus, r->vce, o->small, vx.kind ? &vx : NULL, s.N, s.fw_isw, 0};
    r->K1 = g.K1; r->L1 = g.L1; r->K = g.K1 + g.K2; r->L = g.L1 + g.K2;
    if (vx.kernel && vx.bw == TFP_IV_BW_AUTO) rc = tfp_iv_abw(&vx, &g, r, nb, err, errlen);
    if (!rc) rc = tfp_iv_kclass_k(&w, &g, o, r, err, errlen);
    if (!rc) rc = tfp_iv_estimate(&w, &g, &rank_S, r, nb, err, errlen);
    if (!rc) rc = tfp_iv_tests(&w, &g, d, rank_S, r, nb, err, errlen);
    if (!rc) rc = tfp_iv_orthog(&w, &g, d, r, nb, err, errlen);
    tfp_iv_vx vxd;
    tfp_iv_work wd;
    tfp_iv_vx_diag(&w, &vxd, &wd);
    /* the diagnostics see y, X1 and Z1 partialled on X2: once, in place (the
       estimate and the tests are done with them) */
    if (!rc && w.K1 > 0) rc = partial_x2(&g, &wd, err, errlen);
    if (!rc) rc = tfp_iv_diag_ident(&wd, r->names, g.names + 1 + r->K, r, nb, err, errlen);
    if (!rc && tfp_iv_is_kclass(r)) {   /* ivreg2: LIML's and Fuller's tables, none for other k */
      r->n_sy = 0;
      if (r->method == TFP_IV_LIML) tfp_sy_lookup_liml(r->K1, r->L1, r->fuller > 0, r->sy, &r->n_sy);
    }
    if (!rc && !d->weights) rc = tfp_iv_weak_run(&wd, r, nb, err, errlen);
    else if (!rc && wd.K1 == 1 && wd.L1 > 0)
      tfp_iv_note(nb, "note: weak-IV-robust inference (Anderson-Rubin sets, effective F) is not computed "
                  "with weights");
    /* the effective F's critical value is for 2SLS's bias, as Stock-Yogo's tables */
    if (!rc && r->weak && tfp_iv_is_kclass(r)) r->weak->eff_f_cv = NAN;
    if (!rc) rc = tfp_iv_design_unscale(&g, r, err, errlen);
    if (!rc && r->weak) tfp_iv_weak_unscale(r->weak, g.scale[1] / g.scale[0]);
  }
  tfp_iv_vx_clear(&vx);
  tfp_iv_design_clear(&g);
  tfp_iv_sample_clear(&s);
  return rc;
}

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
  for (size_t j = 0; j < d->n_orthog; j++)
    if (d->orthog[j] && strlen(d->orthog[j]) > longest) longest = strlen(d->orthog[j]);
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
  tfp_iv_opts o;
  if (o_in) o = *o_in; else tfp_iv_opts_init(&o);
  /* the passes write into a buffer that holds any message, cut to errlen at the end */
  size_t room = tfp_iv_err_room(d);
  char *e = malloc(room);
  tfp_iv_result *r = calloc(1, sizeof *r);
  if (!e || !r) { free(e); free(r); return tfp_error(err, errlen, TFP_ENOMEM, "out of memory"); }
  e[0] = 0;
  tfp_iv_notes nb = {0};
  int rc = check_spec(d, &o, e, room);
  if (!rc) rc = fit(d, &o, r, &nb, e, room);
  r->notes = tfp_iv_notes_take(&nb);
  if (rc) {
    tfp_error(err, errlen, rc, "%s", e);
    tfp_iv_result_free(r);
  } else *out = r;
  free(e);
  return rc;
}
