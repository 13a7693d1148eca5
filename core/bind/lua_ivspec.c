/* lua_ivspec.c — the reader of an IV spec table (the fields of tfp._ivfit,
   listed in lua_iv.c) into tfp_iv_data and tfp_iv_opts, shared by
   tfp._ivfit and tfp._ivcurve: a new IV option is read here, once.

   Vectors are tfp.vector userdata (pinned in the scope at how->pins) or
   tables of numbers (copied into scratch owned by the table at how->keep);
   names are strings or numbers, kept alive by that table, with defaults
   ("x1", "z2") where a list gives none. Every vector must have y's rows. */
#include <math.h>
#include <stdint.h>
#include <string.h>
#include "tfp_lua.h"

/* Push v into the KEEP table (popping it): alive for the whole call. */
static void keep(lua_State *L, const tfp_ivspec_how *how) {
  lua_rawseti(L, how->keep, (lua_Integer)luaL_len(L, how->keep) + 1);
}

/* A numeric vector from the value at idx (a tfp.vector or a table) with *n
   rows, or setting *n when it is (size_t)-1. */
static const double *tovec(lua_State *L, const tfp_ivspec_how *how, int idx, const char *name, size_t *n) {
  idx = lua_absindex(L, idx);
  const double *x;
  size_t len;
  tfp_vector *v = tfp_tovector(L, idx);
  if (v) {
    if (v->c.type != TFP_NUM) tfp_raise(L, "data", how->fn, "variable '%s' is not numeric", name);
    tfp_pin(L, how->pins, idx);
    len = v->n;
    x = v->c.num;
  } else {
    if (!lua_istable(L, idx))
      tfp_raise(L, "internal", how->fn, "variable '%s' must be a vector or a table of numbers, not a %s", name,
                luaL_typename(L, idx));
    len = (size_t)luaL_len(L, idx);
    double *copy = tfp_scratch(L, len * sizeof *copy);
    keep(L, how);
    size_t bad = tfp_tonumbers(L, idx, copy, len, 0);
    if (bad) tfp_raise(L, "data", how->fn, "variable '%s' row %d is a %s, not a number", name, (int)bad,
                       luaL_typename(L, -1));
    x = copy;
  }
  if (*n != (size_t)-1 && len != *n)
    tfp_raise(L, "internal", how->fn, "variable '%s' has %d rows, y has %d", name, (int)len, (int)*n);
  *n = len;
  return x;
}

/* The string at idx, or the number there as a string, kept alive for the
   whole call (a converted number would otherwise die with its stack slot);
   NULL for any other type. */
static const char *keep_name(lua_State *L, const tfp_ivspec_how *how, int idx) {
  int t = lua_type(L, idx);
  if (t != LUA_TSTRING && t != LUA_TNUMBER) return NULL;
  lua_pushvalue(L, idx);
  const char *s = lua_tostring(L, -1);   /* converts the copy, not the spec's value */
  keep(L, how);
  return s;
}

static const char *name_field(lua_State *L, const tfp_ivspec_how *how, int spec, const char *key) {
  lua_getfield(L, spec, key);
  const char *s = keep_name(L, how, -1);
  lua_pop(L, 1);
  return s;
}

/* Name k (1-based) of list field `key` of the spec, or a default. */
static const char *name_at(lua_State *L, const tfp_ivspec_how *how, int spec, const char *key, size_t k,
                           const char *dflt) {
  const char *s = NULL;
  if (lua_getfield(L, spec, key) == LUA_TTABLE) {
    lua_geti(L, -1, (lua_Integer)k);
    s = keep_name(L, how, -1);
    lua_pop(L, 1);
  }
  lua_pop(L, 1);
  if (!s) {
    lua_pushfstring(L, "%s%I", dflt, (lua_Integer)k);
    s = keep_name(L, how, -1);
    lua_pop(L, 1);
  }
  return s;
}

/* List field `key` of names; *count gets its length (NULL and 0 when absent). */
static const char *const *read_names(lua_State *L, const tfp_ivspec_how *how, int spec, const char *key,
                                     size_t *count) {
  const char **names = NULL;
  *count = 0;
  if (lua_getfield(L, spec, key) == LUA_TTABLE) {
    lua_Integer len = luaL_len(L, -1);
    if (len < 0 || (lua_Unsigned)len > (lua_Unsigned)(SIZE_MAX / sizeof(char *)) - 1)
      tfp_raise(L, "internal", how->fn, "'%s' has a length of %I", key, len);
    names = tfp_scratch(L, ((size_t)len + 1) * sizeof *names);
    keep(L, how);
    for (lua_Integer k = 1; k <= len; k++) {
      lua_geti(L, -1, k);
      names[k - 1] = keep_name(L, how, -1);
      if (!names[k - 1]) tfp_raise(L, "internal", how->fn, "%s[%d] is not a name", key, (int)k);
      lua_pop(L, 1);
    }
    *count = (size_t)len;
  } else if (!lua_isnil(L, -1)) tfp_raise(L, "internal", how->fn, "'%s' must be a list of names", key);
  lua_pop(L, 1);
  return names;
}

