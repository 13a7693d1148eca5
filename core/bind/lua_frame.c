/* lua_frame.c — the frame and vector userdata: column access, vectorised
   arithmetic, subsets, panel lags, printing. */
#include <ctype.h>
#include <limits.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include "csv.h"
#include "tfp_lua.h"
#include "visible.h"

/* ---------------------------------------------------------------- numbers */

/* Integral doubles below 2^31 in magnitude come to Lua as integers (f.year[1]
   is 2003, not 2003.0). Not up to 2^53: Lua integer arithmetic wraps, and the
   product of two values below 2^31 is the largest that cannot. Listings print
   all digits of integral values up to 2^53. */
#define LUA_INT_MAX_EXACT 2147483648.0
#define EXACT_INT 9007199254740992.0

static int is_exact_int(double x) { return x == floor(x) && fabs(x) < EXACT_INT; }
static int is_lua_int(double x) { return x == floor(x) && fabs(x) < LUA_INT_MAX_EXACT; }

static void push_number(lua_State *L, double x) {
  if (is_lua_int(x)) lua_pushinteger(L, (lua_Integer)x);
  else lua_pushnumber(L, x);
}

static void format_number(double x, const char *fmt, char *buf, size_t n) {
  if (isnan(x)) snprintf(buf, n, ".");
  else if (is_exact_int(x)) snprintf(buf, n, "%.0f", x);
  else snprintf(buf, n, fmt, x);
}

/* ------------------------------------------------------------ did you mean */

/* Levenshtein distance, case-insensitive (as O.distance in lua/options.lua). */
static size_t edit_distance(const char *a, const char *b) {
  size_t la = strlen(a), lb = strlen(b), row[128];
  if (lb >= sizeof row / sizeof row[0]) return (size_t)-1;
  for (size_t j = 0; j <= lb; j++) row[j] = j;
  for (size_t i = 1; i <= la; i++) {
    size_t diag = row[0];
    row[0] = i;
    for (size_t j = 1; j <= lb; j++) {
      size_t up = row[j], cost = tolower((unsigned char)a[i - 1]) != tolower((unsigned char)b[j - 1]);
      size_t best = up + 1 < row[j - 1] + 1 ? up + 1 : row[j - 1] + 1;
      row[j] = diag + cost < best ? diag + cost : best;
      diag = up;
    }
  }
  return row[lb];
}

static int prefix_of(const char *p, const char *s) {
  for (; *p; p++, s++)
    if (tolower((unsigned char)*p) != tolower((unsigned char)*s)) return 0;
  return 1;
}

/* The candidate closest to word, as O.closest: at most one edit for words of
   four letters or fewer, two otherwise, else a unique prefix of 3+ letters. */
static const char *closest(const char *word, const char *const *cand, size_t n) {
  size_t lw = strlen(word), bestd = (size_t)-1, n_prefixed = 0;
  const char *best = NULL, *prefixed = NULL;
  for (size_t k = 0; k < n; k++) {
    size_t d = edit_distance(word, cand[k]);
    if (d < bestd) { best = cand[k]; bestd = d; }
    if (lw >= 3 && (prefix_of(word, cand[k]) || prefix_of(cand[k], word))) { prefixed = cand[k]; n_prefixed++; }
  }
  if (best && bestd <= (lw <= 4 ? 1u : 2u)) return best;
  return n_prefixed == 1 ? prefixed : NULL;
}

/* ---------------------------------------------------------------- vectors */

static tfp_vector *newvector(lua_State *L, tfp_type type, size_t n) {
  tfp_vector *v = lua_newuserdatauv(L, sizeof *v, 0);
  memset(v, 0, sizeof *v);
  luaL_setmetatable(L, TFP_VECTOR_MT);
  v->n = n;
  v->c.type = type;
  if (type == TFP_NUM) v->c.num = malloc((n ? n : 1) * sizeof(double));
  else v->c.str = calloc(n ? n : 1, sizeof(char *));
  if (!v->c.num && !v->c.str) luaL_error(L, "out of memory for a vector of %d values", (int)n);
  return v;
}

double *tfp_newvector(lua_State *L, size_t n) { return newvector(L, TFP_NUM, n)->c.num; }

tfp_vector *tfp_tovector(lua_State *L, int arg) { return luaL_testudata(L, arg, TFP_VECTOR_MT); }
tfp_vector *tfp_checkvector(lua_State *L, int arg) { return luaL_checkudata(L, arg, TFP_VECTOR_MT); }

void tfp_pushcolumn(lua_State *L, const tfp_column *c, size_t n) {
  tfp_vector *v = newvector(L, c->type, n);
  /* The column's name, for messages only ("use f.year:gt(2010)"). */
  v->c.name = tfp_copystring(L, c->name);
  if (c->type == TFP_NUM) {
    if (n) memcpy(v->c.num, c->num, n * sizeof(double));
  } else {
    for (size_t i = 0; i < n; i++)
      v->c.str[i] = tfp_copystring(L, c->str[i]);
  }
}

static void vector_free(tfp_vector *v) {
  free(v->c.num);
  free(v->c.name);
  tfp_column_free_str(v->c.str, v->n);
  v->c.name = NULL;
  v->c.num = NULL;
  v->c.str = NULL;
  v->n = 0;
}

static int vector_gc(lua_State *L) {
  tfp_vector *v = tfp_checkvector(L, 1);
  if (v->pins) v->closed = 1;   /* a running function reads it: freed when it is done */
  else vector_free(v);
  return 0;
}

/* A Lua table of numbers/strings as a vector: nil is missing; the length is
   field n when present (as table.pack sets it), else #t, padded to n_hint. */
static tfp_vector *vector_from_table(lua_State *L, int t, size_t n_hint) {
  t = lua_absindex(L, t);
  lua_getfield(L, t, "n");
  size_t n = lua_isinteger(L, -1) && lua_tointeger(L, -1) >= 0 ? (size_t)lua_tointeger(L, -1) : (size_t)luaL_len(L, t);
  lua_pop(L, 1);
  if (n_hint && n < n_hint) n = n_hint;
  /* A junk length (n = math.maxinteger) would scan for ages, then overflow the allocation size. */
  if (n > (size_t)INT_MAX) luaL_error(L, "a vector of %I values is too long", (lua_Integer)n);
  tfp_type type = TFP_NUM;
  for (size_t i = 1; i <= n; i++) {
    int ty = lua_geti(L, t, (lua_Integer)i);
    lua_pop(L, 1);
    if (ty == LUA_TSTRING) { type = TFP_STR; break; }
  }
  tfp_vector *v = newvector(L, type, n);
  if (type == TFP_NUM) {
    size_t bad = tfp_tonumbers(L, t, v->c.num, n, TFP_NUMBERS_BOOLEANS);
    if (bad) luaL_error(L, "element %d of the table is a %s, not a number", (int)bad, luaL_typename(L, -1));
    return v;
  }
  for (size_t i = 0; i < n; i++) {
    int ty = lua_geti(L, t, (lua_Integer)i + 1);
    if (ty == LUA_TSTRING || ty == LUA_TNUMBER) v->c.str[i] = tfp_copystring(L, lua_tostring(L, -1));
    else if (ty != LUA_TNIL)
      luaL_error(L, "element %d of the table is a %s, not a string", (int)i + 1, luaL_typename(L, -1));
    lua_pop(L, 1);
  }
  return v;
}

/* The operand at arg as a vector (converting a table) or a scalar. */
typedef struct { const double *x; double s; size_t n; } operand;

static operand checkoperand(lua_State *L, int arg) {
  operand o = {NULL, 0, 0};
  if (lua_type(L, arg) == LUA_TNUMBER) { o.s = lua_tonumber(L, arg); return o; }
  tfp_vector *v = tfp_tovector(L, arg);
  if (!v && lua_istable(L, arg)) { v = vector_from_table(L, arg, 0); lua_replace(L, arg); }
  if (!v) luaL_error(L, "arithmetic on a %s and a vector", luaL_typename(L, arg));
  if (v->c.type != TFP_NUM) luaL_error(L, "arithmetic on a string vector");
  o.x = v->c.num;
  o.n = v->n;
  return o;
}

