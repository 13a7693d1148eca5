/* tfp_lua.h — the binding layer's shared pieces: the frame and vector
   userdata, errors, options, helpers, and the registration functions of
   each primitive family.

   Names. A C function that Lua calls is <family>_<name>, as Lua's own
   str_format and math_abs: the family is the userdata type whose method or
   metamethod it is (frame_index, vector_add, panel_tostring, error_concat,
   pin_close), else the family that registers it (tfp_open_<family>) or the
   host; the name is the Lua name without a leading underscore (tfp.dea is
   dea_dea, tfp.read_csv io_read_csv, tfp._panel options_panel, the REPL's
   exit host_exit). Functions for other C code are tfp_<name>, declared
   here. */
#ifndef TFP_LUA_H
#define TFP_LUA_H
#include <signal.h>
#include <lua.h>
#include <lauxlib.h>
#include "boot.h"
#include "frame.h"
#include "iv.h"
#include "split.h"

#define TFP_FRAME_MT  "tfp.frame"
#define TFP_VECTOR_MT "tfp.vector"
#define TFP_ERROR_MT  "tfp.error"
/* Chunk names of the embedded Lua modules: "@[tfp]/model.lua". */
#define TFP_CHUNK_PREFIX "[tfp]/"

/* A vector is a lone column: numeric (double, NaN = missing) or string. */
typedef struct {
  tfp_column c;
  size_t n;
  int pins, closed;   /* see tfp_pin: a close while pinned waits for the unpin */
} tfp_vector;

tfp_frame *tfp_checkframe(lua_State *L, int arg);
tfp_frame *tfp_toframe(lua_State *L, int arg);         /* NULL if not a frame */
void tfp_pushframe(lua_State *L, tfp_frame *f);        /* takes ownership */

tfp_vector *tfp_checkvector(lua_State *L, int arg);

/* Pinning, for C functions that run Lua code (an __index or __len metamethod,
   a callback, a finalizer at any allocation) while they hold a frame's or a
   vector's memory. tfp_pinscope pushes a to-be-closed guard and returns its
   stack index; tfp_pin pins the frame or vector at idx until the guard is
   closed (the C function returns or raises). Closing a pinned object is
   deferred to then; changing a pinned frame's columns or panel is an error.
   tfp_pinframe checks the frame at arg (raising if closed) and pins it in a
   new scope (pushes one value). Never remove or replace the guard's slot
   except by lua_settop/lua_pop. */
int tfp_pinscope(lua_State *L);
void tfp_pin(lua_State *L, int scope, int idx);
tfp_frame *tfp_pinframe(lua_State *L, int arg);
tfp_vector *tfp_tovector(lua_State *L, int arg);       /* NULL if not a vector */
/* Push a new numeric vector of n values (uninitialised) and return its data. */
double *tfp_newvector(lua_State *L, size_t n);
/* Push a vector holding a copy of column c (n rows). */
void tfp_pushcolumn(lua_State *L, const tfp_column *c, size_t n);

/* Column `name` of f, or raise "bad argument #arg to 'fn' (column 'name' not found)".
   The numeric variant also rejects string columns. */
int tfp_checkcolumn(lua_State *L, tfp_frame *f, int arg, const char *name);
const double *tfp_checknumcol(lua_State *L, tfp_frame *f, int arg, const char *name);

/* Helpers (lua_util.c). tfp_tonumbers: elements 1..n of the table at t
   into x[0..n): numbers, nil as missing (NaN), booleans as 1/0 with
   TFP_NUMBERS_BOOLEANS. Returns 0, pushing nothing, or the position of the
   first other element, which it leaves pushed for the caller's message.
   It runs the table's metamethods: read frames and vectors after it, or
   pin them first. */
#define TFP_NUMBERS_BOOLEANS 1
size_t tfp_tonumbers(lua_State *L, int t, double *x, size_t n, int flags);

/* Scratch memory of bytes (at least 1) in a userdata pushed on the stack:
   freed by the collector, so an error raised on the way cannot leak it. */
void *tfp_scratch(lua_State *L, size_t bytes);

/* A malloc'ed copy of s (NULL for NULL); out of memory raises. Give it to
   its owner (a column, a vector) before anything else can raise. */
char *tfp_copystring(lua_State *L, const char *s);

