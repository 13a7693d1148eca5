/* lua_options.c — the C bindings' door to the option registry
   (lua/options.lua): one validator for every public function, whether it is
   written in C or in Lua. */
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

/* tfp._panel(f) -> id, time: the names of f's declared panel, or nothing. */
static int l_panel(lua_State *L) {
  tfp_frame *f = tfp_pinframe(L, 1);
  if (f->panel_id < 0) return 0;
  lua_pushstring(L, f->col[f->panel_id].name);
  lua_pushstring(L, f->col[f->panel_time].name);
  return 2;
}

int tfp_open_options(lua_State *L) {
  lua_pushcfunction(L, l_panel);
  lua_setfield(L, -2, "_panel");
  return 0;
}
