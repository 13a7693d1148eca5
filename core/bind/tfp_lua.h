/* tfp_lua.h — the binding layer's shared pieces: the frame and vector
   userdata, and the registration functions of each primitive family. */
#ifndef TFP_LUA_H
#define TFP_LUA_H
#include <signal.h>
#include <lua.h>
#include <lauxlib.h>
#include "frame.h"

#define TFP_FRAME_MT  "tfp.frame"
#define TFP_VECTOR_MT "tfp.vector"

/* A vector is a lone column: numeric (double, NaN = missing) or string. */
typedef struct {
  tfp_column c;
  size_t n;
} tfp_vector;

tfp_frame *tfp_checkframe(lua_State *L, int arg);
tfp_frame *tfp_toframe(lua_State *L, int arg);         /* NULL if not a frame */
void tfp_pushframe(lua_State *L, tfp_frame *f);        /* takes ownership */

tfp_vector *tfp_checkvector(lua_State *L, int arg);
tfp_vector *tfp_tovector(lua_State *L, int arg);       /* NULL if not a vector */
/* Push a new numeric vector of n values (uninitialised) and return its data. */
double *tfp_newvector(lua_State *L, size_t n);
/* Push a vector holding a copy of column c (n rows). */
void tfp_pushcolumn(lua_State *L, const tfp_column *c, size_t n);

/* Column `name` of f, or raise "bad argument #arg to 'fn' (column 'name' not found)".
   The numeric variant also rejects string columns. */
int tfp_checkcolumn(lua_State *L, tfp_frame *f, int arg, const char *name);
const double *tfp_checknumcol(lua_State *L, tfp_frame *f, int arg, const char *name);

/* Read field `key` of the options table at index t: a string, or a list of
   strings (a single string is taken as a list of one). Returns the count and
   pushes nothing; names[] point into Lua strings kept alive by the table. */
const char *tfp_optstring(lua_State *L, int t, const char *key, const char *def);
size_t tfp_optnames(lua_State *L, int t, const char *key, const char **names, size_t max);

/* Progress on stderr, only when stderr is a terminal. Returns non-zero when
   the user asked to interrupt (Ctrl-C): long loops stop and report it. */
int tfp_progress(const char *what, size_t done, size_t total);
/* Done with the progress line, if one is shown (the run ended early: an error,
   Ctrl-C): erased, or ended with a newline after Ctrl-C. */
void tfp_progress_clear(void);
extern volatile sig_atomic_t tfp_interrupted;

/* Each family adds its functions to the table on top of the stack. */
int tfp_open_frame(lua_State *L);
int tfp_open_io(lua_State *L);
int tfp_open_dea(lua_State *L);
int tfp_open_iv(lua_State *L);
int tfp_open_prep(lua_State *L);

int luaopen_tfp(lua_State *L);
#endif
