/* lua_curve.c — tfp._ivcurve(job): the fits of a specification curve in one
   call, on the thread pool (core/ivbatch.h); lua/curve.lua builds the job.

   job = { cells = {spec, ...},    each a tfp._ivfit spec (lua_iv.c) whose
                                   vectors are tfp.vector userdata: the
                                   model on one sample with every control;
           fits = {{cell, j, ...}, ...}  fit i: cell number, then the
                                   positions in that cell's exog of the
                                   controls it uses (ascending);
           keep = {name, ...},     per cell: the coefficient reported;
           threads = n,            0 or absent: all cores;
           what = "..." }          progress label.
   Cells share their vectors (a term evaluated once per sample), and fits
   point into their cell's arrays: nothing is copied. Returns
   {estimate, se, p, df_r, N, N_g, kp_lm, kp_lm_p, cd_f, kp_f, hansen_j,
    hansen_j_p, endog, endog_p, r2 (vectors, one value per fit, NaN when
    missing), status = {"ok" | "data", ...}, message = {..., "" when none},
    threads = n}.
   A fit that fails on its data (a singular design, an empty sample) has
   status "data" and its message; a kept coefficient dropped as collinear
   too. Misuse, memory and Ctrl-C raise. The spec is read by lua_ivspec.c,
   as tfp._ivfit reads it; a field not in known_fields (one the batch does
   not fit yet) raises a usage error rather than being ignored. */
#include <math.h>
#include <stdint.h>
#include <string.h>
#include "ivbatch.h"
#include "tfp_lua.h"

#define FN "m:curve"
#define OUTCOMES_MT "tfp.curve.outcomes"

/* Stack slots: the job, the pin scope of the vectors, the table that owns
   the scratch arrays. */
#define JOB 1
#define PINS 2
#define KEEP 3

typedef struct {
  tfp_iv_data d;
  tfp_iv_opts o;
  const char *keep;
} cell;

/* The fits' results, in one userdata whose __gc frees them (a raise while
   they are read cannot leak them); out is part of the same block. */
typedef struct { size_t n; tfp_iv_outcome out[]; } outcomes;

static int outcomes_gc(lua_State *L) {
  outcomes *o = luaL_checkudata(L, 1, OUTCOMES_MT);
  tfp_iv_outcome_clear(o->out, o->n);
  o->n = 0;
  return 0;
}

static const char *const known_fields[] = {
  "y", "y_name", "exog", "exog_names", "endog", "endog_names", "inst", "inst_names", "dummies", "dummy_names",
  "absorb", "absorb_name", "absorb_more", "cluster", "cluster_name", "endog_test", "method", "vce", "small",
  "constant", "dofminus", "sdofminus", "frame", "fuller", "k", "coviv", "orthog", "weights", "wtype",
  "weights_name", NULL};

static void check_fields(lua_State *L, int t) {
  lua_pushnil(L);
  while (lua_next(L, t)) {
    lua_pop(L, 1);
    int ok = 0;
    if (lua_type(L, -1) == LUA_TSTRING)
      for (const char *const *k = known_fields; *k && !ok; k++) ok = strcmp(*k, lua_tostring(L, -1)) == 0;
    if (!ok) {
      lua_pushvalue(L, -1);
      tfp_raise(L, "usage", FN, "curves do not fit models with '%s' yet", luaL_tolstring(L, -1, NULL));
    }
  }
}

/* Cell k's spec (at index t) into c: data, options and row names. */
static void read_cell(lua_State *L, int t, cell *c) {
  static const tfp_ivspec_how how = {FN, KEEP, PINS, "curves do not fit"};
  check_fields(L, t);
  tfp_read_ivspec(L, t, &how, &c->d, &c->o);
}

static void setvec(lua_State *L, const char *key, const double *x, size_t n) {
  double *v = tfp_newvector(L, n);
  memcpy(v, x, (n ? n : 0) * sizeof *v);
  lua_setfield(L, -2, key);
}

enum { ESTIMATE, SE, P, DF_R, N_OBS, N_G, KP_LM, KP_LM_P, CD_F, KP_F, HANSEN_J, HANSEN_J_P, ENDOG, ENDOG_P, R2,
       N_STATS };
