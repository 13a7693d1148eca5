/* test_split.c — split runs (core/split.h) without MPI: K parts as K
   threads whose combine sums their arrays at a barrier (as MPI_Allreduce
   would). Each part must end up with the whole run's results: the
   bootstraps bit for bit, SBM, DDF and the ML indexes to 1e-12 with the
   same missing values and LP counts (a part's first LP starts from another
   basis). On the synthetic green panel (refs/green), 30 units x 6 years. */
#include <math.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include "check.h"
#include "green_refs.h"
#include "boot.h"
#include "ml.h"
#include "pool.h"
#include "sbm.h"

#define MAX_PARTS 4

/* The panel whole (for the indexes) and by year (green_refs.h). */
typedef struct {
  green_panel g;
  int unit[GP_YEARS * GP_UNITS];
  const double *x[2], *y[1], *b[1];
  tfp_green_data d;
} panel;

static void load(panel *p) {
  gp_load(&p->g);
  tfp_frame *f = p->g.f;
  int id = tfp_frame_find(f, "id");
  for (size_t i = 0; i < f->nrow; i++) p->unit[i] = atoi(f->col[id].str[i] + 1) - 1;
  p->x[0] = ref_col(f, "capital"); p->x[1] = ref_col(f, "labour");
  p->y[0] = ref_col(f, "output"); p->b[0] = ref_col(f, "emissions");
  tfp_green_data d = { f->nrow, 2, 1, 1, p->x, p->y, p->b, NULL, NULL, NULL };
  p->d = d;
}

typedef struct {
  pthread_barrier_t bar;
  double *slot[MAX_PARTS];
  int k, calls;   /* calls: combines (part 0's count) */
} hub;

typedef struct { hub *h; int part; } part_ud;

static int hub_sum(void *ud, double *v, size_t n) {
  part_ud *p = ud;
  hub *h = p->h;
  h->slot[p->part] = v;
  if (p->part == 0) h->calls++;
  pthread_barrier_wait(&h->bar);
  double *sum = malloc((n ? n : 1) * sizeof *sum);
  for (size_t i = 0; sum && i < n; i++) {
    double s = 0;
    for (int q = 0; q < h->k; q++) s += h->slot[q][i];
    sum[i] = s;
  }
  pthread_barrier_wait(&h->bar);   /* every part has read every slot */
  if (sum) memcpy(v, sum, n * sizeof *v);
  free(sum);
  return sum ? TFP_OK : TFP_ENOMEM;
}

/* A primitive run as part s (NULL: whole), its results into out. */
typedef int (*run_fn)(const void *arg, const tfp_split *s, void *out);

typedef struct {
  run_fn run;
  const void *arg;
  hub *h;
  part_ud ud;
  void *out;
  int rc;
} part_job;

static void *part_main(void *v) {
  part_job *j = v;
  tfp_split s = { j->ud.part, j->h->k, hub_sum, &j->ud };
  j->rc = j->run(j->arg, &s, j->out);
  tfp_pool_glpk_release();   /* this thread's GLPK environment */
  return NULL;
}

/* Runs `run` as k parts; outs[q] receives part q's results (each of size
   `size`). */
static void run_parts(run_fn run, const void *arg, int k, char *outs, size_t size) {
  hub h;
  h.k = k;
  h.calls = 0;
  pthread_barrier_init(&h.bar, NULL, (unsigned)k);
  part_job jobs[MAX_PARTS];
  pthread_t th[MAX_PARTS];
  for (int q = 0; q < k; q++) {
    jobs[q] = (part_job){ run, arg, &h, { &h, q }, outs + (size_t)q * size, -1 };
    pthread_create(&th[q], NULL, part_main, &jobs[q]);
  }
  for (int q = 0; q < k; q++) pthread_join(th[q], NULL);
  for (int q = 0; q < k; q++) CHECK(jobs[q].rc == TFP_OK);
  CHECK(h.calls > 0);   /* the run was split, and combined */
  pthread_barrier_destroy(&h.bar);
}

/* Equal bit for bit (NaN where the other is NaN), or to tol (relative
   above 1). */
static int same(const double *a, const double *b, size_t n, double tol) {
  for (size_t i = 0; i < n; i++) {
    if (isnan(a[i]) || isnan(b[i])) { if (!(isnan(a[i]) && isnan(b[i]))) return 0; continue; }
    double m = fabs(a[i]) > 1 ? fabs(a[i]) : 1;
    if (tol == 0 ? a[i] != b[i] : fabs(a[i] - b[i]) > tol * m) return 0;
  }
  return 1;
}

