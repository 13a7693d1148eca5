/* test_pool.c — the thread pool (core/pool.h) and the random streams
   (core/rng.h): every item runs once, per-worker state stays in its thread,
   errors and interruption are reported the same for any thread count, and
   workers run GLPK LPs side by side, each in its own environment. */
#include <math.h>
#include <pthread.h>
#include <stdatomic.h>
#include <stdlib.h>
#include <string.h>
#include "check.h"
#include "dea.h"
#include "pool.h"
#include "rng.h"

/* ---------------------------------------------------------------- items */
typedef struct { atomic_int *hits; size_t n; } count_job;

static int count_body(void *ud, void *state, size_t begin, size_t end, tfp_pool_ctx *c) {
  count_job *j = ud;
  (void)state; (void)c;
  for (size_t i = begin; i < end; i++) atomic_fetch_add(&j->hits[i], 1);
  return TFP_OK;
}

static void test_every_item_runs_once(void) {
  const int threads[] = {1, 2, 3, 8};
  const size_t grains[] = {1, 7, 1000};
  size_t n = 10007;
  atomic_int *hits = malloc(n * sizeof *hits);
  for (int a = 0; a < 4; a++) {
    tfp_pool *p = tfp_pool_create(threads[a]);
    CHECK(p && tfp_pool_threads(p) == threads[a]);
    for (int g = 0; g < 3; g++) {
      for (size_t i = 0; i < n; i++) atomic_init(&hits[i], 0);
      count_job j = {hits, n};
      tfp_pool_task t;
      tfp_pool_task_init(&t);
      t.n = n; t.grain = grains[g]; t.body = count_body; t.ud = &j;
      char err[256];
      CHECK(tfp_pool_for(p, &t, err, sizeof err) == TFP_OK);
      int once = 1;
      for (size_t i = 0; i < n; i++) once &= atomic_load(&hits[i]) == 1;
      CHECK(once);
    }
    tfp_pool_free(p);
  }
  free(hits);
}

static void test_an_empty_range_and_no_body(void) {
  tfp_pool *p = tfp_pool_create(2);
  tfp_pool_task t;
  tfp_pool_task_init(&t);
  char err[256] = "";
  CHECK(tfp_pool_for(p, &t, err, sizeof err) == TFP_EINVAL);
  t.body = count_body;
  t.n = 0;
  CHECK(tfp_pool_for(p, &t, err, sizeof err) == TFP_OK);
  tfp_pool_free(p);
}

/* ------------------------------------------------- per-worker state */
typedef struct { pthread_t owner; int worker; long items; } wstate;
typedef struct { atomic_int inits, finis, wrong_thread; atomic_long items; } state_job;

static int st_init(void *ud, tfp_pool_ctx *c, void **state) {
  state_job *j = ud;
  wstate *w = malloc(sizeof *w);
  if (!w) return TFP_ENOMEM;
  w->owner = pthread_self();
  w->worker = tfp_pool_worker(c);
  w->items = 0;
  *state = w;
  atomic_fetch_add(&j->inits, 1);
  return TFP_OK;
}

static int st_body(void *ud, void *state, size_t begin, size_t end, tfp_pool_ctx *c) {
  state_job *j = ud;
  wstate *w = state;
  if (!pthread_equal(w->owner, pthread_self()) || w->worker != tfp_pool_worker(c))
    atomic_fetch_add(&j->wrong_thread, 1);
  w->items += (long)(end - begin);
  return TFP_OK;
}

static void st_fini(void *ud, void *state, tfp_pool_ctx *c) {
  state_job *j = ud;
  wstate *w = state;
  (void)c;
  if (!pthread_equal(w->owner, pthread_self())) atomic_fetch_add(&j->wrong_thread, 1);
  atomic_fetch_add(&j->items, w->items);
  atomic_fetch_add(&j->finis, 1);
  free(w);
}

