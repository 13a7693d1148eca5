/* iv_vce.c — the VCEs beyond iid, robust and one-way clusters (see
   iv_internal.h), in ivreg2's conventions (its m_omega):
     two-way clusters  S = S_a + S_b - S_ab, each a CR0 sum (Cameron,
                       Gelbach & Miller 2011), scaled as one-way clusters;
     HAC (robust + kernel)  S = [G_0 + sum_tau k(tau/bw) (G_tau + G_tau')] N/(N-d),
                       G_tau = sum_t s_t s_{t-tau}', s = z e, lags within units;
     AC (unadjusted + kernel, Kiefer: truncated over the whole span)
                       S = sigma_0 Z'Z + sum_tau k (sigma_tau Z_t'Z_{t-tau} + ')
                       with sigma_tau = sum e_t e_{t-tau} / (N-d);
     Driscoll-Kraay (cluster on time + kernel)  the HAC of the period sums
                       of the scores, scaled as clusters;
     Thompson (clusters on unit and time + kernel)  the unit clusters plus
                       Driscoll-Kraay less the within-unit HAC (the pairs the
                       two count twice).
   Lag windows use lags 1..floor(bw), spectral windows (QS, Daniell, tent)
   every lag of the span. Time is counted in steps of the smallest gap
   between distinct values; a lag is tau steps back in calendar time, so a
   gap in a unit's years leaves those pairs out (ivreg2's tsset lags).
   Weights: the design's rows carry sqrt(w) (iv_weights.c), so a row's
   score z e is w z e of the data, ivreg2's cluster sum for every weight
   type (its m_omega: e w wf); two-way clusters take them as they are
   (sim_twoway cl2_wt). The score kinds (HAC, Driscoll-Kraay, Thompson)
   then weigh a lag's pair by w_t w_{t-tau}, as m_omega does with aweights
   and pweights; AC weighs sigma_tau and Z_t'Z_{t-tau} each by w_t w_{t-tau}
   (m_omega's wv), so its lagged sums take the rows times sqrt(w) once more.
   fweights are refused with kernels (iv.c), as ivreg2 refuses them. N is
   w->N throughout. */
#include "iv_internal.h"
#include "linalg.h"
#include "sort.h"
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

enum { BLOCK = 4096 };
static const double PI = 3.14159265358979323846;

double tfp_iv_kernel_weight(tfp_iv_kernel k, double tau, double bw)
{
  double x = tau / bw, y;
  switch (k) {
  case TFP_KERNEL_TRUNCATED: return x <= 1 ? 1.0 : 0.0;
  case TFP_KERNEL_BARTLETT: return x <= 1 ? 1 - x : 0.0;
  case TFP_KERNEL_PARZEN: return x <= 0.5 ? 1 - 6 * x * x + 6 * x * x * x : x <= 1 ? 2 * pow(1 - x, 3) : 0.0;
  case TFP_KERNEL_THANNING: return x <= 1 ? 0.5 + 0.5 * cos(PI * x) : 0.0;
  case TFP_KERNEL_THAMMING: return x <= 1 ? 0.54 + 0.46 * cos(PI * x) : 0.0;
  case TFP_KERNEL_QS:
    if (x == 0) return 1.0;
    y = 6 * PI * x / 5;
    return 25 / (12 * PI * PI * x * x) * (sin(y) / y - cos(y));
  case TFP_KERNEL_DANIELL: return x == 0 ? 1.0 : sin(PI * x) / (PI * x);
  case TFP_KERNEL_TENT: return x == 0 ? 0.0 : 2 * (1 - cos(tau * x)) / (x * x);   /* ivreg2's formula */
  default: return 0.0;
  }
}

static int spectral(tfp_iv_kernel k)
{
  return k == TFP_KERNEL_QS || k == TFP_KERNEL_DANIELL || k == TFP_KERNEL_TENT;
}

/* ------------------------------------------------------------ the setup */

