/* hull.h — the frame of a DEA technology and the radial envelopment LP over
   a set of reference columns, for dea.c (and any model whose technology is
   the free-disposal hull's convex or conical closure).

   The frame. A technology T spanned by n reference units (inputs x,
   outputs y; free disposal; CRS: a cone, VRS/NIRS/NDRS: a convex set with
   the convexity row's bound) is spanned as well by its extreme efficient
   units alone: every other unit is a combination of those. Every radial
   score against T is therefore the score against the frame, whose LP has a
   few dozen columns instead of n (Dula 2011's BuildHull; Khezrimotlagh,
   Zhu, Cook & Toloo 2019). tfp_hull_frame finds a superset of the frame
   (every unit it leaves out lies inside the technology the kept ones span;
   no unit it keeps is dominated by another kept one):

     frame(Q):  |Q| small: each unit's input-oriented LP against Q, the
                columns of units found inefficient (score < 1 - 1e-6) left
                out as they are found; the rest is the frame.
                Else: F = frame(every 8th unit of Q); price every other unit
                of Q against F (its LP over F's columns): a unit with a score
                below 1 - 1e-9 lies inside T(F), the others (on or beyond
                T(F)'s boundary, or infeasible) are violated columns, added:
                frame(Q) = frame(F + those), one round smaller by half or
                more (else the small case on F + those).

   Every LP is GLPK's (tfp_glpk_guarded); the pricing LPs run in chunks of
   consecutive units through a pool (pool.h), each chunk in one thread from
   a freshly built LP, so the frame does not depend on the thread count.
   Progress: asked per LP (in the caller's thread) or per 50 ms (pool);
   a non-zero answer stops the search with TFP_EINTR. */
#ifndef TFP_HULL_H
#define TFP_HULL_H
#include <stddef.h>
#include "pool.h"

/* The radial envelopment LP over n_ref reference columns: column 1 is theta
   (input orientation: minimised) or phi (output: maximised), columns 2.. the
   lambdas; rows the inputs, the outputs, then the convexity row unless conv
   is TFP_CONV_NONE (CRS; sum lambda = 1 VRS, <= 1 NIRS, >= 1 NDRS). GLPK
   stays private to the .c files: the LP is a struct glp_prob pointer. */
enum { TFP_CONV_NONE = 0, TFP_CONV_EQ, TFP_CONV_LE, TFP_CONV_GE };
struct glp_prob;
typedef struct {
  struct glp_prob *lp;
  size_t n_in, n_out, n_ref;
  int output;      /* 1: output orientation */
  int conv;        /* TFP_CONV_* */
  int *ind;        /* 1 + n_in + n_out slots (GLPK is 1-based) */
  double *val;
} tfp_radial_lp;

enum { TFP_RADIAL_OPTIMAL = 0, TFP_RADIAL_INFEASIBLE = 1, TFP_RADIAL_FAILED = 2 };

/* Non-zeros of the LP's matrix (ia, ja, ar: this many + 1 slots). */
size_t tfp_radial_nnz(size_t n_in, size_t n_out, size_t n_ref);
/* Build it (inside the guard); xys: (n_in + n_out) x n_ref, variable-major. */
void tfp_radial_build(tfp_radial_lp *d, const double *xys, int *ia, int *ja, double *ar);
/* Put the evaluated unit's scaled inputs x0 and outputs y0 into the LP. */
void tfp_radial_set_unit(tfp_radial_lp *d, const double *x0, const double *y0);
/* Solve from the basis the LP holds (the standard basis if GLPK rejects it). */
int tfp_radial_solve(tfp_radial_lp *d, double *obj);

/* The same LP by column generation (colgen.h) over the columns cx
   ((n_in + n_out) x n_cols, variable-major): each solve starts from the
   columns the last one left in, prices the others with the row duals and
   adds the improving ones until none improves (the full LP's optimum); an
   infeasible restricted LP goes through colgen's phase 1. Nonbasic columns
   leave once more than a few dozen are in. Up to 192 columns every one is
   in the LP from the start instead (one glp_simplex call per solve). new/free
   outside the guard, build/solve inside. */
