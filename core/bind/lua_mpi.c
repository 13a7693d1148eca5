/* lua_mpi.c — distributed runs: `mpirun -np K tfpkit script.lua` runs the
   same script on every rank. The heavy primitives split their LPs across
   the ranks and combine the results (split.h: each rank computes its block
   of units, the others' rows left at 0, and an MPI_Allreduce sum gives
   every rank every row), so a script needs no change and every rank holds
   the same results; only rank 0 prints and writes files (the other ranks'
   stdout and io.stderr go to /dev/null, they show no progress and no
   warnings, and their file writers write nothing; errors are printed by every rank that
   has one, and a failing rank aborts the job).
   tfp.mpi.rank() and tfp.mpi.size() are there for scripts that care;
   tfp.mpi.built says whether this tfpkit was built with MPI.

   Built with MPI when CMake finds it (TFP_MPI=AUTO, the default); MPI is
   only initialised when the process was started by mpirun (its environment
   says so), so a plain run never pays for it. Without MPI: rank 0 of 1. */
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include "dea.h"
#include "split.h"
#include "tfp_lua.h"
#ifdef TFP_HAVE_MPI
#include <mpi.h>
#endif

static int mpi_rank_, mpi_size_ = 1;
#ifdef TFP_HAVE_MPI
static int mpi_on;   /* MPI_Init succeeded */
#endif

void tfp_mpi_init(int *argc, char ***argv) {
#ifdef TFP_HAVE_MPI
  if (!getenv("OMPI_COMM_WORLD_SIZE") && !getenv("PMI_SIZE") && !getenv("PMIX_RANK")) return;
  if (MPI_Init(argc, argv) != MPI_SUCCESS) return;
  mpi_on = 1;
  MPI_Comm_rank(MPI_COMM_WORLD, &mpi_rank_);
  MPI_Comm_size(MPI_COMM_WORLD, &mpi_size_);
  if (mpi_rank_ > 0 && !freopen("/dev/null", "w", stdout)) return;
#else
  (void)argc; (void)argv;
#endif
}

/* A failed rank aborts the job: the others may be waiting for it in a
   collective (a combine), where MPI_Finalize would wait for them forever. */
void tfp_mpi_finalize(int failed) {
#ifdef TFP_HAVE_MPI
  if (mpi_on && failed && mpi_size_ > 1) {
    fflush(stdout);
    fflush(stderr);
    MPI_Abort(MPI_COMM_WORLD, EXIT_FAILURE);
  }
  if (mpi_on) MPI_Finalize();
  mpi_on = 0;
#else
  (void)failed;
#endif
}

int tfp_mpi_rank(void) { return mpi_rank_; }
int tfp_mpi_size(void) { return mpi_size_; }

/* split.h's combine: the element-wise sum over the ranks, in place. */
static int mpi_sum(void *ud, double *v, size_t n) {
  (void)ud;
#ifdef TFP_HAVE_MPI
  for (size_t at = 0; at < n;) {   /* counts are ints */
    int m = n - at > (1u << 30) ? 1 << 30 : (int)(n - at);
    if (MPI_Allreduce(MPI_IN_PLACE, v + at, m, MPI_DOUBLE, MPI_SUM, MPI_COMM_WORLD) != MPI_SUCCESS) return TFP_EIO;
    at += (size_t)m;
  }
  return TFP_OK;
#else
  (void)v; (void)n;
  return TFP_OK;
#endif
}

void tfp_mpi_split(tfp_split *s) {
  memset(s, 0, sizeof *s);
  if (mpi_size_ <= 1) return;
  s->part = mpi_rank_;
  s->n_parts = mpi_size_;
  s->combine = mpi_sum;
}

/* The candidates for the frame when the data are their own technology:
   each rank solves its block as a technology of its own (cheap: the core
   screens its inefficient units out as it goes); a unit inefficient there
   is inefficient in the whole technology too, which its block's efficient
   units already span, so the whole technology is spanned by the units
   efficient in their blocks (and any whose LP was not optimal, kept to be
   safe). Their rows into *frame (malloc'ed, the caller frees), as a data
   set in R (pointers into vals). */