static const char *const KNAME[] = {"none", "Bartlett", "Parzen", "truncated", "Tukey-Hanning",
                                    "Tukey-Hamming", "quadratic spectral", "Daniell", "tent"};

/* bw = "auto" (iv_abw.c): the kernels Newey-West (1994) cover, one series. */
static int abw_check(const tfp_iv_vx *vx, char *err, size_t errlen)
{
  if (vx->kernel != TFP_KERNEL_BARTLETT && vx->kernel != TFP_KERNEL_PARZEN && vx->kernel != TFP_KERNEL_QS) {
    snprintf(err, errlen, "bw = \"auto\" (Newey-West 1994) is defined for the Bartlett, Parzen and quadratic "
             "spectral kernels, not the %s kernel: give its bandwidth", KNAME[vx->kernel]);
    return TFP_EINVAL;
  }
  if (vx->unit) {
    snprintf(err, errlen, "bw = \"auto\" is not available for panel data (%s): Newey-West's selection is for "
             "one time series, and ivreg2 refuses it too; give the bandwidth, or use Driscoll-Kraay",
             vx->kind == TFP_VX_THOMPSON ? "Thompson's VCE" : "HAC within units");
    return TFP_EINVAL;
  }
  return TFP_OK;
}

typedef struct { long u, t; size_t i; } ut_key;

static int ut_cmp(const void *a, const void *b)
{
  const ut_key *x = a, *y = b;
  if (x->u != y->u) return x->u < y->u ? -1 : 1;
  if (x->t != y->t) return x->t < y->t ? -1 : 1;
  return x->i < y->i ? -1 : x->i > y->i;
}

static int dbl_cmp(const void *a, const void *b)
{
  double x = *(const double *)a, y = *(const double *)b;
  return x < y ? -1 : x > y;
}

/* Time steps of the sample's rows: tk = (t - min) / delta, delta the smallest
   gap between distinct values. */
static int time_steps(tfp_iv_vx *vx, const tfp_iv_sample *s, const double *tv, const char *tname,
                      const tfp_iv_opts *o, char *err, size_t errlen)
{
  size_t n = s->n;
  double *t = malloc((n ? n : 1) * sizeof *t);
  vx->tk = tfp_iv_alloc(&vx->mem, n, sizeof *vx->tk);
  if (!t || vx->mem.oom) { free(t); return tfp_iv_lost(TFP_ENOMEM, err, errlen); }
  for (size_t k = 0; k < n; k++) t[k] = tv[s->rows[k]];
  int rc = tfp_sort(t, n, sizeof *t, dbl_cmp, o->progress, o->progress_ud, "time");
  if (rc) { free(t); return tfp_iv_lost(rc, err, errlen); }
  double tmin = t[0], delta = INFINITY;
  for (size_t k = 1; k < n; k++) if (t[k] > t[k - 1] && t[k] - t[k - 1] < delta) delta = t[k] - t[k - 1];
  free(t);
  if (!isfinite(delta)) delta = 1;
  long tmax = 0;
  for (size_t k = 0; k < n; k++) {
    double q = (tv[s->rows[k]] - tmin) / delta;
    long qk = lround(q);
    if (fabs(q - (double)qk) > 1e-6) {
      snprintf(err, errlen, "time variable '%s' is not evenly spaced: %.15g is not %.15g plus a multiple "
               "of the smallest gap %.15g", tname, tv[s->rows[k]], tmin, delta);
      return TFP_EDATA;
    }
    vx->tk[k] = qk;
    if (qk > tmax) tmax = qk;
  }
  vx->T = (size_t)tmax + 1;
  return TFP_OK;
}

