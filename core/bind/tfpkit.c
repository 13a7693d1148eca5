/* tfpkit.c — the host: runs scripts like lua(1) and offers a REPL with
   readline editing, history and completion, where an error never ends the
   session. Shaped after Lua 5.4's lua.c. */
#include <math.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>
#include <readline/history.h>
#include <readline/readline.h>
#include <lualib.h>
#include "embedded.h"
#include "linalg.h"
#include "tfp_lua.h"
#include "visible.h"

static const char *progname = "tfpkit";
static lua_State *globalL;   /* for the signal handler and the completer */

static void print_usage(FILE *to) {
  fprintf(to,
          "usage: %s [options] [script [args]]\n"
          "Available options are:\n"
          "  -e stat   execute string 'stat'\n"
          "  -i        enter interactive mode after executing 'script'\n"
          "  -v, --version  show version information\n"
          "  -h, --help     show this help\n"
          "  --        stop handling options\n"
          "  -         execute stdin and stop handling options\n"
          "With no script, starts the interactive prompt (statements are read line by\n"
          "line from stdin when it is not a terminal). In Lua, the global 'tfp' holds\n"
          "the primitives; try help(tfp).\n",
          progname);
}

/* Text for the terminal that may quote data (a cell, a column or file name):
   control characters escaped (visible.h), lines kept. */
static void write_visible(FILE *to, const char *s) {
  size_t n = strlen(s);
  if (!tfp_visible_needed(s, n, TFP_VISIBLE_KEEP_LINES)) { fputs(s, to); return; }
  size_t len = tfp_visible(NULL, 0, s, n, TFP_VISIBLE_KEEP_LINES);
  char *buf = malloc(len + 1);
  if (buf) tfp_visible(buf, len + 1, s, n, TFP_VISIBLE_KEEP_LINES);
  fputs(buf ? buf : "(message not shown: out of memory)", to);
  free(buf);
}

static void l_message(const char *msg) {
  if (progname) fprintf(stderr, "%s: ", progname);
  write_visible(stderr, msg);
  fputc('\n', stderr);
  fflush(stderr);
}

/* lauxlib's warning function ("@on"/"@off", pieces continued by tocont),
   printing through write_visible: warnings name columns and units. */
static void warn_visible(void *ud, const char *msg, int tocont) {
  static int on, cont;
  (void)ud;
  if (tfp_mpi_rank() > 0) return;   /* a distributed run: rank 0 warns for all */
  if (!cont && !tocont && msg[0] == '@') {
    if (strcmp(msg, "@off") == 0) on = 0;
    else if (strcmp(msg, "@on") == 0) on = 1;
    return;
  }
  if (on) {
    if (!cont) fputs("Lua warning: ", stderr);
    write_visible(stderr, msg);
    if (!tocont) { fputc('\n', stderr); fflush(stderr); }
  }
  cont = tocont;
}

static int exit_requested, exit_code;   /* exit() or quit() at the prompt */

static int report(lua_State *L, int status) {
  if (status != LUA_OK && lua_touserdata(L, -1) == &exit_requested) lua_pop(L, 1);
  else if (status != LUA_OK) {
    const char *msg = lua_tostring(L, -1);
    l_message(msg ? msg : "(error object is not a string)");
    lua_pop(L, 1);
  }
  return status;
}

/* Ctrl-C while a chunk runs. The first press stops it: Lua code at its next
   instruction (a hook), C loops at their next question to tfp_progress
   (tfp_interrupted, asked every few milliseconds of work). The error is a
   tfp.error "interrupted!" at the user's line; a C primitive that stops
   raises its own "interrupted" error first (the message handler clears the
   hook, and no hook on calls: it must not fire on the handler's call).
   A second press: a script run alone dies, as under lua.c. Where a person
   works at the prompt (the REPL, -i), it only prints a note, and a third
   within 2 s of it quits: the escape hatch for a computation that cannot
   stop (one long LAPACK or GLPK call). */
static int gentle;                            /* the REPL, or -i */
static volatile sig_atomic_t presses;         /* Ctrl-C during this chunk */
static struct timespec last_press;

static void lstop(lua_State *L, lua_Debug *ar) {
  (void)ar;
  lua_sethook(L, NULL, 0, 0);
  tfp_raise(L, "interrupted", NULL, "interrupted!");
}

static void laction(int i) {
  struct timespec now;
  if (presses++ == 0) {
    tfp_interrupted = 1;
    lua_sethook(globalL, lstop, LUA_MASKRET | LUA_MASKLINE | LUA_MASKCOUNT, 1);
    if (!gentle) signal(i, SIG_DFL);   /* a second Ctrl-C kills, as in lua.c */
    return;
  }
  clock_gettime(CLOCK_MONOTONIC, &now);   /* async-signal-safe */
  double since = (double)(now.tv_sec - last_press.tv_sec) + 1e-9 * (double)(now.tv_nsec - last_press.tv_nsec);
  if (presses > 2 && since < 2.0) {   /* the escape hatch */
    signal(i, SIG_DFL);
    raise(i);   /* delivered when this handler returns */
    return;
  }
  last_press = now;
  static const char note[] = "\nstill stopping... (Ctrl-C again within 2 s quits tfpkit)\n";
  ssize_t w = write(STDERR_FILENO, note, sizeof note - 1);
  (void)w;
}