/* With convert, tables among the first n arguments become vectors (their metamethods run
   now, before any vector is read), then every vector argument is pinned. */
static void prepare_operands(lua_State *L, int n, int convert) {
  lua_settop(L, n);
  for (int k = 1; convert && k <= n; k++)
    if (!tfp_tovector(L, k) && lua_istable(L, k)) { vector_from_table(L, k, 0); lua_replace(L, k); }
  int scope = tfp_pinscope(L);
  for (int k = 1; k <= n; k++) tfp_pin(L, scope, k);
}

static int vector_arith(lua_State *L, int op) {
  prepare_operands(L, 2, 1);
  operand a = checkoperand(L, 1), b = op == LUA_OPUNM ? a : checkoperand(L, 2);
  if (a.x && b.x && a.n != b.n)
    return luaL_error(L, "vectors of different lengths (%d and %d)", (int)a.n, (int)b.n);
  size_t n = a.x ? a.n : b.n;
  double *r = tfp_newvector(L, n);
  for (size_t i = 0; i < n; i++) {
    double x = a.x ? a.x[i] : a.s, y = b.x ? b.x[i] : b.s;
    switch (op) {
      case LUA_OPADD: r[i] = x + y; break;
      case LUA_OPSUB: r[i] = x - y; break;
      case LUA_OPMUL: r[i] = x * y; break;
      /* Division by zero is missing, not an infinity that would slip into a model. */
      case LUA_OPDIV: r[i] = y == 0 ? NAN : x / y; break;
      case LUA_OPPOW: r[i] = pow(x, y); break;
      case LUA_OPUNM: r[i] = -x; break;
    }
    if (!isfinite(r[i])) r[i] = NAN;
  }
  return 1;
}

static int vector_add(lua_State *L) { return vector_arith(L, LUA_OPADD); }
static int vector_sub(lua_State *L) { return vector_arith(L, LUA_OPSUB); }
static int vector_mul(lua_State *L) { return vector_arith(L, LUA_OPMUL); }
static int vector_div(lua_State *L) { return vector_arith(L, LUA_OPDIV); }
static int vector_pow(lua_State *L) { return vector_arith(L, LUA_OPPOW); }
static int vector_unm(lua_State *L) { return vector_arith(L, LUA_OPUNM); }

static int vector_len(lua_State *L) {
  lua_pushinteger(L, (lua_Integer)tfp_checkvector(L, 1)->n);
  return 1;
}

static void push_element(lua_State *L, const tfp_column *c, size_t i) {
  if (c->type == TFP_NUM) {
    if (isnan(c->num[i])) lua_pushnil(L);
    else push_number(L, c->num[i]);
  } else if (c->str[i]) {
    lua_pushstring(L, c->str[i]);
  } else {
    lua_pushnil(L);
  }
}

/* Summaries skip missing values, as Stata's summarize does. */
static int vector_summary(lua_State *L) {
  tfp_vector *v = tfp_checkvector(L, 1);
  const char *what = lua_tostring(L, lua_upvalueindex(1));
  if (v->c.type != TFP_NUM) return luaL_error(L, "%s of a string vector", what);
  double sum = 0, sumsq = 0, lo = INFINITY, hi = -INFINITY;
  size_t n = 0;
  for (size_t i = 0; i < v->n; i++) {
    double x = v->c.num[i];
    if (isnan(x)) continue;
    n++;
    sum += x;
    if (x < lo) lo = x;
    if (x > hi) hi = x;
  }
  /* mean and sd on values scaled by a power of two (exact) into [-1, 1]:
     a sum of large values may overflow (sum is then inf, as it should be),
     their mean and spread do not */
  double mean = NAN, big = fmax(fabs(lo), fabs(hi)), c = 1;
  if (n && isfinite(big)) {
    int ex = 0;
    if (big > 0) frexp(big, &ex);
    if (ex < -1000) ex = -1000;   /* subnormal values: 2^-ex must stay finite */
    double ms = 0;
    c = ldexp(1.0, -ex);
    for (size_t i = 0; i < v->n; i++) if (!isnan(v->c.num[i])) ms += v->c.num[i] * c;
    ms /= (double)n;
    for (size_t i = 0; i < v->n; i++)
      if (!isnan(v->c.num[i])) sumsq += (v->c.num[i] * c - ms) * (v->c.num[i] * c - ms);
    mean = ms / c;   /* sumsq stays scaled by c^2 */
  } else if (n) {
    mean = sum / (double)n;   /* an infinite value: inf, -inf or NaN, as IEEE says */
    sumsq = NAN;
  }
  double r;
  switch (what[1]) {
    case 'u': r = sum; break;                                   /* sum */
    case 'e': r = mean; break;                                  /* mean */
    case 'i': r = n ? lo : NAN; break;                          /* min */
    case 'a': r = n ? hi : NAN; break;                          /* max */
    case 'd': r = n > 1 ? sqrt(sumsq / (double)(n - 1)) / c : NAN; break;  /* sd */
    default: lua_pushinteger(L, (lua_Integer)n); return 1;      /* count */
  }
  if (isnan(r)) lua_pushnil(L);
  else push_number(L, r);
  return 1;
}

static double compare_result(int op, int c) {
  return op == 0 ? c == 0 : op == 1 ? c != 0 : op == 2 ? c < 0 : op == 3 ? c <= 0 : op == 4 ? c > 0 : c >= 0;
}

/* Comparisons give 0/1 vectors (missing stays missing), for filter(); the
   other side is a scalar or a vector of the same length and type. */
static int vector_compare(lua_State *L) {
  luaL_checkany(L, 2);
  prepare_operands(L, 2, 0);
  tfp_vector *v = tfp_checkvector(L, 1), *w = tfp_tovector(L, 2);
  int op = (int)lua_tointeger(L, lua_upvalueindex(1));   /* 0 eq 1 ne 2 lt 3 le 4 gt 5 ge */
  if (w && (w->n != v->n || w->c.type != v->c.type))
    return tfp_argerror(L, 2, w->n != v->n ? "a vector of another length" : "a vector of another type");
  const char *s = w || v->c.type == TFP_NUM ? NULL : luaL_checkstring(L, 2);
  double y = w || v->c.type == TFP_STR ? 0 : luaL_checknumber(L, 2);
  double *r = tfp_newvector(L, v->n);
  for (size_t i = 0; i < v->n; i++) {
    if (v->c.type == TFP_STR) {
      const char *b = w ? w->c.str[i] : s;
      r[i] = v->c.str[i] && b ? compare_result(op, strcmp(v->c.str[i], b)) : NAN;
    } else {
      double x = v->c.num[i], b = w ? w->c.num[i] : y;
      r[i] = isnan(x) || isnan(b) ? NAN : compare_result(op, (x > b) - (x < b));
    }
  }
  return 1;
}

/* The operand at arg as the user may have written it, for messages. */
static void push_operand_text(lua_State *L, int arg, const char *unnamed) {
  tfp_vector *v = tfp_tovector(L, arg);
  if (v) lua_pushfstring(L, v->c.name ? "f.%s" : "%s", v->c.name ? v->c.name : unnamed);
  else if (lua_type(L, arg) == LUA_TSTRING) lua_pushfstring(L, "'%s'", lua_tostring(L, arg));
  else if (lua_type(L, arg) == LUA_TNUMBER) {
    char buf[64];
    format_number(lua_tonumber(L, arg), "%.15g", buf, sizeof buf);
    lua_pushstring(L, buf);
  }
  else lua_pushfstring(L, "<%s>", luaL_typename(L, arg));
}

/* __lt and __le: Lua makes their result a boolean, so a vector comparison
   cannot be written with < and <=; say which method does it. */
static int vector_order(lua_State *L) {
  int le = (int)lua_tointeger(L, lua_upvalueindex(1));
  int vec = tfp_tovector(L, 1) ? 1 : 2, other = 3 - vec;
  /* a < b with the vector first is v:lt(b); with it second (b > v) it is v:gt(a). */
  const char *method = vec == 1 ? (le ? "le" : "lt") : (le ? "ge" : "gt");
  push_operand_text(L, vec, "v");
  push_operand_text(L, other, "w");
  return tfp_raise(L, "usage", NULL, "a vector cannot be compared with %s; use %s:%s(%s) (also lt, le, gt, ge, eq, ne: "
                   "0/1 masks for f:filter)", le ? "<= or >=" : "< or >", lua_tostring(L, -2), method,
                   lua_tostring(L, -1));
}

