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
   too. Misuse, memory and Ctrl-C raise. A spec field this reader does not
   know raises a usage error rather than being ignored (the IV reader may
   grow options before this one does). */
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

static const double *checkvec(lua_State *L, int idx, const char *what, size_t *n) {
  idx = lua_absindex(L, idx);
  tfp_vector *v = tfp_tovector(L, idx);
  if (!v) tfp_raise(L, "internal", FN, "%s must be a vector, not a %s", what, luaL_typename(L, idx));
  if (v->c.type != TFP_NUM) tfp_raise(L, "data", FN, "variable '%s' is not numeric", what);
  tfp_pin(L, PINS, idx);
  if (*n != (size_t)-1 && v->n != *n)
    tfp_raise(L, "internal", FN, "variable '%s' has %d rows, y has %d", what, (int)v->n, (int)*n);
  *n = v->n;
  return v->c.num;
}

/* A string field of the table at t (kept alive by the job), or NULL. */
static const char *strfield(lua_State *L, int t, const char *key) {
  lua_getfield(L, t, key);
  const char *s = lua_type(L, -1) == LUA_TSTRING ? lua_tostring(L, -1) : NULL;
  lua_pop(L, 1);
  return s;
}

/* List field `key` of vectors, named by `names_key`, into a scratch array. */
static size_t read_vars(lua_State *L, int t, const char *key, const char *names_key, const tfp_iv_var **out,
                        size_t *n) {
  *out = NULL;
  if (lua_getfield(L, t, key) == LUA_TNIL) { lua_pop(L, 1); return 0; }
  if (!lua_istable(L, -1)) tfp_raise(L, "internal", FN, "'%s' must be a list of vectors", key);
  lua_Integer len = luaL_len(L, -1);
  if (len < 0 || (lua_Unsigned)len > (lua_Unsigned)(SIZE_MAX / sizeof(tfp_iv_var)) - 1)
    tfp_raise(L, "internal", FN, "'%s' has a length of %I", key, len);
  tfp_iv_var *v = tfp_scratch(L, ((size_t)len + 1) * sizeof *v);
  lua_rawseti(L, KEEP, (lua_Integer)luaL_len(L, KEEP) + 1);
  lua_getfield(L, t, names_key);
  int names = lua_gettop(L);
  for (lua_Integer k = 1; k <= len; k++) {
    const char *nm = NULL;
    if (lua_istable(L, names) && lua_geti(L, names, k) == LUA_TSTRING) nm = lua_tostring(L, -1);
    if (lua_istable(L, names)) lua_pop(L, 1);   /* the job's table keeps the string */
    if (!nm) tfp_raise(L, "internal", FN, "'%s' has no name for element %d", names_key, (int)k);
    lua_geti(L, -2, k);
    v[k - 1].name = nm;
    v[k - 1].x = checkvec(L, -1, nm, n);
    lua_pop(L, 1);
  }
  lua_pop(L, 2);
  *out = v;
  return (size_t)len;
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

/* Enumerated field `key` of the spec at t: the index in names, or a usage
   error for a value this reader does not know (the IV reader may grow
   estimators and VCEs before this one does). */
static int enumfield(lua_State *L, int t, const char *key, const char *def, const char *const names[]) {
  lua_getfield(L, t, key);
  const char *v = lua_isnil(L, -1) ? def : lua_type(L, -1) == LUA_TSTRING ? lua_tostring(L, -1) : NULL;
  lua_pop(L, 1);   /* the job keeps a string value alive */
  for (int k = 0; v && names[k]; k++)
    if (strcmp(names[k], v) == 0) return k;
  return tfp_raise(L, "usage", FN, "curves do not fit models with %s = '%s' yet", key, v ? v : "?");
}

/* List field `key` of names (strings the job keeps alive) into a scratch
   array; *count gets its length (NULL and 0 when absent). */
static const char *const *names_field(lua_State *L, int t, const char *key, size_t *count) {
  *count = 0;
  if (lua_getfield(L, t, key) != LUA_TTABLE) {
    if (!lua_isnil(L, -1)) tfp_raise(L, "internal", FN, "'%s' must be a list of names", key);
    lua_pop(L, 1);
    return NULL;
  }
  size_t len = (size_t)luaL_len(L, -1);
  const char **names = tfp_scratch(L, (len + 1) * sizeof *names);
  lua_rawseti(L, KEEP, (lua_Integer)luaL_len(L, KEEP) + 1);
  for (size_t k = 1; k <= len; k++) {
    if (lua_geti(L, -1, (lua_Integer)k) != LUA_TSTRING) tfp_raise(L, "internal", FN, "%s[%d] is not a name", key, (int)k);
    names[k - 1] = lua_tostring(L, -1);
    lua_pop(L, 1);
  }
  lua_pop(L, 1);
  *count = len;
  return names;
}

/* Cell k's spec (at index t) into c: data, options and row names. */
static void read_cell(lua_State *L, int t, cell *c) {
  check_fields(L, t);
  tfp_iv_data *d = &c->d;
  memset(d, 0, sizeof *d);
  size_t n = (size_t)-1;
  d->y.name = strfield(L, t, "y_name");
  if (!d->y.name) d->y.name = "y";
  lua_getfield(L, t, "y");
  d->y.x = checkvec(L, -1, d->y.name, &n);
  lua_pop(L, 1);
  d->n_exog = read_vars(L, t, "exog", "exog_names", &d->exog, &n);
  d->n_endog = read_vars(L, t, "endog", "endog_names", &d->endog, &n);
  d->n_inst = read_vars(L, t, "inst", "inst_names", &d->inst, &n);
  d->n_dummies = read_vars(L, t, "dummies", "dummy_names", &d->dummies, &n);
  const tfp_iv_var *am;
  size_t n_am = read_vars(L, t, "absorb_more", "absorb_more_names", &am, &n);
  if (n_am) {
    const double **more = tfp_scratch(L, n_am * sizeof *more);
    lua_rawseti(L, KEEP, (lua_Integer)luaL_len(L, KEEP) + 1);
    for (size_t k = 0; k < n_am; k++) more[k] = am[k].x;
    d->absorb_more = more;
    d->n_absorb_more = n_am;
  }
  if (lua_getfield(L, t, "absorb") != LUA_TNIL) d->absorb = checkvec(L, -1, "absorb", &n);
  lua_pop(L, 1);
  if (lua_getfield(L, t, "cluster") != LUA_TNIL) d->cluster = checkvec(L, -1, "cluster", &n);
  lua_pop(L, 1);
  d->n = n;
  d->absorb_name = strfield(L, t, "absorb_name");
  d->cluster_name = strfield(L, t, "cluster_name");
  d->endog_test = names_field(L, t, "endog_test", &d->n_endog_test);
  d->orthog = names_field(L, t, "orthog", &d->n_orthog);
  if (lua_getfield(L, t, "weights") != LUA_TNIL) {
    d->weights = checkvec(L, -1, "weights", &n);
    static const char *const wtypes[] = {"aweight", "fweight", "pweight", NULL};
    d->wtype = TFP_IV_AWEIGHT + enumfield(L, t, "wtype", "aweight", wtypes);
    d->weights_name = strfield(L, t, "weights_name");
  }
  lua_pop(L, 1);

  tfp_iv_opts *o = &c->o;
  tfp_iv_opts_init(o);
  /* "fuller" is LIML with Fuller's a (default 1), as tfp._ivfit reads it */
  static const char *const methods[] = {"2sls", "gmm", "liml", "kclass", "fuller", NULL};
  static const char *const vces[] = {"unadjusted", "robust", "cluster", NULL};
  int method = enumfield(L, t, "method", "2sls", methods);
  o->method = method == 4 ? TFP_IV_LIML : (tfp_iv_method)method;
  lua_getfield(L, t, "fuller");
  o->fuller = luaL_optnumber(L, -1, method == 4 ? 1.0 : 0.0);
  lua_getfield(L, t, "k");
  o->kclass = luaL_optnumber(L, -1, NAN);
  lua_getfield(L, t, "coviv");
  o->coviv = lua_toboolean(L, -1);
  lua_pop(L, 3);
  o->vce = (tfp_iv_vce)enumfield(L, t, "vce", "unadjusted", vces);
  if (o->vce == TFP_VCE_CLUSTER && !d->cluster) tfp_raise(L, "internal", FN, "vce 'cluster' needs spec.cluster");
  lua_getfield(L, t, "small");
  o->small = lua_toboolean(L, -1);
  lua_pop(L, 1);
  if (lua_getfield(L, t, "constant") != LUA_TNIL) o->constant = lua_toboolean(L, -1);
  lua_pop(L, 1);
  lua_getfield(L, t, "dofminus");
  o->dofminus = (long)luaL_optinteger(L, -1, 0);
  lua_getfield(L, t, "sdofminus");
  o->sdofminus = (long)luaL_optinteger(L, -1, 0);
  lua_pop(L, 2);
  /* rows named by the frame's panel in messages; the frame only read */
  lua_getfield(L, t, "frame");
  tfp_frame *frame = tfp_toframe(L, -1);
  if (frame && frame->nrow == n) {
    tfp_pin(L, PINS, lua_gettop(L));
    tfp_frame_namer *namer = tfp_scratch(L, sizeof *namer);
    lua_rawseti(L, KEEP, (lua_Integer)luaL_len(L, KEEP) + 1);
    *namer = (tfp_frame_namer){frame, frame->panel_id, frame->panel_time};
    o->rows = (tfp_rows){tfp_frame_row_label, namer};
  }
  lua_pop(L, 1);
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