/* Rows ordered by unit, then time; a unit's time repeated is an error. */
static int order_rows(tfp_iv_vx *vx, size_t n, const char *tname, const tfp_iv_opts *o,
                      char *err, size_t errlen)
{
  ut_key *key = malloc((n ? n : 1) * sizeof *key);
  vx->order = tfp_iv_alloc(&vx->mem, n, sizeof *vx->order);
  if (!key || vx->mem.oom) { free(key); return tfp_iv_lost(TFP_ENOMEM, err, errlen); }
  for (size_t k = 0; k < n; k++) key[k] = (ut_key){vx->unit ? vx->unit[k] : 0, vx->tk[k], k};
  int rc = tfp_sort(key, n, sizeof *key, ut_cmp, o->progress, o->progress_ud, "time");
  if (rc) { free(key); return tfp_iv_lost(rc, err, errlen); }
  for (size_t k = 0; k < n; k++) {
    vx->order[k] = key[k].i;
    if (k > 0 && key[k].u == key[k - 1].u && key[k].t == key[k - 1].t) {
      char rb[256];
      snprintf(err, errlen, "time variable '%s' repeats %s within a %s (%s): a kernel over time needs "
               "one row per %s and period", tname, vx->unit ? "a period" : "a value", vx->unit ? "unit" : "series",
               tfp_row_label(&o->rows, key[k].i, rb, sizeof rb), vx->unit ? "unit" : "series");
      free(key);
      return TFP_EDATA;
    }
  }
  free(key);
  return TFP_OK;
}

/* Which structure, on which time variable and units. */
static int vx_kind(tfp_iv_vx *vx, const tfp_iv_sample *s, const tfp_iv_data *d, const tfp_iv_opts *o,
                   const double **tv, const char **tname, char *err, size_t errlen)
{
  if (o->vce == TFP_VCE_CLUSTER) {
    vx->clu1 = s->clu; vx->M1 = s->M; vx->clu2 = s->clu2; vx->M2 = s->M2;
    vx->clu12 = s->clu12; vx->M12 = s->M12;
    if (!vx->kernel) { vx->kind = d->cluster2 ? TFP_VX_TWOWAY : 0; return TFP_OK; }
    vx->kind = d->cluster2 ? TFP_VX_THOMPSON : TFP_VX_DK;
    *tv = d->cluster2 ? d->cluster2 : d->cluster;
    *tname = d->cluster2 ? d->cluster2_name : d->cluster_name;
    vx->unit = d->cluster2 ? s->clu : NULL;
  } else {
    if (!vx->kernel) return TFP_OK;
    vx->kind = o->vce == TFP_VCE_ROBUST ? TFP_VX_HAC : TFP_VX_AC;
    if (!d->time) { snprintf(err, errlen, "a kernel VCE needs a time variable"); return TFP_EINVAL; }
    *tv = d->time; *tname = d->time_name;
    vx->unit = d->panel ? s->unit : NULL;
  }
  vx->sw = s->sw;
  if (!*tname) *tname = "(time)";
  return TFP_OK;
}

int tfp_iv_vx_setup(tfp_iv_vx *vx, const tfp_iv_sample *s, const tfp_iv_data *d,
                    const tfp_iv_opts *o, tfp_iv_result *r, tfp_iv_notes *nb,
                    char *err, size_t errlen)
{
  memset(vx, 0, sizeof *vx);
  vx->kernel = o->kiefer ? TFP_KERNEL_TRUNCATED : o->kernel;
  r->kernel = (int)vx->kernel;
  r->bw = NAN;
  const double *tv = NULL;
  const char *tname = NULL;
  int rc = vx_kind(vx, s, d, o, &tv, &tname, err, errlen);
  if (rc || !vx->kernel) return rc;
  vx->tname = tname;
  if ((rc = time_steps(vx, s, tv, tname, o, err, errlen))) return rc;
  if (vx->kind != TFP_VX_DK && (rc = order_rows(vx, s->n, tname, o, err, errlen))) return rc;
  vx->bw = o->kiefer ? (double)vx->T : o->bw;
  if (vx->bw == TFP_IV_BW_AUTO) return abw_check(vx, err, errlen);   /* set after the first step */
  return tfp_iv_vx_set_bw(vx, vx->bw, r, nb, err, errlen);
}