static int frame_candidates(const tfp_dea_data *eval, const tfp_dea_data *part, size_t b, const tfp_dea_opts *o,
                            tfp_dea_data *R, const double **ptr, double **vals, size_t *n_lp,
                            char *err, size_t errlen) {
  size_t n = eval->n, nv = eval->n_in + eval->n_out;
  tfp_dea_result r;
  memset(&r, 0, sizeof r);
  int rc = part->n ? tfp_dea_run(part, NULL, o, &r, err, errlen) : TFP_OK;
  double *cand = rc ? NULL : calloc(n ? n : 1, sizeof *cand);
  if (!rc && !cand) rc = tfp_error(err, errlen, TFP_ENOMEM, "out of memory");
  for (size_t j = 0; !rc && j < part->n; j++)
    cand[b + j] = r.status[j] != TFP_DEA_OPTIMAL || fabs(r.eff[j] - 1) <= 1e-9;
  *n_lp = r.n_lp;
  tfp_dea_result_clear(&r);
  if (!rc && mpi_sum(NULL, cand, n)) rc = tfp_error(err, errlen, TFP_EIO, "MPI_Allreduce failed");
  size_t m = 0;
  for (size_t i = 0; !rc && i < n; i++) m += cand[i] > 0;
  *vals = rc ? NULL : malloc((m ? m : 1) * nv * sizeof **vals);
  if (!rc && !*vals) rc = tfp_error(err, errlen, TFP_ENOMEM, "out of memory");
  for (size_t v = 0; !rc && v < nv; v++) {
    const double *src = v < eval->n_in ? eval->x[v] : eval->y[v - eval->n_in];
    double *dst = *vals + v * m;
    for (size_t i = 0, k = 0; i < n; i++) if (cand[i] > 0) dst[k++] = src[i];
    ptr[v] = dst;
  }
  free(cand);
  *R = *eval;
  R->n = m; R->x = ptr; R->y = ptr + eval->n_in;
  return rc;
}

/* tfp_dea_run with the evaluated units split across the ranks (each rank
   its block, against the whole technology), combined on every rank. The
   technology: the reference given; else, with LPs solved from scratch
   (warm_start = 0), every unit, whose LPs (the core screens the same
   dominated units out) give one process's scores bit for bit; with the
   default warm start, the frame's candidates above, much smaller LPs (one
   process's warm-started scores depend in their last bits on the order the
   LPs were solved in, so no split reproduces them bit for bit: they agree
   to 1e-12). Peers, slacks and
   super-efficiency are solved whole on every rank. */
int tfp_mpi_dea_run(const tfp_dea_data *eval, const tfp_dea_data *ref, const tfp_dea_opts *o,
                    tfp_dea_result *res, char *err, size_t errlen) {
  size_t nv = eval->n_in + eval->n_out, b, e, n = eval->n, n_lp0 = 0;
  if (mpi_size_ <= 1 || o->want_lambda || o->want_slacks || o->super || nv > 64)
    return tfp_dea_run(eval, ref, o, res, err, errlen);
  int rc = tfp_dea_check(eval, ref == NULL, "", &o->rows, err, errlen);
  if (!rc && ref) rc = tfp_dea_check(ref, 1, "reference", &o->ref_rows, err, errlen);
  if (rc) return rc;
  tfp_split_range(n, mpi_rank_, mpi_size_, &b, &e);
  const double *pp[64], *rp[64];
  for (size_t v = 0; v < nv; v++) pp[v] = (v < eval->n_in ? eval->x[v] : eval->y[v - eval->n_in]) + b;
  tfp_dea_data part = *eval, R;
  part.n = e - b; part.x = pp; part.y = pp + eval->n_in;
  double *vals = NULL;
  if (!ref && o->warm_start) rc = frame_candidates(eval, &part, b, o, &R, rp, &vals, &n_lp0, err, errlen);
  else if (!ref) R = *eval;
  tfp_dea_result r;
  memset(&r, 0, sizeof r);
  memset(res, 0, sizeof *res);
  if (!rc && part.n) rc = tfp_dea_run(&part, ref ? ref : &R, o, &r, err, errlen);
  double *eff = calloc(n ? n : 1, sizeof *eff), *st = calloc(n ? n : 1, sizeof *st);
  int *status = malloc((n ? n : 1) * sizeof *status);
  if (!rc && (!eff || !st || !status)) rc = tfp_error(err, errlen, TFP_ENOMEM, "out of memory");
  double counts[4] = {(double)(r.n_lp + n_lp0), (double)r.n_iter, (double)r.n_infeasible, (double)r.n_failed};
  if (!rc) {
    for (size_t j = 0; j < part.n; j++) { eff[b + j] = r.eff[j]; st[b + j] = r.status[j]; }
    if (mpi_sum(NULL, eff, n) || mpi_sum(NULL, st, n) || mpi_sum(NULL, counts, 4))
      rc = tfp_error(err, errlen, TFP_EIO, "MPI_Allreduce failed");
  }
  tfp_dea_result_clear(&r);
  free(vals);
  if (rc) { free(eff); free(st); free(status); return rc; }
  for (size_t j = 0; j < n; j++) status[j] = (int)st[j];
  free(st);
  res->n = n; res->n_ref = ref ? ref->n : n; res->eff = eff; res->status = status;
  res->n_lp = (size_t)counts[0]; res->n_iter = (size_t)counts[1];
  res->n_infeasible = (size_t)counts[2]; res->n_failed = (size_t)counts[3];
  return TFP_OK;
}

