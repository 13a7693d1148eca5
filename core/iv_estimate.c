/* iv_estimate.c — the estimate pass (see iv_internal.h): 2SLS, two-step
   GMM and the k-class estimators of iv_kclass.c (b, V, J), the fit statistics, the coefficient table, the model F
   test and the overidentification statistic, in the design's units. */
#include "iv_internal.h"
#include "linalg.h"
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

/* The estimate's workspace: all from one arena. */
typedef struct {
  double *A;          /* X'Z (Z'Z)^-1 Z'X of the 2SLS fit (K x K) */
  double *Bk;         /* the k-class bread X'(I - k M_Z)X (K x K) */
  double *S;          /* S-tilde from 2SLS residuals (L x L) */
  double *b, *e;      /* the model's coefficients (K) and residuals (n) */
  double *bg, *eg, *Vg;   /* the GMM step: coefficients, residuals (= e), X'Z S^-1 Z'X */
  double *V;          /* the VCE (K x K) */
  double J;
  tfp_iv_arena mem;
} workspace;

static const char *cluster_text(const tfp_iv_result *r, char *buf, size_t len)
{
  buf[0] = 0;
  if (r->vce == TFP_VCE_CLUSTER) snprintf(buf, len, ", %zu clusters", r->N_clust);
  return buf;
}

/* 2SLS, S-tilde from its residuals, and the GMM step with S^-1: the
   two-step estimate and the J statistic. ivreg2: a rank-deficient S stops
   two-step GMM (the optimal weight is not unique); 2SLS goes on without J.
   The rank is decided with a stated tolerance and the cluster bound, never
   by whether a Cholesky factorisation happens to succeed on this machine's
   rounding. */
static int two_step(const tfp_iv_work *w, const tfp_iv_design *g, workspace *ws, size_t *rank_S,
                    tfp_iv_result *r, tfp_iv_notes *nb, char *err, size_t errlen)
{
  size_t n = w->n, K = g->K1 + g->K2, L = g->L1 + g->K2;
  char clusters[64], why[256];
  cluster_text(r, clusters, sizeof clusters);
  memcpy(ws->S, g->ZZ, L * L * sizeof *ws->S);
  int rc = tfp_iv_gmm_m(n, K, g->X, L, g->Z, g->y, g->ZX, g->Zy, ws->S, ws->b, ws->e, NULL, ws->A,
                        err, errlen);
  int kc = tfp_iv_is_kclass(r);
  if (!rc && kc) rc = tfp_iv_kclass_fit(w, g, r->kclass, ws->b, ws->e, ws->Bk, err, errlen);
  if (!rc) rc = tfp_iv_omega(w, L, g->Z, ws->e, ws->S, err, errlen);
  if (!rc) rc = tfp_iv_s_rank(w, L, ws->S, rank_S, err, errlen);
  if (rc) return rc;
  if (*rank_S < L && r->method == TFP_IV_GMM2S) {
    snprintf(err, errlen, "estimated covariance matrix of moment conditions not of full rank "
             "(rank %zu for %zu moment conditions%s): the optimal GMM weighting matrix is not "
             "unique, so two-step GMM cannot be computed (as in ivreg2; possible causes: too few "
             "clusters, a singleton dummy variable)", *rank_S, L, clusters);
    return TFP_EDATA;
  }
  if (*rank_S < L) {
    r->warn_singular_S = 1;
    tfp_iv_note(nb, "warning: estimated covariance matrix of moment conditions not of full rank "
                "(rank %zu for %zu moment conditions%s); overidentification statistic not reported, "
                "and standard errors and model tests should be interpreted with caution",
                *rank_S, L, clusters);
    ws->J = NAN;
    return TFP_OK;
  }
  /* 2SLS needs only J of this step: from the cross products, no pass over the rows */
  int gmm = r->method == TFP_IV_GMM2S;
  rc = tfp_iv_gmm_m(n, K, g->X, L, gmm ? g->Z : NULL, g->y, g->ZX, g->Zy, ws->S, ws->bg, gmm ? ws->eg : NULL,
                    &ws->J, ws->Vg, why, sizeof why);
  /* Sargan (iid) of the k-class residuals themselves; Hansen J as 2SLS */
  if (!rc && kc && w->vce == TFP_VCE_UNADJUSTED) rc = tfp_iv_sargan(w, g, ws->e, &ws->J, why, sizeof why);
  if (rc == TFP_ENUMERIC && r->method != TFP_IV_GMM2S) {
    /* the 2SLS fit stands; only the overidentification statistic is lost */
    tfp_iv_note(nb, "warning: two-step GMM step failed (%s); J statistic not available", why);
    ws->J = NAN;
    return TFP_OK;
  }
  if (rc) snprintf(err, errlen, "%s", why);
  return rc;
}