static void test_worker_state_lives_in_its_thread(void) {
  tfp_pool *p = tfp_pool_create(3);
  for (int rep = 0; rep < 3; rep++) {   /* the same pool, several loops */
    state_job j;
    atomic_init(&j.inits, 0); atomic_init(&j.finis, 0);
    atomic_init(&j.wrong_thread, 0); atomic_init(&j.items, 0);
    tfp_pool_task t;
    tfp_pool_task_init(&t);
    t.n = 5000; t.grain = 3; t.body = st_body; t.init = st_init; t.fini = st_fini; t.ud = &j;
    CHECK(tfp_pool_for(p, &t, NULL, 0) == TFP_OK);
    CHECK(atomic_load(&j.inits) == 3 && atomic_load(&j.finis) == 3);
    CHECK(atomic_load(&j.wrong_thread) == 0);
    CHECK(atomic_load(&j.items) == 5000);
  }
  tfp_pool_free(p);
}

/* ------------------------------------------------------------ failures */
static int fail_body(void *ud, void *state, size_t begin, size_t end, tfp_pool_ctx *c) {
  (void)ud; (void)state;
  for (size_t i = begin; i < end; i++)
    if (i == 300 || i == 301 || i == 900) {
      tfp_pool_error(c, "item %zu has no data", i);
      return TFP_EDATA;
    }
  return TFP_OK;
}

static void test_the_lowest_failing_item_is_reported(void) {
  for (int th = 1; th <= 4; th++) {
    tfp_pool *p = tfp_pool_create(th);
    tfp_pool_task t;
    tfp_pool_task_init(&t);
    t.n = 1000; t.body = fail_body;
    char err[256] = "";
    CHECK(tfp_pool_for(p, &t, err, sizeof err) == TFP_EDATA);
    /* 300 fails before 301 and 900 can be reached by the chunk order; with
       grain 1, 301 may run, but 300 is the lowest and is always reached */
    CHECK_STR_CONTAINS(err, "item 300 has no data");
    tfp_pool_free(p);
  }
}

/* Item 0 waits for the stop flag and returns TFP_EINTR, as an LP loop
   that sees tfp_pool_stopping does; item 1 fails for real. The real
   failure is reported although its index is higher. */
static int masked_body(void *ud, void *state, size_t begin, size_t end, tfp_pool_ctx *c) {
  (void)ud; (void)state; (void)end;
  if (begin == 1) { tfp_pool_error(c, "item 1 has no data"); return TFP_EDATA; }
  for (int spin = 0; spin < 2000 && !tfp_pool_stopping(c); spin++) {
    struct timespec ts = { 0, 1000000 };
    nanosleep(&ts, NULL);
  }
  return TFP_EINTR;
}

static void test_an_interrupted_chunk_does_not_mask_a_failure(void) {
  tfp_pool *p = tfp_pool_create(2);
  tfp_pool_task t;
  tfp_pool_task_init(&t);
  t.n = 2; t.grain = 1; t.body = masked_body;
  char err[256] = "";
  CHECK(tfp_pool_for(p, &t, err, sizeof err) == TFP_EDATA);
  CHECK_STR_CONTAINS(err, "item 1 has no data");
  tfp_pool_free(p);
}

/* -------------------------------------------------------- interruption */
typedef struct { atomic_int started; } slow_job;

static int slow_body(void *ud, void *state, size_t begin, size_t end, tfp_pool_ctx *c) {
  slow_job *j = ud;
  (void)state; (void)begin; (void)end;
  atomic_fetch_add(&j->started, 1);
  for (int k = 0; k < 200 && !tfp_pool_stopping(c); k++) {   /* up to 2 s, polled */
    struct timespec ts = {0, 10 * 1000 * 1000};
    nanosleep(&ts, NULL);
  }
  return TFP_OK;
}

typedef struct { int calls; size_t last_done; } prog;

static int stop_at_third(void *ud, const char *what, size_t done, size_t total) {
  prog *pr = ud;
  (void)what; (void)total;
  pr->last_done = done;
  return ++pr->calls >= 3;
}

