/* lua_boot.c — the bootstrap option of tfp.dea and tfp.malmquist
   (core/boot.h): reading bootstrap = {reps, seed, bandwidth, alpha, threads}
   (already checked by the registry) and pushing the results. Called from
   lua_dea.c. */
#include <math.h>
#include <stdlib.h>
#include <string.h>
#include "tfp_lua.h"

#define BOOT_SCRATCH_MT "tfp.boot.scratch"

/* Core results live in a userdata until copied, so a raise frees them. */
typedef struct {
  tfp_boot_result dea;
  tfp_malmquist_boot_result mq;
} boot_scratch;

static int boot_scratch_gc(lua_State *L) {
  boot_scratch *s = luaL_checkudata(L, 1, BOOT_SCRATCH_MT);
  tfp_boot_result_clear(&s->dea);
  tfp_malmquist_boot_result_clear(&s->mq);
  return 0;
}

static boot_scratch *newscratch(lua_State *L) {
  return tfp_newscratch(L, sizeof(boot_scratch), BOOT_SCRATCH_MT, boot_scratch_gc);
}

/* Field `key` of the table on top as a number, or def when absent. */
static double fieldnum(lua_State *L, const char *key, double def) {
  lua_getfield(L, -1, key);
  double v = lua_isnil(L, -1) ? def : lua_tonumber(L, -1);
  lua_pop(L, 1);
  return v;
}

int tfp_lua_boot_opts(lua_State *L, int t, tfp_boot_opts *o) {
  tfp_boot_opts_init(o);
  if (lua_getfield(L, t, "bootstrap") != LUA_TTABLE) { lua_pop(L, 1); return 0; }
  o->reps = (size_t)fieldnum(L, "reps", (double)o->reps);
  o->seed = (uint64_t)fieldnum(L, "seed", (double)o->seed);
  o->bandwidth = fieldnum(L, "bandwidth", 0);
  o->alpha = fieldnum(L, "alpha", o->alpha);
  o->threads = (int)fieldnum(L, "threads", 0);
  lua_pop(L, 1);
  tfp_mpi_split(&o->split);   /* MPI ranks, if any, share the replications */
  return 1;
}

static double *addnum(lua_State *L, tfp_frame *f, const char *name, const double *src) {
  double *v = tfp_addnum(L, f, name);
  if (src) memcpy(v, src, f->nrow * sizeof *v);
  return v;
}

static void boot_info(lua_State *L, int info, const tfp_boot_opts *o, size_t reps, int threads,
                      size_t n_lp, size_t n_inf) {
  tfp_setint(L, info, "reps", reps);
  tfp_setint(L, info, "seed", (size_t)o->seed);
  tfp_setnum(L, info, "alpha", o->alpha);
  tfp_setint(L, info, "threads", (size_t)threads);
  tfp_setint(L, info, "n_lp", n_lp);
  tfp_setint(L, info, "n_infeasible", n_inf);
}

/* tfp.dea{..., bootstrap = {...}} -> frame (eff, eff_bc, bias, lower, upper,
   var), info {bandwidth, reps, seed, alpha, threads, n_lp, n_infeasible} */
int tfp_lua_dea_boot(lua_State *L, const tfp_dea_data *d, const tfp_dea_opts *dopt, const tfp_boot_opts *o) {
  boot_scratch *s = newscratch(L);
  tfp_dea_opts po = *dopt;
  po.progress = tfp_progress_cb;
  char err[512] = "";
  int rc = tfp_dea_boot(d, &po, o, &s->dea, err, sizeof err);
  if (rc) return tfp_raise_status(L, rc, "tfp.dea", err);
  const tfp_boot_result *r = &s->dea;
  tfp_frame *f = tfp_newframe(L, r->n);
  addnum(L, f, "eff", r->eff);
  addnum(L, f, "eff_bc", r->eff_bc);
  addnum(L, f, "bias", r->bias);
  addnum(L, f, "lower", r->lower);
  addnum(L, f, "upper", r->upper);
  addnum(L, f, "var", r->var);
  lua_createtable(L, 0, 8);
  int info = lua_gettop(L);
  tfp_setnum(L, info, "bandwidth", r->h);
  boot_info(L, info, o, r->reps, r->threads, r->n_lp, r->n_infeasible);
  if (r->n_infeasible) {
    lua_pushfstring(L, "dea bootstrap: %d replicate LPs without a score (left out of the intervals)",
                    (int)r->n_infeasible);
    lua_warning(L, lua_tostring(L, -1), 0);
    lua_pop(L, 1);
  }
  return 2;
}

/* tfp.malmquist{..., bootstrap = {...}}: the point estimates go to *mq (the
   caller's scratch owns them from here); the intervals stay in a scratch
   userdata left on the stack, whose address is returned for the two
   functions below. */
void *tfp_lua_malmquist_boot(lua_State *L, const tfp_dea_data *d, const int *code, size_t n_units,
                             const double *time, const tfp_malmquist_opts *mo, const tfp_boot_opts *o,
                             tfp_malmquist_result *mq) {
  boot_scratch *s = newscratch(L);
  char err[512] = "";
  int rc = tfp_malmquist_boot(d, code, n_units, time, mo, o, &s->mq, err, sizeof err);
  if (rc) tfp_raise_status(L, rc, "tfp.malmquist", err);
  *mq = s->mq.mq;
  memset(&s->mq.mq, 0, sizeof s->mq.mq);
  s->mq.mq.n_periods = mq->n_periods;   /* the length of h; nothing to free */
  return s;
}

/* <component>_bc, _lower, _upper for each of effch techch pech sech tfpch,
   rows in the order ord of the result frame. */
void tfp_lua_malmquist_boot_columns(lua_State *L, void *scratch, tfp_frame *out, const size_t *ord, size_t n) {
  const tfp_malmquist_boot_result *r = &((boot_scratch *)scratch)->mq;
  static const char *const suffix[] = { "bc", "lower", "upper" };
  for (int k = 0; k < TFP_MQ_NCOMP; k++)
    for (int s = 0; s < 3; s++) {
      const double *src = s == 0 ? r->bc[k] : s == 1 ? r->lower[k] : r->upper[k];
      lua_pushfstring(L, "%s_%s", tfp_malmquist_component(k), suffix[s]);
      double *dst = addnum(L, out, lua_tostring(L, -1), NULL);
      lua_pop(L, 1);
      for (size_t i = 0; i < n; i++) dst[i] = src[ord[i]];
    }
}

/* summary.bootstrap = {reps, seed, alpha, threads, n_lp, n_infeasible,
   bandwidth = {by period, NaN for the first}} */
void tfp_lua_malmquist_boot_info(lua_State *L, void *scratch, int info, const tfp_boot_opts *o) {
  const tfp_malmquist_boot_result *r = &((boot_scratch *)scratch)->mq;
  lua_createtable(L, 0, 8);
  int t = lua_gettop(L);
  boot_info(L, t, o, r->reps, r->threads, r->n_lp, r->n_infeasible);
  double *h = tfp_newvector(L, r->mq.n_periods);
  if (r->mq.n_periods) memcpy(h, r->h, r->mq.n_periods * sizeof *h);
  lua_setfield(L, t, "bandwidth");
  lua_setfield(L, info, "bootstrap");
}
