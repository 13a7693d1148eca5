/* lua_dea.c — tfp.dea and tfp.malmquist: DEA efficiency scores and the
   DEA-Malmquist index (core/dea.h, core/malmquist.h) for Lua. */
#include <math.h>
#include <stdlib.h>
#include <string.h>
#include "boot.h"
#include "dea.h"
#include "malmquist.h"
#include "tfp_lua.h"

#define MAX_VARS 64
#define DEA_SCRATCH_MT "tfp.dea.scratch"

/* Core results live in a userdata until copied into Lua values, so an error
   raised on the way (out of memory) never leaks them. */
typedef struct {
  tfp_dea_result dea[4];
  tfp_malmquist_result mq;
  int *code;
} dea_scratch;

static int dea_scratch_gc(lua_State *L) {
  dea_scratch *s = luaL_checkudata(L, 1, DEA_SCRATCH_MT);
  for (int k = 0; k < 4; k++) tfp_dea_result_clear(&s->dea[k]);
  tfp_malmquist_result_clear(&s->mq);
  free(s->code);
  s->code = NULL;
  return 0;
}

static dea_scratch *newscratch(lua_State *L) {
  return tfp_newscratch(L, sizeof(dea_scratch), DEA_SCRATCH_MT, dea_scratch_gc);
}

/* inputs/outputs of frame f as a tfp_dea_data; names point into the table. */
typedef struct {
  const char *x_names[MAX_VARS], *y_names[MAX_VARS];
  const double *x[MAX_VARS], *y[MAX_VARS];
  tfp_frame_namer namer;   /* units named by the frame's panel in messages */
  tfp_dea_data d;
} dea_vars;

static void checkvars(lua_State *L, int t, tfp_frame *f, dea_vars *v) {
  size_t n_in = tfp_optnames(L, t, "inputs", v->x_names, MAX_VARS);
  size_t n_out = tfp_optnames(L, t, "outputs", v->y_names, MAX_VARS);
  if (n_in == 0) tfp_argerror(L, 1, "option 'inputs' lists no column");
  if (n_out == 0) tfp_argerror(L, 1, "option 'outputs' lists no column");
  for (size_t i = 0; i < n_in; i++) v->x[i] = tfp_checknumcol(L, f, 1, v->x_names[i]);
  for (size_t r = 0; r < n_out; r++) v->y[r] = tfp_checknumcol(L, f, 1, v->y_names[r]);
  v->namer = (tfp_frame_namer){ f, f->panel_id, f->panel_time };
  tfp_dea_data d = { f->nrow, n_in, n_out, v->x, v->y, v->x_names, v->y_names };
  v->d = d;
}

static const char *const rts_names[] = { "crs", "vrs", "nirs", "ndrs", NULL };
static const char *const orient_names[] = { "input", "output", NULL };
static const char *const reference_names[] = { "contemporaneous", "sequential", "global", NULL };
static const char *const status_names[] = { "optimal", "infeasible", "failed" };
static const char *const nature_names[] = { "crs", "irs", "drs" };

static void run_dea(lua_State *L, const tfp_dea_data *d, const tfp_dea_data *ref,
                    const tfp_dea_opts *o, tfp_dea_result *res) {
  char err[512] = "";
  int rc = tfp_mpi_dea_run(d, ref, o, res, err, sizeof err);   /* split across MPI ranks, if any */
  if (rc) tfp_raise_status(L, rc, "tfp.dea", err);
}

/* Helpers that set field `key` of the table at absolute index t. */
/* A string vector from n names (NULL = missing); the name array is scratch
   memory owned by a userdata left on the stack. */
static const char **newnames(lua_State *L, size_t n) {
  return tfp_scratch(L, n * sizeof(const char *));
}

static void setstrings(lua_State *L, int t, const char *key, const char **s, size_t n) {
  tfp_column c;
  memset(&c, 0, sizeof c);
  c.type = TFP_STR;
  c.str = (char **)s;   /* tfp_pushcolumn copies the strings */
  tfp_pushcolumn(L, &c, n);
  lua_setfield(L, t, key);
}

static void setstatus(lua_State *L, int t, const char *key, const tfp_dea_result *r) {
  const char **st = newnames(L, r->n);
  for (size_t j = 0; j < r->n; j++) st[j] = status_names[r->status[j]];
  setstrings(L, t, key, st, r->n);
  lua_pop(L, 1);
}