/* Errors. The user sees the message and the frames of their own code: a
   tfp.error that is theirs to fix (its code is not "internal") prints its
   message alone; any other error gets a traceback without the frames of
   tfpkit's embedded modules and the host's C frames. The full traceback of
   the last error is kept for traceback(). */
#define LAST_TRACEBACK "tfpkit.traceback"

static int is_user_error(lua_State *L, int idx) {
  int user = 0;
  if (luaL_getmetafield(L, idx, "__name") == LUA_TNIL) return 0;
  if (lua_type(L, -1) == LUA_TSTRING && strcmp(lua_tostring(L, -1), "tfp.error") == 0) {
    int t = lua_istable(L, idx) ? lua_getfield(L, idx, "code") : (lua_pushnil(L), LUA_TNIL);
    user = !(t == LUA_TSTRING && strcmp(lua_tostring(L, -1), "internal") == 0);
    lua_pop(L, 1);
  }
  lua_pop(L, 1);
  return user;
}

enum { FRAME_USER, FRAME_OURS, FRAME_C, FRAME_GAP };

static int frame_kind(lua_State *L, int level) {
  lua_Debug ar;
  if (!lua_getstack(L, level, &ar) || !lua_getinfo(L, "S", &ar)) return FRAME_C;
  if (*ar.what == 'C') return FRAME_C;
  if (tfp_internal_source(ar.source)) return FRAME_OURS;
  return FRAME_USER;
}

static int last_level(lua_State *L) {   /* as lauxlib's lastlevel */
  lua_Debug ar;
  int li = 1, le = 1;
  while (lua_getstack(L, le, &ar)) { li = le; le *= 2; }
  while (li < le) {
    int m = (li + le) / 2;
    if (lua_getstack(L, m, &ar)) li = m + 1; else le = m;
  }
  return le - 1;
}

/* The name of a function as luaL_traceback gives it: the field of a loaded
   module holding it ("string.rep", "tfp.lq"), else what the code called it. */
static int find_field(lua_State *L, int objidx, int depth) {
  if (depth == 0 || !lua_istable(L, -1)) return 0;
  lua_pushnil(L);
  while (lua_next(L, -2)) {
    if (lua_type(L, -2) == LUA_TSTRING) {
      if (lua_rawequal(L, objidx, -1)) { lua_pop(L, 1); return 1; }
      if (find_field(L, objidx, depth - 1)) {   /* module name, module, field name */
        lua_pushliteral(L, ".");
        lua_replace(L, -3);
        lua_concat(L, 3);
        return 1;
      }
    }
    lua_pop(L, 1);
  }
  return 0;
}

static void push_funcname(lua_State *L, lua_Debug *ar) {
  int top = lua_gettop(L);
  lua_getinfo(L, "f", ar);
  lua_getfield(L, LUA_REGISTRYINDEX, LUA_LOADED_TABLE);
  if (find_field(L, top + 1, 2)) {
    const char *name = lua_tostring(L, -1);
    lua_pushfstring(L, "function '%s'", strncmp(name, "_G.", 3) == 0 ? name + 3 : name);
    lua_replace(L, top + 1);
    lua_settop(L, top + 1);
    return;
  }
  lua_settop(L, top);
  if (*ar->namewhat) lua_pushfstring(L, "%s '%s'", ar->namewhat, ar->name);
  else if (*ar->what == 'm') lua_pushliteral(L, "main chunk");
  else if (*ar->what != 'C') lua_pushfstring(L, "function <%s:%d>", ar->short_src, ar->linedefined);
  else lua_pushliteral(L, "?");
}

/* "\n\t<the line of this level>", as luaL_traceback writes it. */
static void push_frame_line(lua_State *L, int level) {
  lua_Debug ar;
  if (!lua_getstack(L, level, &ar) || !lua_getinfo(L, "Slnt", &ar)) { lua_pushliteral(L, ""); return; }
  if (ar.currentline <= 0) lua_pushfstring(L, "\n\t%s: in ", ar.short_src);
  else lua_pushfstring(L, "\n\t%s:%d: in ", ar.short_src, ar.currentline);
  push_funcname(L, &ar);
  if (ar.istailcall) lua_pushliteral(L, "\n\t(...tail calls...)");
  else lua_pushliteral(L, "");
  lua_concat(L, 3);
}

#define SEEN_ENDS 40   /* levels looked at on each end of a deep stack */

