/* lua_green.c — tfp.sbm, tfp.ddf, the directional indexes of tfp.malmquist
   (index = "ml" | "gml" | "luenberger") and the metafrontier (option group
   of tfp.dea and tfp.ddf), for Lua (core/sbm.h, ddf.h, ml.h, meta.h). */
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include "ml.h"
#include "meta.h"
#include "sbm.h"
#include "tfp_lua.h"

#define MAX_VARS 64
#define GREEN_SCRATCH_MT "tfp.green.scratch"

/* Core results live in a userdata until copied into Lua values, so an error
   raised on the way never leaks them. */
typedef struct {
  tfp_sbm_result sbm;
  tfp_ddf_result ddf;
  tfp_ml_result ml;
  tfp_meta_result meta;
  int *code, *group;
} green_scratch;

static int green_scratch_gc(lua_State *L) {
  green_scratch *s = luaL_checkudata(L, 1, GREEN_SCRATCH_MT);
  tfp_sbm_result_clear(&s->sbm);
  tfp_ddf_result_clear(&s->ddf);
  tfp_ml_result_clear(&s->ml);
  tfp_meta_result_clear(&s->meta);
  free(s->code); free(s->group);
  s->code = s->group = NULL;
  return 0;
}

static green_scratch *newscratch(lua_State *L) {
  return tfp_newscratch(L, sizeof(green_scratch), GREEN_SCRATCH_MT, green_scratch_gc);
}

typedef struct {
  const char *x_names[MAX_VARS], *y_names[MAX_VARS], *b_names[MAX_VARS];
  const double *x[MAX_VARS], *y[MAX_VARS], *b[MAX_VARS];
  tfp_frame_namer namer;
  tfp_green_data d;
} green_vars;

static void checkvars(lua_State *L, int t, tfp_frame *f, green_vars *v) {
  size_t n_in = tfp_optnames(L, t, "inputs", v->x_names, MAX_VARS);
  size_t n_out = tfp_optnames(L, t, "outputs", v->y_names, MAX_VARS);
  size_t n_bad = tfp_optnames(L, t, "bad_outputs", v->b_names, MAX_VARS);
  if (n_in == 0) tfp_argerror(L, 1, "option 'inputs' lists no column");
  if (n_out == 0) tfp_argerror(L, 1, "option 'outputs' lists no column");
  for (size_t i = 0; i < n_in; i++) v->x[i] = tfp_checknumcol(L, f, 1, v->x_names[i]);
  for (size_t r = 0; r < n_out; r++) v->y[r] = tfp_checknumcol(L, f, 1, v->y_names[r]);
  for (size_t k = 0; k < n_bad; k++) v->b[k] = tfp_checknumcol(L, f, 1, v->b_names[k]);
  v->namer = (tfp_frame_namer){ f, f->panel_id, f->panel_time };
  tfp_green_data d = { f->nrow, n_in, n_out, n_bad, v->x, v->y, n_bad ? v->b : NULL,
                       v->x_names, v->y_names, v->b_names };
  v->d = d;
}

static int optis(lua_State *L, int t, const char *key, const char *value) {
  const char *s = tfp_optstring(L, t, key, NULL);
  return s && strcmp(s, value) == 0;
}

static const char *const status_names[] = { "optimal", "infeasible", "failed" };

static void setstatus(lua_State *L, int t, const char *key, const int *status, size_t n) {
  const char **st = lua_newuserdatauv(L, (n ? n : 1) * sizeof *st, 0);
  for (size_t j = 0; j < n; j++) st[j] = status[j] >= 0 && status[j] <= 2 ? status_names[status[j]] : NULL;
  tfp_column c;
  memset(&c, 0, sizeof c);
  c.type = TFP_STR;
  c.str = (char **)st;
  tfp_pushcolumn(L, &c, n);
  lua_setfield(L, t, key);
  lua_pop(L, 1);
}

/* Names of up to `max` rows among those flagged, for a warning: "U03 (row
   3), ...". Pushes the string. */
