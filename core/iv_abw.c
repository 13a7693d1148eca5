/* iv_abw.c — bw = "auto": Newey & West's (1994) data-driven bandwidth, as
   ivreg2 computes it (its abw program and Mata s_abw, ivreg2 3.1.10 /
   livreg2 1.1.07, which ivreg2 says agrees with Stata's ivregress):
     u     the first-step residuals (2SLS with the IV weight, the data's
           weights as the fit's), Z every instrument but the constant, both
           in the data's units, unweighted (s_abw sees the variables);
     f_t   u_t * sum_j Z_tj (s_abw's h = 1 for each non-constant column);
     mstar = trunc(20 (T/100)^e), e = 2/9 Bartlett, 4/25 Parzen, 2/25 QS;
     sigma_j = sum_t f_t f_{t-j} / nobs, j = 0..mstar, over the pairs that
           exist (a gap leaves its pairs out), nobs the periods observed;
     s0 = sigma_0 + 2 sum sigma_j, sq = 2 sum j^q sigma_j (q = 1 Bartlett,
           2 Parzen and QS);
     gamma = c ((sq/s0)^2)^(1/(2q+1)), c = 1.1447 Bartlett (the constant
           Newey-West cite, confirmed by A. Hall per ivreg2 2.2.09), 2.6614
           Parzen, 1.3221 QS;
     m = gamma T^(1/(2q+1)); lag = min(trunc(m), mstar) (Bartlett, Parzen),
           min(m, mstar) (QS); bw = lag + 1 (ivreg2's bandwidth counts the
           lag 0 window).
   T is the span in time steps (ivreg2 takes max - min + 1 in the time
   variable's units: the same when the step is 1). ivreg2 refuses bw(auto)
   with panel data; so does this for HAC and Thompson. Driscoll-Kraay is
   the HAC of the period sums of the moments, so its f_t is the period
   sum (one series: ivreg2's f_t). */
#include "iv_internal.h"
#include "linalg.h"
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

/* f_t of each period (period sums), *nobs the periods observed. */
static int moment_series(const tfp_iv_vx *vx, const tfp_iv_design *g, const double *e, double *F,
                         unsigned char *seen, size_t *nobs)
{
  size_t n = g->n, K = g->K1 + g->K2, L = g->L1 + g->K2;
  for (size_t i = 0; i < n; i++) {
    double sw = g->sw ? g->sw[i] : 1.0, zsum = 0;
    for (size_t j = 0; j < L; j++) {
      size_t c = j < g->K2 ? 1 + g->K1 + j : 1 + K + (j - g->K2);   /* Z = [X2 Z1]: its column in names/scale */
      if (strcmp(g->names[c], "_cons") == 0) continue;
      zsum += (g->Z[i + j * n] / sw + g->mean[c]) / g->scale[c];
    }
    size_t t = (size_t)vx->tk[i];
    if (!seen[t]) { seen[t] = 1; ++*nobs; }
    F[t] += e[i] / sw * zsum;
  }
  return TFP_OK;
}

/* The bandwidth from the series F (T periods, seen marks those observed). */
static double nw94(tfp_iv_kernel k, const double *F, const unsigned char *seen, size_t T, size_t nobs)
{
  double expo = 2.0 / 9, cgamma = 1.1447;
  int q = 1;
  if (k == TFP_KERNEL_PARZEN) { expo = 4.0 / 25; q = 2; cgamma = 2.6614; }
  if (k == TFP_KERNEL_QS) { expo = 2.0 / 25; q = 2; cgamma = 1.3221; }
  size_t mstar = (size_t)trunc(20 * pow((double)T / 100, expo));
  double s0 = 0, sq = 0;
  for (size_t j = 0; j <= mstar; j++) {
    double sig = 0;
    for (size_t t = j; t < T; t++) if (seen[t] && seen[t - j]) sig += F[t] * F[t - j];
    sig /= (double)nobs;
    if (j == 0) s0 += sig;
    else { s0 += 2 * sig; sq += 2 * sig * pow((double)j, q); }
  }
  double ex = 1.0 / (2 * q + 1);
  double m = cgamma * pow((sq / s0) * (sq / s0), ex) * pow((double)T, ex);
  double lag = k == TFP_KERNEL_QS ? m : trunc(m);
  if (lag > (double)mstar) lag = (double)mstar;
  return lag + 1;
}

int tfp_iv_abw(tfp_iv_vx *vx, const tfp_iv_design *g, tfp_iv_result *r, tfp_iv_notes *nb,
               char *err, size_t errlen)
{
  size_t n = g->n, K = g->K1 + g->K2, L = g->L1 + g->K2, T = vx->T;
  tfp_iv_arena mem = TFP_IV_ARENA_INIT;
  double *S = tfp_iv_take(&mem, L * L), *b = tfp_iv_take(&mem, K), *e = tfp_iv_take(&mem, n);
  double *XZSZX = tfp_iv_take(&mem, K * K), *F = tfp_iv_alloc(&mem, T, sizeof *F);
  unsigned char *seen = tfp_iv_alloc(&mem, T, sizeof *seen);
  if (mem.oom) { tfp_iv_arena_free(&mem); return tfp_iv_lost(TFP_ENOMEM, err, errlen); }
  double J;
  tfp_la_gram(n, L, g->Z, S);
  int rc = tfp_iv_gmm(n, K, g->X, L, g->Z, g->y, S, b, e, &J, XZSZX, err, errlen);
  size_t nobs = 0;
  if (!rc) rc = moment_series(vx, g, e, F, seen, &nobs);
  double bw = rc ? NAN : nw94(vx->kernel, F, seen, T, nobs);
  tfp_iv_arena_free(&mem);
  if (rc) return rc;
  if (!isfinite(bw)) {
    snprintf(err, errlen, "bw = \"auto\": Newey-West's bandwidth is undefined here (the moments' long-run "
             "variance estimate is zero or not finite); give the bandwidth");
    return TFP_EDATA;
  }
  r->bw_auto = 1;
  return tfp_iv_vx_set_bw(vx, bw, r, nb, err, errlen);
}