static int vector_totable(lua_State *L) {
  tfp_vector *v = tfp_checkvector(L, 1);
  lua_createtable(L, (int)v->n, 0);
  for (size_t i = 0; i < v->n; i++) {
    push_element(L, &v->c, i);
    lua_seti(L, -2, (lua_Integer)i + 1);
  }
  return 1;
}

/* __index fallback: the method called key 2 in the userdata's "methods" table. */
static int push_method(lua_State *L) {
  luaL_getmetafield(L, 1, "methods");
  lua_pushvalue(L, 2);
  lua_rawget(L, -2);
  return 1;
}

static int vector_index(lua_State *L) {
  tfp_vector *v = tfp_checkvector(L, 1);
  if (lua_type(L, 2) == LUA_TNUMBER) {
    lua_Integer i = lua_tointeger(L, 2);
    if (i < 1 || (size_t)i > v->n) return 0;
    push_element(L, &v->c, (size_t)i - 1);
    return 1;
  }
  return push_method(L);
}

static int vector_newindex(lua_State *L) {
  tfp_vector *v = tfp_checkvector(L, 1);
  lua_Integer i = luaL_checkinteger(L, 2);
  luaL_argcheck(L, i >= 1 && (size_t)i <= v->n, 2, "index out of range");
  if (v->c.type == TFP_NUM) {
    v->c.num[i - 1] = lua_isnil(L, 3) ? NAN : luaL_checknumber(L, 3);
  } else {
    /* Check (and copy) before freeing: luaL_checkstring may raise. */
    char *s = lua_isnil(L, 3) ? NULL : tfp_copystring(L, luaL_checkstring(L, 3));
    free(v->c.str[i - 1]);
    v->c.str[i - 1] = s;
  }
  return 0;
}

/* A cell as listed: control characters from the data escaped, long text cut
   (between characters, never inside one or inside an escape). */
static void format_cell(const tfp_column *c, size_t i, char *buf, size_t n) {
  if (c->type == TFP_NUM) {
    format_number(c->num[i], "%.6g", buf, n);
  } else {
    const char *s = c->str[i] ? c->str[i] : ".";
    tfp_visible(buf, n, s, strlen(s), 0);
  }
}

static int vector_tostring(lua_State *L) {
  tfp_vector *v = tfp_checkvector(L, 1);
  luaL_Buffer b;
  char cell[64];
  luaL_buffinit(L, &b);
  luaL_addstring(&b, "vector[");
  lua_pushfstring(L, "%I]{", (lua_Integer)v->n);
  luaL_addvalue(&b);
  for (size_t i = 0; i < v->n && i < 10; i++) {
    format_cell(&v->c, i, cell, sizeof cell);
    if (i) luaL_addstring(&b, ", ");
    luaL_addstring(&b, cell);
  }
  luaL_addstring(&b, v->n > 10 ? ", ...}" : "}");
  luaL_pushresult(&b);
  return 1;
}

/* Elementwise functions for tfp.log etc.; a domain error raises, naming the
   first offending position, rather than making a silent missing value. */
static int vector_math(lua_State *L) {
  int f = (int)lua_tointeger(L, lua_upvalueindex(1));   /* 0 log 1 exp 2 sqrt 3 abs */
  static const char *names[] = {"log", "exp", "sqrt", "abs"};
  if (lua_type(L, 1) == LUA_TNUMBER) {
    double x = lua_tonumber(L, 1);
    if ((f == 0 && x <= 0) || (f == 2 && x < 0))
      return luaL_error(L, "%s of %f is undefined", names[f], x);
    lua_pushnumber(L, f == 0 ? log(x) : f == 1 ? exp(x) : f == 2 ? sqrt(x) : fabs(x));
    return 1;
  }
  prepare_operands(L, 1, 1);
  operand a = checkoperand(L, 1);
  double *r = tfp_newvector(L, a.n);
  for (size_t i = 0; i < a.n; i++) {
    double x = a.x[i];
    if (!isnan(x) && ((f == 0 && x <= 0) || (f == 2 && x < 0)))
      return luaL_error(L, "%s: value %f at position %d is outside the domain", names[f], x, (int)i + 1);
    r[i] = f == 0 ? log(x) : f == 1 ? exp(x) : f == 2 ? sqrt(x) : fabs(x);
    if (!isfinite(r[i])) r[i] = NAN;
  }
  return 1;
}

static int vector_new(lua_State *L) {
  luaL_checktype(L, 1, LUA_TTABLE);
  lua_Integer n = luaL_optinteger(L, 2, 0);
  vector_from_table(L, 1, n > 0 ? (size_t)n : 0);
  return 1;
}

/* ----------------------------------------------------------------- frames */

/* closed: closed by the user; f is freed then, or when the last pin goes. */
typedef struct { tfp_frame *f; int pins, closed; } frame_box;

tfp_frame *tfp_toframe(lua_State *L, int arg) {
  frame_box *b = luaL_testudata(L, arg, TFP_FRAME_MT);
  return b && !b->closed ? b->f : NULL;
}

tfp_frame *tfp_checkframe(lua_State *L, int arg) {
  frame_box *b = luaL_checkudata(L, arg, TFP_FRAME_MT);
  if (!b->f || b->closed) luaL_argerror(L, arg, "frame is closed");
  return b->f;
}

void tfp_pushframe(lua_State *L, tfp_frame *f) {
  frame_box *b = lua_newuserdatauv(L, sizeof *b, 0);
  memset(b, 0, sizeof *b);
  b->f = f;
  luaL_setmetatable(L, TFP_FRAME_MT);
}

static int frame_close(lua_State *L) {
  frame_box *b = luaL_checkudata(L, 1, TFP_FRAME_MT);
  b->closed = 1;
  if (b->pins) return 0;   /* a running function reads it: freed when it is done */
  tfp_frame_free(b->f);
  b->f = NULL;
  return 0;
}

/* A change to the frame at arg (a column, the panel, a label): an error while
   a function other than the caller (which holds `own` pins) reads it. */
static void check_unpinned(lua_State *L, int arg, int own) {
  frame_box *b = luaL_checkudata(L, arg, TFP_FRAME_MT);
  if (b->pins > own)
    tfp_raise(L, "usage", NULL, "the frame is being read by a running function (a metamethod or callback it "
              "called tried to change it); change a copy (f:copy()) or change it after the call");
}

/* ------------------------------------------------------------------ pins */

#define TFP_PIN_MT "tfp.pin"

static void unpin(lua_State *L, int idx) {
  frame_box *b = luaL_testudata(L, idx, TFP_FRAME_MT);
  if (b) {
    if (--b->pins == 0 && b->closed) { tfp_frame_free(b->f); b->f = NULL; }
    return;
  }
  tfp_vector *v = luaL_testudata(L, idx, TFP_VECTOR_MT);
  if (v && --v->pins == 0 && v->closed) vector_free(v);
}

/* The guard's __close: unpin everything it lists (no allocation: it also runs
   while an out-of-memory error unwinds). */
static int pin_close(lua_State *L) {
  if (lua_getiuservalue(L, 1, 1) != LUA_TTABLE) return 0;
  lua_Integer n = (lua_Integer)lua_rawlen(L, -1);
  for (lua_Integer k = 1; k <= n; k++) {
    lua_rawgeti(L, -1, k);
    unpin(L, -1);
    lua_pop(L, 1);
  }
  lua_pushnil(L);
  lua_setiuservalue(L, 1, 1);   /* closed once only */
  return 0;
}

int tfp_pinscope(lua_State *L) {
  lua_newuserdatauv(L, 1, 1);
  if (luaL_newmetatable(L, TFP_PIN_MT)) {
    lua_pushcfunction(L, pin_close);
    lua_setfield(L, -2, "__close");
    lua_pushboolean(L, 0);
    lua_setfield(L, -2, "__metatable");
  }
  lua_setmetatable(L, -2);
  lua_newtable(L);
  lua_setiuservalue(L, -2, 1);
  lua_toclose(L, -1);
  return lua_gettop(L);
}

