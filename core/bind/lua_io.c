/* lua_io.c — reading and writing data: CSV, Stata .dta, the embedded data. */
#include <string.h>
#include "atomic_write.h"
#include "csv.h"
#include "dta.h"
#include "embedded.h"
#include "tfp_lua.h"

/* Options shared by read_csv and data(): sep, na, numeric, string. */
static void csv_options(lua_State *L, int t, tfp_csv_opts *o) {
  tfp_csv_opts_init(o);
  const char *sep = tfp_optstring(L, t, "sep", ",");
  if (strlen(sep) != 1) tfp_raise(L, "usage", NULL, "option 'sep' must be one character, got '%s'", sep);
  o->sep = sep[0];
  o->na = tfp_optlist(L, t, "na");
  o->num_cols = tfp_optlist(L, t, "numeric");
  o->str_cols = tfp_optlist(L, t, "string");
  o->progress = tfp_progress_cb;
}

static int io_read_csv(lua_State *L) {
  const char *path = luaL_checkstring(L, 1);
  lua_settop(L, 2);
  tfp_checkoptions(L, 2, "tfp.read_csv");
  tfp_csv_opts o;
  csv_options(L, 2, &o);
  tfp_frame *f;
  char err[512] = "";
  int rc = tfp_csv_read(path, &o, &f, err, sizeof err);
  if (rc != TFP_OK) return tfp_raise_status(L, rc, "tfp.read_csv", err);
  tfp_pushframe(L, f);
  return 1;
}

static int io_read_dta(lua_State *L) {
  const char *path = luaL_checkstring(L, 1);
  lua_settop(L, 2);
  tfp_checkoptions(L, 2, "tfp.read_dta");
  tfp_dta_opts o;
  tfp_dta_opts_init(&o);
  o.value_labels = tfp_optbool(L, 2, "value_labels", 1);
  o.progress = tfp_progress_cb;
  tfp_frame *f;
  char err[512] = "";
  int rc = tfp_dta_read_opts(path, &o, &f, err, sizeof err);
  if (rc != TFP_OK) return tfp_raise_status(L, rc, "tfp.read_dta", err);
  tfp_pushframe(L, f);
  return 1;
}

/* tfp.data("cities"): a data set compiled into the binary. */
static int io_data(lua_State *L) {
  const char *name = luaL_optstring(L, 1, "cities");
  lua_settop(L, 2);
  tfp_checkoptions(L, 2, "tfp.data");
  tfp_csv_opts o;
  csv_options(L, 2, &o);
  lua_pushfstring(L, "%s.csv", name);
  const tfp_embedded_file *e = tfp_embedded_find(lua_tostring(L, -1));
  if (!e) return tfp_argerror(L, 1, lua_pushfstring(L, "no embedded data set '%s'", name));
  tfp_frame *f;
  char err[512] = "";
  int rc = tfp_csv_parse(e->data, e->size, lua_tostring(L, -1), &o, &f, err, sizeof err);
  if (rc != TFP_OK) return tfp_raise_status(L, rc, "tfp.data", err);
  tfp_pushframe(L, f);
  return 1;
}

/* A path argument: a string without NUL bytes (the OS would cut it there). */
static const char *check_path(lua_State *L, int arg) {
  size_t len;
  const char *path = lua_tolstring(L, arg, &len);
  if (!path) {
    tfp_argerror(L, arg, lua_pushfstring(L, "file path expected, got %s", luaL_typename(L, arg)));
    return NULL;
  }
  if (len == 0) tfp_argerror(L, arg, "file path expected, got an empty string");
  if (strlen(path) != len) tfp_argerror(L, arg, "a file path cannot contain a NUL byte");
  return path;
}

/* tfp.write_csv(f, path), also f:write_csv(path): one function for both. */
static int io_write_csv(lua_State *L) {
  lua_Debug ar;
  int method = lua_getstack(L, 0, &ar) && lua_getinfo(L, "n", &ar) && ar.namewhat &&
               strcmp(ar.namewhat, "method") == 0;
  lua_settop(L, 2);
  const char *path = check_path(L, 2);
  tfp_frame *f = tfp_pinframe(L, 1);
  char err[512] = "";
  if (tfp_mpi_rank() > 0) return 0;   /* a distributed run: rank 0 writes (lua_mpi.c) */
  int rc = tfp_csv_write(f, path, err, sizeof err);
  if (rc != TFP_OK) return tfp_raise_status(L, rc, method ? "f:write_csv" : "tfp.write_csv", err);
  return 0;
}

/* tfp._write_file(path, text [, fn]): the atomic writer for the Lua modules
   (tables, figures); fn names the public function in errors. Returns path. */
static int io_write_file(lua_State *L) {
  const char *path = check_path(L, 1);
  size_t size;
  const char *text = luaL_checklstring(L, 2, &size);
  const char *fn = luaL_optstring(L, 3, "tfp._write_file");
  char err[512];
  int rc = tfp_mpi_rank() > 0 ? TFP_OK : tfp_atomic_write_file(path, text, size, err, sizeof err);
  if (rc != TFP_OK) return tfp_raise_status(L, rc, fn, err);
  lua_settop(L, 1);
  return 1;
}

static const luaL_Reg io_funcs[] = {
  {"read_csv", io_read_csv}, {"read_dta", io_read_dta}, {"data", io_data}, {"write_csv", io_write_csv},
  {"_write_file", io_write_file}, {NULL, NULL}
};

int tfp_open_io(lua_State *L) {
  luaL_setfuncs(L, io_funcs, 0);
  /* The frame method f:write_csv is the same function. */
  luaL_getmetatable(L, TFP_FRAME_MT);
  lua_getfield(L, -1, "methods");
  lua_pushcfunction(L, io_write_csv);
  lua_setfield(L, -2, "write_csv");
  lua_pop(L, 2);
  return 0;
}