static void push_row_list(lua_State *L, const tfp_rows *rows, const size_t *which, size_t m, size_t max) {
  luaL_Buffer b;
  luaL_buffinit(L, &b);
  char rb[256];
  for (size_t k = 0; k < m && k < max; k++) {
    if (k) luaL_addstring(&b, "; ");
    luaL_addstring(&b, tfp_row_label(rows, which[k], rb, sizeof rb));
  }
  if (m > max) luaL_addstring(&b, "; ...");
  luaL_pushresult(&b);
}

static void warn_rows(lua_State *L, const char *head, const tfp_rows *rows, const int *status, size_t n,
                      int code) {
  size_t *which = lua_newuserdatauv(L, (n ? n : 1) * sizeof *which, 0);
  size_t m = 0;
  for (size_t j = 0; j < n; j++) if (status[j] == code) which[m++] = j;
  if (m == 0) { lua_pop(L, 1); return; }
  push_row_list(L, rows, which, m, 8);
  lua_pushfstring(L, "%s %d of %d: %s", head, (int)m, (int)n, lua_tostring(L, -1));
  lua_warning(L, lua_tostring(L, -1), 0);
  lua_pop(L, 3);
}

/* Group codes and names of column `key` (pushes a userdata for the names). */
static int *group_codes(lua_State *L, tfp_frame *f, const char *name, int **slot, size_t *n_groups,
                        const char ***names) {
  int col = tfp_checkcolumn(L, f, 1, name);
  size_t n = f->nrow;
  *slot = malloc((n ? n : 1) * sizeof **slot);
  if (!*slot) tfp_raise(L, "memory", NULL, "out of memory");
  int rc = tfp_group_codes(&f->col[col], n, *slot, n_groups, tfp_progress_cb, NULL);
  if (rc != TFP_OK) tfp_raise_status(L, rc, NULL, rc == TFP_EINTR ? "interrupted" : "out of memory");
  *names = lua_newuserdatauv(L, (*n_groups ? *n_groups : 1) * sizeof **names, 0);
  for (size_t g = 0; g < *n_groups; g++) (*names)[g] = NULL;
  for (size_t i = 0; i < n; i++) {
    int g = (*slot)[i];
    if (g >= 0 && !(*names)[g] && f->col[col].type == TFP_STR) (*names)[g] = f->col[col].str[i];
  }
  return *slot;
}

/* The metafrontier frame: group, eff_group, eff_meta, tgr (and beta_group,
   beta_meta for the DDF), in the data's row order; then info. */
static int meta_results(lua_State *L, tfp_frame *f, const char *gname, const tfp_meta_result *r,
                        const char *fn) {
  tfp_frame *out = tfp_newframe(L, r->n);
  tfp_addcopy(L, out, gname, &f->col[tfp_frame_find(f, gname)], NULL, r->n);
  const char *names[] = { "eff_group", "eff_meta", "tgr", "beta_group", "beta_meta" };
  const double *src[] = { r->group_eff, r->meta_eff, r->tgr, r->group_beta, r->meta_beta };
  for (int k = 0; k < 5; k++) {
    if (!src[k]) continue;
    double *v = tfp_addnum(L, out, names[k]);
    if (r->n) memcpy(v, src[k], r->n * sizeof *v);
  }
  lua_createtable(L, 0, 5);
  int info = lua_gettop(L);
  tfp_setint(L, info, "n_lp", r->n_lp);
  tfp_setint(L, info, "n_groups", r->n_groups);
  tfp_setint(L, info, "n_infeasible", r->n_infeasible);
  tfp_setint(L, info, "n_failed", r->n_failed);
  if (r->n_infeasible || r->n_failed) {
    lua_pushfstring(L, "%s: %d LPs infeasible and %d failed (values missing)", fn, (int)r->n_infeasible,
                    (int)r->n_failed);
    lua_warning(L, lua_tostring(L, -1), 0);
    lua_pop(L, 1);
  }
  return 2;
}