void tfp_pin(lua_State *L, int scope, int idx) {
  idx = lua_absindex(L, idx);
  frame_box *b = luaL_testudata(L, idx, TFP_FRAME_MT);
  tfp_vector *v = b ? NULL : luaL_testudata(L, idx, TFP_VECTOR_MT);
  if (!b && !v) return;
  lua_getiuservalue(L, scope, 1);
  lua_pushvalue(L, idx);
  lua_rawseti(L, -2, (lua_Integer)lua_rawlen(L, -2) + 1);   /* may raise: pin only once listed */
  lua_pop(L, 1);
  if (b) b->pins++;
  else v->pins++;
}

tfp_frame *tfp_pinframe(lua_State *L, int arg) {
  arg = lua_absindex(L, arg);
  tfp_checkframe(L, arg);
  tfp_pin(L, tfp_pinscope(L), arg);
  return tfp_checkframe(L, arg);
}

/* Push the hint for a column name that f lacks: " (did you mean 'X'?)" when
   a column is close (or, with methods, a frame method), else the columns. */
static void push_column_hint(lua_State *L, tfp_frame *f, const char *name, int methods) {
  int base = lua_gettop(L);
  const char **cand = tfp_scratch(L, f->ncol * sizeof *cand);
  for (size_t j = 0; j < f->ncol; j++) cand[j] = f->col[j].name;
  const char *near = closest(name, cand, f->ncol), *method = NULL;
  if (!near && methods && luaL_getmetatable(L, TFP_FRAME_MT) == LUA_TTABLE &&
      lua_getfield(L, -1, "methods") == LUA_TTABLE) {
    const char *mnames[64];
    size_t nm = 0;
    lua_pushnil(L);
    while (lua_next(L, -2)) {   /* the names stay alive in the registry's methods table */
      if (lua_type(L, -2) == LUA_TSTRING && nm < 64) mnames[nm++] = lua_tostring(L, -2);
      lua_pop(L, 1);
    }
    method = closest(name, mnames, nm);
  }
  if (near) lua_pushfstring(L, " (did you mean '%s'?)", near);
  else if (method) lua_pushfstring(L, " (did you mean the method '%s'?)", method);
  else if (f->ncol == 0) lua_pushliteral(L, " (the frame has no columns)");
  else {
    luaL_Buffer b;
    luaL_buffinit(L, &b);
    luaL_addstring(&b, " (columns: ");
    for (size_t j = 0; j < f->ncol && j < 10; j++) {
      if (j) luaL_addstring(&b, ", ");
      tfp_pushvisible(L, f->col[j].name, strlen(f->col[j].name), 0);
      luaL_addvalue(&b);
    }
    if (f->ncol > 10) {
      lua_pushfstring(L, ", ... %I more: see f:names()", (lua_Integer)(f->ncol - 10));
      luaL_addvalue(&b);
    }
    luaL_addchar(&b, ')');
    luaL_pushresult(&b);
  }
  lua_replace(L, base + 1);
  lua_settop(L, base + 1);
}

/* The public name of column access: f.name, or f["name"] when name is not an identifier. */
static const char *push_access_name(lua_State *L, const char *name) {
  int ident = isalpha((unsigned char)name[0]) || name[0] == '_';
  for (const char *p = name; *p && ident; p++) ident = isalnum((unsigned char)*p) || *p == '_';
  return lua_pushfstring(L, ident ? "f.%s" : "f[\"%s\"]", name);
}

int tfp_checkcolumn(lua_State *L, tfp_frame *f, int arg, const char *name) {
  int j = tfp_frame_find(f, name);
  if (j < 0) {
    push_column_hint(L, f, name, 0);
    lua_pushfstring(L, "column '%s' not found%s", name, lua_tostring(L, -1));
    tfp_argerror(L, arg, lua_tostring(L, -1));
  }
  return j;
}

const double *tfp_checknumcol(lua_State *L, tfp_frame *f, int arg, const char *name) {
  int j = tfp_checkcolumn(L, f, arg, name);
  if (f->col[j].type != TFP_NUM) {
    lua_pushfstring(L, "column '%s' is not numeric", name);
    tfp_argerror(L, arg, lua_tostring(L, -1));
  }
  return f->col[j].num;
}

/* A core error as a tfp.error of fn ("f:lag"), without the core's own
   "lag: " prefix. */
static int raise_core(lua_State *L, int rc, const char *fn, const char *err) {
  const char *method = strchr(fn, ':') ? strchr(fn, ':') + 1 : fn;
  size_t m = strlen(method);
  if (strncmp(err, method, m) == 0 && strncmp(err + m, ": ", 2) == 0) err += m + 2;
  return tfp_raise_status(L, rc, fn, err);
}

/* Warn (lua_warning, printed by the host) at the user's call site, as
   tfp.error objects are located: the first level neither C nor embedded. */
static void warn_user(lua_State *L, const char *message) {
  lua_Debug ar;
  int level = 0, found = 0;
  for (; lua_getstack(L, level, &ar); level++) {
    lua_getinfo(L, "Sl", &ar);
    if (ar.currentline > 0 && !tfp_internal_source(ar.source)) { found = 1; break; }
  }
  if (found) lua_pushfstring(L, "%s:%d: %s", ar.short_src, ar.currentline, message);
  else lua_pushstring(L, message);
  lua_warning(L, lua_tostring(L, -1), 0);
  lua_pop(L, 1);
}

/* Set column `name` of f from the value at idx: a vector, a table or a
   number. pad: a shorter table ends in missing values (tfp.frame{} allows
   trailing nils; assignment does not, so a short table is not a silent gap). */
static void frame_setcolumn(lua_State *L, tfp_frame *f, const char *name, int idx, int pad) {
  if (lua_isnil(L, idx)) {
    int j = tfp_frame_find(f, name);
    if (j < 0) {
      push_column_hint(L, f, name, 0);
      const char *hint = lua_tostring(L, -1);
      tfp_raise(L, "usage", push_access_name(L, name), "no column '%s' to delete%s", name, hint);
    }
    tfp_frame_drop(f, j);
    return;
  }
  if (lua_type(L, idx) == LUA_TNUMBER) {
    double x = lua_tonumber(L, idx), *d = malloc((f->nrow ? f->nrow : 1) * sizeof *d);
    if (!d) luaL_error(L, "out of memory");
    for (size_t i = 0; i < f->nrow; i++) d[i] = x;
    if (tfp_frame_add_num(f, name, d) < 0) luaL_error(L, "out of memory");
    return;
  }
  tfp_vector *v = tfp_tovector(L, idx);
  if (!v && lua_istable(L, idx)) { v = vector_from_table(L, idx, pad ? f->nrow : 0); lua_replace(L, idx); }
  if (!v) luaL_error(L, "cannot store a %s as column '%s'", luaL_typename(L, idx), name);
  if (v->n != f->nrow)
    luaL_error(L, "column '%s' has %d values, the frame has %d rows", name, (int)v->n, (int)f->nrow);
  int j;
  if (v->c.type == TFP_NUM) {
    double *d = tfp_column_copy_num(&v->c, v->n);
    j = d ? tfp_frame_add_num(f, name, d) : -1;
  } else {
    char **s = tfp_column_copy_str(&v->c, v->n);
    j = s ? tfp_frame_add_str(f, name, s) : -1;
  }
  if (j < 0) luaL_error(L, "out of memory");
}

/* f.name: the column, else the method; anything else is an error, so that a
   misspelt column is never a silent nil (f.SAGG_H = f.SAGG_h would delete). */
