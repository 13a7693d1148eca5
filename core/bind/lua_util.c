/* lua_util.c — small helpers every binding family uses: tables of numbers
   as double[], scratch memory that an error cannot leak, string copies. */
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
