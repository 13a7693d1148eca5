/* colgen.h — one envelopment LP over a reference technology, re-solved for
   unit after unit, with the reference units' columns priced in on demand
   (column generation). For the slacks-based and directional models
   (sbm.c, ddf.c, ml.c); GLPK only, always under tfp_glpk_guarded.

   Layout. Rows 1..n_data hold the data rows (one per variable; a reference
   unit's column has its scaled values there), row n_data + 1 the convexity
   row when conv (coefficient 1 per reference column), then n_extra rows
   with no reference entries. Columns 1..n_ucols are the model's own,
   unit-specific columns (t, slacks, beta); the model sets their
   coefficients, bounds and objective and every row's bounds through the
   glp_prob (tfp_cg_lp) before each tfp_cg_solve. Reference columns have
   objective 0 and lower bound 0.

   Solving. With colgen, the LP starts with no reference column; after each
   optimal solve, every reference column not in the LP is priced with the
   row duals (reduced cost -sum_i pi_i a_ik) and the most improving ones are
   added, until none improves: the answer is that of the full LP (the
   optimality conditions of the full LP hold), from LPs of a few dozen
   columns. An infeasible restricted LP is settled by a phase 1 (artificial
   columns, minimum infeasibility, itself by column generation): the full
   LP is infeasible exactly when that minimum is positive. Columns stay in
   the LP from one unit to the next (the warm start carries over). Without
   colgen every reference column is in the LP from the start. */
#ifndef TFP_COLGEN_H
#define TFP_COLGEN_H
#include <stddef.h>
#include <glpk.h>

enum { TFP_CG_OPTIMAL = 0, TFP_CG_INFEASIBLE = 1, TFP_CG_FAILED = 2 };

typedef struct {
  size_t n_data, n_extra, n_ucols;
  int conv;            /* convexity row present */
  int maximize;
  size_t n_ref;
  const double *ref;   /* n_data x n_ref, variable-major (ref[v * n_ref + k]), scaled */
  int colgen;          /* 1: price columns in; 0: all columns from the start */
} tfp_cg_spec;

typedef struct {
  tfp_cg_spec s;
  glp_prob *lp;
  size_t n_rows;
  int *col_of;         /* n_ref: LP column of reference unit k, 0 if not in */
  size_t *ref_of;      /* LP column - first_ref -> reference unit */
  size_t n_active;
  int first_art, first_ref;
  /* scratch */
  double *pi, *cand_d, *cand_tmp, *ucobj;
  size_t *cand_k;
  int *ind;
  double *val;
  size_t n_iter, n_added, n_phase1;
} tfp_cg;

/* Scratch memory (outside the guard); TFP_OK or TFP_ENOMEM. */
int tfp_cg_init(tfp_cg *c, const tfp_cg_spec *s);
/* The LP itself (inside the guard). */
void tfp_cg_build(tfp_cg *c);
/* Solve for the unit set up by the caller. must: a reference unit put into
   the LP first (the evaluated unit itself, so that the first LP is
   feasible), or -1; exclude: a reference unit kept out (super-efficiency),
   or -1. *obj: the optimal objective. */
int tfp_cg_solve(tfp_cg *c, long must, long exclude, double *obj);
/* Keep the LP small: with more than keep_max reference columns in it, every
   nonbasic one leaves (the basis stays valid; pricing brings back any that
   a later unit needs). */
void tfp_cg_trim(tfp_cg *c, size_t keep_max);
/* Lambda of reference unit k in the last optimal solution. */
double tfp_cg_lambda(const tfp_cg *c, size_t k);
/* Delete the LP (inside the guard); with lost (after a GLPK fatal error,
   when GLPK has freed it already) only forget it. Then free the scratch. */
void tfp_cg_free(tfp_cg *c, int lost);
#endif