static void test_progress_stops_the_loop(void) {
  tfp_pool *p = tfp_pool_create(2);
  slow_job j;
  atomic_init(&j.started, 0);
  prog pr = {0, 0};
  tfp_pool_task t;
  tfp_pool_task_init(&t);
  t.n = 100; t.body = slow_body; t.ud = &j;
  t.progress = stop_at_third; t.progress_ud = &pr; t.what = "bootstrap";
  struct timespec a, b;
  clock_gettime(CLOCK_MONOTONIC, &a);
  char err[256] = "";
  CHECK(tfp_pool_for(p, &t, err, sizeof err) == TFP_EINTR);
  clock_gettime(CLOCK_MONOTONIC, &b);
  double secs = (double)(b.tv_sec - a.tv_sec) + 1e-9 * (double)(b.tv_nsec - a.tv_nsec);
  CHECK(secs < 1.0);                         /* not the 100 x 2 s of the full loop */
  CHECK(atomic_load(&j.started) <= 4);       /* no chunk started after the stop */
  CHECK(pr.calls == 3);
  CHECK_STR_CONTAINS(err, "bootstrap interrupted");
  /* the pool is usable afterwards */
  size_t n = 100;
  atomic_int hits[100];
  for (size_t i = 0; i < n; i++) atomic_init(&hits[i], 0);
  count_job cj = {hits, n};
  tfp_pool_task_init(&t);
  t.n = n; t.body = count_body; t.ud = &cj;
  CHECK(tfp_pool_for(p, &t, err, sizeof err) == TFP_OK);
  tfp_pool_free(p);
}

static void test_default_threads_follow_tfp_threads(void) {
  setenv("TFP_THREADS", "3", 1);
  CHECK(tfp_pool_default_threads() == 3);
  setenv("TFP_THREADS", "zero", 1);
  CHECK(tfp_pool_default_threads() >= 1);
  unsetenv("TFP_THREADS");
  tfp_pool *p = tfp_pool_create(0);
  CHECK(p && tfp_pool_threads(p) == tfp_pool_default_threads());
  tfp_pool_free(p);
}

/* ------------------------------------------------------- GLPK in workers */
#define NU 60
typedef struct {
  const tfp_dea_data *d;
  double *eff;        /* item k: unit k's VRS output score, DEA run per item */
} lp_job;

static int lp_body(void *ud, void *state, size_t begin, size_t end, tfp_pool_ctx *c) {
  lp_job *j = ud;
  (void)state;
  for (size_t k = begin; k < end; k++) {
    tfp_dea_opts o;
    tfp_dea_opts_init(&o);
    o.rts = k % 2 ? TFP_RTS_VRS : TFP_RTS_CRS;
    o.orientation = TFP_DEA_OUTPUT;
    tfp_dea_result r;
    char err[256];
    int rc = tfp_dea_run(j->d, NULL, &o, &r, err, sizeof err);
    if (rc) { tfp_pool_error(c, "%s", err); return rc; }
    j->eff[k] = r.eff[k % NU];
    tfp_dea_result_clear(&r);
  }
  return TFP_OK;
}

static void lp_fini(void *ud, void *state, tfp_pool_ctx *c) {
  (void)ud; (void)state; (void)c;
  tfp_pool_glpk_release();
}

static void test_workers_solve_lps_in_their_own_glpk_environment(void) {
  CHECK(tfp_pool_glpk_ok());
  double x1[NU], x2[NU], y[NU];
  tfp_rng r;
  tfp_rng_seed(&r, 5, 0);
  for (int j = 0; j < NU; j++) {
    x1[j] = 1 + 9 * tfp_rng_unif(&r);
    x2[j] = 1 + 9 * tfp_rng_unif(&r);
    y[j] = pow(x1[j], 0.4) * pow(x2[j], 0.5) * exp(-fabs(0.3 * tfp_rng_norm(&r)));
  }
  const double *xs[] = {x1, x2}, *ys[] = {y};
  tfp_dea_data d = { NU, 2, 1, xs, ys, NULL, NULL };
  size_t n = 4 * NU;
  double *want = malloc(n * sizeof *want), *got = malloc(n * sizeof *got);
  for (int th = 1; th <= 4; th *= 2) {
    tfp_pool *p = tfp_pool_create(th);
    lp_job j = { &d, th == 1 ? want : got };
    tfp_pool_task t;
    tfp_pool_task_init(&t);
    t.n = n; t.body = lp_body; t.fini = lp_fini; t.ud = &j;
    char err[256] = "";
    CHECK(tfp_pool_for(p, &t, err, sizeof err) == TFP_OK);
    if (th > 1) CHECK(memcmp(want, got, n * sizeof *got) == 0);   /* bit for bit */
    tfp_pool_free(p);
  }
  int sane = 1;
  for (size_t k = 0; k < n; k++) sane &= want[k] > 0 && want[k] <= 1 + 1e-9;
  CHECK(sane);
  free(want); free(got);
}

