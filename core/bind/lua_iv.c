/* lua_iv.c — tfp._ivfit(spec): the low-level IV/GMM fit behind tfp.ivreg.

   spec = { y = vec, y_name = "y",
            exog = {vec, ...}, exog_names = {...},      included exogenous
            endog = {vec, ...}, endog_names = {...},    endogenous regressors
            inst = {vec, ...}, inst_names = {...},      excluded instruments
            absorb = vec | nil,        unit ids: within transformation (xtivreg2 fe)
            absorb_more = {vec, ...},  further FE by alternating projections
            dummies = {vec, ...}, dummy_names = {...}, group vectors -> dummies
            constant = bool (default: true unless absorb),
            cluster = vec, method = "2sls" | "gmm" | "liml" | "fuller" | "kclass",
            fuller = a (method "fuller"), k = k (method "kclass"), coviv = bool,
            weights = vec, wtype = "aweight" | "fweight" | "pweight", weights_name = "...",
            orthog = {names},         instruments of the orthog() C statistic
            cluster_name = "...", absorb_name = "...",  for messages
            vce = "unadjusted" | "robust" | "cluster", small = bool,
            dofminus = n, sdofminus = n, endog_test = {names},
            cluster2 = vec, cluster2_name = "...",   two-way clusters (with a
                                       kernel: cluster = units, cluster2 = time)
            kernel = "bartlett" | "parzen" | "truncated" | "thanning" |
                     "thamming" | "qs" | "daniell" | "tent", bw = n | "auto",
            time = vec, panel = vec, time_name = "...",   HAC / AC time, units
            kiefer = bool }
   Vectors are tfp.vector userdata (numeric) or tables of numbers (nil/NaN =
   missing). Returns a plain table (see push_result); statistics that do not
   exist for the model (a p value of J when exactly identified, say) are nil.
   Misuse and data errors (too few instruments, empty sample, infinite
   values) raise with a message naming the variable. */
#include <math.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>
#include "iv.h"
#include "tfp_lua.h"

typedef struct { tfp_iv_result *r; } result_box;

static int iv_result_gc(lua_State *L)
{
  result_box *b = luaL_checkudata(L, 1, "tfp.iv_result");
  tfp_iv_result_free(b->r);
  b->r = NULL;
  return 0;
}

/* Stack slots of the table that keeps table copies alive during the call,
   and of the pin scope that keeps vectors open (a table's metamethods run
   while vectors read earlier are held). */
#define KEEP 2
#define PINS 3

static void setnum(lua_State *L, const char *k, double v)
{
  if (isnan(v)) return;   /* not available: leave nil */
  lua_pushnumber(L, v);
  lua_setfield(L, -2, k);
}

static void setint(lua_State *L, const char *k, double v)
{
  lua_pushinteger(L, (lua_Integer)v);
  lua_setfield(L, -2, k);
}

static void push_keyed(lua_State *L, const tfp_iv_result *r, const double *x)
{
  lua_createtable(L, 0, (int)r->k);
  for (size_t j = 0; j < r->k; j++) {
    lua_pushnumber(L, x[j]);
    lua_setfield(L, -2, r->names[j]);
  }
}

/* The result table: coef/se/t/p keyed by name, names, V[name][name], N, N_g,
   N_dropped, N_singletons, N_clust, df_r, r2 (centred), r2_u, r2_a, F, F_p,
   F_df1, F_df2 (all slopes), ar_f, ar_f_p, ar_chi2, ar_chi2_p, ar_df, ar_df_r
   (Anderson-Rubin), rmse, rss,
   sigmasq, kp_lm, kp_lm_p, kp_lm_df, cd_f, kp_f, stock_yogo = {{label, value}},
   hansen_j, hansen_j_p, hansen_df, sargan, sargan_p, endog, endog_p, endog_df,
   dm, dm_p, dm_df, dm_stat ("F" or "chi2"), first = {{name, inst_names, coef,
   se, rmse, pr2, shea_pr2, F, F_p, F_df, F_df_r, sw_F, sw_p, sw_df, sw_chi2,
   sw_chi2_p, sw_r2, ap_F, ap_p, ap_chi2, ap_chi2_p, ap_r2}, ...} (also keyed by name), dropped = {names}, notes, method,
   vce, small, K, L, K1, L1, dofminus, sdofminus; k-class: kclass, lambda (LIML), fuller,
   coviv, arubin, arubin_p, arubin_lin, arubin_lin_p, arubin_df; orthog: cstat, cstat_p,
   cstat_df; wtype ("aweight" ...) with weights. */
