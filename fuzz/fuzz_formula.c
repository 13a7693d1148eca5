/* fuzz_formula.c — libFuzzer target for the formula parser (lua/formula.lua
   run in an embedded Lua state with the tfp table): any text must parse or
   raise a "formula error" (a usage tfp.error, or a plain string when the
   module runs alone); any other Lua error (an indexing bug, a
   nil arithmetic) is a finding. */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <lauxlib.h>
#include <lualib.h>
#include "tfp_lua.h"

static lua_State *L;

/* libFuzzer sees no coverage inside the Lua VM (a system library), so a line
   hook feeds the Lua lines executed into libFuzzer's extra counters. */
__attribute__((section("__libfuzzer_extra_counters")))
static uint8_t lua_lines[1 << 14];

static void on_line(lua_State *L_, lua_Debug *ar) {
  lua_getinfo(L_, "S", ar);
  size_t h = (size_t)ar->currentline * 2654435761u ^ (size_t)(uintptr_t)ar->source;
  uint8_t *c = &lua_lines[h % sizeof lua_lines];
  if (*c < 255) (*c)++;
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size) {
  if (!L) {
    L = luaL_newstate();
    luaL_openlibs(L);
    luaL_requiref(L, "tfp", luaopen_tfp, 1);
    lua_pop(L, 1);
    const char *setup =
      "local F = require 'tfp.formula'\n"
      "local macros = {base = 'STR + GOV', full = '..base + FDI', loop = '..loop'}\n"
      "local base = F.parse('y ~ a + b | c + d | e ~ L.e + L2.e')[1]\n"
      "return function(s)\n"
      "  local ok, err = pcall(F.parse, s, macros, #s % 2 == 0 and base or nil)\n"
      "  if ok then for _, spec in ipairs(err) do F.text(spec) end return true end\n"
      "  local msg = type(err) == 'string' and err\n"
      "    or (getmetatable(err) and getmetatable(err).__name == 'tfp.error' and err.code == 'usage' and err.message)\n"
      "  return type(msg) == 'string' and msg:sub(1, 15) == 'formula error: '\n"
      "end\n";
    if (luaL_dostring(L, setup) != LUA_OK) abort();
    lua_setglobal(L, "check_formula");
  }
  lua_sethook(L, on_line, LUA_MASKLINE, 0);
  lua_getglobal(L, "check_formula");
  lua_pushlstring(L, (const char *)data, size);
  if (lua_pcall(L, 1, 1, 0) != LUA_OK || !lua_toboolean(L, -1)) abort();
  lua_pop(L, 1);
  lua_sethook(L, NULL, 0, 0);
  lua_gc(L, LUA_GCSTEP, 0);
  return 0;
}
