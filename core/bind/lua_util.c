/* lua_util.c — small helpers every binding family uses: tables of numbers
   as double[], scratch memory that an error cannot leak, string copies,
   result fields and result frames. */
#include <math.h>
#include <stdlib.h>
#include <string.h>
#include "tfp_lua.h"

size_t tfp_tonumbers(lua_State *L, int t, double *x, size_t n, int flags) {
  t = lua_absindex(L, t);
  for (size_t i = 0; i < n; i++) {
    int ty = lua_geti(L, t, (lua_Integer)i + 1);
    if (ty == LUA_TNIL) x[i] = NAN;
    else if (ty == LUA_TNUMBER) x[i] = lua_tonumber(L, -1);
    else if (ty == LUA_TBOOLEAN && (flags & TFP_NUMBERS_BOOLEANS)) x[i] = lua_toboolean(L, -1);
    else return i + 1;   /* the element stays pushed, for the caller's message */
    lua_pop(L, 1);
  }
  return 0;
}

void *tfp_scratch(lua_State *L, size_t bytes) {
  return lua_newuserdatauv(L, bytes ? bytes : 1, 0);
}

char *tfp_copystring(lua_State *L, const char *s) {
  if (!s) return NULL;
  size_t len = strlen(s) + 1;
  char *copy = malloc(len);
  if (!copy) tfp_raise(L, "memory", NULL, "out of memory");
  memcpy(copy, s, len);
  return copy;
}

void *tfp_newscratch(lua_State *L, size_t bytes, const char *mt, lua_CFunction gc) {
  void *s = lua_newuserdatauv(L, bytes ? bytes : 1, 0);
  memset(s, 0, bytes);
  if (luaL_newmetatable(L, mt)) {
    lua_pushcfunction(L, gc);
    lua_setfield(L, -2, "__gc");
  }
  lua_setmetatable(L, -2);
  return s;
}

void tfp_setint(lua_State *L, int t, const char *key, size_t v) {
  lua_pushinteger(L, (lua_Integer)v);
  lua_setfield(L, t, key);
}

void tfp_setnum(lua_State *L, int t, const char *key, double v) {
  lua_pushnumber(L, v);
  lua_setfield(L, t, key);
}

void tfp_setvector(lua_State *L, int t, const char *key, const double *v, size_t n) {
  double *dst = tfp_newvector(L, n);
  if (n) memcpy(dst, v, n * sizeof *v);
  lua_setfield(L, t, key);
}

tfp_frame *tfp_newframe(lua_State *L, size_t nrow) {
  tfp_frame *f = tfp_frame_create(nrow);
  if (!f) tfp_raise(L, "memory", NULL, "out of memory for a frame of %d rows", (int)nrow);
  tfp_pushframe(L, f);
  return f;
}

double *tfp_addnum(lua_State *L, tfp_frame *f, const char *name) {
  double *v = malloc((f->nrow ? f->nrow : 1) * sizeof *v);
  if (tfp_frame_add_num(f, name, v) < 0 || !v) tfp_raise(L, "memory", NULL, "out of memory for column '%s'", name);
  return v;
}

void tfp_addcopy(lua_State *L, tfp_frame *f, const char *name, const tfp_column *c, const size_t *rows, size_t m) {
  if (c->type == TFP_NUM) {
    double *v = tfp_addnum(L, f, name);
    for (size_t k = 0; k < m; k++) v[k] = c->num[rows ? rows[k] : k];
    return;
  }
  char **v = calloc(m ? m : 1, sizeof *v);
  if (tfp_frame_add_str(f, name, v) < 0 || !v) tfp_raise(L, "memory", NULL, "out of memory for column '%s'", name);
  for (size_t k = 0; k < m; k++) v[k] = tfp_copystring(L, c->str[rows ? rows[k] : k]);
}