/* The VCE: GMM V = (X'Z S^-1 Z'X)^-1; 2SLS V = A^-1 (Pi' S Pi) A^-1 with
   Pi = (Z'Z)^-1 Z'X (iid: S = sigma^2 Z'Z gives sigma^2 A^-1); k-class the
   same with its bread B for A (A with coviv), iid sigma^2 B^-1; symmetric,
   and scaled as small asks. */
static int vce(const tfp_iv_work *w, const tfp_iv_design *g, workspace *ws, tfp_iv_result *r,
               char *err, size_t errlen)
{
  size_t n = w->n, K = g->K1 + g->K2, L = g->L1 + g->K2;
  double *V = ws->V;
  int rc;
  if (r->method == TFP_IV_GMM2S) {
    memcpy(ws->b, ws->bg, K * sizeof *ws->b);
    for (size_t i = 0; i < K * K; i++) V[i] = 0;
    for (size_t i = 0; i < K; i++) V[i + i * K] = 1;
    if ((rc = tfp_la_chol_solve(K, ws->Vg, K, V, err, errlen))) return rc;
  } else if (tfp_iv_is_kclass(r) && w->vce == TFP_VCE_UNADJUSTED) {
    double ee = 0;
    for (size_t i = 0; i < n; i++) ee += ws->e[i] * ws->e[i];
    rc = tfp_iv_kclass_inv(K, r->coviv ? ws->A : ws->Bk, ee / (w->N - (double)w->d), V, err, errlen);
    if (rc) return rc;
  } else {
    const double *bread = tfp_iv_is_kclass(r) && !r->coviv ? ws->Bk : ws->A;
    double *ZZ = tfp_iv_take(&ws->mem, L * L), *Pi = tfp_iv_take(&ws->mem, L * K);
    double *SP = tfp_iv_take(&ws->mem, L * K), *B = tfp_iv_take(&ws->mem, K * K);
    if (ws->mem.oom) return tfp_iv_lost(TFP_ENOMEM, err, errlen);
    memcpy(ZZ, g->ZZ, L * L * sizeof *ZZ);
    memcpy(Pi, g->ZX, L * K * sizeof *Pi);
    if ((rc = tfp_la_chol_solve(L, ZZ, K, Pi, err, errlen))) return rc;
    tfp_la_gemm(0, 0, L, K, L, 1.0, ws->S, Pi, 0.0, SP);
    tfp_la_gemm(1, 0, K, K, L, 1.0, Pi, SP, 0.0, B);
    /* V = A^-1 B A^-1: two solves */
    if ((rc = tfp_la_chol_solve(K, bread, K, B, err, errlen))) return rc;
    for (size_t i = 0; i < K; i++) for (size_t j = 0; j < K; j++) V[i + j * K] = B[j + i * K];
    if ((rc = tfp_la_chol_solve(K, bread, K, V, err, errlen))) return rc;
  }
  for (size_t i = 0; i < K; i++) for (size_t j = 0; j < i; j++) {
    double v = 0.5 * (V[i + j * K] + V[j + i * K]);
    V[i + j * K] = V[j + i * K] = v;
  }
  double Nd = w->N - (double)w->d;
  double dfr_small = w->N - (double)K - (double)w->d - (double)w->sd;
  if (r->small) {
    double f = r->vce == TFP_VCE_CLUSTER
                 ? (w->N - 1) / (w->N - (double)K - (double)w->sd) * (double)r->N_clust / ((double)r->N_clust - 1)
                 : Nd / dfr_small;
    for (size_t i = 0; i < K * K; i++) V[i] *= f;
    r->df_r = r->vce == TFP_VCE_CLUSTER ? (double)r->N_clust - 1 : dfr_small;
  } else r->df_r = NAN;
  return TFP_OK;
}

