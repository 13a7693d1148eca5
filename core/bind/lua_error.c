/* lua_error.c — the binding layer's one error model: tfp.error objects.

   Every error tfp raises is a table {code, fn, message, where} with the
   metatable "tfp.error":
     code     what happened: "usage" (the call is wrong: an unknown option, a
              missing column), "data" (the data cannot give a result: a gap in
              a panel, no observation left), "interrupted" (Ctrl-C), "memory",
              "io" (a file), "internal" (a bug of ours);
     fn       the public function ("tfp.lq", "f:where");
     message  the text, naming the option, column, unit or year; control
              characters in it (from a cell, a column or file name) are
              shown escaped ("\x1b"), newlines and tabs kept;
     where    the user's call site ("paper.lua:12: "): the first stack level
              that is neither C nor one of tfpkit's embedded modules, so an
              error raised deep in the model layer points at the user's line.
   tostring(e) is where .. fn .. ": " .. message. Layers decide by e.code,
   never by matching message text. The object also answers string methods
   (e:find, e:match, e .. "x") on that text, so code that treats errors as
   strings keeps working. */
#include <stdarg.h>
#include <stdio.h>
#include <string.h>
#include "status.h"
#include "tfp_lua.h"
#include "visible.h"

static const char *const codes[] = {"usage", "data", "interrupted", "memory", "io", "internal", NULL};

int tfp_internal_source(const char *source) {
  return source && source[0] == '@' && strncmp(source + 1, TFP_CHUNK_PREFIX, strlen(TFP_CHUNK_PREFIX)) == 0;
}

/* Is stack level ar one of ours (C, or an embedded module)? */
static int internal_level(lua_Debug *ar) {
  return ar->currentline <= 0 || tfp_internal_source(ar->source);
}

static void push_where(lua_State *L) {
  lua_Debug ar;
  for (int level = 0; lua_getstack(L, level, &ar); level++) {
    lua_getinfo(L, "Sl", &ar);
    if (!internal_level(&ar)) {
      lua_pushfstring(L, "%s:%d: ", ar.short_src, ar.currentline);
      return;
    }
  }
  lua_pushliteral(L, "");
}

const char *tfp_pushvisible(lua_State *L, const char *s, size_t n, int flags) {
  if (!tfp_visible_needed(s, n, flags)) return lua_pushlstring(L, s, n);
  size_t len = tfp_visible(NULL, 0, s, n, flags);
  luaL_Buffer b;
  char *out = luaL_buffinitsize(L, &b, len + 1);
  tfp_visible(out, len + 1, s, n, flags);
  luaL_pushresultsize(&b, len);
  return lua_tostring(L, -1);
}

/* The object's text fields come through tfp_pushvisible: they quote data
   (f["name"] as fn, a cell or file name in the message). */
static void push_error(lua_State *L, const char *code, const char *fn, const char *message) {
  message = tfp_pushvisible(L, message, strlen(message), TFP_VISIBLE_KEEP_LINES);
  int shown = lua_gettop(L);
  lua_createtable(L, 0, 4);
  lua_pushstring(L, code);
  lua_setfield(L, -2, "code");
  if (fn) {
    tfp_pushvisible(L, fn, strlen(fn), 0);
    lua_setfield(L, -2, "fn");
  }
  lua_pushstring(L, message);
  lua_setfield(L, -2, "message");
  push_where(L);
  size_t len;
  const char *where = lua_tolstring(L, -1, &len);
  tfp_pushvisible(L, where, len, 0);
  lua_remove(L, -2);
  lua_setfield(L, -2, "where");
  luaL_setmetatable(L, TFP_ERROR_MT);
  lua_remove(L, shown);
}

int tfp_raise(lua_State *L, const char *code, const char *fn, const char *fmt, ...) {
  va_list ap;
  va_start(ap, fmt);
  const char *message = lua_pushvfstring(L, fmt, ap);
  va_end(ap);
  push_error(L, code, fn, message);
  return lua_error(L);
}

/* As luaL_argerror, as a usage error: "bad argument #2 (...)" of the running
   C function, named "tfp.name" (or ":name" for a method). */