static tfp_dea_rts rts_of(lua_State *L, int t) {
  const char *rts = tfp_optstring(L, t, "rts", "crs");
  return strcmp(rts, "vrs") == 0 ? TFP_RTS_VRS : strcmp(rts, "nirs") == 0 ? TFP_RTS_NIRS
       : strcmp(rts, "ndrs") == 0 ? TFP_RTS_NDRS : TFP_RTS_CRS;
}

static void metafrontier(lua_State *L, int t, tfp_frame *f, green_vars *v, green_scratch *s, const char *gname,
                         tfp_meta_model model, const char *fn) {
  size_t n_groups;
  const char **gnames;
  group_codes(L, f, gname, &s->group, &n_groups, &gnames);
  tfp_meta_opts o;
  tfp_meta_opts_init(&o);
  o.model = model;
  o.rts = rts_of(L, t);
  o.orientation = optis(L, t, "orientation", "output") ? TFP_DEA_OUTPUT : TFP_DEA_INPUT;
  o.group_names = gnames;
  o.rows = (tfp_rows){ tfp_frame_row_label, &v->namer };
  o.progress = tfp_progress_cb;
  tfp_mpi_split(&o.split);   /* MPI ranks, if any, share the LPs */
  char err[512] = "";
  int rc = tfp_meta_run(&v->d, s->group, n_groups, &o, &s->meta, err, sizeof err);
  if (rc) tfp_raise_status(L, rc, fn, err);
}

/* Called by tfp.dea (lua_dea.c) with its checked options at t: the
   metafrontier when option group is given (returns 2, the frame and info
   pushed), else 0. */
int tfp_green_dea_group(lua_State *L, int t) {
  const char *gname = tfp_optstring(L, t, "group", NULL);
  if (!gname) return 0;
  lua_getfield(L, t, "reference");
  int has_ref = !lua_isnil(L, -1);
  lua_pop(L, 1);
  if (has_ref || tfp_optbool(L, t, "super", 0) || tfp_optbool(L, t, "scale", 0) ||
      tfp_optbool(L, t, "peers", 0) || tfp_optbool(L, t, "slacks", 0))
    tfp_raise(L, "usage", "tfp.dea", "option 'group' (the metafrontier) takes none of reference, super, scale, "
              "peers, slacks");
  tfp_frame *f = tfp_optframe(L, t, "data", 1);
  green_vars *v = lua_newuserdatauv(L, sizeof *v, 0);
  checkvars(L, t, f, v);
  green_scratch *s = newscratch(L);
  metafrontier(L, t, f, v, s, gname, TFP_META_RADIAL, "tfp.dea");
  return meta_results(L, f, gname, &s->meta, "dea");
}

/* Slacks and targets frames (slack_<var>, target_<var>): targets x - s-,
   y + s+, b - sb. Pushes the two frames. */
static void push_slacks(lua_State *L, const tfp_sbm_result *r, const tfp_green_data *d) {
  size_t n = r->n, n_var = r->n_var;
  tfp_frame *fs = tfp_newframe(L, n);
  tfp_frame *ft = tfp_newframe(L, n);
  for (size_t v = 0; v < n_var; v++) {
    const char *name = v < d->n_in ? d->x_names[v] : v < d->n_in + d->n_out ? d->y_names[v - d->n_in]
                     : d->b_names[v - d->n_in - d->n_out];
    int sign = v >= d->n_in && v < d->n_in + d->n_out ? 1 : -1;
    const double *data = tfp_green_var(d, v);
    lua_pushfstring(L, "slack_%s", name);
    double *sl = tfp_addnum(L, fs, lua_tostring(L, -1));
    lua_pushfstring(L, "target_%s", name);
    double *tg = tfp_addnum(L, ft, lua_tostring(L, -1));
    lua_pop(L, 2);
    for (size_t j = 0; j < n; j++) {
      sl[j] = r->slack[j * n_var + v];
      tg[j] = data[j] + sign * sl[j];
    }
  }
}