int tfp_iv_vx_set_bw(tfp_iv_vx *vx, double bw, tfp_iv_result *r, tfp_iv_notes *nb, char *err, size_t errlen)
{
  vx->bw = bw;
  if (!(vx->bw > 0) || !isfinite(vx->bw)) {
    snprintf(err, errlen, "the kernel's bandwidth must be a positive number, got %g", vx->bw);
    return TFP_EINVAL;
  }
  double tau_max = spectral(vx->kernel) ? (double)vx->T - 1 : floor(vx->bw);
  if (tau_max > (double)vx->T - 1) tau_max = (double)vx->T - 1;
  vx->TAU = (size_t)tau_max;
  r->bw = vx->bw;
  if (!spectral(vx->kernel) && vx->TAU == 0 && vx->kernel != TFP_KERNEL_TRUNCATED)
    tfp_iv_note(nb, "note: bandwidth %g uses no lag of '%s': the kernel VCE is not autocorrelation-robust",
                vx->bw, vx->tname);
  return TFP_OK;
}

void tfp_iv_vx_clear(tfp_iv_vx *vx)
{
  tfp_iv_arena_free(&vx->mem);
  memset(vx, 0, sizeof *vx);
}

void tfp_iv_vx_diag(const tfp_iv_work *w, tfp_iv_vx *vxd, tfp_iv_work *wd)
{
  *wd = *w;
  if (!w->vx || !w->vx->kernel) return;
  if (w->vx->kind == TFP_VX_AC) { wd->vx = NULL; return; }
  *vxd = *w->vx;
  memset(&vxd->mem, 0, sizeof vxd->mem);
  vxd->kernel = TFP_KERNEL_BARTLETT;
  double tau_max = floor(vxd->bw);
  vxd->TAU = tau_max > (double)vxd->T - 1 ? vxd->T - 1 : (size_t)tau_max;
  wd->vx = vxd;
}

/* ------------------------------------------------------------ the sums */

/* Scores of row i, column c: Z[i, c] e[i] (e NULL: Z itself). */
#define SCORE(Z, e, n, i, c) ((Z)[(i) + (c) * (n)] * ((e) ? (e)[i] : 1.0))

/* G (p x p) += sum over the pairs (row, the same unit's row tau steps
   earlier) of u_row u_earlier'; *ee += the same sum of ev_row ev_earlier
   (when ev is given). Blocks of pairs, so the scratch stays small. */
static void lag_cross(const tfp_iv_vx *vx, size_t n, size_t p, const double *Z, const double *e,
                      size_t tau, double *G, const double *ev, double *ee, double *Un, double *Ul,
                      size_t *in, size_t *il)
{
  size_t m = 0, j = 0;
  long tl = (long)tau;
  for (size_t q = 0; q <= n; q++) {
    if (q < n) {
      size_t i = vx->order[q];
      long u = vx->unit ? vx->unit[i] : 0, t = vx->tk[i] - tl;
      while (j < q) {
        size_t k = vx->order[j];
        long uk = vx->unit ? vx->unit[k] : 0;
        if (uk < u || (uk == u && vx->tk[k] < t)) j++;
        else break;
      }
      if (j < q) {
        size_t k = vx->order[j];
        if ((vx->unit ? vx->unit[k] : 0) == u && vx->tk[k] == t) { in[m] = i; il[m] = k; m++; }
      }
    }
    if (m == BLOCK || (q == n && m > 0)) {
      for (size_t c = 0; c < p; c++)
        for (size_t r = 0; r < m; r++) {
          Un[r + c * m] = SCORE(Z, e, n, in[r], c);
          Ul[r + c * m] = SCORE(Z, e, n, il[r], c);
        }
      if (ev) for (size_t r = 0; r < m; r++) *ee += ev[in[r]] * ev[il[r]];
      tfp_la_gemm(1, 0, p, p, m, 1.0, Un, Ul, 1.0, G);
      m = 0;
    }
  }
}