static void blocks_cover_the_items_in_order(void) {
  for (size_t n = 0; n < 12; n++)
    for (int k = 1; k <= 5; k++) {
      size_t next = 0, lo = n, hi = 0;
      for (int q = 0; q < k; q++) {
        size_t b, e;
        tfp_split_range(n, q, k, &b, &e);
        CHECK(b == next && e >= b);
        next = e;
        if (e - b < lo) lo = e - b;
        if (e - b > hi) hi = e - b;
      }
      CHECK(next == n && hi - lo <= 1);
    }
}

/* ---- the DEA bootstrap of one year */
static int dea_boot_run(const void *arg, const tfp_split *s, void *out) {
  tfp_dea_opts dopt;
  tfp_dea_opts_init(&dopt);
  dopt.rts = TFP_RTS_VRS;
  tfp_boot_opts o;
  tfp_boot_opts_init(&o);
  o.reps = 25; o.seed = 3; o.threads = 2; o.keep_replicates = 1;
  if (s) o.split = *s;
  char err[256];
  return tfp_dea_boot(arg, &dopt, &o, out, err, sizeof err);
}

static void dea_bootstrap_split_is_the_whole_bit_for_bit(const panel *p) {
  tfp_green_data g = gp_year(&p->g, 2, 0);
  tfp_dea_data d = { g.n, 2, 1, g.x, g.y, NULL, NULL };
  tfp_boot_result whole, parts[MAX_PARTS];
  CHECK(dea_boot_run(&d, NULL, &whole) == TFP_OK);
  for (int k = 2; k <= 3; k++) {
    run_parts(dea_boot_run, &d, k, (char *)parts, sizeof parts[0]);
    for (int q = 0; q < k; q++) {
      const tfp_boot_result *r = &parts[q];
      CHECK(same(r->eff_bc, whole.eff_bc, d.n, 0) && same(r->lower, whole.lower, d.n, 0) &&
            same(r->upper, whole.upper, d.n, 0) && same(r->var, whole.var, d.n, 0));
      CHECK(same(r->replicates, whole.replicates, d.n * whole.reps, 0));
      CHECK(r->n_lp == whole.n_lp && r->n_infeasible == whole.n_infeasible);
      tfp_boot_result_clear(&parts[q]);
    }
  }
  tfp_boot_result_clear(&whole);
}

/* ---- the Malmquist bootstrap of the panel */
static int mq_boot_run(const void *arg, const tfp_split *s, void *out) {
  const panel *p = arg;
  tfp_dea_data d = { p->d.n, 2, 1, p->d.x, p->d.y, NULL, NULL };
  tfp_malmquist_opts mo;
  tfp_malmquist_opts_init(&mo);
  if (s) mo.split = *s;   /* not used for the point estimates (boot.h) */
  tfp_boot_opts o;
  tfp_boot_opts_init(&o);
  o.reps = 12; o.seed = 9; o.threads = 1;
  if (s) o.split = *s;
  char err[256];
  return tfp_malmquist_boot(&d, p->unit, GP_UNITS, ref_col(p->g.f, "year"), &mo, &o, out, err, sizeof err);
}

static void malmquist_bootstrap_split_is_the_whole_bit_for_bit(const panel *p) {
  tfp_malmquist_boot_result whole, parts[MAX_PARTS];
  CHECK(mq_boot_run(p, NULL, &whole) == TFP_OK);
  size_t n = p->d.n;
  run_parts(mq_boot_run, p, 3, (char *)parts, sizeof parts[0]);
  for (int q = 0; q < 3; q++) {
    const tfp_malmquist_boot_result *r = &parts[q];
    for (int k = 0; k < TFP_MQ_NCOMP; k++)
      CHECK(same(r->bc[k], whole.bc[k], n, 0) && same(r->lower[k], whole.lower[k], n, 0) &&
            same(r->upper[k], whole.upper[k], n, 0) && same(r->mq.change[k], whole.mq.change[k], n, 0));
    CHECK(r->n_lp == whole.n_lp);
    tfp_malmquist_boot_result_clear(&parts[q]);
  }
  tfp_malmquist_boot_result_clear(&whole);
}

/* ---- SBM (bad output) and super-SBM with slacks of one year */
static int sbm_run(const void *arg, const tfp_split *s, void *out) {
  const tfp_sbm_opts *base = ((const void *const *)arg)[1];
  tfp_sbm_opts o = *base;
  if (s) o.split = *s;
  char err[256];
  return tfp_sbm_run(((const void *const *)arg)[0], &o, out, err, sizeof err);
}