/* tfp.sbm{data, inputs, outputs, bad_outputs, rts, orientation, super, slacks}
   -> scores, info {status, n_lp, n_infeasible, n_failed, [slacks, targets],
   [sbm, super, super_status, super_infeasible, efficient]} */
static int green_sbm(lua_State *L) {
  lua_settop(L, 1);
  tfp_checkoptions(L, 1, "tfp.sbm");
  tfp_frame *f = tfp_optframe(L, 1, "data", 1);
  green_vars *v = lua_newuserdatauv(L, sizeof *v, 0);
  checkvars(L, 1, f, v);
  tfp_sbm_opts o;
  tfp_sbm_opts_init(&o);
  o.vrs = optis(L, 1, "rts", "vrs");
  o.orientation = optis(L, 1, "orientation", "input") ? TFP_SBM_INPUT
                : optis(L, 1, "orientation", "output") ? TFP_SBM_OUTPUT : TFP_SBM_NONORIENTED;
  o.super = tfp_optbool(L, 1, "super", 0);
  o.want_slacks = tfp_optbool(L, 1, "slacks", 0);
  o.progress = tfp_progress_cb;
  tfp_mpi_split(&o.split);   /* MPI ranks, if any, share the LPs */
  o.rows = (tfp_rows){ tfp_frame_row_label, &v->namer };
  if (o.super && v->d.n_bad)
    tfp_raise(L, "usage", "tfp.sbm", "super = true takes no bad_outputs (the super-SBM of Tone 2002 has none)");
  green_scratch *s = newscratch(L);
  char err[512] = "";
  int rc = tfp_sbm_run(&v->d, &o, &s->sbm, err, sizeof err);
  if (rc) tfp_raise_status(L, rc, "tfp.sbm", err);
  const tfp_sbm_result *r = &s->sbm;
  size_t n = r->n;
  double *score = tfp_newvector(L, n);
  if (n) memcpy(score, o.super ? r->score : r->rho, n * sizeof *score);
  lua_createtable(L, 0, 12);
  int info = lua_gettop(L);
  setstatus(L, info, "status", r->status, n);
  tfp_setint(L, info, "n_lp", r->n_lp);
  tfp_setint(L, info, "n_infeasible", r->n_infeasible);
  tfp_setint(L, info, "n_failed", r->n_failed);
  if (o.want_slacks) {
    push_slacks(L, r, &v->d);
    lua_setfield(L, info, "targets");
    lua_setfield(L, info, "slacks");
  }
  tfp_rows rows = { tfp_frame_row_label, &v->namer };
  if (o.super) {
    tfp_setvector(L, info, "sbm", r->rho, n);
    tfp_setvector(L, info, "super", r->super, n);
    setstatus(L, info, "super_status", r->super_status, n);
    tfp_setint(L, info, "super_infeasible", r->n_super_infeasible);
    lua_createtable(L, (int)n, 0);
    for (size_t j = 0; j < n; j++) {
      lua_pushboolean(L, r->rho[j] >= 1 - 1e-9);
      lua_rawseti(L, -2, (lua_Integer)j + 1);
    }
    lua_setfield(L, info, "efficient");
    warn_rows(L, "sbm: super-SBM LP infeasible (score missing) for", &rows, r->super_status, n, TFP_SBM_INFEASIBLE);
    warn_rows(L, "sbm: super-SBM LP failed in the solver (score missing) for", &rows, r->super_status, n,
              TFP_SBM_FAILED);
  }
  warn_rows(L, "sbm: LP infeasible (score missing) for", &rows, r->status, n, TFP_SBM_INFEASIBLE);
  warn_rows(L, "sbm: LP failed in the solver (score missing) for", &rows, r->status, n, TFP_SBM_FAILED);
  lua_settop(L, info);
  lua_pushvalue(L, info - 1);
  lua_pushvalue(L, info);
  return 2;
}

/* Direction columns from option direction (a table {variable = number or
   column}; "observed": NULL). Numbers become constant columns kept in a
   userdata pushed on the stack. */