/* Pushes msg followed by the user's frames (levels from 1). */
static void push_user_traceback(lua_State *L, const char *msg) {
  int kind[2 * SEEN_ENDS + 1], level[2 * SEEN_ENDS + 1], n = 0, last = last_level(L);
  for (int lv = 1; lv <= last; lv++) {
    if (last > 2 * SEEN_ENDS && lv == SEEN_ENDS + 1) {   /* the middle of a deep stack */
      kind[n] = FRAME_GAP;
      level[n++] = last - 2 * SEEN_ENDS;
      lv = last - SEEN_ENDS;
      continue;
    }
    kind[n] = frame_kind(L, lv);
    level[n++] = lv;
  }
  /* A C frame stays only between two frames of the user's (pcall, table.sort
     calling back): not the raising function on top, nor the host below. */
  int keep[2 * SEEN_ENDS + 1], n_keep = 0;
  for (int i = 0; i < n; i++) {
    int k = kind[i];
    if (k == FRAME_C) {
      int above = i - 1, below = i + 1;
      while (above >= 0 && kind[above] == FRAME_C) above--;
      while (below < n && kind[below] == FRAME_C) below++;
      k = above >= 0 && below < n && kind[above] != FRAME_OURS && kind[below] != FRAME_OURS
        ? FRAME_USER : FRAME_OURS;
    }
    if (k != FRAME_OURS) keep[n_keep++] = i;
  }
  luaL_checkstack(L, 40, "traceback");
  lua_pushstring(L, msg);
  if (n_keep == 0) return;
  lua_pushliteral(L, "\nstack traceback:");
  int top = n_keep > 22 ? 10 : n_keep, bottom = n_keep > 22 ? 11 : 0, pieces = 2;
  for (int j = 0; j < top + bottom; j++) {
    int i = keep[j < top ? j : n_keep - bottom + (j - top)];
    if (j == top) {   /* the kept frames in between */
      int skipped = 0;
      for (int h = top; h < n_keep - bottom; h++)
        skipped += kind[keep[h]] == FRAME_GAP ? level[keep[h]] : 1;
      lua_pushfstring(L, "\n\t...\t(skipping %d levels)", skipped);
      pieces++;
    }
    if (kind[i] == FRAME_GAP) lua_pushfstring(L, "\n\t...\t(skipping %d levels)", level[i]);
    else push_frame_line(L, level[i]);
    pieces++;
  }
  lua_concat(L, pieces);
}

static int host_msghandler(lua_State *L) {
  /* The chunk is ending with this error: a Ctrl-C hook still set must not
     replace it (a primitive's own "interrupted" error) on our return. */
  lua_sethook(L, NULL, 0, 0);
  if (lua_touserdata(L, 1) == &exit_requested) return 1;   /* not an error: exit() unwinding */
  const char *msg = lua_tostring(L, 1);
  if (msg == NULL) {
    if (luaL_callmeta(L, 1, "__tostring") && lua_type(L, -1) == LUA_TSTRING) msg = lua_tostring(L, -1);
    else msg = lua_pushfstring(L, "(error object is a %s value)", luaL_typename(L, 1));
  }
  luaL_traceback(L, L, msg, 1);
  lua_setfield(L, LUA_REGISTRYINDEX, LAST_TRACEBACK);
  if (is_user_error(L, 1)) lua_pushstring(L, msg);
  else push_user_traceback(L, msg);
  return 1;
}

static int docall(lua_State *L, int narg, int nres) {
  int base = lua_gettop(L) - narg;
  lua_pushcfunction(L, host_msghandler);
  lua_insert(L, base);
  tfp_interrupted = 0;
  presses = 0;
  globalL = L;
  void (*idle)(int) = signal(SIGINT, laction);
  int status = lua_pcall(L, narg, nres, base);
  /* At the prompt, the REPL's own handler (never SIG_DFL: a late second
     Ctrl-C must not end the session); else lua.c's default. */
  signal(SIGINT, gentle && idle != SIG_ERR ? idle : SIG_DFL);
  lua_sethook(L, NULL, 0, 0);   /* a C primitive stopped first: the hook did not fire */
  tfp_progress_clear();   /* a run stopped by an error or Ctrl-C leaves its line */
  tfp_interrupted = 0;
  lua_remove(L, base);
  return status;
}

static int dochunk(lua_State *L, int status) {
  if (status == LUA_OK) status = docall(L, 0, 0);
  return report(L, status);
}

static int dostring(lua_State *L, const char *s, const char *name) {
  return dochunk(L, luaL_loadbuffer(L, s, strlen(s), name));
}

static void createargtable(lua_State *L, char **argv, int argc, int script) {
  if (script == argc) script = 0;
  lua_createtable(L, argc - (script + 1), script + 1);
  for (int i = 0; i < argc; i++) {
    lua_pushstring(L, argv[i]);
    lua_rawseti(L, -2, i - script);
  }
  lua_setglobal(L, "arg");
}

static int handle_script(lua_State *L, char **argv) {
  const char *fname = argv[0];
  if (strcmp(fname, "-") == 0 && strcmp(argv[-1], "--") != 0) fname = NULL;
  int status = luaL_loadfile(L, fname);
  if (status == LUA_OK) {
    lua_getglobal(L, "arg");
    int n = (int)luaL_len(L, -1);
    luaL_checkstack(L, n + 3, "too many arguments to script");
    for (int i = 1; i <= n; i++) lua_rawgeti(L, -i, i);
    lua_remove(L, -(n + 1));
    status = docall(L, n, LUA_MULTRET);
  }
  return report(L, status);
}

/* ------------------------------------------------------------------ REPL */

static int interactive;   /* stdin is a terminal: prompts, readline, history */
static char history_path[4096];

static char *read_line(const char *prompt) {
  if (interactive) return readline(prompt);
  /* getline: a piped line of any length stays one line (a fixed buffer split it). */
  char *buf = NULL;
  size_t cap = 0;
  ssize_t len = getline(&buf, &cap, stdin);
  if (len < 0) { free(buf); return NULL; }
  if (len && buf[len - 1] == '\n') buf[--len] = '\0';
  return buf;
}

