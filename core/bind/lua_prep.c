/* lua_prep.c — data preparation: tfp.lq, tfp.capital_stock, tfp.deflate,
   tfp.group_mean. Thin wrappers over lq.c, capital.c and deflate.c; scratch
   memory lives in userdata so an error raised on the way cannot leak it.

   tfp.lq{data = f, sectors = {...} | "col", total = "col" [, by = "col"]} -> vector
     location quotient per row (equation (1)); by: groups (the year) whose
     totals form the reference ratio; none = the whole frame.
   tfp.capital_stock{data = f, id = "col", time = "col", investment = "col"
                     [, delta = 0.096] [, initial = "growth" | "col"]} -> vector
     K_t = (1 - delta) K_{t-1} + I_t per unit; first-year stock by the
     Hall-Jones rule I_0 / (g + delta) or from a column. Rows in any order.
   tfp.deflate(values, index [, {base = 2003, time = ..., id = ..., data = f,
               chained = true}]) -> vector
     chained = true (default): index with previous period = 100, chained from
     base; chained = false: fixed-base index (base period = 100; with base
     given, rebased to it). values/index/id/time: vectors, tables or column
     names of data.
   tfp.group_mean(x, by [, f]) -> vector: each row gets the mean of x over
     the rows with its value of by (x, by: vectors, tables or columns of f).
   Data errors name the unit and years, or the row and column. */
#include <limits.h>
#include <math.h>
#include <stdio.h>
#include <string.h>
#include "capital.h"
#include "deflate.h"
#include "lq.h"
#include "tfp_lua.h"

#define MAX_SECTORS 64

/* A numeric argument: a vector, a table of numbers (nil = missing) or, when f
   is given, a column name. Tables are copied into a userdata pushed on the
   stack; what is returned stays valid while the stack holds its owner. */
typedef struct { const tfp_column *col; const double *x; size_t n; } numarg;

static numarg checkvalues(lua_State *L, int arg, const char *what, tfp_frame *f, int allow_str) {
  numarg r = {NULL, NULL, 0};
  arg = lua_absindex(L, arg);
  tfp_vector *v = tfp_tovector(L, arg);
  if (v) {
    if (v->c.type != TFP_NUM && !allow_str)
      tfp_argerror(L, arg, lua_pushfstring(L, "%s: a string vector, numbers expected", what));
    tfp_pin(L, tfp_pinscope(L), arg);   /* pushes one value */
    r.col = &v->c;
    r.x = v->c.num;
    r.n = v->n;
  } else if (lua_type(L, arg) == LUA_TSTRING) {
    if (!f) tfp_argerror(L, arg, lua_pushfstring(L, "%s: a column name needs option 'data'", what));
    const char *name = lua_tostring(L, arg);
    int j = tfp_checkcolumn(L, f, arg, name);
    if (f->col[j].type != TFP_NUM && !allow_str)
      tfp_argerror(L, arg, lua_pushfstring(L, "%s: column '%s' is not numeric", what, name));
    r.col = &f->col[j];
    r.x = f->col[j].num;
    r.n = f->nrow;
  } else if (lua_istable(L, arg)) {
    size_t n = (size_t)luaL_len(L, arg);
    tfp_column *c = tfp_scratch(L, sizeof *c + n * sizeof(double));
    double *x = (double *)(c + 1);
    memset(c, 0, sizeof *c);
    c->type = TFP_NUM;
    c->num = x;
    size_t bad = tfp_tonumbers(L, arg, x, n, 0);
    if (bad)
      tfp_argerror(L, arg, lua_pushfstring(L, "%s: element %d is a %s, not a number", what, (int)bad,
                                           luaL_typename(L, -1)));
    lua_replace(L, arg);   /* the userdata takes the table's slot and stays alive */
    r.col = c;
    r.x = x;
    r.n = n;
  } else {
    tfp_argerror(L, arg, lua_pushfstring(L, "%s: vector, table or column name expected, got %s", what,
                                          luaL_typename(L, arg)));
  }
  return r;
}

/* Tables with metatables as arguments 1 and 2 become plain copies first:
   their metamethods may close or change a frame or vector, so they run
   before any frame or vector is read. */
static void tables_first(lua_State *L) {
  for (int k = 1; k <= 2; k++) {
    if (!lua_istable(L, k) || !lua_getmetatable(L, k)) continue;
    lua_pop(L, 1);
    lua_Integer n = luaL_len(L, k);
    if (n < 0 || n > INT_MAX) tfp_argerror(L, k, "a table with an impossible length");
    lua_createtable(L, (int)n, 0);
    for (lua_Integer i = 1; i <= n; i++) {
      lua_geti(L, k, i);
      lua_rawseti(L, -2, i);
    }
    lua_replace(L, k);
  }
}