static const double *const *directions(lua_State *L, int t, tfp_frame *f, const tfp_green_data *d) {
  int ty = lua_getfield(L, t, "direction");
  if (ty != LUA_TTABLE) { lua_pop(L, 1); return NULL; }
  int dt = lua_gettop(L);
  size_t n_var = d->n_in + d->n_out + d->n_bad, n = d->n;
  const double **g = lua_newuserdatauv(L, n_var * sizeof *g, 0);
  double *konst = lua_newuserdatauv(L, (n ? n : 1) * n_var * sizeof *konst, 0);
  for (size_t v = 0; v < n_var; v++) {
    const char *name = v < d->n_in ? d->x_names[v] : v < d->n_in + d->n_out ? d->y_names[v - d->n_in]
                     : d->b_names[v - d->n_in - d->n_out];
    int vt = lua_getfield(L, dt, name);
    g[v] = NULL;
    if (vt == LUA_TNUMBER) {
      double c = lua_tonumber(L, -1);
      for (size_t j = 0; j < n; j++) konst[v * n + j] = c;
      g[v] = konst + v * n;
    } else if (vt == LUA_TSTRING) {
      g[v] = tfp_checknumcol(L, f, 1, lua_tostring(L, -1));
    }
    lua_pop(L, 1);
  }
  return g;
}

/* tfp.ddf{data, inputs, outputs, bad_outputs, rts, direction, reference, group}
   -> beta, info (with group: frame, info) */
static int green_ddf(lua_State *L) {
  lua_settop(L, 1);
  tfp_checkoptions(L, 1, "tfp.ddf");
  tfp_frame *f = tfp_optframe(L, 1, "data", 1);
  tfp_frame *fr = tfp_optframe(L, 1, "reference", 0);
  green_vars *v = lua_newuserdatauv(L, 2 * sizeof *v, 0);
  green_vars *vr = v + 1;
  checkvars(L, 1, f, v);
  if (fr) checkvars(L, 1, fr, vr);
  green_scratch *s = newscratch(L);
  const char *gname = tfp_optstring(L, 1, "group", NULL);
  int observed = 1;
  {
    int ty = lua_getfield(L, 1, "direction");
    observed = ty != LUA_TTABLE;
    lua_pop(L, 1);
  }
  if (gname) {
    if (fr || !observed)
      tfp_raise(L, "usage", "tfp.ddf", "option 'group' (the metafrontier) takes neither reference nor a "
                "direction other than \"observed\"");
    metafrontier(L, 1, f, v, s, gname, TFP_META_DDF, "tfp.ddf");
    return meta_results(L, f, gname, &s->meta, "ddf");
  }
  const double *const *g = directions(L, 1, f, &v->d);
  tfp_ddf_opts o;
  tfp_ddf_opts_init(&o);
  o.vrs = optis(L, 1, "rts", "vrs");
  o.progress = tfp_progress_cb;
  tfp_mpi_split(&o.split);   /* MPI ranks, if any, share the LPs */
  tfp_rows rows = { tfp_frame_row_label, &v->namer };
  if (fr) o.ref_rows = (tfp_rows){ tfp_frame_row_label, &vr->namer };
  char err[512] = "";
  int rc = tfp_ddf_run(&v->d, fr ? &vr->d : NULL, g, &o, &rows, &s->ddf, err, sizeof err);
  if (rc) tfp_raise_status(L, rc, "tfp.ddf", err);
  const tfp_ddf_result *r = &s->ddf;
  double *beta = tfp_newvector(L, r->n);
  int out = lua_gettop(L);
  if (r->n) memcpy(beta, r->beta, r->n * sizeof *beta);
  lua_createtable(L, 0, 6);
  int info = lua_gettop(L);
  setstatus(L, info, "status", r->status, r->n);
  double *eff = tfp_newvector(L, r->n);
  for (size_t j = 0; j < r->n; j++) eff[j] = 1.0 / (1.0 + r->beta[j]);
  lua_setfield(L, info, "eff");
  tfp_setint(L, info, "n_lp", r->stats.n_lp);
  tfp_setint(L, info, "n_infeasible", r->stats.n_infeasible);
  tfp_setint(L, info, "n_failed", r->stats.n_failed);
  warn_rows(L, "ddf: LP infeasible (beta missing) for", &rows, r->status, r->n, TFP_DDF_INFEASIBLE);
  warn_rows(L, "ddf: LP failed in the solver (beta missing) for", &rows, r->status, r->n, TFP_DDF_FAILED);
  lua_pushvalue(L, out);
  lua_pushvalue(L, info);
  return 2;
}

