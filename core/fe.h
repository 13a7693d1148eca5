/* fe.h — absorbing fixed effects.

   One FE: the within transformation (subtract group means), exact.
   Several FE: alternating projections (the method of Guimaraes & Portugal /
   Gaure's lfe): sweep group means of each FE in turn until the largest
   change in a sweep is below tol times the column's scale. This is the
   large-data path; its degrees of freedom (sum of levels minus FE count
   plus one) are exact for connected FE such as unit and year. */
#ifndef TFP_FE_H
#define TFP_FE_H
#include <stddef.h>
#include "status.h"

typedef struct {
  double tol;     /* default 1e-10 */
  int maxit;      /* default 10000 */
  tfp_progress_fn progress;   /* may stop the run (see status.h), or NULL */
  void *progress_ud;
} tfp_fe_opts;

void tfp_fe_opts_init(tfp_fe_opts *o);

/* Demean the nx columns xs[j] (n values each) in place. code[f][i] in
   0..G[f]-1 is the level of FE f at row i. *iters gets the sweeps used (max
   over columns). Fails with TFP_ENUMERIC when maxit is reached. */
int tfp_fe_demean(size_t n, const int *const *code, const size_t *G, size_t nfe,
                  double **xs, size_t nx, const tfp_fe_opts *o, int *iters,
                  char *err, size_t errlen);
#endif
