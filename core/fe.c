/* fe.c — see fe.h. */
#include "fe.h"
#include "frame.h"
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

void tfp_fe_opts_init(tfp_fe_opts *o) {
  memset(o, 0, sizeof *o);
  o->tol = 1e-10;
  o->maxit = 10000;
}

/* Subtract the group means of one FE; returns the largest absolute change. */
static double sweep(size_t n, const int *code, size_t G, double *x, double *sum, double *cnt) {
  memset(sum, 0, G * sizeof *sum);
  memset(cnt, 0, G * sizeof *cnt);
  for (size_t i = 0; i < n; i++) { sum[code[i]] += x[i]; cnt[code[i]] += 1; }
  double maxch = 0;
  for (size_t g = 0; g < G; g++) {
    sum[g] = cnt[g] > 0 ? sum[g] / cnt[g] : 0;
    if (fabs(sum[g]) > maxch) maxch = fabs(sum[g]);
  }
  for (size_t i = 0; i < n; i++) x[i] -= sum[code[i]];
  return maxch;
}

int tfp_fe_demean(size_t n, const int *const *code, const size_t *G, size_t nfe,
                  double **xs, size_t nx, const tfp_fe_opts *o_in, int *iters,
                  char *err, size_t errlen) {
  tfp_fe_opts o;
  if (o_in) o = *o_in; else tfp_fe_opts_init(&o);
  size_t Gmax = 1;
  for (size_t f = 0; f < nfe; f++) if (G[f] > Gmax) Gmax = G[f];
  double *sum = malloc(2 * Gmax * sizeof *sum);
  if (!sum) { if (err) snprintf(err, errlen, "out of memory: fixed effects"); return TFP_ENOMEM; }
  double *cnt = sum + Gmax;
  int worst = 0;
  for (size_t j = 0; j < nx; j++) {
    double *x = xs[j];
    double scale = 0;
    for (size_t i = 0; i < n; i++) if (fabs(x[i]) > scale) scale = fabs(x[i]);
    if (scale == 0) scale = 1;
    int it = 0;
    for (;;) {
      double ch = 0;
      for (size_t f = 0; f < nfe; f++) {
        double c = sweep(n, code[f], G[f], x, sum, cnt);
        if (c > ch) ch = c;
        /* after every sweep: one is two passes over n rows (a few ms per
           million), sixteen sweeps took seconds on tens of millions */
        if (o.progress && o.progress(o.progress_ud, "absorbing fixed effects", j, nx)) {
          free(sum);
          if (err) snprintf(err, errlen, "interrupted");
          return TFP_EINTR;
        }
      }
      it++;
      /* one FE: a single sweep is the exact within transformation */
      if (nfe == 1 || ch <= o.tol * scale) break;
      if (it >= o.maxit) {
        free(sum);
        if (err) snprintf(err, errlen, "alternating projections did not converge in %d iterations (column %zu)", it, j + 1);
        return TFP_ENUMERIC;
      }
    }
    if (it > worst) worst = it;
    if (o.progress && o.progress(o.progress_ud, "absorbing fixed effects", j + 1, nx)) {
      free(sum);
      if (err) snprintf(err, errlen, "interrupted");
      return TFP_EINTR;
    }
  }
  free(sum);
  if (iters) *iters = worst;
  return TFP_OK;
}