/* Peers in long form: unit, peer (reference row), weight, for lambda > 0. */
static void push_peers(lua_State *L, const tfp_dea_result *r) {
  size_t m = 0;
  for (size_t j = 0; j < r->n; j++)
    for (size_t t = 0; t < r->n_peers[j]; t++) m += r->peer_weight[j * r->max_peers + t] > 0;
  tfp_frame *f = tfp_frame_create(m);
  if (!f) tfp_raise(L, "memory", NULL, "out of memory for the peers of %d units", (int)r->n);
  tfp_pushframe(L, f);
  double *unit = malloc((m ? m : 1) * sizeof *unit);
  double *peer = malloc((m ? m : 1) * sizeof *peer);
  double *weight = malloc((m ? m : 1) * sizeof *weight);
  int ok = tfp_frame_add_num(f, "unit", unit) >= 0;
  ok = tfp_frame_add_num(f, "peer", peer) >= 0 && ok;
  ok = tfp_frame_add_num(f, "weight", weight) >= 0 && ok;
  if (!ok || !unit || !peer || !weight) tfp_raise(L, "memory", NULL, "out of memory for the peers");
  size_t k = 0;
  for (size_t j = 0; j < r->n; j++)
    for (size_t t = 0; t < r->n_peers[j]; t++) {
      double l = r->peer_weight[j * r->max_peers + t];
      if (l > 0) { unit[k] = (double)j + 1; peer[k] = (double)r->peer[j * r->max_peers + t] + 1; weight[k] = l; k++; }
    }
}

/* Slacks and targets as two frames (slack_<var>, target_<var>), pushed in
   that order. */
static void push_slacks(lua_State *L, const tfp_dea_result *r, const tfp_dea_data *d,
                        tfp_dea_orientation orient) {
  size_t n = r->n, n_var = d->n_in + d->n_out;
  tfp_frame *fs = tfp_newframe(L, n);
  tfp_frame *ft = tfp_newframe(L, n);
  for (size_t v = 0; v < n_var; v++) {
    int is_in = v < d->n_in;
    const char *name = is_in ? d->x_names[v] : d->y_names[v - d->n_in];
    const double *data = is_in ? d->x[v] : d->y[v - d->n_in];
    lua_pushfstring(L, "slack_%s", name);
    double *sl = tfp_addnum(L, fs, lua_tostring(L, -1));
    lua_pushfstring(L, "target_%s", name);
    double *tg = tfp_addnum(L, ft, lua_tostring(L, -1));
    lua_pop(L, 2);
    for (size_t j = 0; j < n; j++) {
      double s = r->slack[j * n_var + v], score = r->eff[j];
      if (orient == TFP_DEA_OUTPUT) score = 1 / score;
      sl[j] = s;
      if (is_in) tg[j] = (orient == TFP_DEA_INPUT ? score : 1) * data[j] - s;
      else tg[j] = (orient == TFP_DEA_OUTPUT ? score : 1) * data[j] + s;
    }
  }
}

/* tfp.dea{data = f, inputs = {...}, outputs = {...}, rts = "crs", orientation = "input",
   reference = f2, peers = false, slacks = false, scale = false, super = false,
   warm_start = true}
   -> scores (vector), info {n_lp, n_infeasible, n_failed, status, [peers],
   [slacks, targets, n_slack_failed], [scale, nature, crs, vrs],
   [super, super_status, super_infeasible]} */