/* Field `key` of options table t as numarg (nil: r.x == NULL). Pushes one value. */
static numarg optvalues(lua_State *L, int t, const char *key, tfp_frame *f, int allow_str) {
  numarg r = {NULL, NULL, 0};
  lua_getfield(L, t, key);
  if (!lua_isnil(L, -1)) {
    char what[64];
    snprintf(what, sizeof what, "option '%s'", key);
    r = checkvalues(L, -1, what, f, allow_str);
  }
  return r;
}

/* Group codes of column c (n rows) and, when labels != NULL, a label per
   group for messages (numbers printed, strings as they are). Pushes two
   userdata. */
static int *groups(lua_State *L, const tfp_column *c, size_t n, size_t *n_groups, const char ***labels) {
  int *code = tfp_scratch(L, n * sizeof *code);
  int rc = tfp_group_codes(c, n, code, n_groups, tfp_progress_cb, NULL);
  if (rc != TFP_OK) tfp_raise_status(L, rc, NULL, rc == TFP_EINTR ? "interrupted" : "out of memory");
  size_t ng = *n_groups;
  const char **lab = tfp_scratch(L, ng * (sizeof *lab + 32));
  char *buf = (char *)(lab + ng);
  for (size_t g = 0; g < ng; g++) lab[g] = NULL;
  for (size_t i = 0; i < n; i++) {
    int g = code[i];
    if (g < 0 || lab[g]) continue;
    if (c->type == TFP_STR) lab[g] = c->str[i];
    else {
      snprintf(buf + 32 * g, 32, "%.15g", c->num[i]);
      lab[g] = buf + 32 * g;
    }
  }
  if (labels) *labels = lab;
  return code;
}

/* tfp.lq{data = f, sectors = {...}, total = "emp_total", by = "year"} */
static int prep_lq(lua_State *L) {
  lua_settop(L, 1);
  tfp_checkoptions(L, 1, "tfp.lq");
  tfp_frame *f = tfp_optframe(L, 1, "data", 1);
  const char *names[MAX_SECTORS + 1];
  size_t ns = tfp_optnames(L, 1, "sectors", names, MAX_SECTORS);
  names[ns] = tfp_reqstring(L, 1, "total");
  const double *sec[MAX_SECTORS];
  for (size_t k = 0; k < ns; k++) sec[k] = tfp_checknumcol(L, f, 1, names[k]);
  const double *total = tfp_checknumcol(L, f, 1, names[ns]);
  const char *by = tfp_optstring(L, 1, "by", NULL);
  int *code = NULL;
  size_t n_groups = 0;
  if (by) code = groups(L, &f->col[tfp_checkcolumn(L, f, 1, by)], f->nrow, &n_groups, NULL);
  double *lq = tfp_newvector(L, f->nrow);
  char err[512] = "";
  tfp_frame_namer namer = { f, f->panel_id, f->panel_time };
  tfp_rows rows = { tfp_frame_row_label, &namer };
  if (tfp_lq(f->nrow, ns, sec, total, code, n_groups, names, &rows, lq, err, sizeof err) != TFP_OK)
    return tfp_raise_status(L, TFP_EDATA, "tfp.lq", err);
  return 1;
}

/* tfp.capital_stock{data = f, id = "city", time = "year", investment = "inv_real",
   delta = 0.096, initial = "growth" | column} */
static int prep_capital_stock(lua_State *L) {
  lua_settop(L, 1);
  tfp_checkoptions(L, 1, "tfp.capital_stock");
  tfp_frame *f = tfp_optframe(L, 1, "data", 1);
  int id = tfp_checkcolumn(L, f, 1, tfp_reqstring(L, 1, "id"));
  const double *time = tfp_checknumcol(L, f, 1, tfp_reqstring(L, 1, "time"));
  const double *inv = tfp_checknumcol(L, f, 1, tfp_reqstring(L, 1, "investment"));
  tfp_capital_opts o;
  tfp_capital_opts_init(&o);
  o.delta = tfp_optnumber(L, 1, "delta", o.delta);
  const char *initial = tfp_optstring(L, 1, "initial", "growth");
  if (strcmp(initial, "growth") != 0) {
    o.initial = TFP_K0_GIVEN;
    o.k0 = tfp_checknumcol(L, f, 1, initial);
  }
  size_t n_units;
  const char **labels;
  int *unit = groups(L, &f->col[id], f->nrow, &n_units, &labels);
  o.unit_label = labels;
  o.id_name = tfp_reqstring(L, 1, "id");
  o.time_name = tfp_reqstring(L, 1, "time");
  double *k = tfp_newvector(L, f->nrow);
  char err[256] = "";
  int rc = tfp_capital_stock(f->nrow, unit, n_units, time, inv, &o, k, err, sizeof err);
  if (rc != TFP_OK) return tfp_raise_status(L, rc, "tfp.capital_stock", err);
  return 1;
}