static const char *const stat_names[N_STATS] = {"estimate", "se", "p", "df_r", "N", "N_g", "kp_lm", "kp_lm_p",
  "cd_f", "kp_f", "hansen_j", "hansen_j_p", "endog", "endog_p", "r2"};

static int curve_ivcurve(lua_State *L) {
  luaL_checktype(L, JOB, LUA_TTABLE);
  lua_settop(L, 1);
  tfp_pinscope(L);    /* PINS */
  lua_newtable(L);    /* KEEP (KEEP): scratch arrays */
  if (lua_getfield(L, JOB, "cells") != LUA_TTABLE) tfp_raise(L, "internal", FN, "job.cells must be a list");
  size_t n_cells = (size_t)luaL_len(L, -1);
  cell *cells = tfp_scratch(L, (n_cells + 1) * sizeof *cells);
  lua_rawseti(L, KEEP, 1);
  lua_getfield(L, JOB, "keep");
  for (size_t k = 0; k < n_cells; k++) {
    lua_geti(L, -2, (lua_Integer)k + 1);
    if (!lua_istable(L, -1)) tfp_raise(L, "internal", FN, "cell %d is not a table", (int)k + 1);
    read_cell(L, lua_gettop(L), &cells[k]);
    lua_pop(L, 1);
    lua_geti(L, -1, (lua_Integer)k + 1);
    cells[k].keep = lua_tostring(L, -1);
    lua_pop(L, 1);
    if (!cells[k].keep) tfp_raise(L, "internal", FN, "job.keep[%d] is not a name", (int)k + 1);
  }
  lua_pop(L, 2);

  if (lua_getfield(L, JOB, "fits") != LUA_TTABLE) tfp_raise(L, "internal", FN, "job.fits must be a list");
  int fits = lua_gettop(L);
  size_t n_fits = (size_t)luaL_len(L, fits), n_vars = 0;
  for (size_t i = 0; i < n_fits; i++) {
    lua_geti(L, fits, (lua_Integer)i + 1);
    n_vars += (size_t)luaL_len(L, -1);
    lua_pop(L, 1);
  }
  tfp_iv_data *data = tfp_scratch(L, (n_fits + 1) * sizeof *data);
  lua_rawseti(L, KEEP, (lua_Integer)luaL_len(L, KEEP) + 1);
  tfp_iv_job *jobs = tfp_scratch(L, (n_fits + 1) * sizeof *jobs);
  lua_rawseti(L, KEEP, (lua_Integer)luaL_len(L, KEEP) + 1);
  tfp_iv_var *vars = tfp_scratch(L, (n_vars + 1) * sizeof *vars);
  lua_rawseti(L, KEEP, (lua_Integer)luaL_len(L, KEEP) + 1);
  size_t *cell_of = tfp_scratch(L, (n_fits + 1) * sizeof *cell_of);
  lua_rawseti(L, KEEP, (lua_Integer)luaL_len(L, KEEP) + 1);
  tfp_iv_var *next = vars;
  for (size_t i = 0; i < n_fits; i++) {
    lua_geti(L, fits, (lua_Integer)i + 1);
    size_t len = (size_t)luaL_len(L, -1);
    lua_geti(L, -1, 1);
    lua_Integer c = lua_tointeger(L, -1);
    lua_pop(L, 1);
    if (len < 1 || c < 1 || (size_t)c > n_cells) tfp_raise(L, "internal", FN, "fit %d has no cell", (int)i + 1);
    const cell *ce = &cells[c - 1];
    cell_of[i] = (size_t)c - 1;
    data[i] = ce->d;
    data[i].exog = next;
    data[i].n_exog = len - 1;
    for (size_t k = 2; k <= len; k++) {
      lua_geti(L, -1, (lua_Integer)k);
      lua_Integer j = lua_tointeger(L, -1);
      lua_pop(L, 1);
      if (j < 1 || (size_t)j > ce->d.n_exog) tfp_raise(L, "internal", FN, "fit %d: no exog %d", (int)i + 1, (int)j);
      *next++ = ce->d.exog[j - 1];
    }
    lua_pop(L, 1);
    jobs[i] = (tfp_iv_job){&data[i], &ce->o};
  }
  tfp_iv_batch_opts bo;
  tfp_iv_batch_opts_init(&bo);
  lua_getfield(L, JOB, "threads");
  bo.threads = (int)luaL_optinteger(L, -1, 0);
  lua_getfield(L, JOB, "what");
  bo.what = lua_isstring(L, -1) ? lua_tostring(L, -1) : "specification curve";   /* the job keeps it */
  lua_pop(L, 2);
  bo.progress = tfp_progress_cb;

  outcomes *oc = lua_newuserdatauv(L, sizeof *oc + (n_fits + 1) * sizeof oc->out[0], 0);
  oc->n = 0;
  if (luaL_newmetatable(L, OUTCOMES_MT)) { lua_pushcfunction(L, outcomes_gc); lua_setfield(L, -2, "__gc"); }
  lua_setmetatable(L, -2);
  char err[512];
  int threads = 0;
  int rc = tfp_iv_batch(jobs, n_fits, &bo, oc->out, &threads, err, sizeof err);
  if (rc) { tfp_progress_clear(); return tfp_raise_status(L, rc, FN, err); }
  oc->n = n_fits;   /* from here the collector frees the results on a raise */

  double *stat = tfp_scratch(L, (n_fits * N_STATS + 1) * sizeof *stat);
  lua_createtable(L, 0, N_STATS + 3);
  lua_createtable(L, (int)n_fits, 0);   /* status */
  lua_createtable(L, (int)n_fits, 0);   /* message */
  for (size_t i = 0; i < n_fits; i++) {
    double *s = stat + i * N_STATS;
    for (int k = 0; k < N_STATS; k++) s[k] = NAN;
    const tfp_iv_outcome *out = &oc->out[i];
    const tfp_iv_result *r = out->r;
    const char *keep = cells[cell_of[i]].keep;
    int j = r ? tfp_iv_find(r, keep) : -1;
    if (r && j >= 0) {
      s[ESTIMATE] = r->coef[j]; s[SE] = r->se[j]; s[P] = r->p[j]; s[DF_R] = r->df_r;
      s[N_OBS] = (double)r->N; s[N_G] = r->N_g ? (double)r->N_g : NAN;
      if (r->K1 > 0) {
        s[KP_LM] = r->kp_lm; s[KP_LM_P] = r->kp_lm_p; s[CD_F] = r->cd_f; s[KP_F] = r->kp_f;
        s[HANSEN_J] = r->hansen_j; s[HANSEN_J_P] = r->hansen_j_p; s[ENDOG] = r->endog; s[ENDOG_P] = r->endog_p;
      }
      s[R2] = r->r2;
      lua_pushliteral(L, "ok");
      const char *notes = r->notes ? r->notes : "";
      lua_pushstring(L, notes);
    } else {
      lua_pushliteral(L, "data");
      if (r) lua_pushfstring(L, "'%s' was dropped (collinear)", keep);
      else lua_pushstring(L, out->message ? out->message : "failed");
    }
    lua_rawseti(L, -3, (lua_Integer)i + 1);
    lua_rawseti(L, -3, (lua_Integer)i + 1);
  }
  lua_setfield(L, -3, "message");
  lua_setfield(L, -2, "status");
  double *col = tfp_scratch(L, (n_fits + 1) * sizeof *col);
  lua_rawseti(L, KEEP, (lua_Integer)luaL_len(L, KEEP) + 1);
  for (int k = 0; k < N_STATS; k++) {
    for (size_t i = 0; i < n_fits; i++) col[i] = stat[i * N_STATS + k];
    setvec(L, stat_names[k], col, n_fits);
  }
  lua_pushinteger(L, threads);
  lua_setfield(L, -2, "threads");
  tfp_iv_outcome_clear(oc->out, oc->n);
  oc->n = 0;
  return 1;
}

static const luaL_Reg curve_funcs[] = {
  {"_ivcurve", curve_ivcurve},
  {NULL, NULL}
};

int tfp_open_curve(lua_State *L) {
  luaL_setfuncs(L, curve_funcs, 0);
  return 0;
}