static void push_result(lua_State *L, const tfp_iv_result *r)
{
  static const char *methods[] = {"2sls", "gmm", "liml", "kclass"}, *vces[] = {"unadjusted", "robust", "cluster"};
  static const char *wtypes[] = {NULL, "aweight", "fweight", "pweight"};
  lua_createtable(L, 0, 64);
  push_keyed(L, r, r->coef); lua_setfield(L, -2, "coef");
  push_keyed(L, r, r->se); lua_setfield(L, -2, "se");
  push_keyed(L, r, r->t); lua_setfield(L, -2, "t");
  push_keyed(L, r, r->p); lua_setfield(L, -2, "p");
  lua_createtable(L, (int)r->k, 0);
  for (size_t j = 0; j < r->k; j++) { lua_pushstring(L, r->names[j]); lua_rawseti(L, -2, (lua_Integer)j + 1); }
  lua_setfield(L, -2, "names");
  lua_createtable(L, 0, (int)r->k);
  for (size_t i = 0; i < r->k; i++) {
    lua_createtable(L, 0, (int)r->k);
    for (size_t j = 0; j < r->k; j++) { lua_pushnumber(L, r->V[i + j * r->k]); lua_setfield(L, -2, r->names[j]); }
    lua_setfield(L, -2, r->names[i]);
  }
  lua_setfield(L, -2, "V");
  setint(L, "N", (double)r->N);
  setint(L, "N_dropped", (double)r->N_dropped);
  setint(L, "N_singletons", (double)r->N_singletons);
  if (r->N_g) setint(L, "N_g", (double)r->N_g);
  if (r->N_clust) setint(L, "N_clust", (double)r->N_clust);
  if (r->N_clust2) { setint(L, "N_clust1", (double)r->N_clust1); setint(L, "N_clust2", (double)r->N_clust2); }
  if (r->kernel) {
    static const char *kernels[] = {"", "bartlett", "parzen", "truncated", "thanning", "thamming", "qs",
                                    "daniell", "tent"};
    lua_pushstring(L, kernels[r->kernel]); lua_setfield(L, -2, "kernel");
    setnum(L, "bw", r->bw);
    if (r->bw_auto) { lua_pushboolean(L, 1); lua_setfield(L, -2, "bw_auto"); }
  }
  setint(L, "K", (double)r->K); setint(L, "L", (double)r->L);
  setint(L, "K1", (double)r->K1); setint(L, "L1", (double)r->L1);
  setint(L, "dofminus", (double)r->dofminus); setint(L, "sdofminus", (double)r->sdofminus);
  setnum(L, "df_r", r->df_r);
  setnum(L, "r2", r->r2); setnum(L, "r2_u", r->r2_u); setnum(L, "r2_a", r->r2_a);
  setnum(L, "F", r->F); setnum(L, "F_p", r->F_p); setnum(L, "F_df1", r->F_df1); setnum(L, "F_df2", r->F_df2);
  setnum(L, "rmse", r->rmse); setnum(L, "rss", r->rss); setnum(L, "sigmasq", r->sigmasq);
  if (r->K1 > 0) {
    setnum(L, "kp_lm", r->kp_lm); setnum(L, "kp_lm_p", r->kp_lm_p); setnum(L, "kp_lm_df", r->kp_lm_df);
    setnum(L, "cd_f", r->cd_f); setnum(L, "kp_f", r->kp_f);
    setnum(L, "hansen_j", r->hansen_j); setnum(L, "hansen_j_p", r->hansen_j_p);
    setnum(L, "hansen_df", r->hansen_df);
    setnum(L, "sargan", r->sargan); setnum(L, "sargan_p", r->sargan_p);
    setnum(L, "endog", r->endog); setnum(L, "endog_p", r->endog_p); setnum(L, "endog_df", r->endog_df);
    setnum(L, "dm", r->dm); setnum(L, "dm_p", r->dm_p); setnum(L, "dm_df", r->dm_df);
    lua_pushstring(L, r->dm_is_F ? "F" : "chi2"); lua_setfield(L, -2, "dm_stat");
    setnum(L, "ar_f", r->ar_f); setnum(L, "ar_f_p", r->ar_f_p); setnum(L, "ar_chi2", r->ar_chi2);
    setnum(L, "ar_chi2_p", r->ar_chi2_p); setnum(L, "ar_df", r->ar_df); setnum(L, "ar_df_r", r->ar_df_r);
  }
  lua_createtable(L, (int)r->n_sy, 0);
  for (size_t i = 0; i < r->n_sy; i++) {
    lua_createtable(L, 0, 2);
    lua_pushstring(L, r->sy[i].label); lua_setfield(L, -2, "label");
    lua_pushnumber(L, r->sy[i].value); lua_setfield(L, -2, "value");
    lua_rawseti(L, -2, (lua_Integer)i + 1);
  }
  lua_setfield(L, -2, "stock_yogo");
  lua_createtable(L, (int)r->n_first, (int)r->n_first);
  for (size_t e = 0; e < r->n_first; e++) {
    const tfp_iv_first *f = &r->first[e];
    lua_createtable(L, 0, 20);
    lua_pushstring(L, f->name); lua_setfield(L, -2, "name");
    lua_createtable(L, (int)f->n_inst, 0);
    for (size_t i = 0; i < f->n_inst; i++) { lua_pushstring(L, f->inst_names[i]); lua_rawseti(L, -2, (lua_Integer)i + 1); }
    lua_setfield(L, -2, "inst_names");
    lua_createtable(L, 0, (int)f->n_inst);
    for (size_t i = 0; i < f->n_inst; i++) { lua_pushnumber(L, f->coef[i]); lua_setfield(L, -2, f->inst_names[i]); }
    lua_setfield(L, -2, "coef");
    lua_createtable(L, 0, (int)f->n_inst);
    for (size_t i = 0; i < f->n_inst; i++) { lua_pushnumber(L, f->se[i]); lua_setfield(L, -2, f->inst_names[i]); }
    lua_setfield(L, -2, "se");
    setnum(L, "rmse", f->rmse); setnum(L, "pr2", f->pr2); setnum(L, "shea_pr2", f->shea_pr2);
    setnum(L, "F", f->F); setnum(L, "F_p", f->F_p); setnum(L, "F_df", f->F_df); setnum(L, "F_df_r", f->F_df_r);
    setnum(L, "sw_F", f->sw_F); setnum(L, "sw_p", f->sw_p); setnum(L, "sw_df", f->sw_df);
    setnum(L, "sw_chi2", f->sw_chi2); setnum(L, "sw_chi2_p", f->sw_chi2_p); setnum(L, "sw_r2", f->sw_r2);
    setnum(L, "ap_F", f->ap_F); setnum(L, "ap_p", f->ap_p);
    setnum(L, "ap_chi2", f->ap_chi2); setnum(L, "ap_chi2_p", f->ap_chi2_p); setnum(L, "ap_r2", f->ap_r2);
    lua_pushvalue(L, -1);
    lua_setfield(L, -3, f->name);
    lua_rawseti(L, -2, (lua_Integer)e + 1);
  }
  lua_setfield(L, -2, "first");
  lua_createtable(L, (int)r->n_dropped_vars, 0);
  for (size_t i = 0; i < r->n_dropped_vars; i++) { lua_pushstring(L, r->dropped_vars[i]); lua_rawseti(L, -2, (lua_Integer)i + 1); }
  lua_setfield(L, -2, "dropped");
  lua_pushstring(L, r->notes ? r->notes : ""); lua_setfield(L, -2, "notes");
  lua_pushstring(L, r->method == TFP_IV_LIML && r->fuller > 0 ? "fuller" : methods[r->method]);
  lua_setfield(L, -2, "method");
  setnum(L, "kclass", r->kclass); setnum(L, "lambda", r->lambda); setnum(L, "fuller", r->fuller);
  setnum(L, "arubin", r->arubin); setnum(L, "arubin_p", r->arubin_p); setnum(L, "arubin_lin", r->arubin_lin);
  setnum(L, "arubin_lin_p", r->arubin_lin_p); setnum(L, "arubin_df", r->arubin_df);
  if (r->method == TFP_IV_LIML || r->method == TFP_IV_KCLASS) { lua_pushboolean(L, r->coviv); lua_setfield(L, -2, "coviv"); }
  setnum(L, "cstat", r->cstat); setnum(L, "cstat_p", r->cstat_p); setnum(L, "cstat_df", r->cstat_df);
  if (r->wtype) { lua_pushstring(L, wtypes[r->wtype]); lua_setfield(L, -2, "wtype"); }
  lua_pushstring(L, vces[r->vce]); lua_setfield(L, -2, "vce");
  lua_pushboolean(L, r->small); lua_setfield(L, -2, "small");
}