/* R2 (centred and not), RSS, sigma^2 and the model sum of squares; with
   weights the columns carry sqrt(w) (sw), the sums are weighted. */
static void fit_stats(const tfp_iv_work *w, const tfp_iv_design *g, const double *e, tfp_iv_result *r)
{
  size_t n = w->n, K = g->K1 + g->K2;
  const double *y = g->y, *sw = g->sw;
  double rss = 0, ybar = 0, tss = 0, yy = 0;
  double y_mean = g->mean[0];   /* y was centred with the other columns */
  if (!sw) {
    for (size_t i = 0; i < n; i++) { rss += e[i] * e[i]; ybar += y[i]; yy += (y[i] + y_mean) * (y[i] + y_mean); }
    ybar /= (double)n;
    for (size_t i = 0; i < n; i++) tss += (y[i] - ybar) * (y[i] - ybar);
  } else {
    double sum_w = 0;
    for (size_t i = 0; i < n; i++) {
      double u = y[i] + sw[i] * y_mean;
      rss += e[i] * e[i]; ybar += sw[i] * y[i]; sum_w += sw[i] * sw[i]; yy += u * u;
    }
    ybar /= sum_w;
    for (size_t i = 0; i < n; i++) tss += (y[i] - sw[i] * ybar) * (y[i] - sw[i] * ybar);
  }
  double Nd = w->N - (double)w->d;
  double dfr_small = w->N - (double)K - (double)w->d - (double)w->sd;
  r->rss = rss;
  r->r2 = 1 - rss / tss;
  r->r2_u = 1 - rss / yy;
  r->sigmasq = rss / (r->small ? dfr_small : Nd);
  r->rmse = sqrt(r->sigmasq);
  r->mss = tss - rss;
  r->r2_a = g->has_const ? 1 - (1 - r->r2) * (w->N - 1) / dfr_small : NAN;
}

/* The coefficient table: names, b, V, se, t, p. */
static int coef_table(const tfp_iv_design *g, const workspace *ws, tfp_iv_result *r)
{
  size_t K = g->K1 + g->K2;
  r->k = K;
  r->names = calloc(K, sizeof *r->names);
  r->coef = malloc(K * sizeof(double)); r->se = malloc(K * sizeof(double));
  r->t = malloc(K * sizeof(double)); r->p = malloc(K * sizeof(double));
  r->V = malloc(K * K * sizeof(double));
  if (!r->names || !r->coef || !r->se || !r->t || !r->p || !r->V) return TFP_ENOMEM;
  memcpy(r->V, ws->V, K * K * sizeof *r->V);
  for (size_t j = 0; j < K; j++) {
    if (!(r->names[j] = tfp_iv_strdup(g->names[1 + j]))) return TFP_ENOMEM;
    r->coef[j] = ws->b[j];
    r->se[j] = sqrt(ws->V[j + j * K]);
    r->t[j] = ws->b[j] / r->se[j];
    r->p[j] = r->small ? tfp_t_tail2(r->df_r, r->t[j]) : tfp_norm_tail2(r->t[j]);
  }
  return TFP_OK;
}

/* The model F test of all slopes (ivreg2's F_stat): Wald with the model's
   V, in ivreg2's small-sample F convention. */