/* List field `key` (vectors) named by `names_key` into *out; returns the count. */
static size_t read_list(lua_State *L, const tfp_ivspec_how *how, int spec, const char *key, const char *names_key,
                        const char *dflt, const tfp_iv_var **out, size_t *n_rows) {
  *out = NULL;
  if (lua_getfield(L, spec, key) == LUA_TNIL) { lua_pop(L, 1); return 0; }
  if (!lua_istable(L, -1) || tfp_tovector(L, -1)) tfp_raise(L, "internal", how->fn, "'%s' must be a list of vectors", key);
  lua_Integer len = luaL_len(L, -1);
  if (len < 0 || (lua_Unsigned)len > (lua_Unsigned)(SIZE_MAX / sizeof(tfp_iv_var)) - 1)
    tfp_raise(L, "internal", how->fn, "'%s' has a length of %I", key, len);
  tfp_iv_var *v = tfp_scratch(L, ((size_t)len + 1) * sizeof *v);
  keep(L, how);
  for (size_t k = 1; k <= (size_t)len; k++) {
    const char *nm = name_at(L, how, spec, names_key, k, dflt);
    lua_geti(L, -1, (lua_Integer)k);
    v[k - 1].name = nm;
    v[k - 1].x = tovec(L, how, -1, nm, n_rows);
    lua_pop(L, 1);
  }
  lua_pop(L, 1);
  *out = v;
  return (size_t)len;
}

/* Optional vector field `key` with y's rows, or NULL. */
static const double *opt_vec(lua_State *L, const tfp_ivspec_how *how, int spec, const char *key, size_t *n) {
  const double *x = NULL;
  if (lua_getfield(L, spec, key) != LUA_TNIL) x = tovec(L, how, -1, key, n);
  lua_pop(L, 1);
  return x;
}

/* Enumerated field `key`: its index in names. A value not there is a bad
   option, or with how->refuse a usage error saying the caller does not fit
   such models yet. */
static int enum_field(lua_State *L, const tfp_ivspec_how *how, int spec, const char *key, const char *def,
                      const char *const names[]) {
  lua_getfield(L, spec, key);
  if (!how->refuse) {
    int k = luaL_checkoption(L, -1, def, names);
    lua_pop(L, 1);
    return k;
  }
  const char *v = lua_isnil(L, -1) ? def : lua_type(L, -1) == LUA_TSTRING ? lua_tostring(L, -1) : NULL;
  lua_pop(L, 1);   /* the spec keeps a string value alive */
  for (int k = 0; v && names[k]; k++)
    if (strcmp(names[k], v) == 0) return k;
  return tfp_raise(L, "usage", how->fn, "%s models with %s = '%s' yet", how->refuse, key, v ? v : "?");
}

static void read_data(lua_State *L, const tfp_ivspec_how *how, int spec, tfp_iv_data *d) {
  memset(d, 0, sizeof *d);
  size_t n = (size_t)-1;
  d->y.name = name_field(L, how, spec, "y_name");
  if (!d->y.name) d->y.name = "y";
  if (lua_getfield(L, spec, "y") == LUA_TNIL) tfp_raise(L, "internal", how->fn, "spec.y (the dependent variable) is required");
  d->y.x = tovec(L, how, -1, d->y.name, &n);
  lua_pop(L, 1);
  d->n_exog = read_list(L, how, spec, "exog", "exog_names", "x", &d->exog, &n);
  d->n_endog = read_list(L, how, spec, "endog", "endog_names", "endog", &d->endog, &n);
  d->n_inst = read_list(L, how, spec, "inst", "inst_names", "z", &d->inst, &n);
  d->n_dummies = read_list(L, how, spec, "dummies", "dummy_names", "d", &d->dummies, &n);
  const tfp_iv_var *am;
  size_t n_am = read_list(L, how, spec, "absorb_more", "absorb_more_names", "fe", &am, &n);
  d->n = n;
  const double **more = tfp_scratch(L, (n_am + 1) * sizeof *more);
  keep(L, how);
  for (size_t k = 0; k < n_am; k++) more[k] = am[k].x;
  d->absorb_more = more;
  d->n_absorb_more = n_am;
  d->absorb = opt_vec(L, how, spec, "absorb", &n);
  d->cluster = opt_vec(L, how, spec, "cluster", &n);
  d->cluster2 = opt_vec(L, how, spec, "cluster2", &n);
  d->time = opt_vec(L, how, spec, "time", &n);
  d->panel = opt_vec(L, how, spec, "panel", &n);
  d->absorb_name = name_field(L, how, spec, "absorb_name");
  d->cluster_name = name_field(L, how, spec, "cluster_name");
  d->cluster2_name = name_field(L, how, spec, "cluster2_name");
  d->time_name = name_field(L, how, spec, "time_name");
  d->endog_test = read_names(L, how, spec, "endog_test", &d->n_endog_test);
  d->orthog = read_names(L, how, spec, "orthog", &d->n_orthog);
  d->weights = opt_vec(L, how, spec, "weights", &n);
  if (d->weights) {
    static const char *const wtypes[] = {"aweight", "fweight", "pweight", NULL};
    d->wtype = TFP_IV_AWEIGHT + enum_field(L, how, spec, "wtype", "aweight", wtypes);
    d->weights_name = name_field(L, how, spec, "weights_name");
  }
}