/* S += sum_tau k(tau/bw) (G_tau + G_tau') over the rows' own lags. */
static int add_lags(const tfp_iv_vx *vx, size_t n, size_t p, const double *Z, const double *e, double *S)
{
  tfp_iv_arena mem = TFP_IV_ARENA_INIT;
  double *Un = tfp_iv_take(&mem, BLOCK * p), *Ul = tfp_iv_take(&mem, BLOCK * p), *G = tfp_iv_take(&mem, p * p);
  size_t *in = tfp_iv_alloc(&mem, BLOCK, sizeof *in), *il = tfp_iv_alloc(&mem, BLOCK, sizeof *il);
  if (mem.oom) { tfp_iv_arena_free(&mem); return TFP_ENOMEM; }
  for (size_t tau = 1; tau <= vx->TAU; tau++) {
    double kw = tfp_iv_kernel_weight(vx->kernel, (double)tau, vx->bw);
    if (kw == 0) continue;
    memset(G, 0, p * p * sizeof *G);
    lag_cross(vx, n, p, Z, e, tau, G, NULL, NULL, Un, Ul, in, il);
    for (size_t a = 0; a < p; a++)
      for (size_t b = 0; b < p; b++) S[a + b * p] += kw * (G[a + b * p] + G[b + a * p]);
  }
  tfp_iv_arena_free(&mem);
  return TFP_OK;
}

/* sum_i u_i u_i' in blocks of rows. */
static int own_gram(size_t n, size_t p, const double *Z, const double *e, double *S)
{
  tfp_iv_arena mem = TFP_IV_ARENA_INIT;
  size_t rows = n < BLOCK ? (n ? n : 1) : BLOCK;
  double *U = tfp_iv_take(&mem, rows * p), *G = tfp_iv_take(&mem, p * p);
  if (mem.oom) { tfp_iv_arena_free(&mem); return TFP_ENOMEM; }
  memset(S, 0, p * p * sizeof *S);
  for (size_t i0 = 0; i0 < n; i0 += rows) {
    size_t m = n - i0 < rows ? n - i0 : rows;
    for (size_t c = 0; c < p; c++)
      for (size_t i = 0; i < m; i++) U[i + c * m] = SCORE(Z, e, n, i0 + i, c);
    tfp_la_gram(m, p, U, G);
    for (size_t k = 0; k < p * p; k++) S[k] += G[k];
  }
  tfp_iv_arena_free(&mem);
  return TFP_OK;
}

/* sign * sum_g (sum_{i in g} u_i)(...)' added to S. */
static int cluster_add(size_t n, size_t p, const double *Z, const double *e, const int *code, size_t M,
                       double sign, double *S)
{
  tfp_iv_arena mem = TFP_IV_ARENA_INIT;
  double *U = tfp_iv_alloc(&mem, M * p, sizeof *U), *G = tfp_iv_take(&mem, p * p);
  if (mem.oom) { tfp_iv_arena_free(&mem); return TFP_ENOMEM; }
  for (size_t c = 0; c < p; c++)
    for (size_t i = 0; i < n; i++) U[code[i] + c * M] += SCORE(Z, e, n, i, c);
  tfp_la_gram(M, p, U, G);
  for (size_t k = 0; k < p * p; k++) S[k] += sign * G[k];
  tfp_iv_arena_free(&mem);
  return TFP_OK;
}