static int frame_index(lua_State *L) {
  lua_settop(L, 2);   /* the pin goes above the arguments */
  /* A closed frame still has its methods, so f:close() is idempotent (the
     others then say the frame is closed). */
  if (!tfp_toframe(L, 1) && luaL_checkudata(L, 1, TFP_FRAME_MT) && push_method(L) == 1 && !lua_isnil(L, -1))
    return 1;
  tfp_frame *f = tfp_pinframe(L, 1);
  if (lua_type(L, 2) == LUA_TSTRING) {
    int j = tfp_frame_find(f, lua_tostring(L, 2));
    if (j >= 0) { tfp_pushcolumn(L, &f->col[j], f->nrow); return 1; }
  }
  if (push_method(L) != 1 || !lua_isnil(L, -1)) return 1;
  if (lua_type(L, 2) != LUA_TSTRING)
    return tfp_raise(L, "usage", NULL, "a frame is indexed by column name (f.name or f[\"name\"]), not by a %s; "
                     "rows: f:head(n), f:filter(mask), f.col[i]", luaL_typename(L, 2));
  const char *name = lua_tostring(L, 2);
  push_column_hint(L, f, name, 1);
  const char *hint = lua_tostring(L, -1);
  return tfp_raise(L, "usage", push_access_name(L, name), "no column '%s'%s", name, hint);
}

static int frame_has(lua_State *L) {
  lua_settop(L, 2);   /* the pin goes above the arguments */
  tfp_frame *f = tfp_pinframe(L, 1);
  lua_pushboolean(L, tfp_frame_find(f, luaL_checkstring(L, 2)) >= 0);
  return 1;
}

static int frame_newindex(lua_State *L) {
  tfp_checkframe(L, 1);
  const char *name = luaL_checkstring(L, 2);
  lua_settop(L, 3);
  /* A table's metamethods may close or change the frame: convert it first. */
  if (lua_istable(L, 3)) { vector_from_table(L, 3, 0); lua_replace(L, 3); }
  tfp_frame *f = tfp_pinframe(L, 1);
  check_unpinned(L, 1, 1);
  luaL_getmetafield(L, 1, "methods");
  if (lua_getfield(L, -1, name) != LUA_TNIL)
    return tfp_raise(L, "usage", push_access_name(L, name), "'%s' is a frame method, not a column name; "
                     "choose another name", name);
  lua_pop(L, 2);
  frame_setcolumn(L, f, name, 3, 0);
  return 0;
}

static int frame_len(lua_State *L) {
  lua_pushinteger(L, (lua_Integer)tfp_checkframe(L, 1)->nrow);
  return 1;
}

static int frame_nrow(lua_State *L) { return frame_len(L); }

static int frame_ncol(lua_State *L) {
  lua_pushinteger(L, (lua_Integer)tfp_checkframe(L, 1)->ncol);
  return 1;
}

static int frame_names(lua_State *L) {
  lua_settop(L, 1);   /* the pin goes above the arguments */
  tfp_frame *f = tfp_pinframe(L, 1);
  lua_createtable(L, (int)f->ncol, 0);
  for (size_t j = 0; j < f->ncol; j++) {
    lua_pushstring(L, f->col[j].name);
    lua_seti(L, -2, (lua_Integer)j + 1);
  }
  return 1;
}

static int frame_types(lua_State *L) {
  lua_settop(L, 1);   /* the pin goes above the arguments */
  tfp_frame *f = tfp_pinframe(L, 1);
  lua_createtable(L, 0, (int)f->ncol);
  for (size_t j = 0; j < f->ncol; j++) {
    lua_pushstring(L, f->col[j].type == TFP_NUM ? "number" : "string");
    lua_setfield(L, -2, f->col[j].name);
  }
  return 1;
}

static int frame_label(lua_State *L) {
  int set = lua_gettop(L) >= 3;   /* f:label(name, nil) clears it */
  lua_settop(L, 3);
  tfp_frame *f = tfp_pinframe(L, 1);
  int j = tfp_checkcolumn(L, f, 2, luaL_checkstring(L, 2));
  if (set) {
    check_unpinned(L, 1, 1);
    if (tfp_frame_set_label(f, j, luaL_optstring(L, 3, NULL)) != TFP_OK) return luaL_error(L, "out of memory");
    return 0;
  }
  if (f->col[j].label) lua_pushstring(L, f->col[j].label);
  else lua_pushnil(L);
  return 1;
}

/* Push a new frame holding the rows listed (0-based) in the userdata on top. */
static int push_rows(lua_State *L, tfp_frame *f, const size_t *rows, size_t n) {
  tfp_frame *g = tfp_frame_rows(f, rows, n);
  if (!g) return luaL_error(L, "out of memory");
  tfp_pushframe(L, g);
  return 1;
}

static size_t *scratch_rows(lua_State *L, size_t n) {
  return tfp_scratch(L, n * sizeof(size_t));
}

static int frame_head(lua_State *L) {
  lua_settop(L, 2);   /* the pin goes above the arguments */
  tfp_frame *f = tfp_pinframe(L, 1);
  lua_Integer k = luaL_optinteger(L, 2, 6);
  size_t n = k < 0 ? 0 : (size_t)k > f->nrow ? f->nrow : (size_t)k;
  size_t *rows = scratch_rows(L, n);
  for (size_t i = 0; i < n; i++) rows[i] = i;
  return push_rows(L, f, rows, n);
}

/* The row as a table {col = value}, for filter functions. */
static void push_row(lua_State *L, tfp_frame *f, size_t i) {
  lua_createtable(L, 0, (int)f->ncol);
  for (size_t j = 0; j < f->ncol; j++) {
    push_element(L, &f->col[j], i);
    lua_setfield(L, -2, f->col[j].name);
  }
}

/* filter(function(row) ... end) or filter(mask): mask is a 0/1 vector or a
   table of booleans; missing counts as false, as in Stata's `if`. */
static int frame_filter(lua_State *L) {
  lua_settop(L, 2);   /* the pin goes above the arguments */
  tfp_frame *f = tfp_pinframe(L, 1);
  size_t *rows = scratch_rows(L, f->nrow), n = 0;
  if (lua_isfunction(L, 2)) {
    for (size_t i = 0; i < f->nrow; i++) {
      lua_pushvalue(L, 2);
      push_row(L, f, i);
      lua_call(L, 1, 1);
      f = tfp_checkframe(L, 1);   /* the callback may have closed it */
      if (lua_toboolean(L, -1)) rows[n++] = i;
      lua_pop(L, 1);
    }
  } else if (tfp_tovector(L, 2)) {
    tfp_vector *m = tfp_tovector(L, 2);
    if (m->n != f->nrow || m->c.type != TFP_NUM)
      return tfp_argerror(L, 2, lua_pushfstring(L, "the mask must be a numeric vector with one value per row "
                          "(%I rows), got a %s vector of %I", (lua_Integer)f->nrow,
                          m->c.type == TFP_NUM ? "numeric" : "string", (lua_Integer)m->n));
    for (size_t i = 0; i < f->nrow; i++)
      if (!isnan(m->c.num[i]) && m->c.num[i] != 0) rows[n++] = i;
  } else if (lua_istable(L, 2)) {
    /* A short table would silently drop the rows past its end. */
    lua_Integer len = luaL_len(L, 2);
    if (len != (lua_Integer)f->nrow)
      return tfp_argerror(L, 2, lua_pushfstring(L, "the mask has %I values, the frame has %I rows", len,
                                                (lua_Integer)f->nrow));
    for (size_t i = 0; i < f->nrow; i++) {
      lua_geti(L, 2, (lua_Integer)i + 1);
      if (lua_toboolean(L, -1) && !(lua_type(L, -1) == LUA_TNUMBER && lua_tonumber(L, -1) == 0)) rows[n++] = i;
      lua_pop(L, 1);
    }
  } else {
    return tfp_argerror(L, 2, "expected a function, a mask vector or a table of booleans");
  }
  return push_rows(L, f, rows, n);
}

/* A value of where{} as the user wrote it: 'East', 2003. */
static void push_value_text(const tfp_column *c, double x, const char *str, lua_State *L) {
  char buf[64];
  if (c->type == TFP_STR) { lua_pushfstring(L, "'%s'", str); return; }
  format_number(x, "%.15g", buf, sizeof buf);
  lua_pushstring(L, buf);
}

/* Push the distinct values of column c, sorted, as text ("'Central', 'East',
   'West'", at most 10), and set *caseless to the one equal to s but for case. */