typedef struct tfp_radial_cg tfp_radial_cg;
tfp_radial_cg *tfp_radial_cg_new(size_t n_in, size_t n_out, int output, int conv, const double *cx, size_t n_cols);
/* Settle each LP first, when it can, by an optimal basis of an earlier one
   (cert.h: no GLPK call); GLPK's optimal bases are remembered for it. The
   scores are the LP's optimum either way; under alternative optima the
   peers may be another optimal solution than GLPK's. TFP_OK or TFP_ENOMEM. */
int tfp_radial_cg_use_cert(tfp_radial_cg *r);
void tfp_radial_cg_build(tfp_radial_cg *r);
int tfp_radial_cg_solve(tfp_radial_cg *r, const double *x0, const double *y0, double *obj);
/* Columns with |lambda| >= 1e-12 in the last optimal solution, ascending:
   their column numbers into k, lambdas into w (at most max); the count. */
size_t tfp_radial_cg_peers(const tfp_radial_cg *r, size_t *k, double *w, size_t max);
size_t tfp_radial_cg_iterations(const tfp_radial_cg *r);
/* The cert's bases (tfp_cert_bases; 0 without one), and bases of another
   run over the same columns remembered, the first (most recent) last. */
size_t tfp_radial_cg_bases(const tfp_radial_cg *r, int *out, size_t max);
void tfp_radial_cg_seed(tfp_radial_cg *r, const int *bases, size_t n);
void tfp_radial_cg_free(tfp_radial_cg *r, int lost);

/* Units of xys (n_in + n_out rows, n_ref columns, variable-major) that no
   other unit dominates (no more of any input, no less of any output); of
   exact duplicates the first is kept. cols: n_ref slots, filled ascending. */
int tfp_hull_undominated(const double *xys, size_t n_in, size_t n_out, size_t n_ref, size_t *cols,
                         size_t *n_cols);

typedef struct {
  size_t n_in, n_out, n_ref;
  const double *xys;          /* scaled, variable-major (xys[v * n_ref + k]) */
  int conv;                   /* as in tfp_radial_lp */
  tfp_pool *pool;             /* or NULL: every LP in the caller's thread */
  tfp_progress_fn progress;   /* or NULL */
  void *progress_ud;
  int lp_memory_mb;           /* GLPK's memory cap (0: none) */
  const size_t *among;        /* or NULL: the search starts from these units only
                                 (ascending), every other one inside their
                                 technology: e.g. the VRS frame for CRS */
  size_t n_among;
} tfp_hull_spec;

/* The frame (a superset, see above): frame (n_ref slots) gets its units,
   ascending, *n_frame their count. TFP_OK, TFP_ENOMEM, TFP_ENUMERIC (a GLPK
   fatal error) or TFP_EINTR, with a message. */
int tfp_hull_frame(const tfp_hull_spec *s, size_t *frame, size_t *n_frame, char *err, size_t errlen);

/* Run fn over [0, n) in chunks of `grain` (fixed, whatever the thread
   count) through pool, or in the caller's thread when pool is NULL; fn's
   ctx is NULL there. Progress as tfp_pool_for through the pool; inline,
   fn asks it itself (tfp_hull_stop, after each LP).
   For the LP passes of hull.c and dea.c. A failing chunk reports its text
   with tfp_hull_chunk_error: through the pool, or (inline) into msg, the
   buffer tfp_hull_for then copies into err. */
typedef int (*tfp_hull_chunk_fn)(void *ud, size_t begin, size_t end, tfp_pool_ctx *ctx);
int tfp_hull_for(tfp_pool *pool, size_t n, size_t grain, tfp_hull_chunk_fn fn, void *ud, const char *msg,
                 tfp_progress_fn progress, void *progress_ud, const char *what, char *err, size_t errlen);
void tfp_hull_chunk_error(tfp_pool_ctx *ctx, char *msg, size_t msglen, const char *text);
/* Should a chunk stop: tfp_pool_stopping(ctx) in the pool, else the
   progress callback's answer (done of total). */
int tfp_hull_stop(tfp_pool_ctx *ctx, tfp_progress_fn progress, void *progress_ud, const char *what,
                  size_t done, size_t total);
#endif