static void save_line(const char *line) {
  if (!interactive || !*line) return;
  add_history(line);
  /* Written at once, so history survives a session that ends in a crash or kill. */
  if (*history_path && append_history(1, history_path) != 0) write_history(history_path);
  history_truncate_file(history_path, 2000);
}

static int incomplete(lua_State *L, int status) {
  if (status == LUA_ERRSYNTAX) {
    size_t lmsg;
    const char *msg = lua_tolstring(L, -1, &lmsg);
    if (lmsg >= 5 && strcmp(msg + lmsg - 5, "<eof>") == 0) {
      lua_pop(L, 1);
      return 1;
    }
  }
  return 0;
}

/* Try "return <line>" so that expressions print their values. */
static int addreturn(lua_State *L) {
  const char *line = lua_tostring(L, -1);
  const char *retline = lua_pushfstring(L, "return %s;", line);
  int status = luaL_loadbuffer(L, retline, strlen(retline), "=stdin");
  if (status == LUA_OK) lua_remove(L, -2);
  else lua_pop(L, 2);
  return status;
}

static volatile sig_atomic_t prompt_cancelled;   /* Ctrl-C at the prompt */

static int multiline(lua_State *L) {
  for (;;) {
    size_t len;
    const char *line = lua_tolstring(L, 1, &len);
    int status = luaL_loadbuffer(L, line, len, "=stdin");
    if (!incomplete(L, status)) return status;
    prompt_cancelled = 0;
    char *more = read_line(">> ");
    if (!more) return status;
    if (prompt_cancelled) {   /* Ctrl-C dropped the pending chunk: start over from this line */
      lua_pushstring(L, more);
      free(more);
      lua_replace(L, 1);
      if (addreturn(L) == LUA_OK) return LUA_OK;
      continue;
    }
    lua_pushliteral(L, "\n");
    lua_pushstring(L, more);
    free(more);
    lua_concat(L, 3);   /* line .. "\n" .. more */
  }
}

/* exit([code]) and quit([code]) leave the REPL: the chunk stops here (the
   error is a sentinel the message handler passes through) and the loop ends
   even if a pcall caught it. */
static int host_exit(lua_State *L) {
  if (lua_isboolean(L, 1)) exit_code = lua_toboolean(L, 1) ? EXIT_SUCCESS : EXIT_FAILURE;
  else exit_code = (int)luaL_optinteger(L, 1, EXIT_SUCCESS);
  exit_requested = 1;
  lua_pushlightuserdata(L, &exit_requested);
  return lua_error(L);
}

/* A line that is just `exit` or `quit`, naming our exit function (not a
   variable of the user's that happens to be called so). */
static int is_bare_exit(lua_State *L, const char *line) {
  while (*line == ' ' || *line == '\t') line++;
  size_t len = strlen(line);
  while (len && (line[len - 1] == ' ' || line[len - 1] == '\t' || line[len - 1] == '\r')) len--;
  if (!(len == 4 && (strncmp(line, "exit", 4) == 0 || strncmp(line, "quit", 4) == 0))) return 0;
  char name[5];
  memcpy(name, line, 4);
  name[4] = '\0';
  lua_pushglobaltable(L);
  lua_pushstring(L, name);
  lua_rawget(L, -2);   /* raw: no __index a user put on _G runs here */
  int ours = lua_tocfunction(L, -1) == host_exit;
  lua_pop(L, 2);
  return ours;
}

/* traceback(): the full traceback of the last error, frames of tfpkit's own
   modules included (the error message shows only the user's). */
static int host_traceback(lua_State *L) {
  if (lua_getfield(L, LUA_REGISTRYINDEX, LAST_TRACEBACK) != LUA_TSTRING) lua_pushliteral(L, "no error yet");
  fprintf(stdout, "%s\n", lua_tostring(L, -1));
  fflush(stdout);
  return 0;
}

/* 1: a chunk is on the stack; 0: end of input (or a bare exit). Errors of
   loading stay on the stack as a message (status returned through *status). */
static int loadline(lua_State *L, int *status) {
  lua_settop(L, 0);
  char *line = read_line("> ");
  if (!line) return 0;
  if (is_bare_exit(L, line)) { free(line); exit_requested = 1; return 0; }
  lua_pushstring(L, line);
  free(line);
  if ((*status = addreturn(L)) != LUA_OK) *status = multiline(L);
  save_line(lua_tostring(L, 1));
  lua_remove(L, 1);
  return 1;
}

/* Print results through tfp.show (tables, frames, fits) or tostring. */
static void print_results(lua_State *L) {
  int n = lua_gettop(L);
  if (n == 0) return;
  lua_getglobal(L, "tfp");
  if (lua_istable(L, -1)) lua_getfield(L, -1, "show");
  else lua_pushnil(L);
  if (lua_isfunction(L, -1)) {
    lua_insert(L, 1);
    lua_pop(L, 1);
  } else {
    lua_pop(L, 2);
    lua_getglobal(L, "print");
    lua_insert(L, 1);
  }
  report(L, docall(L, n, 0));   /* a __tostring may raise: reported as any error */
}