/* Results (lua_util.c). tfp_newscratch: a zeroed userdata of bytes (pushed)
   with metatable mt, whose __gc gc frees the core results it holds: a raise
   before they are copied cannot leak them. tfp_setint, tfp_setnum,
   tfp_setvector: field key of the table at absolute index t (the vector a
   copy of v[0..n)). tfp_newframe: a new frame of nrow rows (pushed);
   tfp_addnum: a new numeric column of f, for the caller to fill;
   tfp_addcopy: column c's values at rows[0..m) (rows NULL: 0..m-1) as
   column name of f. Out of memory raises. */
void *tfp_newscratch(lua_State *L, size_t bytes, const char *mt, lua_CFunction gc);
void tfp_setint(lua_State *L, int t, const char *key, size_t v);
void tfp_setnum(lua_State *L, int t, const char *key, double v);
void tfp_setvector(lua_State *L, int t, const char *key, const double *v, size_t n);
tfp_frame *tfp_newframe(lua_State *L, size_t nrow);
double *tfp_addnum(lua_State *L, tfp_frame *f, const char *name);
void tfp_addcopy(lua_State *L, tfp_frame *f, const char *name, const tfp_column *c, const size_t *rows, size_t m);

/* Errors (lua_error.c): raise a tfp.error object {code, fn, message, where}
   located at the user's call site. code: "usage", "data", "interrupted",
   "memory", "io" or "internal"; fn: the public name ("tfp.lq"). */
int tfp_raise(lua_State *L, const char *code, const char *fn, const char *fmt, ...);
/* Is a chunk source ("@[tfp]/model.lua") one of tfpkit's embedded modules? */
int tfp_internal_source(const char *source);
/* luaL_argerror's message, raised as a usage tfp.error. */
int tfp_argerror(lua_State *L, int arg, const char *message);
/* The code for a core status (TFP_EDATA -> "data", TFP_EINTR -> "interrupted"). */
const char *tfp_status_code(int status);
int tfp_raise_status(lua_State *L, int status, const char *fn, const char *message);
/* Push the terminal-safe form of s[0..n) (visible.h; flags
   TFP_VISIBLE_KEEP_LINES keeps newlines and tabs) and return it. Every
   tfp.error message goes through it; use it for data shown otherwise. */
const char *tfp_pushvisible(lua_State *L, const char *s, size_t n, int flags);

/* Options (lua_options.c; lua/options.lua holds the registry): check the
   options table at arg against fn's entry (unknown keys, types, enums,
   defaults from the frame's panel) and replace it by a checked plain copy
   with defaults filled in. A nil argument becomes the table of defaults. */
void tfp_checkoptions(lua_State *L, int arg, const char *fn);

/* Readers of field `key` of the options table at index t, checked by
   tfp_checkoptions. Strings point into the table, which keeps them alive;
   nothing is pushed unless said.
   tfp_optstring: a string, or def when absent; tfp_reqstring: a string,
   required. tfp_optnames: a name or a list of names into names[0..max),
   returns the count. tfp_optlist: the same as a NULL-terminated array in a
   scratch userdata (pushed), or NULL (nothing pushed) when absent.
   tfp_optbool, tfp_optnumber: the value, or def when absent. tfp_optenum:
   the index of the value (or of def) in the NULL-terminated names[].
   tfp_optframe: the frame, pinned for the rest of the call (pushes the
   frame and its pin guard), or NULL when absent and not required (pushes
   nothing). */
const char *tfp_optstring(lua_State *L, int t, const char *key, const char *def);
const char *tfp_reqstring(lua_State *L, int t, const char *key);
size_t tfp_optnames(lua_State *L, int t, const char *key, const char **names, size_t max);
const char **tfp_optlist(lua_State *L, int t, const char *key);
int tfp_optbool(lua_State *L, int t, const char *key, int def);
double tfp_optnumber(lua_State *L, int t, const char *key, double def);
int tfp_optenum(lua_State *L, int t, const char *key, const char *def, const char *const names[]);
tfp_frame *tfp_optframe(lua_State *L, int t, const char *key, int required);
/* Did the caller give option key (not a default the registry filled in)? */
int tfp_optgiven(lua_State *L, int t, const char *key);

/* Progress on stderr, only when stderr is a terminal. Returns non-zero when
   the user asked to interrupt (Ctrl-C): long loops stop and report it. */
