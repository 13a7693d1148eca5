/* iv_kclass.c — the k-class estimators (see iv.h): LIML's lambda, Fuller's
   and a given k, the k-class estimate and its bread, and Sargan's statistic
   of its residuals, in ivreg2's conventions. */
#include "iv_internal.h"
#include "linalg.h"
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

int tfp_iv_is_kclass(const tfp_iv_result *r)
{
  return r->method == TFP_IV_LIML || r->method == TFP_IV_KCLASS;
}

/* LIML's lambda: the smallest root of det(Y'M_W Y - lambda Y'M_Z Y) = 0,
   Y = [y X1], W = X2, Z = [Z1 X2]; exactly 1 when just identified. */
static int liml_lambda(const tfp_iv_work *w, const tfp_iv_design *g, double *lambda,
                       char *err, size_t errlen)
{
  size_t n = w->n, p = 1 + w->K1, L = g->L1 + g->K2;
  if (g->L1 == g->K1) { *lambda = 1.0; return TFP_OK; }
  tfp_iv_arena mem = TFP_IV_ARENA_INIT;
  double *YW = tfp_iv_take(&mem, n * p), *YZ = tfp_iv_take(&mem, n * p);
  double *QW = tfp_iv_take(&mem, p * p), *QZ = tfp_iv_take(&mem, p * p), *ev = tfp_iv_take(&mem, p);
  if (mem.oom) { tfp_iv_arena_free(&mem); return tfp_iv_lost(TFP_ENOMEM, err, errlen); }
  memcpy(YW, g->y, n * sizeof *YW);
  memcpy(YW + n, w->X1, n * w->K1 * sizeof *YW);
  memcpy(YZ, YW, n * p * sizeof *YZ);
  int rc = tfp_iv_partial(n, w->K2, w->X2, p, YW, err, errlen);
  if (!rc) rc = tfp_iv_partial(n, L, g->Z, p, YZ, err, errlen);
  if (!rc) {
    tfp_la_gram(n, p, YW, QW);
    tfp_la_gram(n, p, YZ, QZ);
    rc = tfp_la_gen_eig(p, QW, QZ, ev, err, errlen);
  }
  if (!rc) *lambda = ev[0];
  tfp_iv_arena_free(&mem);
  return rc;
}

int tfp_iv_kclass_k(const tfp_iv_work *w, const tfp_iv_design *g, const tfp_iv_opts *o,
                    tfp_iv_result *r, char *err, size_t errlen)
{
  r->kclass = r->lambda = r->fuller = NAN;
  r->arubin = r->arubin_p = r->arubin_lin = r->arubin_lin_p = r->arubin_df = NAN;
  r->coviv = 0;
  if (!tfp_iv_is_kclass(r)) return TFP_OK;
  r->coviv = o->coviv != 0;
  if (r->method == TFP_IV_KCLASS) { r->kclass = o->kclass; return TFP_OK; }
  double L = (double)(g->L1 + g->K2), N = w->N, Nd = N - (double)w->d;
  if (o->fuller > 0 && o->fuller >= N - L) {
    snprintf(err, errlen, "invalid Fuller parameter %g: it must be below N - L = %.0f", o->fuller, N - L);
    return TFP_EINVAL;
  }
  int rc = liml_lambda(w, g, &r->lambda, err, errlen);
  if (rc) return rc;
  r->fuller = o->fuller > 0 ? o->fuller : NAN;
  r->kclass = o->fuller > 0 ? r->lambda - o->fuller / (N - L) : r->lambda;
  r->arubin_df = (double)(g->L1 - g->K1);
  r->arubin = Nd * log(r->lambda);
  r->arubin_lin = Nd * (r->lambda - 1);
  if (r->arubin_df > 0) {
    r->arubin_p = tfp_chi2_tail(r->arubin_df, r->arubin);
    r->arubin_lin_p = tfp_chi2_tail(r->arubin_df, r->arubin_lin);
  }
  return TFP_OK;
}

int tfp_iv_kclass_inv(size_t K, const double *B, double s, double *V, char *err, size_t errlen)
{
  for (size_t i = 0; i < K * K; i++) V[i] = 0;
  for (size_t i = 0; i < K; i++) V[i + i * K] = 1;
  int rc = tfp_la_chol_solve(K, B, K, V, err, errlen);
  if (rc == TFP_ENUMERIC) {   /* k above lambda can leave B indefinite */
    for (size_t i = 0; i < K * K; i++) V[i] = 0;
    for (size_t i = 0; i < K; i++) V[i + i * K] = 1;
    rc = tfp_la_solve(K, B, K, V, err, errlen);
  }
  if (rc) return rc;
  for (size_t i = 0; i < K; i++) for (size_t j = 0; j <= i; j++) {
    double v = 0.5 * (V[i + j * K] + V[j + i * K]) * s;
    V[i + j * K] = V[j + i * K] = v;
  }
  return TFP_OK;
}