static int dea_dea(lua_State *L) {
  lua_settop(L, 1);
  tfp_checkoptions(L, 1, "tfp.dea");
  if (tfp_green_dea_group(L, 1)) return 2;   /* the metafrontier (lua_green.c) */
  tfp_frame *f = tfp_optframe(L, 1, "data", 1);
  tfp_frame *fr = tfp_optframe(L, 1, "reference", 0);
  dea_vars *v = tfp_scratch(L, 2 * sizeof *v);   /* too big for the C stack */
  dea_vars *vr = v + 1;
  checkvars(L, 1, f, v);
  if (fr) checkvars(L, 1, fr, vr);
  tfp_dea_opts o;
  tfp_dea_opts_init(&o);
  o.rts = tfp_optenum(L, 1, "rts", "crs", rts_names);
  o.orientation = tfp_optenum(L, 1, "orientation", "input", orient_names);
  o.warm_start = tfp_optbool(L, 1, "warm_start", 1);
  o.threads = (int)tfp_optnumber(L, 1, "threads", 0);
  o.progress = tfp_progress_cb;
  o.rows = (tfp_rows){ tfp_frame_row_label, &v->namer };
  if (fr) o.ref_rows = (tfp_rows){ tfp_frame_row_label, &vr->namer };
  int want_peers = tfp_optbool(L, 1, "peers", 0);
  int want_scale = tfp_optbool(L, 1, "scale", 0);
  int want_super = tfp_optbool(L, 1, "super", 0);
  int want_slacks = tfp_optbool(L, 1, "slacks", 0);
  if (want_super && fr) tfp_argerror(L, 1, "option 'super' needs the data as its own reference");
  tfp_boot_opts bo;
  if (tfp_lua_boot_opts(L, 1, &bo)) {
    if (bo.threads == 0) bo.threads = o.threads;
    if (fr || want_peers || want_scale || want_super || want_slacks)
      tfp_raise(L, "usage", "tfp.dea", "option 'bootstrap' cannot be combined with %s",
                fr ? "'reference'" : want_peers ? "'peers'" : want_scale ? "'scale'" : want_super ? "'super'" : "'slacks'");
    return tfp_lua_dea_boot(L, &v->d, &o, &bo);
  }

  dea_scratch *s = newscratch(L);
  const tfp_dea_data *ref = fr ? &vr->d : NULL;
  o.want_lambda = want_peers;
  o.want_slacks = want_slacks;
  run_dea(L, &v->d, ref, &o, &s->dea[0]);
  o.want_lambda = o.want_slacks = 0;
  const tfp_dea_result *r = &s->dea[0];
  size_t n = r->n, n_lp = r->n_lp;
  double *te = tfp_newvector(L, n);
  memcpy(te, r->eff, n * sizeof *te);
  lua_createtable(L, 0, 12);
  int info = lua_gettop(L);
  tfp_setint(L, info, "n_infeasible", r->n_infeasible);
  tfp_setint(L, info, "n_failed", r->n_failed);
  setstatus(L, info, "status", r);
  if (want_peers) {
    push_peers(L, r);
    lua_setfield(L, info, "peers");
  }
  if (want_slacks) {
    push_slacks(L, r, &v->d, o.orientation);
    lua_setfield(L, info, "targets");
    lua_setfield(L, info, "slacks");
    tfp_setint(L, info, "n_slack_failed", r->n_slack_failed);
  }
  if (want_scale) {
    tfp_dea_opts so = o;
    const tfp_dea_rts rts[3] = { TFP_RTS_CRS, TFP_RTS_VRS, TFP_RTS_NIRS };
    for (int k = 0; k < 3; k++) {
      so.rts = rts[k];
      run_dea(L, &v->d, ref, &so, &s->dea[k + 1]);
      n_lp += s->dea[k + 1].n_lp;
    }
    double *scale = tfp_newvector(L, n);
    lua_setfield(L, info, "scale");   /* filled below, kept alive by info */
    int *nature = tfp_scratch(L, n * sizeof *nature);
    tfp_dea_scale_nature(n, s->dea[1].eff, s->dea[2].eff, s->dea[3].eff, 1e-6, scale, nature);
    const char **nn = newnames(L, n);
    for (size_t j = 0; j < n; j++) nn[j] = nature[j] < 0 ? NULL : nature_names[nature[j]];
    setstrings(L, info, "nature", nn, n);
    tfp_setvector(L, info, "crs", s->dea[1].eff, n);
    tfp_setvector(L, info, "vrs", s->dea[2].eff, n);
    lua_settop(L, info);
  }
  if (want_super) {
    tfp_dea_opts so = o;
    so.super = 1;
    tfp_dea_result *sr = &s->dea[1];
    tfp_dea_result_clear(sr);
    run_dea(L, &v->d, NULL, &so, sr);
    n_lp += sr->n_lp;
    tfp_setvector(L, info, "super", sr->eff, n);
    tfp_setint(L, info, "super_infeasible", sr->n_infeasible);
    setstatus(L, info, "super_status", sr);
  }
  tfp_setint(L, info, "n_lp", n_lp);
  if (r->n_infeasible) {
    lua_pushfstring(L, "dea: %d of %d LPs infeasible (their scores are missing)",
                    (int)r->n_infeasible, (int)n);
    lua_warning(L, lua_tostring(L, -1), 0);
    lua_pop(L, 1);
  }
  if (r->n_failed) {
    lua_pushfstring(L, "dea: %d of %d LPs failed in the solver (their scores are missing; "
                    "see info.status)", (int)r->n_failed, (int)n);
    lua_warning(L, lua_tostring(L, -1), 0);
    lua_pop(L, 1);
  }
  return 2;
}

/* A numeric column for a result frame (the frame owns it from here on). */
static void setmeans(lua_State *L, tfp_frame *f, double *const mean[TFP_MQ_NCOMP],
                     const size_t *idx, size_t m) {
  for (int k = 0; k < TFP_MQ_NCOMP; k++) {
    double *v = tfp_addnum(L, f, tfp_malmquist_component(k));
    for (size_t j = 0; j < m; j++) v[j] = mean[k][idx[j]];
  }
}

