/* ddf.h — the directional distance function with weakly disposable bad
   outputs (Chung, Fare & Grosskopf 1997):

     D(x_o, y_o, b_o; g) = max beta
       s.t. sum_j lambda_j x_j + beta g_x <= x_o,
            sum_j lambda_j y_j - beta g_y >= y_o,
            sum_j lambda_j b_j + beta g_b  = b_o   (weak disposability),
            lambda >= 0 (CRS); VRS adds sum_j lambda_j = 1.

   The direction g is the observed one (g_x = 0, g_y = y_o, g_b = b_o),
   unless given per variable (columns of the evaluated units' values; a
   NULL column is 0), every g finite and >= 0 and not all 0 for a unit.
   beta is free in sign: 0 on the frontier, > 0 inside it, < 0 outside
   (an observation against another period's or group's technology). With
   bad outputs such an LP can be infeasible (the equality cannot be met):
   status TFP_DDF_INFEASIBLE, beta NaN, counted. Without bad outputs it is
   the plain output DDF (observed direction: Farrell output phi - 1).

   LPs by GLPK through colgen.h, one LP per reference technology re-solved
   for every evaluated unit; the data are scaled by powers of two (beta is
   units invariant when the direction is measured in the same units).

   A distributed run (split, split.h): each part solves its block of each
   evaluated set's units, and the betas, statuses and counts are combined,
   so every part holds all of them. A block's first LP starts from another
   basis than one process's, which may move the last bits of a beta (they
   agree to 1e-12). */
#ifndef TFP_DDF_H
#define TFP_DDF_H
#include "green.h"
#include "split.h"

enum { TFP_DDF_OPTIMAL = 0, TFP_DDF_INFEASIBLE = 1, TFP_DDF_FAILED = 2 };

typedef struct {
  int vrs;                          /* 0: CRS (default), 1: VRS */
  int colgen;                       /* default 1 */
  tfp_progress_fn progress;         /* per LP; what = "ddf" unless progress_what */
  void *progress_ud;
  const char *progress_what;
  size_t progress_done, progress_total;   /* offsets when part of a larger job */
  tfp_rows ref_rows;                /* names reference units in messages */
  int lp_memory_mb;
  tfp_split split;                  /* a distributed run (see above); default none */
} tfp_ddf_opts;

void tfp_ddf_opts_init(tfp_ddf_opts *o);

/* One set of units evaluated against the reference technology. */
typedef struct {
  const tfp_green_data *d;          /* same variables as the reference */
  const long *self;                 /* each unit's index in the reference set
                                       (its own column, put in the LP first), or
                                       NULL; a negative entry: not in it */
  const double *const *direction;   /* NULL: observed; else n_in + n_out + n_bad
                                       columns of d->n values (NULL column = 0) */
  tfp_rows rows;                    /* names the evaluated units in messages */
  double *beta;                     /* out: d->n values, NaN when not optimal */
  int *status;                      /* out: d->n TFP_DDF_* codes */
} tfp_ddf_eval;

typedef struct { size_t n_lp, n_iter, n_infeasible, n_failed, n_phase1; } tfp_ddf_stats;

/* Evaluate each of the n_eval sets against the technology of ref (one LP).
   Checks the data (reference and evaluated units) and the directions; adds
   to *stats. */
int tfp_ddf_solve(const tfp_green_data *ref, tfp_ddf_eval *ev, size_t n_eval, const tfp_ddf_opts *o,
                  tfp_ddf_stats *stats, char *err, size_t errlen);

typedef struct {
  size_t n;
  double *beta;
  int *status;
  tfp_ddf_stats stats;
} tfp_ddf_result;

/* The units of eval against the technology of ref (NULL: eval's own, each
   unit's column put first). direction as in tfp_ddf_eval; rows names eval's
   units. */
int tfp_ddf_run(const tfp_green_data *eval, const tfp_green_data *ref, const double *const *direction,
                const tfp_ddf_opts *o, const tfp_rows *rows, tfp_ddf_result *res, char *err, size_t errlen);
void tfp_ddf_result_clear(tfp_ddf_result *res);
#endif
