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

/* Width of the progress line now on the terminal, 0 when there is none. */
static int progress_width;

/* After Ctrl-C the line is kept and ended (the terminal echoed "^C" after
   it); otherwise it is blanked out, so what follows starts on a clean line. */
void tfp_progress_clear(void) {
  if (progress_width > 0) {
    if (tfp_interrupted) fputc('\n', stderr);
    else fprintf(stderr, "\r%*s\r", progress_width, "");
  }
  progress_width = 0;
}

int tfp_progress(const char *what, size_t done, size_t total) {
  static struct timespec last;
  if (tfp_interrupted) { tfp_progress_clear(); return 1; }
  if (tfp_mpi_rank() > 0 || !isatty(STDERR_FILENO)) return 0;   /* rank 0 shows it for all */
  if (done >= total) { tfp_progress_clear(); return 0; }
  struct timespec now;
  clock_gettime(CLOCK_MONOTONIC, &now);
  double dt = (double)(now.tv_sec - last.tv_sec) + 1e-9 * (double)(now.tv_nsec - last.tv_nsec);
  if (dt < 0.2) return 0;
  last = now;
  /* Padded to the previous width: a shorter line must not leave the tail of the
     longer one behind it (it left a stray ')'). */
  int width = fprintf(stderr, "\r%s: %zu/%zu (%.0f%%)", what, done, total,
                      100.0 * (double)done / (double)total) - 1;
  if (width < 0) return 0;
  if (width < progress_width) fprintf(stderr, "%*s", progress_width - width, "");
  if (width > progress_width) progress_width = width;
  return 0;
}

int tfp_progress_cb(void *ud, const char *what, size_t done, size_t total) {
  (void)ud;
  return tfp_progress(what, done, total);
}

static int embedded_load(lua_State *L) {
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
    lua_pushcclosure(L, embedded_load, 1);
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
  tfp_open_green(L);
  tfp_open_iv(L);
  tfp_open_curve(L);
  tfp_open_prep(L);
  tfp_open_mpi(L);
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
