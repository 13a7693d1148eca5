/* boot.h — smoothed bootstraps of radial DEA scores (Simar & Wilson 1998) and
   of DEA-Malmquist indexes (Simar & Wilson 1999), replications run on a
   thread pool (pool.h), each replication drawing from its own random stream
   (rng.h: stream b of the seed), so the numbers are the same for any number
   of threads.

   Scores are in DEAP's convention (dea.h: eff <= 1 on the own frontier, for
   both orientations); the bootstrap works on d = 1/eff >= 1 (the Shephard
   input distance, or Farrell's output phi).

   tfp_dea_boot follows Benchmarking 0.33's dea.boot step for step:
     - bandwidth (when o->bandwidth is not > 0): dea.boot's rule,
       tfp_boot_bandwidth: zeff = the scores of units with d > 1 + 1e-6,
       neff = (zeff, 2 - zeff), adjust = sd(d) / sd(neff) * (|neff| / n)^(1/5),
       s = sd(neff), or IQR(neff)/1.349 when 1e-6 < that < s,
       h = adjust * 0.9 * s * |neff|^(-1/5)   (sd with n - 1, IQR by R's type 7);
     - replication b: beta = n draws from (d, 2 - d), e = beta + h z,
       d* = mean(beta) + (e - mean(beta)) / sqrt(1 + h^2 / var(d, 2 - d)),
       reflected (d* < 1: 2 - d*); pseudo data x* = x d* / d (input orientation;
       output: y* = y d / d*); boot[b] = the scores of the original units
       against the technology of the pseudo data;
     - d_bc = 2 d - mean(1/boot), bias = eff - eff_bc with eff_bc = 1/d_bc,
       the (1 - alpha) interval: d + quantile(d - 1/boot, (alpha/2, 1 -
       alpha/2), R's type 9), inverted (lower from the upper end),
       var = var(boot).

   tfp_malmquist_boot: for each pair of adjacent periods (s, t), the pairs
   (d_s, d_t) of the CRS own-period distances of the units present in both
   are resampled by a bivariate reflected kernel (Simar & Wilson 1999): rows
   of the 4n-row reflected set [(d_s, d_t), (2-d_s, d_t), (d_s, 2-d_t),
   (2-d_s, 2-d_t)] are drawn, normal noise h * N(0, S) added (S: the pairs'
   covariance, its off-diagonal sign flipped for the rows reflected in one
   coordinate), shrunk toward the draws' mean by 1/sqrt(1 + h^2) and
   reflected back into [1, inf); units present in one of the periods only
   take that coordinate. Pseudo data of s and t as above; the index and its
   parts (DEAP's formulas, malmquist.h) of the original observations
   against the pseudo technologies; bias-corrected 2 M - mean(M*) and the
   basic bootstrap interval (2 M - q(1 - alpha/2), 2 M - q(alpha/2)) of each
   of effch, techch, pech, sech, tfpch. Bandwidth: o->bandwidth, or the
   normal reference rule of a bivariate kernel whose covariance is the
   data's, h = (4 / ((d + 2) n))^(1 / (d + 4)) = n^(-1/6) (d = 2).

   A distributed run (split, split.h): each part runs its block of the
   replications (of each pair of periods) and the blocks are combined, so
   every part holds every replication; replication b draws from stream b
   whoever runs it, and the point estimates are solved whole on every part
   (a small share of the LPs; the Malmquist options' own split is not
   used), so the results are one process's bit for bit. Progress counts
   this part's replications. */
#ifndef TFP_BOOT_H
#define TFP_BOOT_H
#include <stdint.h>
#include "dea.h"
#include "malmquist.h"
#include "pool.h"
#include "split.h"

typedef struct {
  size_t reps;              /* replications; default 2000 */
  uint64_t seed;            /* default 1 */
  double bandwidth;         /* > 0: used as is; default 0: the rule above */
  double alpha;             /* intervals at 1 - alpha; default 0.05 */
  int threads;              /* 0: tfp_pool_default_threads() */
  tfp_pool *pool;           /* run on this pool instead of a new one */
  int keep_replicates;      /* tfp_dea_boot: keep the reps x n scores */
  tfp_split split;          /* a distributed run (see above); default none */
} tfp_boot_opts;

void tfp_boot_opts_init(tfp_boot_opts *o);

typedef struct {
  size_t n, reps;
  double h;                          /* the bandwidth used */
  double *eff, *eff_bc, *bias, *lower, *upper, *var;   /* n each */
  double *boot_mean, *boot_sd;       /* n each: mean, sd of 1/boot (Shephard) */
  double *replicates;                /* reps x n (replication-major), or NULL */
  size_t n_lp, n_infeasible;         /* replicate LPs; those without a score */
  int threads;                       /* worker threads used */
} tfp_boot_result;

/* dea.boot's bandwidth from n scores in DEAP's convention. NaN when fewer
   than two units are inefficient. */
double tfp_boot_bandwidth(const double *eff, size_t n);

/* R's quantile of type 9 (approximately median-unbiased) of x (n values,
   sorted ascending) at p. */
double tfp_quantile9(const double *sorted, size_t n, double p);

/* The bootstrap of the scores of d against itself; dopt gives rts,
   orientation, progress (asked by replications done) and row names.
   Release with tfp_boot_result_clear (status.h). */
int tfp_dea_boot(const tfp_dea_data *d, const tfp_dea_opts *dopt, const tfp_boot_opts *o,
                 tfp_boot_result *res, char *err, size_t errlen);
void tfp_boot_result_clear(tfp_boot_result *res);

typedef struct {
  tfp_malmquist_result mq;              /* the point estimates (tfp_malmquist_run) */
  size_t reps;
  double *h;                            /* n_periods: bandwidth of the pair ending there (NaN for the first) */
  double *bc[TFP_MQ_NCOMP];             /* n each, on the later period's row; NaN without a change */
  double *lower[TFP_MQ_NCOMP], *upper[TFP_MQ_NCOMP];
  size_t n_lp, n_infeasible;            /* replicate LPs; those without a score */
  int threads;
} tfp_malmquist_boot_result;

/* Point estimates as tfp_malmquist_run (contemporaneous reference only),
   then the bootstrap. Release with tfp_malmquist_boot_result_clear. */
int tfp_malmquist_boot(const tfp_dea_data *d, const int *unit, size_t n_units, const double *time,
                       const tfp_malmquist_opts *mo, const tfp_boot_opts *o,
                       tfp_malmquist_boot_result *res, char *err, size_t errlen);
void tfp_malmquist_boot_result_clear(tfp_malmquist_boot_result *res);
#endif