static void push_values_text(lua_State *L, const tfp_column *c, size_t nrow, const char *s, const char **caseless) {
  int base = lua_gettop(L);
  int *code = tfp_scratch(L, nrow * sizeof *code);
  size_t n_groups = 0;
  int rc = tfp_group_codes(c, nrow, code, &n_groups, tfp_progress_cb, NULL);
  if (rc != TFP_OK) tfp_raise_status(L, rc, "f:where", rc == TFP_EINTR ? "interrupted" : "out of memory");
  size_t *rep = tfp_scratch(L, n_groups * sizeof *rep);
  for (size_t i = nrow; i-- > 0;)
    if (code[i] >= 0) rep[code[i]] = i;
  *caseless = NULL;
  for (size_t g = 0; s && c->type == TFP_STR && g < n_groups; g++) {
    const char *v = c->str[rep[g]], *p = s;
    while (*v && tolower((unsigned char)*v) == tolower((unsigned char)*p)) v++, p++;
    if (!*v && !*p) *caseless = c->str[rep[g]];
  }
  luaL_Buffer b;
  luaL_buffinit(L, &b);
  if (n_groups == 0) luaL_addstring(&b, "none, all missing");
  for (size_t g = 0; g < n_groups && g < 10; g++) {
    if (g) luaL_addstring(&b, ", ");
    push_value_text(c, c->type == TFP_NUM ? c->num[rep[g]] : 0, c->type == TFP_STR ? c->str[rep[g]] : NULL, L);
    luaL_addvalue(&b);
  }
  if (n_groups > 10) {
    lua_pushfstring(L, ", ... (%I distinct)", (lua_Integer)n_groups);
    luaL_addvalue(&b);
  }
  luaL_pushresult(&b);
  lua_replace(L, base + 1);
  lua_settop(L, base + 1);
}

/* One wanted value of a where{} key, and whether any row has it. */
typedef struct { double x; const char *s; int found; } wanted;

/* Check the values given for column c (a value or a list at index vi) and
   copy them into a scratch userdata pushed on the stack. */
static wanted *check_wanted(lua_State *L, const tfp_column *c, int vi, size_t *nv) {
  int list = lua_type(L, vi) == LUA_TTABLE;
  *nv = list ? (size_t)luaL_len(L, vi) : 1;
  if (*nv > (size_t)INT_MAX) tfp_raise(L, "usage", "f:where", "the list of values for '%s' is too long", c->name);
  wanted *w = lua_newuserdatauv(L, (*nv ? *nv : 1) * sizeof *w, 1);
  lua_createtable(L, list ? (int)*nv : 1, 0);   /* the strings, alive while w is */
  lua_setiuservalue(L, -2, 1);
  int wi = lua_gettop(L);
  for (size_t k = 0; k < *nv; k++) {
    int ty = list ? lua_geti(L, vi, (lua_Integer)k + 1) : (lua_pushvalue(L, vi), lua_type(L, -1));
    int want = c->type == TFP_NUM ? LUA_TNUMBER : LUA_TSTRING;
    if (ty != want) {
      if (ty == LUA_TSTRING)
        tfp_raise(L, "usage", "f:where", "column '%s' holds numbers, not the string '%s'", c->name, lua_tostring(L, -1));
      if (ty == LUA_TNUMBER)
        tfp_raise(L, "usage", "f:where", "column '%s' holds strings, not the number %s", c->name,
                  luaL_tolstring(L, -1, NULL));
      tfp_raise(L, "usage", "f:where", "the value for '%s' must be a %s or a list of them, not a %s%s", c->name,
                c->type == TFP_NUM ? "number" : "string", lua_typename(L, ty), list ? " (in the list)" : "");
    }
    /* A list's __index may make fresh strings: keep each one with w. */
    w[k] = (wanted){ty == LUA_TNUMBER ? lua_tonumber(L, -1) : 0, ty == LUA_TSTRING ? lua_tostring(L, -1) : NULL, 0};
    lua_getiuservalue(L, wi, 1);
    lua_insert(L, -2);
    lua_rawseti(L, -2, (lua_Integer)k + 1);
    lua_pop(L, 1);
  }
  return w;
}

/* where{col = value, col2 = {v1, v2}}: rows whose columns equal the values.
   A value no row has is a warning (with the values present), as is a set
   of conditions each met by some rows but never together. */
static int frame_where(lua_State *L) {
  lua_settop(L, 2);   /* the pin goes above the arguments */
  tfp_frame *f = tfp_pinframe(L, 1);
  if (!lua_istable(L, 2)) return tfp_argerror(L, 2, "expected a table {column = value or {values}}");
  size_t *rows = scratch_rows(L, f->nrow), n = 0;
  char *keep = tfp_scratch(L, f->nrow);
  memset(keep, 1, f->nrow);
  lua_newtable(L);   /* the conditions as text, for the warning */
  int conds = lua_gettop(L), n_conds = 0, warned = 0;
  lua_pushnil(L);
  while (lua_next(L, 2)) {
    /* Check the type first: lua_tostring would turn a number key into a string and break lua_next. */
    if (lua_type(L, -2) != LUA_TSTRING)
      return tfp_raise(L, "usage", "f:where", "keys must be column names, not a %s", luaL_typename(L, -2));
    lua_pushvalue(L, -2);   /* the key stays alive on the stack whatever happens to the table */
    const char *name = lua_tostring(L, -1);
    int j = tfp_frame_find(f, name), vi = lua_gettop(L) - 1;
    if (j < 0) {
      push_column_hint(L, f, name, 0);
      return tfp_raise(L, "usage", "f:where", "no column '%s'%s", name, lua_tostring(L, -1));
    }
    const tfp_column *c = &f->col[j];
    size_t nv;
    wanted *w = check_wanted(L, c, vi, &nv);
    for (size_t i = 0; i < f->nrow; i++) {
      int hit = 0;
      for (size_t k = 0; k < nv; k++) {
        int eq = c->type == TFP_NUM ? c->num[i] == w[k].x : c->str[i] && strcmp(c->str[i], w[k].s) == 0;
        if (eq) hit = w[k].found = 1;
      }
      keep[i] = (char)(keep[i] && hit);
    }
    if (f->nrow == 0) nv = 0, warned = 1;   /* nothing to find in no rows */
    else if (nv == 0) { warn_user(L, lua_pushfstring(L, "f:where: the list of values for '%s' is empty", name)); warned = 1; }
    for (size_t k = 0; k < nv; k++) {
      if (w[k].found) continue;
      const char *caseless;
      push_values_text(L, c, f->nrow, w[k].s, &caseless);
      push_value_text(c, w[k].x, w[k].s, L);
      if (caseless) lua_pushfstring(L, "; note the case: '%s'", caseless);
      else lua_pushliteral(L, "");
      warn_user(L, lua_pushfstring(L, "f:where: no row has %s = %s (values: %s%s)", name, lua_tostring(L, -2),
                                   lua_tostring(L, -3), lua_tostring(L, -1)));
      lua_pop(L, 4);
      warned = 1;
    }
    for (size_t k = 0; k < nv && k < 10; k++) {
      if (k) lua_pushliteral(L, ", ");
      push_value_text(c, w[k].x, w[k].s, L);
    }
    lua_concat(L, nv < 10 ? 2 * (int)nv - (nv > 0) : 19);
    lua_pushfstring(L, nv == 1 ? "%s = %s" : nv > 10 ? "%s in {%s, ...}" : "%s in {%s}", name, lua_tostring(L, -1));
    lua_seti(L, conds, ++n_conds);
    lua_settop(L, vi - 1);
  }
  for (size_t i = 0; i < f->nrow; i++)
    if (keep[i]) rows[n++] = i;
  if (n == 0 && f->nrow > 0 && n_conds > 1 && !warned) {
    luaL_Buffer b;
    luaL_buffinit(L, &b);
    luaL_addstring(&b, "f:where: no row has ");
    for (int k = 1; k <= n_conds; k++) {
      if (k > 1) luaL_addstring(&b, " and ");
      lua_geti(L, conds, k);
      luaL_addvalue(&b);
    }
    luaL_addstring(&b, " together (each alone matches some rows)");
    luaL_pushresult(&b);
    warn_user(L, lua_tostring(L, -1));
    lua_pop(L, 1);
  }
  return push_rows(L, f, rows, n);
}