/* B = (1-k) X'X + k Xh'Xh and B b = (1-k) X'y + k Xh'y, Xh = P_Z X: no
   cancellation for k near 1, where X'(I - k M_Z)X would subtract. */
int tfp_iv_kclass_fit(const tfp_iv_work *w, const tfp_iv_design *g, double k, double *b,
                      double *e, double *B, char *err, size_t errlen)
{
  size_t n = w->n, K = g->K1 + g->K2, L = g->L1 + g->K2;
  tfp_iv_arena mem = TFP_IV_ARENA_INIT;
  double *ZZ = tfp_iv_take(&mem, L * L), *Pi = tfp_iv_take(&mem, L * K), *Xh = tfp_iv_take(&mem, n * K);
  double *XX = tfp_iv_take(&mem, K * K), *XhXh = tfp_iv_take(&mem, K * K);
  double *Xy = tfp_iv_take(&mem, K), *Xhy = tfp_iv_take(&mem, K), *Bi = tfp_iv_take(&mem, K * K);
  if (mem.oom) { tfp_iv_arena_free(&mem); return tfp_iv_lost(TFP_ENOMEM, err, errlen); }
  tfp_la_gram(n, L, g->Z, ZZ);
  tfp_la_crossprod(n, L, g->Z, K, g->X, Pi);
  int rc = tfp_la_chol_solve(L, ZZ, K, Pi, err, errlen);
  if (!rc) {
    tfp_la_gemm(0, 0, n, K, L, 1.0, g->Z, Pi, 0.0, Xh);
    tfp_la_gram(n, K, g->X, XX);
    tfp_la_gram(n, K, Xh, XhXh);
    tfp_la_crossprod(n, K, g->X, 1, g->y, Xy);
    tfp_la_crossprod(n, K, Xh, 1, g->y, Xhy);
    for (size_t i = 0; i < K; i++) {
      b[i] = (1 - k) * Xy[i] + k * Xhy[i];
      for (size_t j = 0; j < K; j++) B[i + j * K] = (1 - k) * XX[i + j * K] + k * XhXh[i + j * K];
    }
    for (size_t i = 0; i < K; i++) for (size_t j = 0; j < i; j++) {
      double v = 0.5 * (B[i + j * K] + B[j + i * K]);
      B[i + j * K] = B[j + i * K] = v;
    }
    rc = tfp_iv_kclass_inv(K, B, 1.0, Bi, err, errlen);
  }
  if (rc == TFP_ENUMERIC) snprintf(err, errlen, "X'(I - k M_Z)X is singular for k = %g", k);
  if (!rc) {
    memcpy(Xy, b, K * sizeof *Xy);
    tfp_la_gemm(0, 0, K, 1, K, 1.0, Bi, Xy, 0.0, b);
    memcpy(e, g->y, n * sizeof *e);
    tfp_la_gemm(0, 0, n, 1, K, -1.0, g->X, b, 1.0, e);
  }
  tfp_iv_arena_free(&mem);
  return rc;
}

int tfp_iv_sargan(const tfp_iv_work *w, const tfp_iv_design *g, const double *e, double *J,
                  char *err, size_t errlen)
{
  size_t n = w->n, L = g->L1 + g->K2;
  tfp_iv_arena mem = TFP_IV_ARENA_INIT;
  double *ZZ = tfp_iv_take(&mem, L * L), *Ze = tfp_iv_take(&mem, L), *h = tfp_iv_take(&mem, L);
  if (mem.oom) { tfp_iv_arena_free(&mem); return tfp_iv_lost(TFP_ENOMEM, err, errlen); }
  tfp_la_gram(n, L, g->Z, ZZ);
  tfp_la_crossprod(n, L, g->Z, 1, e, Ze);
  memcpy(h, Ze, L * sizeof *h);
  int rc = tfp_la_chol_solve(L, ZZ, 1, h, err, errlen);
  if (!rc) {
    double q = 0, ee = 0;
    for (size_t i = 0; i < L; i++) q += Ze[i] * h[i];
    for (size_t i = 0; i < n; i++) ee += e[i] * e[i];
    *J = q / (ee / (w->N - (double)w->d));
  }
  tfp_iv_arena_free(&mem);
  return rc;
}
