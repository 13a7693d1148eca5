/* lua_io.c — reading and writing data: CSV, Stata .dta, the embedded data. */
#include <string.h>
#include "csv.h"
#include "dta.h"
#include "embedded.h"
#include "tfp_lua.h"

#define MAX_LISTED 4096

/* NULL-terminated list of the strings in field key of table t (or NULL).
   The array lives in a userdata left on the stack. */
static const char **optlist(lua_State *L, int t, const char *key) {
  const char *tmp[MAX_LISTED];
  lua_getfield(L, t, key);
  int absent = lua_isnil(L, -1);
  lua_pop(L, 1);
  if (absent) return NULL;
  size_t n = tfp_optnames(L, t, key, tmp, MAX_LISTED - 1);
  const char **list = lua_newuserdatauv(L, (n + 1) * sizeof *list, 0);
  memcpy(list, tmp, n * sizeof *list);
  list[n] = NULL;
  return list;
}

/* Options shared by read_csv and data(): sep, na, numeric, string. */
static void csv_options(lua_State *L, int t, tfp_csv_opts *o) {
  tfp_csv_opts_init(o);
  const char *sep = tfp_optstring(L, t, "sep", ",");
  if (strlen(sep) != 1) tfp_raise(L, "usage", NULL, "option 'sep' must be one character, got '%s'", sep);
  o->sep = sep[0];
  o->na = optlist(L, t, "na");
  o->num_cols = optlist(L, t, "numeric");
  o->str_cols = optlist(L, t, "string");
}

static int read_csv(lua_State *L) {
  const char *path = luaL_checkstring(L, 1);
  lua_settop(L, 2);
  tfp_checkoptions(L, 2, "tfp.read_csv");
  tfp_csv_opts o;
  csv_options(L, 2, &o);
  tfp_frame *f;
  char err[512];
  int rc = tfp_csv_read(path, &o, &f, err, sizeof err);
  if (rc != TFP_OK) return tfp_raise_status(L, rc, "tfp.read_csv", err);
  tfp_pushframe(L, f);
  return 1;
}

static int read_dta(lua_State *L) {
  const char *path = luaL_checkstring(L, 1);
  lua_settop(L, 2);
  tfp_checkoptions(L, 2, "tfp.read_dta");
  tfp_frame *f;
  char err[512];
  int rc = tfp_dta_read(path, &f, err, sizeof err);
  if (rc != TFP_OK) return tfp_raise_status(L, rc, "tfp.read_dta", err);
  tfp_pushframe(L, f);
  return 1;
}

/* tfp.data("cities"): a data set compiled into the binary. */
static int data(lua_State *L) {
  const char *name = luaL_optstring(L, 1, "cities");
  lua_settop(L, 2);
  tfp_checkoptions(L, 2, "tfp.data");
  tfp_csv_opts o;
  csv_options(L, 2, &o);
  lua_pushfstring(L, "%s.csv", name);
  const tfp_embedded_file *e = tfp_embedded_find(lua_tostring(L, -1));
  if (!e) return tfp_argerror(L, 1, lua_pushfstring(L, "no embedded data set '%s'", name));
  tfp_frame *f;
  char err[512];
  int rc = tfp_csv_parse(e->data, e->size, lua_tostring(L, -1), &o, &f, err, sizeof err);
  if (rc != TFP_OK) return tfp_raise_status(L, rc, "tfp.data", err);
  tfp_pushframe(L, f);
  return 1;
}

static int write_csv(lua_State *L) {
  lua_settop(L, 2);
  const char *path = luaL_checkstring(L, 2);
  tfp_frame *f = tfp_pinframe(L, 1);
  char err[512];
  int rc = tfp_csv_write(f, path, err, sizeof err);
  if (rc != TFP_OK) return tfp_raise_status(L, rc, "write_csv", err);
  return 0;
}

static const luaL_Reg io_funcs[] = {
  {"read_csv", read_csv}, {"read_dta", read_dta}, {"data", data}, {"write_csv", write_csv},
  {NULL, NULL}
};

int tfp_open_io(lua_State *L) {
  luaL_setfuncs(L, io_funcs, 0);
  return 0;
}