static int frame_select(lua_State *L) {
  lua_settop(L, 2);   /* the pin goes above the arguments */
  tfp_frame *f = tfp_pinframe(L, 1);
  luaL_checktype(L, 2, LUA_TTABLE);
  tfp_frame *g = tfp_frame_create(f->nrow);
  if (!g) return luaL_error(L, "out of memory");
  tfp_pushframe(L, g);
  for (lua_Integer k = 1; k <= luaL_len(L, 2); k++) {
    lua_geti(L, 2, k);
    const char *name = luaL_checkstring(L, -1);
    int j = tfp_checkcolumn(L, f, 2, name);
    tfp_pushcolumn(L, &f->col[j], f->nrow);
    frame_setcolumn(L, g, name, lua_gettop(L), 0);
    tfp_frame_set_label(g, tfp_frame_find(g, name), f->col[j].label);
    lua_pop(L, 2);
  }
  return 1;
}

static int frame_copy(lua_State *L) {
  lua_settop(L, 1);   /* the pin goes above the arguments */
  tfp_frame *f = tfp_pinframe(L, 1);
  size_t *rows = scratch_rows(L, f->nrow);
  for (size_t i = 0; i < f->nrow; i++) rows[i] = i;
  return push_rows(L, f, rows, f->nrow);
}

#define TFP_PANEL_MT "tfp.panel"

/* The panel info object: a table {id, time, n_units, n_obs, n_periods, first,
   last, balanced, balance, n_gaps, n_partial} printing as xtset does. */
static int push_panel_info(lua_State *L, tfp_frame *f) {
  tfp_panel_info p;
  char err[256] = "";
  int rc = tfp_frame_panel_info(f, &p, tfp_progress_cb, NULL, err, sizeof err);
  if (rc != TFP_OK) return raise_core(L, rc, "f:panel", err);
  lua_createtable(L, 0, 11);
  lua_pushstring(L, f->col[f->panel_id].name);
  lua_setfield(L, -2, "id");
  lua_pushstring(L, f->col[f->panel_time].name);
  lua_setfield(L, -2, "time");
  const char *counts[] = {"n_units", "n_obs", "n_periods", "n_gaps", "n_partial"};
  size_t values[] = {p.n_units, p.n_obs, p.n_periods, p.n_gaps, p.n_partial};
  for (int k = 0; k < 5; k++) {
    lua_pushinteger(L, (lua_Integer)values[k]);
    lua_setfield(L, -2, counts[k]);
  }
  if (p.n_obs) {
    push_number(L, p.first);
    lua_setfield(L, -2, "first");
    push_number(L, p.last);
    lua_setfield(L, -2, "last");
  }
  lua_pushboolean(L, p.balance == 2);
  lua_setfield(L, -2, "balanced");
  lua_pushstring(L, p.balance == 2 ? "strongly balanced" : p.balance == 1 ? "weakly balanced" : "unbalanced");
  lua_setfield(L, -2, "balance");
  luaL_setmetatable(L, TFP_PANEL_MT);
  return 1;
}

static lua_Integer int_field(lua_State *L, int t, const char *key) {
  lua_getfield(L, t, key);
  lua_Integer v = lua_tointeger(L, -1);
  lua_pop(L, 1);
  return v;
}

/* "panel: city (261 units), year 2003 to 2017 (15 periods), strongly balanced" */
static int panel_tostring(lua_State *L) {
  luaL_checktype(L, 1, LUA_TTABLE);
  lua_settop(L, 1);
  lua_Integer n_units = int_field(L, 1, "n_units"), n_periods = int_field(L, 1, "n_periods");
  lua_Integer n_gaps = int_field(L, 1, "n_gaps"), n_partial = int_field(L, 1, "n_partial");
  lua_getfield(L, 1, "id");
  lua_getfield(L, 1, "time");
  lua_getfield(L, 1, "first");
  lua_getfield(L, 1, "last");
  lua_getfield(L, 1, "balance");
  const char *id = luaL_optstring(L, 2, "?"), *time = luaL_optstring(L, 3, "?"), *balance = luaL_optstring(L, 6, "?");
  const char *first = luaL_tolstring(L, 4, NULL), *last = luaL_tolstring(L, 5, NULL);
  /* names and values from the data, shown escaped */
  id = tfp_pushvisible(L, id, strlen(id), 0);
  time = tfp_pushvisible(L, time, strlen(time), 0);
  first = tfp_pushvisible(L, first, strlen(first), 0);
  last = tfp_pushvisible(L, last, strlen(last), 0);
  int top = lua_gettop(L);
  lua_pushfstring(L, "panel: %s (%I unit%s), %s ", id, n_units, n_units == 1 ? "" : "s", time);
  if (n_units == 0) lua_pushliteral(L, "(no rows)");
  else lua_pushfstring(L, "%s to %s (%I period%s), %s%s", first, last, n_periods, n_periods == 1 ? "" : "s",
                       balance, n_gaps || n_partial ? ":" : "");
  if (n_units && n_gaps) lua_pushfstring(L, " %I unit%s with gaps", n_gaps, n_gaps == 1 ? "" : "s");
  if (n_units && n_partial)
    lua_pushfstring(L, "%s %I unit%s not spanning all periods", n_gaps ? "," : "", n_partial, n_partial == 1 ? "" : "s");
  lua_concat(L, lua_gettop(L) - top);
  return 1;
}

/* f:panel(id, time) declares the panel; f:panel() describes it (nil if none). */
static int frame_panel(lua_State *L) {
  lua_settop(L, 3);   /* the pin goes above the arguments */
  tfp_frame *f = tfp_pinframe(L, 1);
  if (lua_isnoneornil(L, 2)) {
    if (f->panel_id < 0) { lua_pushnil(L); return 1; }
    return push_panel_info(L, f);
  }
  int id = tfp_checkcolumn(L, f, 2, luaL_checkstring(L, 2));
  int tm = tfp_checkcolumn(L, f, 3, luaL_checkstring(L, 3));
  check_unpinned(L, 1, 1);
  char err[256] = "";
  int rc = tfp_frame_panel(f, id, tm, tfp_progress_cb, NULL, err, sizeof err);
  if (rc != TFP_OK) return raise_core(L, rc, "f:panel", err);
  return push_panel_info(L, f);
}

static int frame_lag(lua_State *L) {
  lua_settop(L, 3);   /* the pin goes above the arguments */
  tfp_frame *f = tfp_pinframe(L, 1);
  const double *x;
  size_t n;
  if (lua_type(L, 2) == LUA_TSTRING) {
    x = tfp_checknumcol(L, f, 2, lua_tostring(L, 2));
    n = f->nrow;
  } else {
    tfp_vector *v = tfp_checkvector(L, 2);
    luaL_argcheck(L, v->c.type == TFP_NUM && v->n == f->nrow, 2, "need a numeric vector with one value per row");
    tfp_pin(L, lua_gettop(L), 2);   /* the frame's pin scope is on top */
    x = v->c.num;
    n = v->n;
  }
  lua_Integer k = luaL_optinteger(L, 3, 1);
  double *out = tfp_newvector(L, n);
  char err[256] = "";
  int rc = tfp_frame_lag(f, x, (long)k, out, tfp_progress_cb, NULL, err, sizeof err);
  if (rc != TFP_OK) return raise_core(L, rc, "f:lag", err);
  return 1;
}

