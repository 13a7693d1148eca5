/* lua_tfp.c — luaopen_tfp: the `tfp` table of C primitives, the Lua modules
   compiled into the binary (as package.preload["tfp.<name>"]), progress. */
#include <signal.h>
#include <stdio.h>
#include <string.h>
#include <time.h>
#include <unistd.h>
#include "embedded.h"
#include "tfp_lua.h"


const tfp_embedded_file *tfp_embedded_find(const char *name) {
  for (const tfp_embedded_file *e = tfp_embedded; e->name; e++)
    if (strcmp(e->name, name) == 0) return e;
  return NULL;
}

volatile sig_atomic_t tfp_interrupted;

int tfp_progress(const char *what, size_t done, size_t total) {
  static struct timespec last;
  static int shown;
  if (tfp_interrupted) return 1;
  if (!isatty(STDERR_FILENO)) return 0;
  struct timespec now;
  clock_gettime(CLOCK_MONOTONIC, &now);
  double dt = (double)(now.tv_sec - last.tv_sec) + 1e-9 * (double)(now.tv_nsec - last.tv_nsec);
  if (done < total && dt < 0.2) return 0;
  last = now;
  if (done >= total) {
    if (shown) fprintf(stderr, "\r%s: %zu/%zu done\n", what, done, total);
    shown = 0;
  } else {
    fprintf(stderr, "\r%s: %zu/%zu (%.0f%%)", what, done, total, 100.0 * (double)done / (double)total);
    shown = 1;
  }
  return 0;
}

static int load_embedded(lua_State *L) {
  const tfp_embedded_file *e = lua_touserdata(L, lua_upvalueindex(1));
  lua_pushfstring(L, "@" TFP_CHUNK_PREFIX "%s", e->name);
  if (luaL_loadbufferx(L, e->data, e->size, lua_tostring(L, -1), "t") != LUA_OK) return lua_error(L);
  lua_pushvalue(L, 1);   /* module name */
  lua_call(L, 1, 1);
  return 1;
}

static void register_modules(lua_State *L) {
  luaL_getsubtable(L, LUA_REGISTRYINDEX, LUA_PRELOAD_TABLE);
  for (const tfp_embedded_file *e = tfp_embedded; e->name; e++) {
    size_t len = strlen(e->name);
    if (len < 5 || strcmp(e->name + len - 4, ".lua") != 0) continue;
    lua_pushlstring(L, e->name, len - 4);
    lua_pushfstring(L, "tfp.%s", lua_tostring(L, -1));
    lua_pushlightuserdata(L, (void *)e);
    lua_pushcclosure(L, load_embedded, 1);
    lua_setfield(L, -4, lua_tostring(L, -2));
    lua_pop(L, 2);
  }
  lua_pop(L, 1);
}

int luaopen_tfp(lua_State *L) {
  register_modules(L);
  lua_newtable(L);
  lua_pushliteral(L, TFP_VERSION);
  lua_setfield(L, -2, "version");
  tfp_open_error(L);
  tfp_open_options(L);
  tfp_open_frame(L);
  tfp_open_io(L);
  tfp_open_dea(L);
  tfp_open_iv(L);
  tfp_open_prep(L);
  /* The Lua side (lua/init.lua) completes the table: models, tables, help. */
  if (tfp_embedded_find("init.lua")) {
    lua_getglobal(L, "require");
    lua_pushliteral(L, "tfp.init");
    lua_call(L, 1, 1);
    lua_pushvalue(L, -2);
    lua_call(L, 1, 0);
  }
  return 1;
}