int tfp_argerror(lua_State *L, int arg, const char *message) {
  lua_Debug ar;
  const char *name = "?", *sep = "tfp.";
  if (lua_getstack(L, 0, &ar)) {
    lua_getinfo(L, "n", &ar);
    if (ar.name) name = ar.name;
    if (ar.namewhat && strcmp(ar.namewhat, "method") == 0) {
      sep = ":";
      if (--arg == 0) return tfp_raise(L, "usage", NULL, "calling '%s' on bad self (%s)", name, message);
    }
  }
  lua_pushfstring(L, "%s%s", sep, name);
  return tfp_raise(L, "usage", lua_tostring(L, -1), "bad argument #%d (%s)", arg, message);
}

const char *tfp_status_code(int status) {
  switch (status) {
  case TFP_ENOMEM: return "memory";
  case TFP_EINVAL: return "usage";
  case TFP_EIO: return "io";
  case TFP_EINTR: return "interrupted";
  default: return "data";
  }
}

int tfp_raise_status(lua_State *L, int status, const char *fn, const char *message) {
  return tfp_raise(L, tfp_status_code(status), fn, "%s", message);
}

/* The text of error object e (at index i): where .. fn .. ": " .. message. */
static const char *error_text(lua_State *L, int i) {
  i = lua_absindex(L, i);
  luaL_Buffer b;
  luaL_buffinit(L, &b);
  const char *fields[] = {"where", "fn", "message"};
  for (int k = 0; k < 3; k++) {
    if (lua_getfield(L, i, fields[k]) == LUA_TSTRING) {
      luaL_addvalue(&b);
      if (k == 1) luaL_addstring(&b, ": ");
    } else {
      lua_pop(L, 1);
    }
  }
  luaL_pushresult(&b);
  return lua_tostring(L, -1);
}

static int error_tostring(lua_State *L) {
  luaL_checktype(L, 1, LUA_TTABLE);
  error_text(L, 1);
  return 1;
}

/* e:find(...), e:match(...), ...: the string method applied to the text. */
static int error_strmethod(lua_State *L) {
  if (lua_type(L, 1) == LUA_TTABLE) {
    error_text(L, 1);
    lua_replace(L, 1);
  }
  lua_pushvalue(L, lua_upvalueindex(1));
  lua_insert(L, 1);
  lua_call(L, lua_gettop(L) - 1, LUA_MULTRET);
  return lua_gettop(L);
}

static int error_index(lua_State *L) {
  lua_getglobal(L, "string");
  if (!lua_istable(L, -1) || lua_getfield(L, -1, luaL_checkstring(L, 2)) != LUA_TFUNCTION) return 0;
  lua_pushcclosure(L, error_strmethod, 1);
  return 1;
}

static int error_concat(lua_State *L) {
  for (int i = 1; i <= 2; i++)
    if (lua_type(L, i) == LUA_TTABLE) {
      error_text(L, i);
      lua_replace(L, i);
    }
  lua_concat(L, 2);
  return 1;
}

/* tfp._raise(code, fn, message): raise a tfp.error from the Lua side. */
static int error_raise(lua_State *L) {
  int code = luaL_checkoption(L, 1, NULL, codes);
  const char *fn = luaL_optstring(L, 2, NULL);
  const char *message = luaL_checkstring(L, 3);
  push_error(L, codes[code], fn, message);
  return lua_error(L);
}

/* tfp._error(code, fn, message): the same object, returned. */
static int error_error(lua_State *L) {
  int code = luaL_checkoption(L, 1, NULL, codes);
  push_error(L, codes[code], luaL_optstring(L, 2, NULL), luaL_checkstring(L, 3));
  return 1;
}

/* tfp._visible(s [, keep_lines]): s as tfp_pushvisible shows it. */
static int error_visible(lua_State *L) {
  size_t n;
  const char *s = luaL_checklstring(L, 1, &n);
  tfp_pushvisible(L, s, n, lua_toboolean(L, 2) ? TFP_VISIBLE_KEEP_LINES : 0);
  return 1;
}

int tfp_open_error(lua_State *L) {
  if (luaL_newmetatable(L, TFP_ERROR_MT)) {
    const luaL_Reg mt[] = {{"__tostring", error_tostring}, {"__index", error_index},
                           {"__concat", error_concat}, {NULL, NULL}};
    luaL_setfuncs(L, mt, 0);
  }
  lua_pop(L, 1);
  const luaL_Reg funcs[] = {{"_raise", error_raise}, {"_error", error_error}, {"_visible", error_visible},
                            {NULL, NULL}};
  luaL_setfuncs(L, funcs, 0);
  return 0;
}