/* Ctrl-C between chunks when stdin is not a terminal: nothing to cancel,
   and a press arriving just after an interrupted chunk must not end the
   REPL; ignored (SIGTERM still ends it). */
static void on_sigint_idle(int sig) {
  (void)sig;
}

static void on_sigint_at_prompt(int sig) {
  (void)sig;
  prompt_cancelled = 1;
  fputc('\n', stdout);
  rl_set_prompt("> ");
  rl_on_new_line();
  rl_replace_line("", 0);
  rl_redisplay();
}

/* Completion: the word before the cursor is a path a.b.c (or a.b:c); the
   candidates are the keys of what a.b evaluates to, or frame columns and
   methods, or globals; inside the options table of a call (tfp.lq{da,
   m:with{vc), the option names the function takes. Names starting with '_'
   are internal: offered only once the user has typed the '_'. */
static char word_breaks[] = " \t\n\"\\'`@$><=;|&{(,[+-*/%^~#";
static char **completion_list;
static int completion_count, completion_next;
static int completing_options;   /* the candidates are option names */

static void add_candidate(const char *prefix, size_t plen, const char *key, const char *base, char sep) {
  if (strncmp(key, prefix, plen) != 0) return;
  if (key[0] == '_' && prefix[0] != '_') return;
  char **grown = realloc(completion_list, (size_t)(completion_count + 1) * sizeof *grown);
  if (!grown) return;
  completion_list = grown;
  size_t len = strlen(base) + strlen(key) + 2;
  char *s = malloc(len);
  if (!s) return;
  if (*base) snprintf(s, len, "%s%c%s", base, sep, key);
  else snprintf(s, len, "%s", key);
  completion_list[completion_count++] = s;
}

static void add_keys(lua_State *L, int t, const char *prefix, const char *base, char sep) {
  size_t plen = strlen(prefix);
  lua_pushnil(L);
  while (lua_next(L, t)) {
    if (lua_type(L, -2) == LUA_TSTRING) add_candidate(prefix, plen, lua_tostring(L, -2), base, sep);
    lua_pop(L, 1);
  }
}

/* Pushes what the path a.b:c evaluates to, field by field (nothing is
   called but an __index). Frames give their columns, and with `methods`
   anything indexable gives its fields (f:where, m:with). */
static int completion_scope;   /* pin scope of the running completion, 0 outside one */

static void push_path(lua_State *L, const char *path_text, int methods) {
  char path[512], *save = NULL;
  lua_pushglobaltable(L);
  if (strlen(path_text) >= sizeof path) { lua_pop(L, 1); lua_pushnil(L); return; }
  snprintf(path, sizeof path, "%s", path_text);
  for (char *part = strtok_r(path, ".:", &save); part; part = strtok_r(NULL, ".:", &save)) {
    tfp_frame *f = tfp_toframe(L, -1);
    /* copying a column allocates, and a finalizer run by that may change f */
    if (f && completion_scope) tfp_pin(L, completion_scope, -1);
    int j = f ? tfp_frame_find(f, part) : -1;
    if (j >= 0) tfp_pushcolumn(L, &f->col[j], f->nrow);
    else if (lua_istable(L, -1) || (methods && lua_type(L, -1) == LUA_TUSERDATA)) lua_getfield(L, -1, part);
    else lua_pushnil(L);
    lua_remove(L, -2);
  }
}

static void collect(lua_State *L, const char *text) {
  const char *cut = strrchr(text, '.'), *colon = strrchr(text, ':');
  if (colon > cut) cut = colon;
  if (!cut) {
    lua_pushglobaltable(L);
    add_keys(L, lua_gettop(L), text, "", 0);
    lua_pop(L, 1);
    return;
  }
  char base[512];
  size_t blen = (size_t)(cut - text);
  if (blen >= sizeof base) return;
  memcpy(base, text, blen);
  base[blen] = '\0';
  push_path(L, base, 0);
  int t = lua_gettop(L);
  const char *prefix = cut + 1;
  if (lua_istable(L, t)) add_keys(L, t, prefix, base, *cut);
  tfp_frame *f = tfp_toframe(L, t);
  if (f && *cut == '.')
    for (size_t j = 0; j < f->ncol; j++) add_candidate(prefix, strlen(prefix), f->col[j].name, base, '.');
  if (luaL_getmetafield(L, t, "methods") != LUA_TNIL) {
    add_keys(L, lua_gettop(L), prefix, base, *cut);
    lua_pop(L, 1);
  }
  lua_settop(L, t - 1);
}

static int is_name_char(char c) {
  return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') || c == '_';
}

/* If s[i] opens a string, a long string or a comment, the index just past
   it (n + 1 when it is still open at n); else i. */