/* Called by tfp.malmquist (lua_dea.c) with its checked options at t: the
   directional indexes when option index is ml, gml or luenberger (returns
   2, the frame and summary pushed); 0 for DEAP's radial index, after
   checking that no option of the directional ones was given. */
int tfp_green_malmquist(lua_State *L, int t) {
  const char *index = tfp_optstring(L, t, "index", "malmquist");
  lua_getfield(L, t, "bad_outputs");
  int has_bad = !lua_isnil(L, -1);
  lua_getfield(L, t, "rts");
  int has_rts = !lua_isnil(L, -1);
  lua_pop(L, 2);
  if (strcmp(index, "malmquist") == 0) {
    if (has_bad || has_rts)
      tfp_raise(L, "usage", "tfp.malmquist", "option '%s' is for the directional indexes (index = \"ml\", \"gml\" "
                "or \"luenberger\"); DEAP's radial index takes no %s", has_bad ? "bad_outputs" : "rts",
                has_bad ? "bad outputs" : "rts (it uses its CRS and VRS parts)");
    return 0;
  }
  /* Options of the radial index only: refused, never ignored. */
  static const char *const radial_only[] = { "orientation", "warm_start", "reference", "bootstrap", "threads",
                                             NULL };
  for (int k = 0; radial_only[k]; k++)
    if (tfp_optgiven(L, t, radial_only[k]))
      tfp_raise(L, "usage", "tfp.malmquist", "option '%s' is for DEAP's radial index; index = \"%s\" %s",
                radial_only[k], index, strcmp(radial_only[k], "reference") == 0
                ? "uses its own frontiers (ml, luenberger: contemporaneous; gml: global)"
                : "does not take it");
  tfp_ml_index idx = strcmp(index, "ml") == 0 ? TFP_ML_ML : strcmp(index, "gml") == 0 ? TFP_ML_GML : TFP_ML_LUENBERGER;
  tfp_frame *f = tfp_optframe(L, t, "data", 1);
  const char *id_name = tfp_optstring(L, t, "id", NULL);
  const char *time_name = tfp_optstring(L, t, "time", NULL);
  int id_col = tfp_checkcolumn(L, f, 1, id_name);
  const double *time = tfp_checknumcol(L, f, 1, time_name);
  int time_col = tfp_frame_find(f, time_name);
  if (strcmp(id_name, time_name) == 0)
    tfp_raise(L, "usage", "tfp.malmquist", "id and time are the same column '%s'", id_name);
  const char *comp[3] = { tfp_ml_component(idx, 0), tfp_ml_component(idx, 1), tfp_ml_component(idx, 2) };
  const char *results[] = { comp[0], comp[1], comp[2], "TFP", "EFF", "TECH", "ddf_t", "ddf_tm1", "ddf_tp1", "ddf_global" };
  for (size_t c = 0; c < sizeof results / sizeof results[0]; c++)
    for (int k = 0; k < 2; k++) {
      const char *nm = k == 0 ? id_name : time_name;
      if (strcmp(nm, results[c]) == 0)
        tfp_raise(L, "usage", "tfp.malmquist", "the %s column '%s' has the name of a result column: rename it "
                  "first, e.g. f.%s_id = f.%s", k == 0 ? "id" : "time", nm, nm, nm);
    }
  green_vars *v = lua_newuserdatauv(L, sizeof *v, 0);
  checkvars(L, t, f, v);
  v->namer.id = id_col;
  v->namer.time = time_col;
  tfp_ml_opts o;
  tfp_ml_opts_init(&o);
  o.index = idx;
  o.vrs = optis(L, t, "rts", "vrs");
  o.id_name = id_name;
  o.time_name = time_name;
  o.rows = (tfp_rows){ tfp_frame_row_label, &v->namer };
  o.progress = tfp_progress_cb;
  tfp_mpi_split(&o.split);   /* MPI ranks, if any, share the LPs */
  green_scratch *s = newscratch(L);
  size_t n = f->nrow, n_units = 0;
  s->code = malloc((n ? n : 1) * sizeof *s->code);
  if (!s->code) tfp_raise(L, "memory", NULL, "out of memory");
  int gc = tfp_group_codes(&f->col[id_col], n, s->code, &n_units, tfp_progress_cb, NULL);
  if (gc != TFP_OK) tfp_raise_status(L, gc, NULL, gc == TFP_EINTR ? "interrupted" : "out of memory");
  char err[512] = "";
  int rc = tfp_ml_run(&v->d, s->code, n_units, time, &o, &s->ml, err, sizeof err);
  if (rc) tfp_raise_status(L, rc, "tfp.malmquist", err);
  const tfp_ml_result *m = &s->ml;

  tfp_frame *out = tfp_newframe(L, n);
  int out_idx = lua_gettop(L);
  const size_t *ord = m->order;
  tfp_addcopy(L, out, id_name, &f->col[id_col], ord, n);
  tfp_addcopy(L, out, time_name, &f->col[time_col], ord, n);
  const double *src[9] = { m->change[0], m->change[1], m->change[2], m->level[0], m->level[1], m->level[2],
                           m->d_t, idx == TFP_ML_GML ? m->d_g : m->d_tm1, idx == TFP_ML_GML ? NULL : m->d_tp1 };
  const char *names[9] = { comp[0], comp[1], comp[2], "TFP", "EFF", "TECH", "ddf_t",
                           idx == TFP_ML_GML ? "ddf_global" : "ddf_tm1", "ddf_tp1" };
  for (size_t c = 0; c < 9; c++) {
    if (!src[c]) continue;
    double *dst = tfp_addnum(L, out, names[c]);
    for (size_t k = 0; k < n; k++) dst[k] = src[c][ord[k]];
  }
  tfp_frame_panel(out, 0, 1, NULL, NULL, NULL, 0);

  lua_createtable(L, 0, 12);
  int info = lua_gettop(L);
  size_t np = m->n_periods > 0 ? m->n_periods - 1 : 0;
  tfp_frame *bp = tfp_newframe(L, np);
  double *pt = tfp_addnum(L, bp, time_name);
  for (size_t p = 0; p < np; p++) pt[p] = m->period[p + 1];
  for (int k = 0; k < TFP_ML_NCOMP; k++) {
    double *col = tfp_addnum(L, bp, comp[k]);
    for (size_t p = 0; p < np; p++) col[p] = m->period_mean[k][p + 1];
  }
  lua_setfield(L, info, "by_period");
  size_t *first = lua_newuserdatauv(L, (n_units ? n_units : 1) * sizeof *first, 0);
  for (size_t u = 0; u < n_units; u++) first[u] = (size_t)-1;
  for (size_t i = 0; i < n; i++)
    if (first[s->code[i]] == (size_t)-1) first[s->code[i]] = i;
  tfp_frame *bu = tfp_newframe(L, n_units);
  tfp_addcopy(L, bu, id_name, &f->col[id_col], first, n_units);
  for (int k = 0; k < TFP_ML_NCOMP; k++) {
    double *col = tfp_addnum(L, bu, comp[k]);
    for (size_t u = 0; u < n_units; u++) col[u] = m->unit_mean[k][u];
  }
  lua_setfield(L, info, "by_unit");
  lua_pop(L, 1);
  lua_createtable(L, 0, TFP_ML_NCOMP);
  for (int k = 0; k < TFP_ML_NCOMP; k++) {
    lua_pushnumber(L, m->mean[k]);
    lua_setfield(L, -2, comp[k]);
  }
  lua_setfield(L, info, "mean");
  lua_pushstring(L, index);
  lua_setfield(L, info, "index");
  tfp_setint(L, info, "n_changes", m->n_changes);
  tfp_setint(L, info, "n_lp", m->n_lp);
  tfp_setint(L, info, "n_infeasible", m->n_infeasible);
  tfp_setint(L, info, "n_failed", m->n_failed);
  tfp_setint(L, info, "n_nonpositive", m->n_nonpositive);
  /* The infeasible mixed-period LPs: the observation's id and time, and
     the period of the technology it was measured against. */
  size_t n_bad_lp = 0;
  for (size_t i = 0; i < n; i++) n_bad_lp += (m->status_tm1[i] == TFP_DDF_INFEASIBLE) + (m->status_tp1[i] == TFP_DDF_INFEASIBLE);
  size_t *lr = lua_newuserdatauv(L, (n_bad_lp ? n_bad_lp : 1) * sizeof *lr, 0);
  double *tech = lua_newuserdatauv(L, (n_bad_lp ? n_bad_lp : 1) * sizeof *tech, 0);
  size_t q = 0;
  for (size_t k = 0; k < n; k++) {
    size_t i = ord[k];
    int p = m->period_of[i];
    if (m->status_tm1[i] == TFP_DDF_INFEASIBLE) { lr[q] = i; tech[q++] = m->period[p - 1]; }
    if (m->status_tp1[i] == TFP_DDF_INFEASIBLE) { lr[q] = i; tech[q++] = m->period[p + 1]; }
  }
  tfp_frame *inf = tfp_newframe(L, n_bad_lp);
  tfp_addcopy(L, inf, id_name, &f->col[id_col], lr, n_bad_lp);
  tfp_addcopy(L, inf, time_name, &f->col[time_col], lr, n_bad_lp);
  double *tc = tfp_addnum(L, inf, "technology");
  if (n_bad_lp) memcpy(tc, tech, n_bad_lp * sizeof *tc);
  lua_setfield(L, info, "infeasible");
  if (n_bad_lp) {
    luaL_Buffer b;
    luaL_buffinit(L, &b);
    char rb[256];
    for (size_t k = 0; k < n_bad_lp && k < 6; k++) {
      tfp_row_label(&o.rows, lr[k], rb, sizeof rb);
      char one[400];
      snprintf(one, sizeof one, "%s%s against the technology of %s %.15g", k ? "; " : "", rb, time_name, tech[k]);
      luaL_addstring(&b, one);
    }
    if (n_bad_lp > 6) luaL_addstring(&b, "; ...");
    luaL_pushresult(&b);
    lua_pushfstring(L, "malmquist (%s): %d mixed-period LPs infeasible (their distances and the changes that "
                    "need them are missing; summary.infeasible lists them): %s", index, (int)n_bad_lp,
                    lua_tostring(L, -1));
    lua_warning(L, lua_tostring(L, -1), 0);
    lua_pop(L, 2);
  }
  if (m->n_failed || m->n_nonpositive) {
    lua_pushfstring(L, "malmquist (%s): %d LPs failed in the solver, %d changes with 1 + D <= 0 (values missing)",
                    index, (int)m->n_failed, (int)m->n_nonpositive);
    lua_warning(L, lua_tostring(L, -1), 0);
    lua_pop(L, 1);
  }
  lua_pushvalue(L, out_idx);
  lua_pushvalue(L, info);
  return 2;
}

static const luaL_Reg green_funcs[] = {
  {"sbm", green_sbm},
  {"ddf", green_ddf},
  {NULL, NULL}
};

int tfp_open_green(lua_State *L) {
  luaL_setfuncs(L, green_funcs, 0);
  return 0;
}