static int mpi_rank(lua_State *L) { lua_pushinteger(L, mpi_rank_); return 1; }
static int mpi_size(lua_State *L) { lua_pushinteger(L, mpi_size_); return 1; }

static int writes_nothing(lua_State *L) { lua_pushboolean(L, 1); return 1; }

/* io.open on a rank > 0: a mode that writes opens /dev/null instead. */
static int quiet_open(lua_State *L) {
  const char *mode = luaL_optstring(L, 2, "r");
  if (strpbrk(mode, "wa+")) { lua_pushliteral(L, "/dev/null"); lua_replace(L, 1); }
  lua_pushvalue(L, lua_upvalueindex(1));
  lua_insert(L, 1);
  lua_call(L, lua_gettop(L) - 1, LUA_MULTRET);
  return lua_gettop(L);
}

/* Ranks > 0 write no file and print nothing: io.open for writing writes
   to /dev/null, so does io.stderr (a script's messages, e.g. tfp.cli's
   steps; our errors are printed from C), os.rename and os.remove do
   nothing (the tfp writers check the rank themselves: lua_io.c). Called
   on the tfp table by luaopen_tfp. */
static void quiet_rank(lua_State *L) {
  lua_getglobal(L, "io");
  if (lua_istable(L, -1)) {
    lua_getfield(L, -1, "open");
    lua_pushvalue(L, -1);
    lua_pushliteral(L, "/dev/null");
    lua_pushliteral(L, "w");
    if (lua_pcall(L, 2, 1, 0) == LUA_OK && !lua_isnil(L, -1)) lua_setfield(L, -3, "stderr");
    else lua_pop(L, 1);
    lua_pushcclosure(L, quiet_open, 1);
    lua_setfield(L, -2, "open");
  }
  lua_pop(L, 1);
  lua_getglobal(L, "os");
  if (lua_istable(L, -1)) {
    lua_pushcfunction(L, writes_nothing); lua_setfield(L, -2, "rename");
    lua_pushcfunction(L, writes_nothing); lua_setfield(L, -2, "remove");
  }
  lua_pop(L, 1);
}

static const luaL_Reg mpi_funcs[] = {
  {"rank", mpi_rank},
  {"size", mpi_size},
  {NULL, NULL}
};

int tfp_open_mpi(lua_State *L) {
  luaL_newlib(L, mpi_funcs);
#ifdef TFP_HAVE_MPI
  lua_pushboolean(L, 1);
#else
  lua_pushboolean(L, 0);
#endif
  lua_setfield(L, -2, "built");   /* built with MPI */
  lua_setfield(L, -2, "mpi");
  if (mpi_rank_ > 0) quiet_rank(L);
  return 0;
}
