/* colgen.c — envelopment LPs by column generation on GLPK (see colgen.h). */
#include "colgen.h"

#include <math.h>
#include <stdlib.h>
#include <string.h>

#define CG_ADD_MAX 64        /* columns added per pricing round */
#define CG_TOL_DJ 1e-9       /* a reduced cost that improves (scaled data) */
#define CG_TOL_PHASE1 1e-8   /* phase-1 minimum above which the LP is infeasible */

int tfp_cg_init(tfp_cg *c, const tfp_cg_spec *s) {
  memset(c, 0, sizeof *c);
  c->s = *s;
  c->n_rows = s->n_data + (s->conv ? 1 : 0) + s->n_extra;
  size_t nr = s->n_ref ? s->n_ref : 1, m = c->n_rows + 1;
  c->col_of = calloc(nr, sizeof *c->col_of);
  c->ref_of = malloc(nr * sizeof *c->ref_of);
  c->pi = malloc(m * sizeof *c->pi);
  c->cand_d = malloc(nr * sizeof *c->cand_d);
  c->cand_k = malloc(nr * sizeof *c->cand_k);
  c->cand_tmp = malloc(nr * sizeof *c->cand_tmp);
  c->ucobj = malloc((s->n_ucols + 1) * sizeof *c->ucobj);
  c->ind = malloc((m + 1) * sizeof *c->ind);
  c->val = malloc((m + 1) * sizeof *c->val);
  if (!c->col_of || !c->ref_of || !c->pi || !c->cand_d || !c->cand_k || !c->cand_tmp || !c->ucobj || !c->ind || !c->val) {
    tfp_cg_free(c, 1);
    return 1;
  }
  return 0;
}

void tfp_cg_free(tfp_cg *c, int lost) {
  if (c->lp && !lost) glp_delete_prob(c->lp);
  c->lp = NULL;
  free(c->col_of); free(c->ref_of); free(c->pi); free(c->cand_d); free(c->cand_k); free(c->cand_tmp);
  free(c->ucobj); free(c->ind); free(c->val);
  c->col_of = NULL; c->ref_of = NULL; c->pi = NULL; c->cand_d = NULL; c->cand_k = NULL; c->cand_tmp = NULL;
  c->ucobj = NULL; c->ind = NULL; c->val = NULL;
}

static void add_ref(tfp_cg *c, size_t k) {
  const tfp_cg_spec *s = &c->s;
  int col = glp_add_cols(c->lp, 1);
  glp_set_col_bnds(c->lp, col, GLP_LO, 0.0, 0.0);
  int m = 0;
  for (size_t v = 0; v < s->n_data; v++) {
    double a = s->ref[v * s->n_ref + k];
    if (a != 0) { m++; c->ind[m] = (int)v + 1; c->val[m] = a; }
  }
  if (s->conv) { m++; c->ind[m] = (int)s->n_data + 1; c->val[m] = 1.0; }
  glp_set_mat_col(c->lp, col, m, c->ind, c->val);
  c->col_of[k] = col;
  c->ref_of[col - c->first_ref] = k;
  c->n_active++;
}

void tfp_cg_build(tfp_cg *c) {
  const tfp_cg_spec *s = &c->s;
  c->lp = glp_create_prob();
  glp_set_obj_dir(c->lp, s->maximize ? GLP_MAX : GLP_MIN);
  glp_add_rows(c->lp, (int)c->n_rows);
  glp_add_cols(c->lp, (int)(s->n_ucols + 2 * c->n_rows));
  c->first_art = (int)s->n_ucols + 1;
  c->first_ref = c->first_art + 2 * (int)c->n_rows;
  /* artificial columns +e_i and -e_i, fixed at 0 outside phase 1 */
  for (size_t i = 0; i < c->n_rows; i++)
    for (int sg = 0; sg < 2; sg++) {
      int col = c->first_art + 2 * (int)i + sg;
      int row[2] = { 0, (int)i + 1 };
      double one[2] = { 0, sg ? -1.0 : 1.0 };
      glp_set_mat_col(c->lp, col, 1, row, one);
      glp_set_col_bnds(c->lp, col, GLP_FX, 0.0, 0.0);
    }
  memset(c->col_of, 0, (s->n_ref ? s->n_ref : 1) * sizeof *c->col_of);
  c->n_active = 0;
  if (!s->colgen)
    for (size_t k = 0; k < s->n_ref; k++) add_ref(c, k);
}

