/* dea.h — radial technical efficiency by data envelopment analysis, as
   Coelli's DEAP 2.1 computes it (envelopment form, one LP per evaluated unit).

   Conventions (DEAP's): input orientation reports theta (<= 1 against a
   technology the unit belongs to), output orientation reports 1/phi (<= 1).
   Against another technology (a different period, or super-efficiency) the
   score may exceed 1. rts: CRS, VRS (sum lambda = 1), NIRS (sum <= 1),
   NDRS (sum >= 1).

   Data: n units with n_in inputs and n_out outputs given as column pointers
   (x[i][j] = input i of unit j). The reference technology is another set of
   units (ref), or the evaluated units themselves when ref is NULL.

   Numerics: LPs are solved by GLPK's simplex with terminal output off and
   its fatal errors caught (returned as TFP_ENUMERIC). Every input and output
   column is divided by the power of two nearest its geometric mean over the
   reference units before solving (exact, and safe at 1e308 or 1e-300);
   radial scores do not change under that, and badly scaled data (values up
   to 1e7 beside values near 1) otherwise give wrong "optimal" answers. By
   default one LP is built per reference technology and re-solved for each
   evaluated unit by changing only that unit's coefficients, starting from
   the previous optimal basis (warm start); warm_start = 0 builds one LP per
   unit from scratch (the baseline the benchmark compares against).
   Reference units that cannot be peers are left out of the LPs (screen = 1):
   units dominated by another (no more input, no less output) up front, and,
   when the units are their own reference, each unit once its own score
   shows it inefficient (such units are evaluated first). Both lie inside the
   technology the others span under every returns to scale, so no score
   changes; peers are still numbered by reference unit (never those).

   Peers (want_lambda) are stored sparsely: an optimal basic solution has at
   most one nonzero per LP row, so each unit has at most max_peers = n_in +
   n_out + 1 peers; 30,000 units take megabytes, not the 7 GB of an n x n
   matrix.

   GLPK's fatal errors (an allocation failure inside GLPK included, and a
   failure to initialise its environment) become TFP_ENOMEM or TFP_ENUMERIC
   with a message; GLPK never aborts the process or prints.

   Slacks (want_slacks): DEAP 2.1's "2-stage" method. With the radial score
   fixed, a second LP maximises the sum of input and output slacks (in the
   data's units); targets are theta*x - s_in, y + s_out (input orientation)
   or x - s_in, phi*y + s_out (output orientation).

   Outcomes of the data are not errors: an infeasible LP (possible against
   another technology under VRS/NIRS/NDRS, or for super-efficiency) gives
   NaN with status TFP_DEA_INFEASIBLE, counted in n_infeasible. */
#ifndef TFP_DEA_H
#define TFP_DEA_H
#include <stddef.h>
#include "frame.h"
#include "pool.h"

typedef enum { TFP_RTS_CRS = 0, TFP_RTS_VRS, TFP_RTS_NIRS, TFP_RTS_NDRS } tfp_dea_rts;
typedef enum { TFP_DEA_INPUT = 0, TFP_DEA_OUTPUT = 1 } tfp_dea_orientation;

/* Per-unit LP outcome. */
enum { TFP_DEA_OPTIMAL = 0, TFP_DEA_INFEASIBLE = 1, TFP_DEA_FAILED = 2,
       TFP_DEA_SKIPPED = 3 /* outside [unit_begin, unit_end) */ };

/* Progress callback: returns non-zero to stop the run (it then fails with
   TFP_EINTR, "interrupted"). */

/* Optimal bases (cert.h codes) carried from one hull-path run to the next
   over the same frame, returns to scale and orientation: the LPs of the
   units of t - 1 and t + 1 against technology t start from those of t's
   own, whose facets they mostly share. */
enum { TFP_DEA_BASES = 16, TFP_DEA_BASIS_ROWS = 64 };
typedef struct {
  size_t n, m;                     /* bases, codes each */
  int basis[TFP_DEA_BASES * TFP_DEA_BASIS_ROWS];
} tfp_dea_bases;