/* Driscoll-Kraay: the HAC of the period sums g_t, added to S. */
static int dk_add(const tfp_iv_vx *vx, size_t n, size_t p, const double *Z, const double *e, double *S)
{
  size_t T = vx->T;
  tfp_iv_arena mem = TFP_IV_ARENA_INIT;
  double *g = tfp_iv_alloc(&mem, T * p, sizeof *g), *a = tfp_iv_take(&mem, T * p);
  double *b = tfp_iv_take(&mem, T * p), *G = tfp_iv_take(&mem, p * p);
  if (mem.oom) { tfp_iv_arena_free(&mem); return TFP_ENOMEM; }
  for (size_t c = 0; c < p; c++)
    for (size_t i = 0; i < n; i++) g[(size_t)vx->tk[i] + c * T] += SCORE(Z, e, n, i, c);
  tfp_la_gram(T, p, g, G);
  for (size_t k = 0; k < p * p; k++) S[k] += G[k];
  for (size_t tau = 1; tau <= vx->TAU; tau++) {
    double kw = tfp_iv_kernel_weight(vx->kernel, (double)tau, vx->bw);
    if (kw == 0) continue;
    size_t m = T - tau;
    for (size_t c = 0; c < p; c++)
      for (size_t t = 0; t < m; t++) { a[t + c * m] = g[t + tau + c * T]; b[t + c * m] = g[t + c * T]; }
    tfp_la_gemm(1, 0, p, p, m, 1.0, a, b, 0.0, G);
    for (size_t x = 0; x < p; x++)
      for (size_t y = 0; y < p; y++) S[x + y * p] += kw * (G[x + y * p] + G[y + x * p]);
  }
  tfp_iv_arena_free(&mem);
  return TFP_OK;
}

/* The score-based kinds: S from u = Z e (e NULL: the columns of Z are the
   scores), scaled as tfp_iv_omega scales robust (HAC) or clusters. */
static int score_omega(const tfp_iv_work *w, size_t p, const double *Z, const double *e, double *S)
{
  const tfp_iv_vx *vx = w->vx;
  size_t n = w->n;
  int rc = TFP_OK;
  memset(S, 0, p * p * sizeof *S);
  switch (vx->kind) {
  case TFP_VX_TWOWAY:
    rc = cluster_add(n, p, Z, e, vx->clu1, vx->M1, 1.0, S);
    if (!rc) rc = cluster_add(n, p, Z, e, vx->clu2, vx->M2, 1.0, S);
    if (!rc) rc = cluster_add(n, p, Z, e, vx->clu12, vx->M12, -1.0, S);
    break;
  case TFP_VX_HAC:
    rc = own_gram(n, p, Z, e, S);
    if (!rc) rc = add_lags(vx, n, p, Z, e, S);
    for (size_t k = 0; k < p * p; k++) S[k] *= w->N / (w->N - (double)w->d);
    break;
  case TFP_VX_DK:
    rc = dk_add(vx, n, p, Z, e, S);
    break;
  case TFP_VX_THOMPSON: {
    double *H = malloc((p > 0 ? p * p : 1) * sizeof *H);
    if (!H) return TFP_ENOMEM;
    rc = own_gram(n, p, Z, e, H);
    if (!rc) rc = add_lags(vx, n, p, Z, e, H);
    if (!rc) rc = cluster_add(n, p, Z, e, vx->clu1, vx->M1, 1.0, S);
    if (!rc) rc = dk_add(vx, n, p, Z, e, S);
    for (size_t k = 0; k < p * p; k++) S[k] -= H[k];
    free(H);
    break;
  }
  default: rc = TFP_EINVAL;
  }
  for (size_t a = 0; a < p; a++)
    for (size_t b = 0; b < a; b++) S[a + b * p] = S[b + a * p] = 0.5 * (S[a + b * p] + S[b + a * p]);
  return rc;
}

/* AC: S = sum_tau k (Sigma_tau (x) ZZ_tau + '), Sigma_tau = E_t'E_{t-tau}/(N-d)
   (K1 x K1), ZZ_tau = Z_t'Z_{t-tau} (L1 x L1), index k*L1 + l. */