/* tfp.deflate(values, index, {base = 2003, id = "city", time = "year", data = f,
   chained = true}); values, index, id, time: vectors, tables or column names of data. */
static int prep_deflate(lua_State *L) {
  lua_settop(L, 3);
  tfp_checkoptions(L, 3, "tfp.deflate");
  tables_first(L);
  tfp_frame *f = tfp_optframe(L, 3, "data", 0);
  numarg v = checkvalues(L, 1, "values", f, 0), idx = checkvalues(L, 2, "index", f, 0);
  if (v.n != idx.n)
    return tfp_raise(L, "usage", "tfp.deflate", "%d values but %d index values", (int)v.n, (int)idx.n);
  tfp_deflate_opts o;
  tfp_deflate_opts_init(&o);
  numarg id = {NULL, NULL, 0}, time = {NULL, NULL, 0};
  o.chained = tfp_optbool(L, 3, "chained", o.chained);
  o.base = tfp_optnumber(L, 3, "base", o.base);
  id = optvalues(L, 3, "id", f, 1);
  time = optvalues(L, 3, "time", f, 0);
  if ((id.col && id.n != v.n) || (time.x && time.n != v.n))
    return tfp_raise(L, "usage", "tfp.deflate", "id/time have %d values, the values %d",
                     (int)(id.col ? id.n : time.n), (int)v.n);
  if (o.chained && (isnan(o.base) || !time.x))
    return tfp_raise(L, "usage", "tfp.deflate",
                     "a chained index (chained = true, the default) needs options 'base' and 'time'");
  int *unit = NULL;
  size_t n_units = 0;
  const char **labels = NULL;
  if (id.col) unit = groups(L, id.col, id.n, &n_units, &labels);
  o.unit_label = labels;
  if (lua_getfield(L, 3, "id") == LUA_TSTRING) o.id_name = lua_tostring(L, -1);   /* kept by the options */
  if (lua_getfield(L, 3, "time") == LUA_TSTRING) o.time_name = lua_tostring(L, -1);
  lua_pop(L, 2);
  double *real = tfp_newvector(L, v.n);
  char err[256] = "";
  int rc = tfp_deflate(v.n, v.x, idx.x, unit, n_units, time.x, &o, real, err, sizeof err);
  if (rc != TFP_OK) return tfp_raise_status(L, rc, "tfp.deflate", err);
  return 1;
}

/* tfp.group_mean(x, by): per-row mean of x over the rows sharing by's value
   (missing x ignored; a group with no value, or a missing by, gives missing).
   x, by: vectors or tables; with a frame as third argument, column names. */
static int prep_group_mean(lua_State *L) {
  lua_settop(L, 3);
  tables_first(L);
  tfp_frame *f = lua_isnil(L, 3) ? NULL : tfp_pinframe(L, 3);
  numarg x = checkvalues(L, 1, "x", f, 0), by = checkvalues(L, 2, "by", f, 1);
  if (x.n != by.n)
    return tfp_raise(L, "usage", "tfp.group_mean", "%d values but %d group values", (int)x.n, (int)by.n);
  size_t ng;
  int *code = groups(L, by.col, by.n, &ng, NULL);
  double *acc = tfp_scratch(L, 2 * ng * sizeof *acc);
  for (size_t g = 0; g < 2 * ng; g++) acc[g] = 0;
  for (size_t i = 0; i < x.n; i++)
    if (code[i] >= 0 && !isnan(x.x[i])) {   /* running mean: a sum of large values cannot overflow */
      double *a = &acc[2 * code[i]];
      a[1] += 1;
      a[0] += (x.x[i] - a[0]) / a[1];
    }
  double *m = tfp_newvector(L, x.n);
  for (size_t i = 0; i < x.n; i++)
    m[i] = code[i] >= 0 && acc[2 * code[i] + 1] > 0 ? acc[2 * code[i]] : NAN;
  return 1;
}

static const luaL_Reg prep_funcs[] = {
  {"lq", prep_lq},
  {"capital_stock", prep_capital_stock},
  {"deflate", prep_deflate},
  {"group_mean", prep_group_mean},
  {NULL, NULL}
};

int tfp_open_prep(lua_State *L) {
  luaL_setfuncs(L, prep_funcs, 0);
  return 0;
}