/* One solve of the LP as it stands. */
static int lp_once(tfp_cg *c, int primal) {
  glp_smcp parm;
  glp_init_smcp(&parm);
  parm.msg_lev = GLP_MSG_OFF;
  parm.meth = primal ? GLP_PRIMAL : GLP_DUALP;
  int it0 = glp_get_it_cnt(c->lp);
  int ret = glp_simplex(c->lp, &parm);
  if (ret == GLP_EBADB || ret == GLP_ESING || ret == GLP_ECOND || ret == GLP_EFAIL) {
    glp_std_basis(c->lp);
    ret = glp_simplex(c->lp, &parm);
  }
  int st = ret == 0 ? glp_get_status(c->lp) : -1;
  if (ret == 0 && st != GLP_OPT && st != GLP_NOFEAS && !primal) {
    /* dual simplex may stop at a dual-infeasible basis; primal settles it */
    parm.meth = GLP_PRIMAL;
    ret = glp_simplex(c->lp, &parm);
    st = ret == 0 ? glp_get_status(c->lp) : -1;
  }
  c->n_iter += (size_t)(glp_get_it_cnt(c->lp) - it0);
  if (st == GLP_OPT) return TFP_CG_OPTIMAL;
  if (st == GLP_NOFEAS) return TFP_CG_INFEASIBLE;
  return TFP_CG_FAILED;
}

/* The CG_ADD_MAX-th smallest of d[0..m) (m > CG_ADD_MAX): a max-heap of the
   CG_ADD_MAX smallest so far in heap, O(m) for a fixed heap size; the same
   cut a full sort would give. */
static double kth_smallest(const double *d, size_t m, double *heap) {
  size_t h = CG_ADD_MAX;
  for (size_t a = 0; a < h; a++) {   /* sift up */
    size_t i = a;
    double v = d[a];
    for (; i > 0 && heap[(i - 1) / 2] < v; i = (i - 1) / 2) heap[i] = heap[(i - 1) / 2];
    heap[i] = v;
  }
  for (size_t a = h; a < m; a++) {
    double v = d[a];
    if (!(v < heap[0])) continue;
    size_t i = 0;   /* replace the largest, sift down */
    for (;;) {
      size_t l = 2 * i + 1, r = l + 1, c = i;
      double cv = v;
      if (l < h && heap[l] > cv) { c = l; cv = heap[l]; }
      if (r < h && heap[r] > cv) { c = r; }
      if (c == i) break;
      heap[i] = heap[c];
      i = c;
    }
    heap[i] = v;
  }
  return heap[0];
}

/* Price the reference columns not in the LP; add the most improving ones.
   Returns how many were added. minimize: the LP's direction. */
static size_t price(tfp_cg *c, long exclude, int minimize) {
  const tfp_cg_spec *s = &c->s;
  if (c->n_active == s->n_ref) return 0;
  for (size_t v = 0; v < s->n_data; v++) c->pi[v] = glp_get_row_dual(c->lp, (int)v + 1);
  double pconv = s->conv ? glp_get_row_dual(c->lp, (int)s->n_data + 1) : 0.0;
  size_t m = 0;
  for (size_t k = 0; k < s->n_ref; k++) {
    if (c->col_of[k] || (long)k == exclude) continue;
    double d = -pconv;
    for (size_t v = 0; v < s->n_data; v++) d -= c->pi[v] * s->ref[v * s->n_ref + k];
    if (!minimize) d = -d;          /* improving: d < 0 either way */
    if (d < -CG_TOL_DJ) { c->cand_d[m] = d; c->cand_k[m] = k; m++; }
  }
  if (m > CG_ADD_MAX) {
    /* only the CG_ADD_MAX most improving: those at or below the cut */
    double cut = kth_smallest(c->cand_d, m, c->cand_tmp);
    size_t added = 0;
    for (size_t a = 0; a < m && added < CG_ADD_MAX; a++)
      if (c->cand_d[a] <= cut) { add_ref(c, c->cand_k[a]); added++; }
    c->n_added += added;
    return added;
  }
  for (size_t a = 0; a < m; a++) add_ref(c, c->cand_k[a]);
  c->n_added += m;
  return m;
}

/* Solve, price, add, until no column improves. */
static int solve_loop(tfp_cg *c, long exclude, int minimize, int primal) {
  for (;;) {
    int st = lp_once(c, primal);
    if (st != TFP_CG_OPTIMAL) return st;
    if (!c->s.colgen || price(c, exclude, minimize) == 0) return st;
    primal = 1;   /* new columns at 0: the basis stays primal feasible */
  }
}