static void sbm_split_is_the_whole_to_1e_12(const panel *p) {
  for (int super = 0; super <= 1; super++) {
    tfp_green_data d = gp_year(&p->g, 4, !super);
    tfp_sbm_opts o;
    tfp_sbm_opts_init(&o);
    o.vrs = 1; o.super = super; o.want_slacks = 1;
    const void *arg[2] = { &d, &o };
    tfp_sbm_result whole, parts[MAX_PARTS];
    CHECK(sbm_run(arg, NULL, &whole) == TFP_OK);
    run_parts(sbm_run, arg, 4, (char *)parts, sizeof parts[0]);
    for (int q = 0; q < 4; q++) {
      const tfp_sbm_result *r = &parts[q];
      CHECK(same(r->rho, whole.rho, d.n, 1e-12) && same(r->slack, whole.slack, d.n * whole.n_var, 1e-12));
      CHECK(memcmp(r->status, whole.status, d.n * sizeof *r->status) == 0 && r->n_lp == whole.n_lp);
      if (super) CHECK(same(r->score, whole.score, d.n, 1e-12) && same(r->super, whole.super, d.n, 1e-12));
      tfp_sbm_result_clear(&parts[q]);
    }
    tfp_sbm_result_clear(&whole);
  }
}

/* ---- DDF against another year's technology (some LPs infeasible) */
static int ddf_run(const void *arg, const tfp_split *s, void *out) {
  const tfp_green_data *d = arg;
  tfp_ddf_opts o;
  tfp_ddf_opts_init(&o);
  if (s) o.split = *s;
  char err[256];
  return tfp_ddf_run(&d[0], &d[1], NULL, &o, NULL, out, err, sizeof err);
}

static void ddf_split_is_the_whole_to_1e_12(const panel *p) {
  tfp_green_data d[2] = { gp_year(&p->g, 5, 1), gp_year(&p->g, 0, 1) };
  tfp_ddf_result whole, parts[MAX_PARTS];
  CHECK(ddf_run(d, NULL, &whole) == TFP_OK);
  run_parts(ddf_run, d, 2, (char *)parts, sizeof parts[0]);
  for (int q = 0; q < 2; q++) {
    CHECK(same(parts[q].beta, whole.beta, d[0].n, 1e-12));
    CHECK(memcmp(parts[q].status, whole.status, d[0].n * sizeof *whole.status) == 0);
    CHECK(parts[q].stats.n_lp == whole.stats.n_lp && parts[q].stats.n_infeasible == whole.stats.n_infeasible);
    tfp_ddf_result_clear(&parts[q]);
  }
  tfp_ddf_result_clear(&whole);
}

/* ---- the ML and GML indexes of the panel */
static int ml_run(const void *arg, const tfp_split *s, void *out) {
  const void *const *a = arg;
  const panel *p = a[0];
  tfp_ml_opts o;
  tfp_ml_opts_init(&o);
  o.index = *(const tfp_ml_index *)a[1];
  if (s) o.split = *s;
  char err[256];
  return tfp_ml_run(&p->d, p->unit, GP_UNITS, ref_col(p->g.f, "year"), &o, out, err, sizeof err);
}

static void ml_split_is_the_whole_to_1e_12(const panel *p) {
  tfp_ml_index idx[2] = { TFP_ML_ML, TFP_ML_GML };
  for (int i = 0; i < 2; i++) {
    const void *arg[2] = { p, &idx[i] };
    tfp_ml_result whole, parts[MAX_PARTS];
    CHECK(ml_run(arg, NULL, &whole) == TFP_OK);
    size_t n = whole.n;
    run_parts(ml_run, arg, 3, (char *)parts, sizeof parts[0]);
    for (int q = 0; q < 3; q++) {
      const tfp_ml_result *r = &parts[q];
      for (int k = 0; k < TFP_ML_NCOMP; k++)
        CHECK(same(r->change[k], whole.change[k], n, 1e-12) && same(r->level[k], whole.level[k], n, 1e-12));
      CHECK(same(r->d_t, whole.d_t, n, 1e-12));
      if (idx[i] == TFP_ML_ML)
        CHECK(memcmp(r->status_tm1, whole.status_tm1, n * sizeof *r->status_tm1) == 0 &&
              memcmp(r->status_tp1, whole.status_tp1, n * sizeof *r->status_tp1) == 0);
      CHECK(r->n_lp == whole.n_lp && r->n_infeasible == whole.n_infeasible);
      tfp_ml_result_clear(&parts[q]);
    }
    tfp_ml_result_clear(&whole);
  }
}

int main(void) {
  blocks_cover_the_items_in_order();
  panel p;
  load(&p);
  dea_bootstrap_split_is_the_whole_bit_for_bit(&p);
  malmquist_bootstrap_split_is_the_whole_bit_for_bit(&p);
  sbm_split_is_the_whole_to_1e_12(&p);
  ddf_split_is_the_whole_to_1e_12(&p);
  ml_split_is_the_whole_to_1e_12(&p);
  tfp_frame_free(p.g.f);
  return check_report("test_split");
}