static int ac_omega(const tfp_iv_work *w, size_t K1, const double *E, size_t L1, const double *Z, double *S)
{
  const tfp_iv_vx *vx = w->vx;
  size_t n = w->n, KL = K1 * L1, pm = K1 > L1 ? K1 : L1;
  double Nd = w->N - (double)w->d;
  tfp_iv_arena mem = TFP_IV_ARENA_INIT;
  double *Sg = tfp_iv_take(&mem, K1 * K1), *ZZ = tfp_iv_take(&mem, L1 * L1);
  double *Un = tfp_iv_take(&mem, BLOCK * pm), *Ul = tfp_iv_take(&mem, BLOCK * pm);
  size_t *in = tfp_iv_alloc(&mem, BLOCK, sizeof *in), *il = tfp_iv_alloc(&mem, BLOCK, sizeof *il);
  /* weights: ivreg2 weighs a lag's pair by w_t w_s in both sigma and ZZ; the
     rows carry sqrt(w), so the lagged sums take the rows times sqrt(w) again */
  const double *El = E, *Zl = Z;
  if (vx->sw && vx->TAU > 0) {
    double *Ew = tfp_iv_take(&mem, n * K1), *Zw = tfp_iv_take(&mem, n * L1);
    if (!mem.oom) {
      for (size_t i = 0; i < n; i++) {
        for (size_t k = 0; k < K1; k++) Ew[i + k * n] = E[i + k * n] * vx->sw[i];
        for (size_t l = 0; l < L1; l++) Zw[i + l * n] = Z[i + l * n] * vx->sw[i];
      }
      El = Ew; Zl = Zw;
    }
  }
  if (mem.oom) { tfp_iv_arena_free(&mem); return TFP_ENOMEM; }
  memset(S, 0, KL * KL * sizeof *S);
  for (size_t tau = 0; tau <= vx->TAU; tau++) {
    double kw = tau == 0 ? 1.0 : tfp_iv_kernel_weight(vx->kernel, (double)tau, vx->bw);
    if (kw == 0) continue;
    if (tau == 0) { tfp_la_gram(n, K1, E, Sg); tfp_la_gram(n, L1, Z, ZZ); }
    else {
      memset(Sg, 0, K1 * K1 * sizeof *Sg);
      memset(ZZ, 0, L1 * L1 * sizeof *ZZ);
      lag_cross(vx, n, K1, El, NULL, tau, Sg, NULL, NULL, Un, Ul, in, il);
      lag_cross(vx, n, L1, Zl, NULL, tau, ZZ, NULL, NULL, Un, Ul, in, il);
    }
    for (size_t k = 0; k < K1; k++) for (size_t l = 0; l < L1; l++)
      for (size_t k2 = 0; k2 < K1; k2++) for (size_t l2 = 0; l2 < L1; l2++) {
        double g = Sg[k + k2 * K1] * ZZ[l + l2 * L1] / Nd, gt = Sg[k2 + k * K1] * ZZ[l2 + l * L1] / Nd;
        S[(k * L1 + l) + (k2 * L1 + l2) * KL] += tau == 0 ? g : kw * (g + gt);
      }
  }
  tfp_iv_arena_free(&mem);
  return TFP_OK;
}

int tfp_iv_vx_omega(const tfp_iv_work *w, size_t L, const double *Z, const double *e,
                    double *S, char *err, size_t errlen)
{
  int rc = w->vx->kind == TFP_VX_AC ? ac_omega(w, 1, e, L, Z, S) : score_omega(w, L, Z, e, S);
  if (rc) snprintf(err, errlen, "out of memory: S matrix");
  return rc;
}

int tfp_iv_vx_rk_omega(const tfp_iv_work *w, size_t K1, const double *E, size_t L1,
                       const double *Z, double *S, char *err, size_t errlen)
{
  size_t n = w->n, KL = K1 * L1;
  int rc;
  if (w->vx->kind == TFP_VX_AC) rc = ac_omega(w, K1, E, L1, Z, S);
  else {
    double *G = malloc((n > 0 && KL > 0 ? n * KL : 1) * sizeof *G);
    if (!G) rc = TFP_ENOMEM;
    else {
      for (size_t k = 0; k < K1; k++)
        for (size_t l = 0; l < L1; l++)
          for (size_t i = 0; i < n; i++) G[i + (k * L1 + l) * n] = E[i + k * n] * Z[i + l * n];
      rc = score_omega(w, KL, G, NULL, S);
      free(G);
    }
  }
  if (rc) snprintf(err, errlen, "out of memory: rk statistic");
  return rc;
}
