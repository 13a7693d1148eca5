/* iv_weights.c — the weights of an IV fit on its sample (see iv.h): checked,
   rescaled as Stata does (aweights and pweights to sum to the rows, fweights
   as counts), and kept as sqrt(w), by which the design multiplies every
   column. */
#include "iv_internal.h"
#include <math.h>
#include <stdio.h>
#include <stdlib.h>

/* The weight of row i must be a positive finite number (an integer for fweights). */
static int check_weight(const tfp_iv_data *d, const tfp_iv_opts *o, size_t i, char *err, size_t errlen)
{
  double v = d->weights[i];
  const char *why = !isfinite(v) ? "infinite" : v <= 0 ? "not positive"
                  : (d->wtype == TFP_IV_FWEIGHT && v != floor(v)) ? "not an integer (fweights count observations)"
                  : NULL;
  if (!why) return TFP_OK;
  char rb[256];
  snprintf(err, errlen, "weight '%s' is %s at %s (%g)", d->weights_name ? d->weights_name : "(weights)",
           why, tfp_row_label(&o->rows, i, rb, sizeof rb), v);
  return TFP_EDATA;
}

/* xtivreg2: a weight constant within each group of the absorbed FE, so that
   the within transformation commutes with the weighting. */
static int check_constant(const tfp_iv_sample *s, const tfp_iv_data *d, const tfp_iv_opts *o,
                          char *err, size_t errlen)
{
  double *first = malloc((s->fe_G[0] + 1) * sizeof *first);
  if (!first) return tfp_iv_lost(TFP_ENOMEM, err, errlen);
  for (size_t g = 0; g < s->fe_G[0]; g++) first[g] = NAN;
  int rc = TFP_OK;
  for (size_t k = 0; k < s->n && !rc; k++) {
    int g = s->fe_code[0][k];
    double v = d->weights[s->rows[k]];
    if (isnan(first[g])) first[g] = v;
    else if (v != first[g]) {
      char rb[256];
      snprintf(err, errlen, "weight '%s' is not constant within the groups of '%s' (at %s): with "
               "fixed effects weights must be constant within each unit, as xtivreg2 requires",
               d->weights_name ? d->weights_name : "(weights)", d->absorb_name ? d->absorb_name : "absorb",
               tfp_row_label(&o->rows, s->rows[k], rb, sizeof rb));
      rc = TFP_EINVAL;
    }
  }
  free(first);
  return rc;
}

int tfp_iv_sample_weights(tfp_iv_sample *s, const tfp_iv_data *d, tfp_iv_result *r,
                          const tfp_iv_opts *o, char *err, size_t errlen)
{
  s->N = (double)s->n;
  r->wtype = d->weights ? d->wtype : TFP_IV_NOWEIGHT;
  if (!d->weights) return TFP_OK;
  if (d->n_absorb_more) {
    snprintf(err, errlen, "weights cannot be combined with fixed effects absorbed by alternating "
             "projections (absorb_all): use dummies for the second fixed effect");
    return TFP_EINVAL;
  }
  double sum = 0;
  for (size_t k = 0; k < s->n; k++) {
    int rc = check_weight(d, o, s->rows[k], err, errlen);
    if (rc) return rc;
    sum += d->weights[s->rows[k]];
  }
  if (d->absorb) { int rc = check_constant(s, d, o, err, errlen); if (rc) return rc; }
  s->sw = tfp_iv_take(&s->mem, s->n);
  if (d->wtype == TFP_IV_FWEIGHT) s->fw_isw = tfp_iv_take(&s->mem, s->n);
  if (s->mem.oom) return tfp_iv_lost(TFP_ENOMEM, err, errlen);
  double scale = d->wtype == TFP_IV_FWEIGHT ? 1.0 : (double)s->n / sum;
  for (size_t k = 0; k < s->n; k++) {
    s->sw[k] = sqrt(d->weights[s->rows[k]] * scale);
    if (s->fw_isw) s->fw_isw[k] = 1 / s->sw[k];
  }
  if (d->wtype == TFP_IV_FWEIGHT) {
    s->N = sum;
    r->N = (size_t)sum;
  }
  return TFP_OK;
}