/* Column widths over the first rows shown, then an aligned listing. */
static int frame_tostring(lua_State *L) {
  lua_settop(L, 1);   /* the pin goes above the arguments */
  tfp_frame *f = tfp_pinframe(L, 1);
  size_t show = f->nrow < 10 ? f->nrow : 10;
  size_t *width = scratch_rows(L, f->ncol);
  char cell[64];
  luaL_Buffer b;
  luaL_buffinit(L, &b);
  for (size_t j = 0; j < f->ncol; j++) {
    width[j] = tfp_visible(NULL, 0, f->col[j].name, strlen(f->col[j].name), 0);
    for (size_t i = 0; i < show; i++) {
      format_cell(&f->col[j], i, cell, sizeof cell);
      if (strlen(cell) > width[j]) width[j] = strlen(cell);
    }
  }
  /* Columns that fit in 120 characters; the rest are counted in the footer. */
  size_t shown_cols = 0, used = 0;
  while (shown_cols < f->ncol && (shown_cols == 0 || used + width[shown_cols] + 2 <= 120))
    used += width[shown_cols++] + 2;
  for (size_t i = 0; i <= show; i++) {
    for (size_t j = 0; j < shown_cols; j++) {
      size_t len;
      int right = i > 0 && f->col[j].type == TFP_NUM;
      if (j) luaL_addstring(&b, "  ");
      if (i > 0) {
        format_cell(&f->col[j], i - 1, cell, sizeof cell);
        len = strlen(cell);
        for (size_t pad = len; right && pad < width[j]; pad++) luaL_addchar(&b, ' ');
        luaL_addstring(&b, cell);
      } else {   /* the header: a column name from the data, escaped */
        tfp_pushvisible(L, f->col[j].name, strlen(f->col[j].name), 0);
        len = lua_rawlen(L, -1);
        luaL_addvalue(&b);
      }
      for (size_t pad = len; !right && pad < width[j] && j + 1 < shown_cols; pad++) luaL_addchar(&b, ' ');
    }
    luaL_addchar(&b, '\n');
  }
  lua_pushfstring(L, "[%I rows x %I columns%s", (lua_Integer)f->nrow, (lua_Integer)f->ncol,
                  f->nrow > show ? ", first 10 rows shown" : "");
  luaL_addvalue(&b);
  if (shown_cols < f->ncol) {
    lua_pushfstring(L, "; %I more columns: see f:names()", (lua_Integer)(f->ncol - shown_cols));
    luaL_addvalue(&b);
  }
  luaL_addchar(&b, ']');
  luaL_pushresult(&b);
  return 1;
}

static int frame_new(lua_State *L) {
  luaL_checktype(L, 1, LUA_TTABLE);
  /* Columns in order: a list of {name, values} pairs, or a map sorted by name. */
  lua_newtable(L);   /* names in order */
  int names = lua_gettop(L), nnames = 0;
  if (lua_rawlen(L, 1) > 0) {
    for (lua_Integer k = 1; k <= (lua_Integer)lua_rawlen(L, 1); k++) {
      lua_geti(L, 1, k);
      luaL_argcheck(L, lua_istable(L, -1), 1, "expected {name, values} pairs");
      lua_geti(L, -1, 1);
      lua_seti(L, names, ++nnames);
      lua_pop(L, 1);
    }
  } else {
    lua_getglobal(L, "table");
    lua_getfield(L, -1, "sort");
    lua_remove(L, -2);
    lua_pushnil(L);
    while (lua_next(L, 1)) {
      lua_pop(L, 1);
      lua_pushvalue(L, -1);
      lua_seti(L, names, ++nnames);
    }
    lua_pushvalue(L, names);
    lua_call(L, 1, 0);
  }
  size_t nrow = 0;
  int pairs = lua_rawlen(L, 1) > 0;
  for (int k = 1; k <= nnames; k++) {   /* the longest column fixes the row count */
    if (pairs) { lua_geti(L, 1, k); lua_geti(L, -1, 2); lua_remove(L, -2); }
    else { lua_geti(L, names, k); lua_gettable(L, 1); }
    tfp_vector *v = tfp_tovector(L, -1);
    size_t n = v ? v->n : lua_istable(L, -1) ? (size_t)luaL_len(L, -1) : 0;
    lua_pop(L, 1);
    if (n > nrow) nrow = n;
  }
  tfp_frame *f = tfp_frame_create(nrow);
  if (!f) return luaL_error(L, "out of memory");
  tfp_pushframe(L, f);
  int fi = lua_gettop(L);
  for (int k = 1; k <= nnames; k++) {
    lua_geti(L, names, k);
    const char *name = luaL_checkstring(L, -1);
    if (pairs) { lua_geti(L, 1, k); lua_geti(L, -1, 2); lua_remove(L, -2); }
    else { lua_pushvalue(L, -1); lua_gettable(L, 1); }
    if (lua_isnil(L, -1)) return tfp_raise(L, "usage", "tfp.frame", "column '%s' has no values (nil)", name);
    frame_setcolumn(L, f, name, lua_gettop(L), 1);
    lua_pop(L, 2);
  }
  lua_settop(L, fi);
  return 1;
}

static const luaL_Reg frame_methods[] = {
  {"nrow", frame_nrow}, {"ncol", frame_ncol}, {"names", frame_names}, {"types", frame_types},
  {"label", frame_label}, {"head", frame_head}, {"filter", frame_filter}, {"where", frame_where},
  {"select", frame_select}, {"copy", frame_copy}, {"panel", frame_panel}, {"lag", frame_lag},
  /* write_csv is lua_io.c's, added by tfp_open_io */
  {"close", frame_close}, {"has", frame_has}, {NULL, NULL}
};

static const luaL_Reg frame_meta[] = {
  {"__index", frame_index}, {"__newindex", frame_newindex}, {"__len", frame_len},
  {"__tostring", frame_tostring}, {"__gc", frame_close}, {"__close", frame_close}, {NULL, NULL}
};

static const luaL_Reg vector_methods[] = {
  {"totable", vector_totable}, {NULL, NULL}
};

static const luaL_Reg vector_meta[] = {
  {"__index", vector_index}, {"__newindex", vector_newindex}, {"__len", vector_len},
  {"__add", vector_add}, {"__sub", vector_sub}, {"__mul", vector_mul}, {"__div", vector_div},
  {"__pow", vector_pow}, {"__unm", vector_unm}, {"__tostring", vector_tostring},
  {"__gc", vector_gc}, {"__close", vector_gc}, {NULL, NULL}
};

int tfp_open_frame(lua_State *L) {
  luaL_newmetatable(L, TFP_FRAME_MT);
  luaL_setfuncs(L, frame_meta, 0);
  luaL_newlib(L, frame_methods);
  lua_setfield(L, -2, "methods");
  lua_pushliteral(L, "tfp.frame");
  lua_setfield(L, -2, "__name");
  lua_pop(L, 1);

  luaL_newmetatable(L, TFP_PANEL_MT);
  lua_pushcfunction(L, panel_tostring);
  lua_setfield(L, -2, "__tostring");
  lua_pop(L, 1);

  luaL_newmetatable(L, TFP_VECTOR_MT);
  luaL_setfuncs(L, vector_meta, 0);
  lua_pushinteger(L, 0);
  lua_pushcclosure(L, vector_order, 1);
  lua_setfield(L, -2, "__lt");
  lua_pushinteger(L, 1);
  lua_pushcclosure(L, vector_order, 1);
  lua_setfield(L, -2, "__le");
  luaL_newlib(L, vector_methods);
  static const char *summaries[] = {"sum", "mean", "min", "max", "sd", "count"};
  for (int k = 0; k < 6; k++) {
    lua_pushstring(L, summaries[k]);
    lua_pushcclosure(L, vector_summary, 1);
    lua_setfield(L, -2, summaries[k]);
  }
  static const char *cmps[] = {"eq", "ne", "lt", "le", "gt", "ge"};
  for (int k = 0; k < 6; k++) {
    lua_pushinteger(L, k);
    lua_pushcclosure(L, vector_compare, 1);
    lua_setfield(L, -2, cmps[k]);
  }
  lua_setfield(L, -2, "methods");
  lua_pop(L, 1);

  /* tfp.* functions */
  static const char *maths[] = {"log", "exp", "sqrt", "abs"};
  for (int k = 0; k < 4; k++) {
    lua_pushinteger(L, k);
    lua_pushcclosure(L, vector_math, 1);
    lua_setfield(L, -2, maths[k]);
  }
  lua_pushcfunction(L, frame_new);
  lua_setfield(L, -2, "frame");
  lua_pushcfunction(L, vector_new);
  lua_setfield(L, -2, "vector");
  return 0;
}