/* The weak-IV pieces a fit keeps for r:ar_test(b0): a userdata owning them. */
typedef struct { tfp_iv_weak *wk; } weak_box;

static int iv_weak_gc(lua_State *L)
{
  weak_box *b = luaL_checkudata(L, 1, "tfp.iv_weak");
  tfp_iv_weak_free(b->wk);
  b->wk = NULL;
  return 0;
}

static const char *const SHAPES[] = {"empty", "interval", "rays", "line", "union"};

/* {type, lower, upper, left_ray_upper, right_ray_lower, critical_value,
   pieces = {{lo, hi}, ...}} (absent ends are nil; infinite ends +-inf). */
static void push_set(lua_State *L, const tfp_iv_ar_set *set)
{
  lua_createtable(L, 0, 8);
  lua_pushstring(L, SHAPES[set->type]); lua_setfield(L, -2, "type");
  setnum(L, "lower", set->lower); setnum(L, "upper", set->upper);
  setnum(L, "left_ray_upper", set->left_ray_upper); setnum(L, "right_ray_lower", set->right_ray_lower);
  setnum(L, "critical_value", set->critical_value);
  lua_createtable(L, (int)set->n_pieces, 0);
  for (size_t i = 0; i < set->n_pieces; i++) {
    lua_createtable(L, 2, 0);
    lua_pushnumber(L, set->pieces[2 * i]); lua_rawseti(L, -2, 1);
    lua_pushnumber(L, set->pieces[2 * i + 1]); lua_rawseti(L, -2, 2);
    lua_rawseti(L, -2, (lua_Integer)i + 1);
  }
  lua_setfield(L, -2, "pieces");
}