static size_t skip_text(const char *s, size_t i, size_t n) {
  char c = s[i];
  if (c == '"' || c == '\'') {
    for (size_t k = i + 1; k < n; k++) {
      if (s[k] == '\\') k++;
      else if (s[k] == c) return k + 1;
    }
    return n + 1;
  }
  size_t k = i;
  int comment = c == '-' && i + 1 < n && s[i + 1] == '-';
  if (comment) k += 2;
  if (k < n && s[k] == '[') {   /* long bracket [==[ ... ]==] */
    size_t level = 0, m = k + 1;
    while (m < n && s[m] == '=') { level++; m++; }
    if (m < n && s[m] == '[') {
      for (m++; m < n; m++) {
        if (s[m] != ']') continue;
        size_t e = m + 1, eq = 0;
        while (e < n && s[e] == '=') { eq++; e++; }
        if (eq == level && e < n && s[e] == ']') return e + 1;
      }
      return n + 1;
    }
  }
  if (comment) return n + 1;   /* a line comment runs to the end */
  return i;
}

#define MAX_OPEN 64

/* The brackets ( [ { left open in s[0..n), innermost last; -1 when n is
   inside a string or comment, or nesting is too deep to follow. */
static int open_brackets(const char *s, size_t n, size_t *pos, char *ch) {
  int depth = 0;
  for (size_t i = 0; i < n;) {
    size_t j = skip_text(s, i, n);
    if (j > n) return -1;
    if (j > i) { i = j; continue; }
    char c = s[i];
    if (c == '(' || c == '[' || c == '{') {
      if (depth == MAX_OPEN) return -1;
      pos[depth] = i;
      ch[depth++] = c;
    } else if ((c == ')' || c == ']' || c == '}') && depth > 0) depth--;
    i++;
  }
  return depth;
}

/* The callee path ending just before s[end] ("tfp.lq", "m:with"), or 0. */
static int callee_before(const char *s, size_t end, char *out, size_t outsize) {
  size_t e = end;
  while (e > 0 && (s[e - 1] == ' ' || s[e - 1] == '\t')) e--;
  size_t b = e;
  while (b > 0 && (is_name_char(s[b - 1]) || s[b - 1] == '.' || s[b - 1] == ':')) b--;
  if (b == e || e - b >= outsize) return 0;
  if (!(is_name_char(s[b]) && !(s[b] >= '0' && s[b] <= '9'))) return 0;
  for (size_t k = b; k + 1 < e; k++)   /* no empty part: a..b, a.:b */
    if (!is_name_char(s[k]) && !is_name_char(s[k + 1])) return 0;
  if (!is_name_char(s[e - 1])) return 0;
  memcpy(out, s + b, e - b);
  out[e - b] = '\0';
  return 1;
}

/* Pushes a set of the keys already written (name = ...) in the table
   constructor whose body is s[from..n). */
static void push_present_keys(lua_State *L, const char *s, size_t from, size_t n) {
  lua_newtable(L);
  int depth = 0, key_place = 1;
  for (size_t i = from; i < n;) {
    size_t j = skip_text(s, i, n);
    if (j > n) break;
    if (j > i) { i = j; key_place = 0; continue; }
    char c = s[i];
    if (c == ' ' || c == '\t') { i++; continue; }
    if (c == '(' || c == '[' || c == '{') depth++;
    else if (c == ')' || c == ']' || c == '}') depth--;
    else if (depth == 0 && (c == ',' || c == ';')) { key_place = 1; i++; continue; }
    else if (depth == 0 && key_place && is_name_char(c)) {
      size_t e = i;
      while (e < n && is_name_char(s[e])) e++;
      size_t k = e;
      while (k < n && (s[k] == ' ' || s[k] == '\t')) k++;
      if (k < n && s[k] == '=' && (k + 1 >= n || s[k + 1] != '=')) {
        lua_pushlstring(L, s + i, e - i);
        lua_pushboolean(L, 1);
        lua_rawset(L, -3);
      }
      i = e;
      key_place = 0;
      continue;
    }
    key_place = 0;
    i++;
  }
}

/* Option names for a word typed where a key of a call's options table goes:
   tfp.lq{da, tfp.ivreg(f, "y ~ x", {me, m:with{vc. Returns the number added. */
static int collect_options(lua_State *L, const char *line, size_t start, const char *text) {
  for (const char *t = text; *t; t++) if (!is_name_char(*t)) return 0;
  if (*text >= '0' && *text <= '9') return 0;
  size_t k = start;
  while (k > 0 && (line[k - 1] == ' ' || line[k - 1] == '\t')) k--;
  if (k == 0 || (line[k - 1] != '{' && line[k - 1] != ',' && line[k - 1] != ';')) return 0;
  size_t pos[MAX_OPEN];
  char ch[MAX_OPEN];
  int depth = open_brackets(line, start, pos, ch);
  if (depth <= 0 || ch[depth - 1] != '{') return 0;
  size_t brace = pos[depth - 1];
  char callee[512];
  if (!callee_before(line, brace, callee, sizeof callee)) {
    /* f(a, {  or  f({ : the table is an argument of the call f */
    size_t e = brace;
    while (e > 0 && (line[e - 1] == ' ' || line[e - 1] == '\t')) e--;
    if (e == 0 || (line[e - 1] != ',' && line[e - 1] != '(')) return 0;
    if (depth < 2 || ch[depth - 2] != '(' || !callee_before(line, pos[depth - 2], callee, sizeof callee))
      return 0;
  }
  int top = lua_gettop(L);
  lua_getglobal(L, "require");
  lua_pushliteral(L, "tfp.options");
  if (lua_pcall(L, 1, 1, 0) != LUA_OK || lua_getfield(L, -1, "names_of") != LUA_TFUNCTION) {
    lua_settop(L, top);
    return 0;
  }
  push_path(L, callee, 1);
  if (lua_pcall(L, 1, 1, 0) != LUA_OK || !lua_istable(L, -1)) {
    lua_settop(L, top);
    return 0;
  }
  int names = lua_gettop(L), before = completion_count;
  push_present_keys(L, line, brace + 1, start);
  size_t plen = strlen(text);
  for (lua_Integer i = 1; lua_rawgeti(L, names, i) == LUA_TSTRING; i++) {
    const char *name = lua_tostring(L, -1);
    lua_pushvalue(L, -1);
    if (lua_rawget(L, names + 1) == LUA_TNIL) {
      lua_pushfstring(L, "%s = ", name);
      add_candidate(text, plen, lua_tostring(L, -1), "", 0);
      lua_pop(L, 1);
    }
    lua_pop(L, 2);
  }
  lua_settop(L, top);
  return completion_count - before;
}