/* ---------------------------------------------------------------- rng */
static void test_streams_are_reproducible_and_distinct(void) {
  tfp_rng a, b, c;
  tfp_rng_seed(&a, 42, 7);
  tfp_rng_seed(&b, 42, 7);
  tfp_rng_seed(&c, 42, 8);
  int same = 1, differ = 0;
  for (int k = 0; k < 1000; k++) {
    uint64_t u = tfp_rng_next(&a), v = tfp_rng_next(&b), w = tfp_rng_next(&c);
    same &= u == v;
    differ += u != w;
  }
  CHECK(same);
  CHECK(differ > 990);
  /* xoshiro256** reference: state {1, 2, 3, 4} gives 11520, 0, 1509978240 */
  tfp_rng x = {{1, 2, 3, 4}};
  CHECK(tfp_rng_next(&x) == 11520);
  CHECK(tfp_rng_next(&x) == 0);
  CHECK(tfp_rng_next(&x) == 1509978240);
}

static void test_draws_have_their_distributions(void) {
  tfp_rng r;
  tfp_rng_seed(&r, 1, 0);
  size_t n = 200000;
  double su = 0, sn = 0, sn2 = 0;
  size_t cnt[7] = {0};
  int inside = 1;
  for (size_t k = 0; k < n; k++) {
    double u = tfp_rng_unif(&r);
    inside &= u > 0 && u < 1;
    su += u;
    double z = tfp_rng_norm(&r);
    sn += z; sn2 += z * z;
    uint64_t b = tfp_rng_below(&r, 7);
    inside &= b < 7;
    if (b < 7) cnt[b]++;
  }
  CHECK(inside);
  CHECK(fabs(su / (double)n - 0.5) < 0.005);
  CHECK(fabs(sn / (double)n) < 0.01);
  CHECK(fabs(sn2 / (double)n - 1) < 0.01);
  for (int b = 0; b < 7; b++) CHECK(fabs((double)cnt[b] / (double)n - 1.0 / 7) < 0.005);
}

/* tfp_rng_below's draws as the 128-bit-integer version made them (seed 42,
   stream 7; n = 2^63 + 12345 rejects about half its draws): a hash of
   10,000 draws, the next draw, then the generator's next output (how many
   draws the rejections took). */
static void test_below_draws_the_recorded_stream(void) {
  static const struct { uint64_t n, hash, next, after; } want[] = {
    {7, UINT64_C(17063643759437470837), 4, UINT64_C(6745174469690143143)},
    {1000003, UINT64_C(7288733538718837675), 623197, UINT64_C(6745174469690143143)},
    {(UINT64_C(1) << 63) + 12345, UINT64_C(4166698725519093884), UINT64_C(580148344478476075),
     UINT64_C(8732350031111040345)},
    {UINT64_MAX, UINT64_C(5683600595743799316), UINT64_C(11495926301917173113), UINT64_C(6745174469690143143)},
  };
  for (size_t i = 0; i < sizeof want / sizeof want[0]; i++) {
    tfp_rng r;
    tfp_rng_seed(&r, 42, 7);
    uint64_t h = 0;
    for (int k = 0; k < 10000; k++) h = (h * 1000003u) ^ tfp_rng_below(&r, want[i].n);
    CHECK(h == want[i].hash);
    CHECK(tfp_rng_below(&r, want[i].n) == want[i].next);
    CHECK(tfp_rng_next(&r) == want[i].after);
  }
}

int main(void) {
  test_every_item_runs_once();
  test_an_empty_range_and_no_body();
  test_worker_state_lives_in_its_thread();
  test_the_lowest_failing_item_is_reported();
  test_an_interrupted_chunk_does_not_mask_a_failure();
  test_progress_stops_the_loop();
  test_default_threads_follow_tfp_threads();
  test_workers_solve_lps_in_their_own_glpk_environment();
  test_streams_are_reproducible_and_distinct();
  test_draws_have_their_distributions();
  test_below_draws_the_recorded_stream();
  return check_report("test_pool");
}