static int model_F(const tfp_iv_work *w, const tfp_iv_design *g, const workspace *ws, tfp_iv_result *r)
{
  size_t K = g->K1 + g->K2;
  size_t ks = g->has_const ? K - 1 : K;   /* _cons is the last coefficient */
  double Nd = w->N - (double)w->d, sd = (double)w->sd;
  double dfr_small = w->N - (double)K - (double)w->d - sd;
  tfp_iv_arena mem = TFP_IV_ARENA_INIT;
  double *Vs = tfp_iv_take(&mem, ks * ks), *gb = tfp_iv_take(&mem, ks), *h = tfp_iv_take(&mem, ks);
  if (mem.oom) return TFP_ENOMEM;
  for (size_t i = 0; i < ks; i++) {
    gb[i] = h[i] = ws->b[i];
    for (size_t j = 0; j < ks; j++) Vs[i + j * ks] = ws->V[i + j * K];
  }
  r->F = r->F_p = NAN;
  r->F_df1 = (double)ks;
  r->F_df2 = r->vce == TFP_VCE_CLUSTER ? (double)r->N_clust - 1 : dfr_small;
  char why[256];
  if (ks > 0 && tfp_la_chol_solve(ks, Vs, 1, h, why, sizeof why) == TFP_OK) {
    double wald = 0;
    for (size_t i = 0; i < ks; i++) wald += gb[i] * h[i];
    double c = r->small ? 1.0
             : r->vce == TFP_VCE_CLUSTER ? (w->N - (double)K - sd) / (w->N - 1) *
                                            ((double)r->N_clust - 1) / (double)r->N_clust
                                        : dfr_small / Nd;
    r->F = wald / (double)ks * c;
    r->F_p = tfp_F_tail(r->F_df1, r->F_df2, r->F);
  }
  tfp_iv_arena_free(&mem);
  return TFP_OK;
}

int tfp_iv_estimate(const tfp_iv_work *w, const tfp_iv_design *g, size_t *rank_S, tfp_iv_result *r,
                    tfp_iv_notes *nb, char *err, size_t errlen)
{
  size_t n = w->n, K = g->K1 + g->K2, L = g->L1 + g->K2;
  workspace ws = {0};
  ws.A = tfp_iv_take(&ws.mem, K * K); ws.Bk = tfp_iv_take(&ws.mem, K * K); ws.S = tfp_iv_take(&ws.mem, L * L);
  ws.b = tfp_iv_take(&ws.mem, K); ws.e = tfp_iv_take(&ws.mem, n);
  ws.bg = tfp_iv_take(&ws.mem, K);
  ws.eg = ws.e;   /* GMM's residuals replace 2SLS's once S has them: one n-vector */
  ws.Vg = tfp_iv_take(&ws.mem, K * K); ws.V = tfp_iv_take(&ws.mem, K * K);
  int rc = ws.mem.oom ? tfp_iv_lost(TFP_ENOMEM, err, errlen) : TFP_OK;
  if (!rc) rc = two_step(w, g, &ws, rank_S, r, nb, err, errlen);
  if (!rc) rc = vce(w, g, &ws, r, err, errlen);
  if (!rc) {
    fit_stats(w, g, ws.e, r);
    if (coef_table(g, &ws, r) || model_F(w, g, &ws, r)) rc = tfp_iv_lost(TFP_ENOMEM, err, errlen);
  }
  if (!rc) {   /* overidentification: J of two-step GMM (Sargan when iid) */
    r->hansen_df = (double)(g->L1 - g->K1);
    r->hansen_j = g->L1 > g->K1 ? ws.J : 0.0;
    r->hansen_j_p = g->L1 > g->K1 ? tfp_chi2_tail(r->hansen_df, r->hansen_j) : NAN;
    r->sargan = r->vce == TFP_VCE_UNADJUSTED ? r->hansen_j : NAN;
    r->sargan_p = r->vce == TFP_VCE_UNADJUSTED ? r->hansen_j_p : NAN;
  }
  tfp_iv_arena_free(&ws.mem);
  return rc;
}