/* The candidates for the word line[start..] (the text after the last word
   break), into completion_list. */
static void complete(lua_State *L, const char *line, size_t start) {
  for (int i = completion_next; i < completion_count; i++) free(completion_list[i]);
  completion_count = completion_next = 0;
  const char *text = line + start;
  completing_options = collect_options(L, line, start, text) > 0;
  if (!completing_options) collect(L, text);
}

/* complete() under pcall: an __index met on a path may raise, and an error
   outside a protected call would end the program. */
static int host_complete_protected(lua_State *L) {
  completion_scope = tfp_pinscope(L);
  complete(L, lua_touserdata(L, 1), (size_t)lua_tointeger(L, 2));
  completion_scope = 0;
  return 0;
}

static void complete_line(lua_State *L, const char *line, size_t start) {
  lua_pushcfunction(L, host_complete_protected);
  lua_pushlightuserdata(L, (void *)line);
  lua_pushinteger(L, (lua_Integer)start);
  if (lua_pcall(L, 2, 0, 0) != LUA_OK) lua_pop(L, 1);
}

/* Option candidates are "name = "; the list shown for them gives the names. */

static void display_options(char **matches, int n, int max_length) {
  (void)max_length;
  char **names = calloc((size_t)n + 2, sizeof *names);
  if (!names) return;
  int longest = 0;
  for (int i = 0; i <= n; i++) {
    size_t len = strlen(matches[i]);
    if (len >= 3 && strcmp(matches[i] + len - 3, " = ") == 0) len -= 3;
    names[i] = strndup(matches[i], len);
    if (!names[i]) break;
    if ((int)len > longest) longest = (int)len;
  }
  if (names[n]) rl_display_match_list(names, n, longest);
  for (int i = 0; i <= n && names[i]; i++) free(names[i]);
  free(names);
  rl_forced_update_display();
}

static char *completion_generator(const char *text, int state) {
  (void)text; (void)state;   /* tfp_completion collected the candidates */
  return completion_next < completion_count ? completion_list[completion_next++] : NULL;
}

static char **tfp_completion(const char *text, int start, int end) {
  rl_completion_append_character = '\0';
  char *line = strndup(rl_line_buffer, (size_t)end);
  if (!line) return NULL;
  complete_line(globalL, line, (size_t)start);
  free(line);
  rl_completion_display_matches_hook = completing_options ? display_options : NULL;
  return rl_completion_matches(text, completion_generator);
}

/* tfp._complete(line): the completions offered for the end of line, as a
   list (for tests, which have no terminal to press Tab in). */
static int host_complete(lua_State *L) {
  const char *line = luaL_checkstring(L, 1);
  size_t start = strlen(line);
  while (start > 0 && !strchr(word_breaks, line[start - 1])) start--;
  complete_line(L, line, start);
  lua_createtable(L, completion_count, 0);
  for (int i = 0; i < completion_count; i++) {
    lua_pushstring(L, completion_list[i]);
    lua_rawseti(L, -2, i + 1);
    free(completion_list[i]);
  }
  completion_count = completion_next = 0;
  return 1;
}

/* exit, quit and traceback as globals, unless a script run by -i defined its own. */
static void set_repl_global(lua_State *L, const char *name, lua_CFunction fn) {
  if (lua_getglobal(L, name) == LUA_TNIL) {
    lua_pushcfunction(L, fn);
    lua_setglobal(L, name);
  }
  lua_pop(L, 1);
}

