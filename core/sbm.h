/* sbm.h — slacks-based measures of efficiency: SBM (Tone 2001), super-SBM
   (Tone 2002) and SBM with undesirable outputs (Tone 2004; Cooper, Seiford
   & Tone 2007, ch. 13). Formulas, as solved here (m inputs, s1 good and s2
   bad outputs; lambda >= 0, VRS adds sum lambda = 1):

   SBM, non-oriented:
     rho = min [1 - (1/m) sum s-_i/x_io] / [1 + (1/(s1+s2)) (sum s+_r/y_ro + sum sb_k/b_ko)]
     s.t. x_o = X lambda + s-, y_o = Y lambda - s+, b_o = B lambda + sb, slacks >= 0,
   solved after the Charnes-Cooper transformation (t = 1 / denominator).
   Input-oriented: rho = min 1 - (1/m) sum s-_i/x_io; output-oriented:
   rho = 1 / max [1 + (1/(s1+s2)) (sum s+/y + sum sb/b)], same constraints.
   0 < rho <= 1; rho = 1 on the (strongly efficient) frontier.

   Super-SBM (no bad outputs), the evaluated unit left out of the reference
   set: delta = min [(1/m) sum xbar_i/x_io] / [(1/s) sum ybar_r/y_ro] s.t.
   xbar >= X' lambda, ybar <= Y' lambda, xbar >= x_o, 0 <= ybar <= y_o;
   input-oriented ybar = y_o, output-oriented xbar = x_o. delta >= 1; for
   an SBM-inefficient unit the LP's value is exactly 1. The oriented VRS
   variants can be infeasible (status TFP_SBM_INFEASIBLE, NaN, counted).
   `score` is the usual super-SBM efficiency of applied work: delta for the
   SBM-efficient units (rho >= 1 - 1e-9, same orientation), rho for the
   others.

   LPs by GLPK through colgen.h (column generation; data scaled by powers
   of two; every score is units invariant).

   A distributed run (split, split.h): each part solves its block of the
   units against the whole technology, and every result is combined, so
   every part holds all of them. A block's first LP starts cold where one
   process starts it from its predecessor's columns and basis, which may
   move the last bits of a score (they agree to 1e-12); progress counts
   this part's LPs. */
#ifndef TFP_SBM_H
#define TFP_SBM_H
#include "green.h"
#include "split.h"

typedef enum { TFP_SBM_NONORIENTED = 0, TFP_SBM_INPUT = 1, TFP_SBM_OUTPUT = 2 } tfp_sbm_orientation;
enum { TFP_SBM_OPTIMAL = 0, TFP_SBM_INFEASIBLE = 1, TFP_SBM_FAILED = 2 };

typedef struct {
  int vrs;                          /* 0: CRS (default), 1: VRS */
  tfp_sbm_orientation orientation;  /* default non-oriented */
  int super;                        /* also the super-SBM */
  int want_slacks;                  /* SBM slacks (n x (n_in + n_out + n_bad)) */
  int colgen;                       /* default 1 (colgen.h); 0: full LPs */
  tfp_progress_fn progress;
  void *progress_ud;
  tfp_rows rows;
  int lp_memory_mb;
  tfp_split split;                  /* a distributed run (see above); default none */
} tfp_sbm_opts;

void tfp_sbm_opts_init(tfp_sbm_opts *o);

typedef struct {
  size_t n, n_var;
  double *rho;          /* n SBM scores; NaN when not optimal */
  int *status;          /* n TFP_SBM_* */
  double *slack;        /* n x n_var or NULL: s- (inputs), s+ (good), sb (bad), data units */
  double *super;        /* super: n super-SBM LP values (NaN when not optimal) */
  int *super_status;
  double *score;        /* super: delta where SBM-efficient, else rho */
  size_t n_lp, n_iter, n_failed, n_infeasible;
  size_t n_super_infeasible, n_super_failed;
} tfp_sbm_result;

int tfp_sbm_run(const tfp_green_data *d, const tfp_sbm_opts *o, tfp_sbm_result *res,
                char *err, size_t errlen);
void tfp_sbm_result_clear(tfp_sbm_result *res);
#endif