/* Take reference unit k's column out of the LP (it must be nonbasic, so the
   basis stays valid); GLPK renumbers the columns after it. */
static void drop_ref(tfp_cg *c, size_t k) {
  int col = c->col_of[k], num[2] = { 0, col };
  glp_del_cols(c->lp, 1, num);
  c->col_of[k] = 0;
  size_t last = c->n_active - 1;
  for (size_t a = (size_t)(col - c->first_ref); a < last; a++) {
    c->ref_of[a] = c->ref_of[a + 1];
    c->col_of[c->ref_of[a]]--;
  }
  c->n_active--;
}

int tfp_cg_solve(tfp_cg *c, long must, long exclude, double *obj) {
  const tfp_cg_spec *s = &c->s;
  /* The evaluated unit's own column makes the first LP feasible; it stays
     only if the solution uses it (a frontier unit), or the columns would
     pile up to the whole reference set, one unit at a time. */
  int must_added = must >= 0 && !c->col_of[must];
  if (must_added) add_ref(c, (size_t)must);
  if (exclude >= 0 && c->col_of[exclude]) glp_set_col_bnds(c->lp, c->col_of[exclude], GLP_FX, 0.0, 0.0);
  int st = solve_loop(c, exclude, !s->maximize, 0);
  if (st == TFP_CG_INFEASIBLE && s->colgen && c->n_active + (exclude >= 0) < s->n_ref) {
    /* phase 1: least total violation over every reference column */
    c->n_phase1++;
    size_t nu = s->n_ucols;
    for (size_t j = 1; j <= nu; j++) {
      c->ucobj[j] = glp_get_obj_coef(c->lp, (int)j);
      glp_set_obj_coef(c->lp, (int)j, 0.0);
    }
    for (size_t a = 0; a < 2 * c->n_rows; a++) {
      glp_set_col_bnds(c->lp, c->first_art + (int)a, GLP_LO, 0.0, 0.0);
      glp_set_obj_coef(c->lp, c->first_art + (int)a, 1.0);
    }
    glp_set_obj_dir(c->lp, GLP_MIN);
    st = solve_loop(c, exclude, 1, 1);
    double infeas = st == TFP_CG_OPTIMAL ? glp_get_obj_val(c->lp) : NAN;
    for (size_t a = 0; a < 2 * c->n_rows; a++) {
      glp_set_col_bnds(c->lp, c->first_art + (int)a, GLP_FX, 0.0, 0.0);
      glp_set_obj_coef(c->lp, c->first_art + (int)a, 0.0);
    }
    for (size_t j = 1; j <= nu; j++) glp_set_obj_coef(c->lp, (int)j, c->ucobj[j]);
    glp_set_obj_dir(c->lp, s->maximize ? GLP_MAX : GLP_MIN);
    if (st != TFP_CG_OPTIMAL) st = TFP_CG_FAILED;
    else if (!(infeas <= CG_TOL_PHASE1)) st = TFP_CG_INFEASIBLE;
    else st = solve_loop(c, exclude, !s->maximize, 1);
  }
  if (st == TFP_CG_OPTIMAL) *obj = glp_get_obj_val(c->lp);
  if (exclude >= 0 && c->col_of[exclude]) glp_set_col_bnds(c->lp, c->col_of[exclude], GLP_LO, 0.0, 0.0);
  if (must_added && s->colgen && glp_get_col_stat(c->lp, c->col_of[must]) != GLP_BS) drop_ref(c, (size_t)must);
  return st;
}

double tfp_cg_lambda(const tfp_cg *c, size_t k) {
  return c->col_of[k] ? glp_get_col_prim(c->lp, c->col_of[k]) : 0.0;
}

void tfp_cg_trim(tfp_cg *c, size_t keep_max) {
  if (!c->s.colgen || c->n_active <= keep_max) return;
  int *num = c->ind == NULL ? NULL : malloc((c->n_active + 1) * sizeof *num);
  if (!num) return;
  int m = 0;
  size_t kept = 0;
  for (size_t a = 0; a < c->n_active; a++) {
    size_t k = c->ref_of[a];
    int col = c->first_ref + (int)a;
    if (glp_get_col_stat(c->lp, col) == GLP_BS) {
      c->ref_of[kept] = k;
      c->col_of[k] = c->first_ref + (int)kept;
      kept++;
    } else {
      num[++m] = col;
      c->col_of[k] = 0;
    }
  }
  if (m) glp_del_cols(c->lp, m, num);
  c->n_active = kept;
  free(num);
}