typedef struct {
  tfp_dea_rts rts;                 /* default CRS */
  tfp_dea_orientation orientation; /* default input */
  int warm_start;                  /* default 1; 0 = one LP per unit from scratch */
  int screen;                      /* default 1: leave dominated reference units out
                                      of the LP, and (own technology, warm start)
                                      each unit found inefficient out of the LPs
                                      that follow; scores do not change. Not done
                                      for super-efficiency. */
  int super;                       /* Andersen-Petersen: evaluated unit left out of
                                      its own reference set (ref must be NULL) */
  int want_lambda;                 /* fill the peers (n_peers, peer, peer_weight) */
  int want_slacks;                 /* DEAP's second stage: fill slack (n x (n_in +
                                      n_out)); lambda then comes from it */
  tfp_progress_fn progress;        /* called now and then, or NULL */
  void *progress_ud;
  tfp_rows rows, ref_rows;         /* name the units of eval and ref in messages
                                      (default: "row i") */
  int lp_memory_mb;                /* cap on GLPK's memory in MB (glp_mem_limit); 0: none */
  int hull;                        /* default 1: with warm_start and screen (and not
                                      super), every unit's LP is over the frame of the
                                      reference technology only (hull.h): near-linear
                                      in n, the same scores; 0: today's screening */
  int threads;                     /* hull path: 0 = tfp_pool_default_threads()
                                      (TFP_THREADS or all cores), 1 = the caller's
                                      thread; results bit-identical for any count */
  tfp_pool *pool;                  /* or NULL: a pool of `threads` for this run */
  const size_t *frame;             /* or NULL: the frame of the reference technology
                                      (tfp_dea_frame, same rts), reused as given */
  size_t n_frame;
  const size_t *frame_among;       /* or NULL: the frame is searched among these
                                      units only (ascending), a superset of it whose
                                      technology holds every unit's: the VRS frame
                                      spans the CRS technology too */
  size_t n_frame_among;
  tfp_dea_bases *bases;            /* or NULL: hull path, bases remembered first (as
                                      given at the start; n = 0: none) and the last
                                      chunk's left at the end (see tfp_dea_bases) */
  size_t unit_begin, unit_end;     /* hull path: evaluate only units [begin, end)
                                      (0, 0: all); others get NaN, TFP_DEA_SKIPPED.
                                      The entry point for splitting a run (MPI) */
} tfp_dea_opts;

void tfp_dea_opts_init(tfp_dea_opts *o);

/* A set of units. Names are used in messages (may be NULL: "input 1"). */
typedef struct {
  size_t n;                        /* units */
  size_t n_in, n_out;
  const double *const *x;          /* n_in columns of n values */
  const double *const *y;          /* n_out columns of n values */
  const char *const *x_names;      /* n_in names, or NULL */
  const char *const *y_names;      /* n_out names, or NULL */
} tfp_dea_data;

typedef struct {
  size_t n, n_ref;
  double *eff;          /* n scores, DEAP's convention; NaN when not optimal */
  int *status;          /* n TFP_DEA_* codes */
  size_t max_peers;     /* peer slots per unit (want_lambda) */
  size_t *n_peers;      /* n counts, or NULL: unit j's peers are the first
                           n_peers[j] of its slots j * max_peers ... */
  size_t *peer;         /* ... reference units (0-based), ascending, */
  double *peer_weight;  /* ... and their lambdas (|lambda| >= 1e-12) */
  double *slack;        /* n * (n_in + n_out) or NULL: input slacks then output
                           slacks, in the data's units; NaN without a score */
  size_t n_lp;          /* LPs solved */
  size_t n_iter;        /* simplex iterations, all LPs */
  size_t n_cols;        /* reference units in the LP after screening */
  size_t n_infeasible;  /* units with status TFP_DEA_INFEASIBLE */
  size_t n_failed;      /* units with status TFP_DEA_FAILED (solver gave up) */
  size_t n_slack_failed;/* second-stage LPs that failed (their slacks are NaN) */
} tfp_dea_result;

/* Check a data set: every input and output finite and > 0, and (for a
   reference technology) at least n_in + n_out units. Messages name the
   variable and the unit (rows names it; NULL: the row, 1-based). `what`
   prefixes the message ("reference"). */
int tfp_dea_check(const tfp_dea_data *d, int as_reference, const char *what, const tfp_rows *rows,
                  char *err, size_t errlen);

/* Scores of the units in `eval` against the technology spanned by `ref`
   (or by eval itself when ref is NULL). Fills *res, the caller's struct
   (release its members with tfp_dea_result_clear). */
int tfp_dea_run(const tfp_dea_data *eval, const tfp_dea_data *ref,
                const tfp_dea_opts *o, tfp_dea_result *res, char *err, size_t errlen);

/* The frame of the technology `ref` spans under o->rts (hull.h): *frame
   (malloc'ed, the caller frees) gets its units ascending, *n_frame their
   count. Uses o->threads / o->pool, o->progress and o->lp_memory_mb. */
int tfp_dea_frame(const tfp_dea_data *ref, const tfp_dea_opts *o, size_t **frame, size_t *n_frame,
                  char *err, size_t errlen);

/* Free the members of a result filled by tfp_dea_run and zero it; a
   cleared or zeroed result may be cleared again. */
void tfp_dea_result_clear(tfp_dea_result *res);

/* Scale efficiency and the nature of returns to scale, as DEAP reports them
   from three runs of the same orientation: scale = crs/vrs; the nature is crs
   when |scale - 1| <= tol, else drs when the NIRS score equals the VRS score
   (within tol) and irs when it does not. NaN in any score gives scale NaN and
   nature -1. */
enum { TFP_RTS_NATURE_CRS = 0, TFP_RTS_NATURE_IRS = 1, TFP_RTS_NATURE_DRS = 2 };
void tfp_dea_scale_nature(size_t n, const double *crs, const double *vrs,
                          const double *nirs, double tol, double *scale, int *nature);
#endif