/* r.ar_set, r.ar_set_chi2, r.eff_f, r.eff_f_cv, r.k_eff and r._weak (the
   userdata behind r:ar_test), taking r->weak over. */
static void push_weak(lua_State *L, tfp_iv_result *r)
{
  tfp_iv_weak *wk = r->weak;
  if (!wk) return;
  push_set(L, &wk->set_f); lua_setfield(L, -2, "ar_set");
  push_set(L, &wk->set_chi2); lua_setfield(L, -2, "ar_set_chi2");
  setnum(L, "eff_f", wk->eff_f); setnum(L, "eff_f_cv", wk->eff_f_cv); setnum(L, "k_eff", wk->k_eff);
  weak_box *b = lua_newuserdatauv(L, sizeof *b, 0);
  b->wk = NULL;
  if (luaL_newmetatable(L, "tfp.iv_weak")) { lua_pushcfunction(L, iv_weak_gc); lua_setfield(L, -2, "__gc"); }
  lua_setmetatable(L, -2);
  b->wk = wk;
  r->weak = NULL;
  lua_setfield(L, -2, "_weak");
}

/* tfp._ar_test(weak, b0) -> {f, f_p, chi2, chi2_p, df1, df2} (statistics nil
   when the moment covariance at b0 is singular). */
static int iv_ar_test(lua_State *L)
{
  weak_box *b = luaL_checkudata(L, 1, "tfp.iv_weak");
  double b0 = luaL_checknumber(L, 2);
  if (!b->wk) return luaL_argerror(L, 1, "no weak-IV pieces");
  tfp_iv_ar ar;
  tfp_iv_ar_test(b->wk, b0, &ar);
  lua_createtable(L, 0, 6);
  setnum(L, "f", ar.f); setnum(L, "f_p", ar.f_p); setnum(L, "chi2", ar.chi2); setnum(L, "chi2_p", ar.chi2_p);
  setint(L, "df1", ar.df1);
  if (isfinite(ar.df2) && ar.df2 == floor(ar.df2)) setint(L, "df2", ar.df2); else setnum(L, "df2", ar.df2);
  return 1;
}