static void doREPL(lua_State *L) {
  const char *oldprogname = progname;
  progname = NULL;   /* as lua.c: at the prompt, errors are not prefixed "tfpkit:" */
  interactive = isatty(STDIN_FILENO);
  gentle = 1;
  globalL = L;
  set_repl_global(L, "exit", host_exit);
  set_repl_global(L, "quit", host_exit);
  set_repl_global(L, "traceback", host_traceback);
  if (interactive) {
    const char *home = getenv("HOME"), *hist = getenv("TFPKIT_HISTORY");
    if (hist) snprintf(history_path, sizeof history_path, "%s", hist);
    else if (home) snprintf(history_path, sizeof history_path, "%s/.tfpkit_history", home);
    if (*history_path) read_history(history_path);
    rl_readline_name = "tfpkit";
    rl_basic_word_break_characters = word_breaks;
    rl_attempted_completion_function = tfp_completion;
    rl_catch_signals = 0;
    printf("tfpkit %s (%s) — help(tfp) lists the primitives; exit or Ctrl-D quits.\n", TFP_VERSION, LUA_RELEASE);
  }
  signal(SIGINT, interactive ? on_sigint_at_prompt : on_sigint_idle);
  int status;
  while (loadline(L, &status)) {
    if (status == LUA_OK) status = docall(L, 0, LUA_MULTRET);
    if (status == LUA_OK) print_results(L);
    else report(L, status);
    if (exit_requested) break;
  }
  lua_settop(L, 0);
  if (interactive && !exit_requested) fputc('\n', stdout);   /* Ctrl-D left the cursor on the prompt line */
  progname = oldprogname;
}

/* ------------------------------------------------------------------ main */

typedef struct { int argc; char **argv; int status; } host_main_args;

static int host_main(lua_State *L) {
  host_main_args *a = lua_touserdata(L, 1);
  int argc = a->argc, script = 0, want_repl = 0, ran = 0;
  char **argv = a->argv;
  luaL_checkversion(L);
  luaL_openlibs(L);
  lua_warning(L, "@on", 0);   /* primitives warn of infeasible LPs, dropped rows */
  luaL_requiref(L, "tfp", luaopen_tfp, 1);
  lua_pop(L, 1);
  /* help() as a global, when the Lua side provides it. */
  lua_getglobal(L, "tfp");
  lua_getfield(L, -1, "help");
  lua_setglobal(L, "help");
  lua_pushcfunction(L, host_complete);
  lua_setfield(L, -2, "_complete");
  lua_pop(L, 1);
  int i;
  for (i = 1; i < argc; i++) {   /* -i: a person is at the terminal from the start */
    if (argv[i][0] != '-' || strcmp(argv[i], "-") == 0 || strcmp(argv[i], "--") == 0) break;
    if (strcmp(argv[i], "-i") == 0) gentle = 1;
    if (strcmp(argv[i], "-e") == 0) i++;
  }
  for (i = 1; i < argc; i++) {   /* options first: -e runs in order */
    const char *o = argv[i];
    if (o[0] != '-' || strcmp(o, "-") == 0) break;
    if (strcmp(o, "--") == 0) { i++; break; }
    if (strcmp(o, "-h") == 0 || strcmp(o, "--help") == 0) { print_usage(stdout); return 0; }
    if (strcmp(o, "-v") == 0 || strcmp(o, "--version") == 0) {
      printf("tfpkit %s (%s)\n", TFP_VERSION, LUA_RELEASE);
      ran = 1;
      continue;
    }
    if (strcmp(o, "-i") == 0) { want_repl = 1; continue; }
    if (strcmp(o, "-e") == 0) {
      if (++i >= argc) { l_message("'-e' needs an argument"); print_usage(stderr); a->status = 1; return 0; }
      if (dostring(L, argv[i], "=(command line)") != LUA_OK) { a->status = 1; return 0; }
      ran = 1;
      continue;
    }
    lua_pushfstring(L, "unrecognized option '%s'", o);
    l_message(lua_tostring(L, -1));
    print_usage(stderr);
    a->status = 1;
    return 0;
  }
  if (i < argc) script = i;
  createargtable(L, argv, argc, script ? script : argc);
  if (script) {
    if (handle_script(L, argv + script) != LUA_OK) { a->status = 1; return 0; }
    ran = 1;
  }
  if (want_repl || !ran) doREPL(L);
  return 0;
}

int main(int argc, char **argv) {
  /* Under ulimit -v, OpenBLAS must run without worker threads (each would
     spin forever mapping its work buffer, and exit would wait for them): the
     variable is read when the library loads, so start again with it set.
     Then the caller's buffer is mapped now or never (see linalg.h). */
  const char *blas_threads = getenv("OPENBLAS_NUM_THREADS");
  if (isfinite(tfp_la_memory_limit()) && (!blas_threads || strcmp(blas_threads, "1") != 0) &&
      setenv("OPENBLAS_NUM_THREADS", "1", 1) == 0)
    execv("/proc/self/exe", argv);   /* returns only on failure: go on as we are */
  char la_err[256];
  if (tfp_la_reserve(la_err, sizeof la_err) != TFP_OK) { l_message(la_err); return EXIT_FAILURE; }
  tfp_mpi_init(&argc, &argv);   /* under mpirun only (lua_mpi.c) */
  lua_State *L = luaL_newstate();
  if (!L) { l_message("cannot create state: not enough memory"); return EXIT_FAILURE; }
  lua_setwarnf(L, warn_visible, NULL);
  host_main_args a = {argc, argv, 0};
  lua_pushcfunction(L, host_main);
  lua_pushlightuserdata(L, &a);
  int status = lua_pcall(L, 1, 1, 0);
  report(L, status);
  lua_close(L);
  for (int i = completion_next; i < completion_count; i++) free(completion_list[i]);
  free(completion_list);
  int rc = status == LUA_OK && a.status == 0 ? exit_code : EXIT_FAILURE;
  tfp_mpi_finalize(rc != 0);
  return rc;
}
