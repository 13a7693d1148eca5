/* iv.c — 2SLS / two-step GMM estimation in ivreg2's conventions (see iv.h):
   the entry points, and tfp_iv_fit's driver over the passes of
   iv_internal.h (sample, design, estimate, tests, identification). */
#include "iv_internal.h"
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

/* The passes in order, each owning its memory; r gets their results. */
static int fit(const tfp_iv_data *d, const tfp_iv_opts *o, tfp_iv_result *r, tfp_iv_notes *nb,
               char *err, size_t errlen)
{
  tfp_iv_sample s = {0};
  tfp_iv_design g = {0};
  size_t rank_S = 0;
  r->method = o->method; r->vce = o->vce; r->small = o->small;
  int rc = tfp_iv_sample_draw(&s, d, o, r, nb, err, errlen);
  if (!rc) rc = tfp_iv_design_build(&g, &s, d, o, r, nb, err, errlen);
  if (!rc) rc = tfp_iv_sample_clusters(&s, d, o, r, err, errlen);
  if (!rc) {
    tfp_iv_work w = {g.n, g.K1, g.K2, g.L1, g.y, g.X, g.X + g.n * g.K1, g.Z, s.clu, s.M,
                     r->dofminus, r->sdofminus, (int)o->vce, o->small};
    r->K1 = g.K1; r->L1 = g.L1; r->K = g.K1 + g.K2; r->L = g.L1 + g.K2;
    rc = tfp_iv_estimate(&w, &g, &rank_S, r, nb, err, errlen);
    if (!rc) rc = tfp_iv_tests(&w, &g, d, rank_S, r, nb, err, errlen);
    if (!rc) rc = tfp_iv_diag_ident(&w, r->names, g.names + 1 + r->K, r, nb, err, errlen);
    if (!rc) rc = tfp_iv_design_unscale(&g, r, err, errlen);
  }
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