static int progress(void *ud, const char *what, size_t done, size_t total)
{
  (void)ud;
  return tfp_progress(what, done, total);   /* non-zero after Ctrl-C: the fit stops */
}

static int iv_ivfit(lua_State *L)
{
  luaL_checktype(L, 1, LUA_TTABLE);
  lua_settop(L, 1);
  lua_newtable(L);   /* KEEP */
  tfp_pinscope(L);   /* PINS */
  /* scratch in userdata owned by KEEP: nothing malloc'ed can leak when we raise */
  static const tfp_ivspec_how how = {"tfp._ivfit", KEEP, PINS, NULL};
  tfp_iv_data d;
  tfp_iv_opts o;
  tfp_read_ivspec(L, 1, &how, &d, &o);
  o.progress = progress;

  result_box *box = lua_newuserdatauv(L, sizeof *box, 0);
  box->r = NULL;
  if (luaL_newmetatable(L, "tfp.iv_result")) { lua_pushcfunction(L, iv_result_gc); lua_setfield(L, -2, "__gc"); }
  lua_setmetatable(L, -2);
  size_t errlen = tfp_iv_err_room(&d);   /* long names come back whole */
  char *err = lua_newuserdatauv(L, errlen, 0);
  int rc = tfp_iv_fit(&d, &o, &box->r, err, errlen);
  if (rc != TFP_OK) return tfp_raise_status(L, rc, "tfp._ivfit", err);
  push_result(L, box->r);      /* on a memory error the box's __gc frees the result */
  push_weak(L, box->r);
  tfp_iv_result_free(box->r);
  box->r = NULL;
  return 1;
}

/* tfp._group_codes(f, name) -> a vector of the column's group codes, 1-based
   (missing: NaN), numbered as tfp_group_codes numbers them (sorted values):
   model.lua codes string fixed effects and clusters by it, so Lua and C
   number groups alike. */
static int iv_group_codes(lua_State *L)
{
  tfp_frame *f = tfp_pinframe(L, 1);
  int j = tfp_checkcolumn(L, f, 2, luaL_checkstring(L, 2));
  size_t n = f->nrow, n_groups;
  int *code = lua_newuserdatauv(L, (n ? n : 1) * sizeof *code, 0);
  int rc = tfp_group_codes(&f->col[j], n, code, &n_groups, tfp_progress_cb, NULL);
  if (rc != TFP_OK) return tfp_raise_status(L, rc, NULL, rc == TFP_EINTR ? "interrupted" : "out of memory");
  double *out = tfp_newvector(L, n);
  for (size_t i = 0; i < n; i++) out[i] = code[i] < 0 ? NAN : code[i] + 1.0;
  return 1;
}

static const luaL_Reg iv_funcs[] = {
  {"_ivfit", iv_ivfit},
  {"_group_codes", iv_group_codes},
  {"_ar_test", iv_ar_test},
  {NULL, NULL}
};

int tfp_open_iv(lua_State *L)
{
  luaL_setfuncs(L, iv_funcs, 0);
  return 0;
}