/* tfp.malmquist{data = f, id = "city", time = "year", inputs = {...},
   outputs = {...}, orientation = "output", reference = "contemporaneous",
   warm_start = true}
   -> frame (id, time, effch, techch, pech, sech, tfpch, TFP, TECH, EFF,
      crs_te_tech_tm1, crs_te_tech_t, crs_te_tech_tp1, vrs_te [, crs_te_global,
      vrs_te_global]), rows by id then time;
      summary {by_period = frame, by_unit = frame, mean = {effch = ...},
      n_changes, n_lp, n_infeasible, n_failed} */
static int dea_malmquist(lua_State *L) {
  lua_settop(L, 1);
  tfp_checkoptions(L, 1, "tfp.malmquist");
  if (tfp_green_malmquist(L, 1)) return 2;   /* index = ml, gml, luenberger (lua_green.c) */
  tfp_frame *f = tfp_optframe(L, 1, "data", 1);
  const char *id_name = tfp_optstring(L, 1, "id", NULL);
  const char *time_name = tfp_optstring(L, 1, "time", NULL);
  int id_col = tfp_checkcolumn(L, f, 1, id_name);
  const double *time = tfp_checknumcol(L, f, 1, time_name);
  /* the result frames hold id, time and these columns: a clash would
     overwrite the id or time (or give two columns of one name) */
  static const char *const results[] = { "effch", "techch", "pech", "sech", "tfpch", "TFP", "TECH",
                                         "EFF", "crs_te_tech_tm1", "crs_te_tech_t",
                                         "crs_te_tech_tp1", "vrs_te", "crs_te_global", "vrs_te_global" };
  for (size_t c = 0; c < sizeof results / sizeof results[0]; c++)
    for (int k = 0; k < 2; k++) {
      const char *nm = k == 0 ? id_name : time_name;
      if (nm && strcmp(nm, results[c]) == 0)
        tfp_raise(L, "usage", "tfp.malmquist", "the %s column '%s' has the name of a result column "
                  "(effch, techch, pech, sech, tfpch, TFP, TECH, EFF, crs_te_tech_tm1, crs_te_tech_t, "
                  "crs_te_tech_tp1, vrs_te, crs_te_global, vrs_te_global): rename it first, e.g. f.%s_id = f.%s",
                  k == 0 ? "id" : "time", nm, nm, nm);
    }
  if (id_name && time_name && strcmp(id_name, time_name) == 0)
    tfp_raise(L, "usage", "tfp.malmquist", "id and time are the same column '%s'", id_name);
  dea_vars *v = tfp_scratch(L, sizeof *v);
  checkvars(L, 1, f, v);
  v->namer.id = id_col;   /* name units by the id and time given */
  v->namer.time = tfp_frame_find(f, time_name);
  tfp_malmquist_opts o;
  tfp_malmquist_opts_init(&o);
  o.orientation = tfp_optenum(L, 1, "orientation", "output", orient_names);
  o.reference = tfp_optenum(L, 1, "reference", "contemporaneous", reference_names);
  o.warm_start = tfp_optbool(L, 1, "warm_start", 1);
  o.threads = (int)tfp_optnumber(L, 1, "threads", 0);
  o.id_name = id_name;
  o.time_name = time_name;
  o.id_col = &f->col[id_col];
  o.rows = (tfp_rows){ tfp_frame_row_label, &v->namer };
  o.progress = tfp_progress_cb;
  tfp_mpi_split(&o.split);   /* MPI ranks, if any, share the LPs */

  dea_scratch *s = newscratch(L);
  size_t n = f->nrow, n_units = 0;
  s->code = malloc((n ? n : 1) * sizeof *s->code);
  if (!s->code) tfp_raise(L, "memory", NULL, "out of memory");
  int gc = tfp_group_codes(&f->col[id_col], n, s->code, &n_units, tfp_progress_cb, NULL);
  if (gc != TFP_OK) tfp_raise_status(L, gc, NULL, gc == TFP_EINTR ? "interrupted" : "out of memory");
  tfp_boot_opts bo;
  void *boot = NULL;
  if (tfp_lua_boot_opts(L, 1, &bo)) {
    if (bo.threads == 0) bo.threads = o.threads;
    boot = tfp_lua_malmquist_boot(L, &v->d, s->code, n_units, time, &o, &bo, &s->mq);
  } else {
    char err[512] = "";
    int rc = tfp_malmquist_run(&v->d, s->code, n_units, time, &o, &s->mq, err, sizeof err);
    if (rc) tfp_raise_status(L, rc, "tfp.malmquist", err);
  }
  const tfp_malmquist_result *m = &s->mq;

  /* One row per unit and period, by unit then period. */
  tfp_frame *out = tfp_newframe(L, n);
  const size_t *ord = m->order;
  tfp_addcopy(L, out, id_name, &f->col[id_col], ord, n);
  tfp_addcopy(L, out, time_name, &f->col[tfp_frame_find(f, time_name)], ord, n);
  const double *src[] = { m->change[0], m->change[1], m->change[2], m->change[3], m->change[4],
                          m->tfp, m->tech, m->eff, m->crs_tm1, m->crs_t, m->crs_tp1, m->vrs_t };
  const char *names[] = { "effch", "techch", "pech", "sech", "tfpch", "TFP", "TECH", "EFF",
                          "crs_te_tech_tm1", "crs_te_tech_t", "crs_te_tech_tp1", "vrs_te" };
  for (size_t c = 0; c < sizeof names / sizeof names[0]; c++) {
    double *dst = tfp_addnum(L, out, names[c]);
    for (size_t k = 0; k < n; k++) dst[k] = src[c][ord[k]];
  }
  if (m->glob_crs) {   /* reference = "global": the distances to the pooled frontier */
    double *gc = tfp_addnum(L, out, "crs_te_global"), *gv = tfp_addnum(L, out, "vrs_te_global");
    for (size_t k = 0; k < n; k++) { gc[k] = m->glob_crs[ord[k]]; gv[k] = m->glob_vrs[ord[k]]; }
  }
  if (boot) tfp_lua_malmquist_boot_columns(L, boot, out, ord, n);
  tfp_frame_panel(out, 0, 1, NULL, NULL, NULL, 0);   /* so lags work on it; cannot fail here */

  lua_createtable(L, 0, 8);
  int info = lua_gettop(L);
  /* by_period: the periods after the first (DEAP's annual means). */
  size_t np = m->n_periods > 0 ? m->n_periods - 1 : 0;
  size_t *idx = tfp_scratch(L, (m->n_periods + n_units + 1) * sizeof *idx);
  tfp_frame *bp = tfp_newframe(L, np);
  double *pt = tfp_addnum(L, bp, time_name);
  for (size_t p = 0; p < np; p++) { idx[p] = p + 1; pt[p] = m->period[p + 1]; }
  setmeans(L, bp, (double *const *)m->period_mean, idx, np);
  lua_setfield(L, info, "by_period");
  /* by_unit: one row per unit, its id from its first row. */
  tfp_frame *bu = tfp_newframe(L, n_units);
  size_t *first = idx;
  for (size_t u = 0; u < n_units; u++) first[u] = (size_t)-1;
  for (size_t i = 0; i < n; i++)
    if (first[s->code[i]] == (size_t)-1) first[s->code[i]] = i;
  tfp_addcopy(L, bu, id_name, &f->col[id_col], first, n_units);
  for (size_t u = 0; u < n_units; u++) first[u] = u;
  setmeans(L, bu, (double *const *)m->unit_mean, first, n_units);
  lua_setfield(L, info, "by_unit");
  lua_createtable(L, 0, TFP_MQ_NCOMP);
  for (int k = 0; k < TFP_MQ_NCOMP; k++) {
    lua_pushnumber(L, m->mean[k]);
    lua_setfield(L, -2, tfp_malmquist_component(k));
  }
  lua_setfield(L, info, "mean");
  tfp_setint(L, info, "n_changes", m->n_changes);
  tfp_setint(L, info, "n_lp", m->n_lp);
  tfp_setint(L, info, "n_infeasible", m->n_infeasible);
  tfp_setint(L, info, "n_failed", m->n_failed);
  if (boot) tfp_lua_malmquist_boot_info(L, boot, info, &bo);
  lua_settop(L, info);
  if (m->n_infeasible || m->n_failed) {
    lua_pushfstring(L, "malmquist: %d LPs infeasible and %d failed (values missing)",
                    (int)m->n_infeasible, (int)m->n_failed);
    lua_warning(L, lua_tostring(L, -1), 0);
    lua_pop(L, 1);
  }
  return 2;
}

static const luaL_Reg dea_funcs[] = {
  {"dea", dea_dea},
  {"malmquist", dea_malmquist},
  {NULL, NULL}
};

int tfp_open_dea(lua_State *L) {
  luaL_setfuncs(L, dea_funcs, 0);
  return 0;
}