int tfp_progress(const char *what, size_t done, size_t total);
/* tfp_progress as the core's tfp_progress_fn (status.h; ud unused): what the
   bindings pass to every core function that takes a progress callback. */
int tfp_progress_cb(void *ud, const char *what, size_t done, size_t total);
/* Done with the progress line, if one is shown (the run ended early: an error,
   Ctrl-C): erased, or ended with a newline after Ctrl-C. */
void tfp_progress_clear(void);
extern volatile sig_atomic_t tfp_interrupted;

/* The bootstrap option of tfp.dea and tfp.malmquist (lua_boot.c, called by
   lua_dea.c). tfp_lua_boot_opts: option `bootstrap` of the options table at
   t into *o; 0 when absent. tfp_lua_dea_boot: pushes the frame and info
   tfp.dea returns (2). tfp_lua_malmquist_boot: runs the bootstrap, moves the
   point estimates into *mq (the caller's to clear) and leaves a scratch
   userdata on the stack holding the intervals, whose address it returns for
   tfp_lua_malmquist_boot_columns (adds <part>_bc/_lower/_upper to out, rows
   in the order ord) and tfp_lua_malmquist_boot_info (sets summary.bootstrap
   in the table at info). */
int tfp_lua_boot_opts(lua_State *L, int t, tfp_boot_opts *o);
int tfp_lua_dea_boot(lua_State *L, const tfp_dea_data *d, const tfp_dea_opts *dopt, const tfp_boot_opts *o);
void *tfp_lua_malmquist_boot(lua_State *L, const tfp_dea_data *d, const int *code, size_t n_units,
                             const double *time, const tfp_malmquist_opts *mo, const tfp_boot_opts *o,
                             tfp_malmquist_result *mq);
void tfp_lua_malmquist_boot_columns(lua_State *L, void *scratch, tfp_frame *out, const size_t *ord, size_t n);
void tfp_lua_malmquist_boot_info(lua_State *L, void *scratch, int info, const tfp_boot_opts *o);

/* Each family adds its functions to the table on top of the stack. */
int tfp_open_frame(lua_State *L);
int tfp_open_io(lua_State *L);
int tfp_open_dea(lua_State *L);
int tfp_open_green(lua_State *L);
/* lua_green.c's parts of tfp.dea (option group) and tfp.malmquist (index):
   given the checked options at t, they push the results and return 2, or
   return 0 when the call is not theirs. */
int tfp_green_dea_group(lua_State *L, int t);
int tfp_green_malmquist(lua_State *L, int t);
/* The IV spec table at index spec (the fields of tfp._ivfit, lua_iv.c) into
   *d and *o (lua_ivspec.c), for tfp._ivfit and tfp._ivcurve. Messages name
   how->fn; scratch and kept names go into the table at stack slot
   how->keep, vectors and the frame are pinned in the scope at how->pins.
   An enumerated value not known raises luaL_checkoption's error, or with
   how->refuse (say "curves do not fit") "<refuse> models with vce = 'x' yet". */
typedef struct {
  const char *fn;
  int keep, pins;
  const char *refuse;
} tfp_ivspec_how;
void tfp_read_ivspec(lua_State *L, int spec, const tfp_ivspec_how *how, tfp_iv_data *d, tfp_iv_opts *o);
int tfp_open_iv(lua_State *L);
int tfp_open_curve(lua_State *L);
int tfp_open_prep(lua_State *L);
int tfp_open_error(lua_State *L);
int tfp_open_options(lua_State *L);

/* lua_mpi.c: distributed runs (see there). init/finalize from main; rank 0
   of 1 without MPI or mpirun. tfp_mpi_split fills a split.h hook for this
   process (none when alone); tfp_mpi_dea_run is tfp_dea_run with the
   evaluated units split across the ranks. */
void tfp_mpi_init(int *argc, char ***argv);
void tfp_mpi_finalize(int failed);   /* failed: abort the job */
int tfp_mpi_rank(void);
int tfp_mpi_size(void);
void tfp_mpi_split(tfp_split *s);
int tfp_mpi_dea_run(const tfp_dea_data *eval, const tfp_dea_data *ref, const tfp_dea_opts *o,
                    tfp_dea_result *res, char *err, size_t errlen);
int tfp_open_mpi(lua_State *L);

int luaopen_tfp(lua_State *L);
#endif
