/* fe.h — absorbing fixed effects.

   One FE: the within transformation (subtract group means), exact: one
   sweep, the same arithmetic for any options.
   Several FE: alternating projections (the method of Guimaraes & Portugal /
   Gaure's lfe), done in the space of the FE coefficients (as fixest): each
   sweep sets FE f's coefficients to the group means of x less the other
   FE's current coefficients (Gauss-Seidel over f), which is the same
   sequence as sweeping the group means out of x, but reads x and the codes
   and writes only the coefficients; x is residualised once at the end.
   Convergence rule (unchanged): stop after the first iteration (a sweep of
   every FE) whose largest coefficient change, over all FE and levels, is at
   most tol times the column's scale (its largest absolute value, 1 when
   zero); that change is the largest group mean the sweep would remove from
   x. accel = 1 (default): every third iteration is an Irons-Tuck
   extrapolation from the last two (c = GGc - <d1,d2>/<d2,d2> d1 with
   d1 = GGc - Gc, d2 = GGc - 2 Gc + c), the acceleration of fixest; the
   convergence test is only ever made on a plain sweep. accel = 0: plain
   alternating projections on x itself, sweep after sweep, the method and
   arithmetic before issue 14 (kept as the benchmarks' baseline). The degrees of freedom (sum of levels minus FE count plus one)
   are exact for connected FE such as unit and year.

   The columns are independent: they are handed to the threads of a pool
   (pool.h), one column an item, and each column's arithmetic is the same
   whichever thread runs it, so the results are bit-identical for any
   thread count. */
#ifndef TFP_FE_H
#define TFP_FE_H
#include <stddef.h>
#include "status.h"

typedef struct {
  double tol;     /* default 1e-10 */
  int maxit;      /* default 10000 */
  int accel;      /* default 1: Irons-Tuck acceleration (several FE) */
  int threads;    /* default 0: tfp_pool_default_threads() */
  tfp_progress_fn progress;   /* may stop the run (see status.h), or NULL */
  void *progress_ud;
} tfp_fe_opts;

void tfp_fe_opts_init(tfp_fe_opts *o);

/* Demean the nx columns xs[j] (n values each) in place. code[f][i] in
   0..G[f]-1 is the level of FE f at row i. *iters gets the sweeps used (max
   over columns). Fails with TFP_ENUMERIC when maxit is reached (the message
   names the first such column), TFP_ENOMEM, TFP_EINTR. */
int tfp_fe_demean(size_t n, const int *const *code, const size_t *G, size_t nfe,
                  double **xs, size_t nx, const tfp_fe_opts *o, int *iters,
                  char *err, size_t errlen);
#endif
