/* lua_options.c — the C bindings' door to the option registry
   (lua/options.lua): one validator for every public function, whether it is
   written in C or in Lua, and the readers of the tables it checked.

   tfp_checkoptions replaces an options table by a plain copy with its types
   checked, lists of names normalised, enums in their registered spelling
   and defaults filled in. So the readers only read; the errors they keep
   are for a caller that skipped the registry (a bug of ours) and for a
   frame closed since the check. */
#include <string.h>
#include "tfp_lua.h"

void tfp_checkoptions(lua_State *L, int arg, const char *fn) {
  arg = lua_absindex(L, arg);
  luaL_getsubtable(L, LUA_REGISTRYINDEX, LUA_LOADED_TABLE);
  if (lua_getfield(L, -1, "tfp.options") != LUA_TTABLE || lua_getfield(L, -1, "check") != LUA_TFUNCTION)
    tfp_raise(L, "internal", fn, "the option registry is not loaded");
  lua_pushstring(L, fn);
  lua_pushvalue(L, arg);
  lua_call(L, 2, 1);
  lua_replace(L, arg);
  lua_pop(L, 2);
}

/* Push field key of the table at t: 1 if it holds a value of type ty, 0 if
   nil; any other type raises. */
static int pushfield(lua_State *L, int t, const char *key, int ty) {
  int got = lua_getfield(L, t, key);
  if (got != LUA_TNIL && got != ty)
    tfp_raise(L, "usage", NULL, "option '%s' must be a %s, not a %s", key, lua_typename(L, ty),
              luaL_typename(L, -1));
  return got != LUA_TNIL;
}

const char *tfp_optstring(lua_State *L, int t, const char *key, const char *def) {
  /* Strings only: a number converted here would be a fresh string that the
     pop below leaves to the collector while the caller still holds it. */
  const char *s = pushfield(L, t, key, LUA_TSTRING) ? lua_tostring(L, -1) : def;
  lua_pop(L, 1);   /* the string stays alive in the table */
  return s;
}

const char *tfp_reqstring(lua_State *L, int t, const char *key) {
  const char *s = tfp_optstring(L, t, key, NULL);
  if (!s) tfp_argerror(L, t, lua_pushfstring(L, "option '%s' (a column name) is required", key));
  return s;
}

size_t tfp_optnames(lua_State *L, int t, const char *key, const char **names, size_t max) {
  size_t n = 0;
  int ty = lua_getfield(L, t, key);
  if (ty == LUA_TSTRING) {
    names[n++] = lua_tostring(L, -1);
  } else if (ty == LUA_TTABLE) {
    size_t len = (size_t)luaL_len(L, -1);
    if (len > max) luaL_error(L, "option '%s' lists %d names, at most %d allowed", key, (int)len, (int)max);
    for (size_t i = 1; i <= len; i++) {
      if (lua_geti(L, -1, (lua_Integer)i) != LUA_TSTRING)
        luaL_error(L, "option '%s': element %d is not a string", key, (int)i);
      names[n++] = lua_tostring(L, -1);
      lua_pop(L, 1);
    }
  } else if (ty != LUA_TNIL) {
    luaL_error(L, "option '%s' must be a name or a list of names", key);
  }
  lua_pop(L, 1);
  return n;
}

const char **tfp_optlist(lua_State *L, int t, const char *key) {
  t = lua_absindex(L, t);
  int ty = lua_getfield(L, t, key);
  lua_Integer len = ty == LUA_TTABLE ? luaL_len(L, -1) : 1;
  lua_pop(L, 1);
  if (ty == LUA_TNIL) return NULL;
  if (len < 0) len = 0;
  const char **list = tfp_scratch(L, ((size_t)len + 1) * sizeof *list);
  list[tfp_optnames(L, t, key, list, (size_t)len)] = NULL;
  return list;
}

int tfp_optbool(lua_State *L, int t, const char *key, int def) {
  int v = pushfield(L, t, key, LUA_TBOOLEAN) ? lua_toboolean(L, -1) : def;
  lua_pop(L, 1);
  return v;
}

double tfp_optnumber(lua_State *L, int t, const char *key, double def) {
  double v = pushfield(L, t, key, LUA_TNUMBER) ? lua_tonumber(L, -1) : def;
  lua_pop(L, 1);
  return v;
}

int tfp_optenum(lua_State *L, int t, const char *key, const char *def, const char *const names[]) {
  const char *s = tfp_optstring(L, t, key, def);
  for (int k = 0; names[k]; k++)
    if (strcmp(names[k], s) == 0) return k;
  lua_pushfstring(L, "option '%s': invalid value '%s'", key, s);
  return tfp_argerror(L, t, lua_tostring(L, -1));
}

tfp_frame *tfp_optframe(lua_State *L, int t, const char *key, int required) {
  lua_getfield(L, t, key);
  tfp_frame *f = tfp_toframe(L, -1);
  if (!f && (required || !lua_isnil(L, -1))) {
    const char *got = luaL_testudata(L, -1, TFP_FRAME_MT) ? "closed frame" : luaL_typename(L, -1);
    tfp_argerror(L, t, lua_pushfstring(L, "option '%s' must be a frame, not a %s", key, got));
  }
  if (f) tfp_pinframe(L, -1);   /* pinned for the rest of the call; pushes the guard */
  else lua_pop(L, 1);
  return f;
}

/* tfp._panel(f) -> id, time: the names of f's declared panel, or nothing. */
static int options_panel(lua_State *L) {
  tfp_frame *f = tfp_pinframe(L, 1);
  if (f->panel_id < 0) return 0;
  lua_pushstring(L, f->col[f->panel_id].name);
  lua_pushstring(L, f->col[f->panel_time].name);
  return 2;
}

int tfp_open_options(lua_State *L) {
  lua_pushcfunction(L, options_panel);
  lua_setfield(L, -2, "_panel");
  return 0;
}

int tfp_optgiven(lua_State *L, int t, const char *key) {
  int given = 0;
  if (lua_getfield(L, t, "_given") == LUA_TTABLE) {
    lua_getfield(L, -1, key);
    given = lua_toboolean(L, -1);
    lua_pop(L, 1);
  }
  lua_pop(L, 1);
  return given;
}