static double opt_number(lua_State *L, int spec, const char *key, double def) {
  lua_getfield(L, spec, key);
  double v = luaL_optnumber(L, -1, def);
  lua_pop(L, 1);
  return v;
}

static int bool_field(lua_State *L, int spec, const char *key) {
  lua_getfield(L, spec, key);
  int v = lua_toboolean(L, -1);
  lua_pop(L, 1);
  return v;
}

static void read_opts(lua_State *L, const tfp_ivspec_how *how, int spec, const tfp_iv_data *d, tfp_iv_opts *o) {
  tfp_iv_opts_init(o);
  /* "fuller" is LIML with Fuller's a (default 1) */
  static const char *const methods[] = {"2sls", "gmm", "liml", "kclass", "fuller", NULL};
  static const char *const vces[] = {"unadjusted", "robust", "cluster", NULL};
  static const char *const kernels[] = {"none", "bartlett", "parzen", "truncated", "thanning", "thamming", "qs",
                                        "daniell", "tent", NULL};
  int method = enum_field(L, how, spec, "method", "2sls", methods);
  o->method = method == 4 ? TFP_IV_LIML : (tfp_iv_method)method;
  o->fuller = opt_number(L, spec, "fuller", method == 4 ? 1.0 : 0.0);
  o->kclass = opt_number(L, spec, "k", NAN);
  o->coviv = bool_field(L, spec, "coviv");
  o->vce = (tfp_iv_vce)enum_field(L, how, spec, "vce", "unadjusted", vces);
  if (o->vce == TFP_VCE_CLUSTER && !d->cluster) tfp_raise(L, "internal", how->fn, "vce 'cluster' needs spec.cluster");
  o->small = bool_field(L, spec, "small");
  o->kernel = (tfp_iv_kernel)enum_field(L, how, spec, "kernel", "none", kernels);
  if (lua_getfield(L, spec, "bw") == LUA_TSTRING && strcmp(lua_tostring(L, -1), "auto") == 0) o->bw = TFP_IV_BW_AUTO;
  else o->bw = luaL_optnumber(L, -1, 0);
  lua_pop(L, 1);
  o->kiefer = bool_field(L, spec, "kiefer");
  if (lua_getfield(L, spec, "constant") != LUA_TNIL) o->constant = lua_toboolean(L, -1);
  lua_pop(L, 1);
  lua_getfield(L, spec, "dofminus");
  o->dofminus = (long)luaL_optinteger(L, -1, 0);
  lua_getfield(L, spec, "sdofminus");
  o->sdofminus = (long)luaL_optinteger(L, -1, 0);
  lua_pop(L, 2);
  if (o->dofminus < 0 || o->sdofminus < 0) tfp_raise(L, "internal", how->fn, "dofminus and sdofminus must be >= 0");
}

void tfp_read_ivspec(lua_State *L, int spec, const tfp_ivspec_how *how, tfp_iv_data *d, tfp_iv_opts *o) {
  spec = lua_absindex(L, spec);
  read_data(L, how, spec, d);
  read_opts(L, how, spec, d, o);
  /* spec.frame (optional): the frame the variables come from, to name rows
     by its panel in messages. Read last, after every callback. */
  lua_getfield(L, spec, "frame");
  tfp_frame *frame = tfp_toframe(L, -1);
  if (frame && frame->nrow == d->n) {
    tfp_pin(L, how->pins, lua_gettop(L));
    tfp_frame_namer *namer = tfp_scratch(L, sizeof *namer);
    keep(L, how);
    *namer = (tfp_frame_namer){frame, frame->panel_id, frame->panel_time};
    o->rows = (tfp_rows){tfp_frame_row_label, namer};
  }
  lua_pop(L, 1);
}
