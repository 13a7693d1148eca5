/* pool.c — worker threads and a parallel-for (see pool.h for the contract). */
#include "pool.h"

#include <errno.h>
#include <glpk.h>
#include <pthread.h>
#include <stdarg.h>
#include <stdatomic.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#define POOL_MAX_THREADS 256

struct tfp_pool_ctx {
  tfp_pool *pool;
  int worker;
  char msg[256];
};

struct tfp_pool {
  int n_threads;
  pthread_t *thread;
  tfp_pool_ctx *ctx;
  pthread_mutex_t mu;
  pthread_cond_t work_cv, done_cv;
  unsigned long generation;     /* a new loop; guarded by mu */
  int quit;                     /* guarded by mu */
  int active;                   /* workers still in the loop; guarded by mu */
  const tfp_pool_task *task;    /* the loop's task (set before generation moves) */
  atomic_size_t next;           /* first item of the next chunk */
  atomic_size_t done;           /* items finished */
  atomic_int stop;              /* no new chunk: interrupted or failed */
  int err_code;                 /* guarded by mu: the real failure of lowest index */
  size_t err_index;
  char err_msg[256];
};

void tfp_pool_task_init(tfp_pool_task *t) {
  memset(t, 0, sizeof *t);
  t->grain = 1;
  t->what = "working";
}

int tfp_pool_default_threads(void) {
  const char *s = getenv("TFP_THREADS");
  if (s && *s) {
    char *end;
    errno = 0;
    long v = strtol(s, &end, 10);
    if (!errno && *end == '\0' && v > 0) return v > POOL_MAX_THREADS ? POOL_MAX_THREADS : (int)v;
  }
  long n = sysconf(_SC_NPROCESSORS_ONLN);
  if (n < 1) n = 1;
  return n > POOL_MAX_THREADS ? POOL_MAX_THREADS : (int)n;
}

int tfp_pool_worker(const tfp_pool_ctx *c) { return c->worker; }

int tfp_pool_stopping(const tfp_pool_ctx *c) {
  return atomic_load_explicit(&c->pool->stop, memory_order_relaxed);
}

void tfp_pool_error(tfp_pool_ctx *c, const char *fmt, ...) {
  va_list ap;
  va_start(ap, fmt);
  vsnprintf(c->msg, sizeof c->msg, fmt, ap);
  va_end(ap);
}

int tfp_pool_glpk_ok(void) {
  const char *tls = glp_config("TLS");
  return tls != NULL && *tls != '\0';
}

void tfp_pool_glpk_release(void) { glp_free_env(); }

static void record_failure(tfp_pool *p, int code, size_t index, const char *msg) {
  pthread_mutex_lock(&p->mu);
  /* A chunk that saw the stop flag returns TFP_EINTR: it must not mask the
     real failure that raised the flag, whatever its index. */
  int was_intr = p->err_code == TFP_EINTR, is_intr = code == TFP_EINTR;
  if (p->err_code == TFP_OK || (was_intr && !is_intr) || (was_intr == is_intr && index < p->err_index)) {
    p->err_code = code;
    p->err_index = index;
    snprintf(p->err_msg, sizeof p->err_msg, "%s", msg);
  }
  pthread_mutex_unlock(&p->mu);
  atomic_store(&p->stop, 1);
}

/* One worker's share of the current loop. */
static void run_loop(tfp_pool *p, tfp_pool_ctx *c) {
  const tfp_pool_task *t = p->task;
  size_t grain = t->grain ? t->grain : 1;
  void *state = NULL;
  c->msg[0] = '\0';
  if (t->init) {
    int rc = t->init(t->ud, c, &state);
    if (rc) {
      record_failure(p, rc, 0, c->msg[0] ? c->msg : "a worker could not start");
      return;
    }
  }
  while (!atomic_load(&p->stop)) {
    size_t begin = atomic_fetch_add(&p->next, grain);
    if (begin >= t->n) break;
    size_t end = t->n - begin < grain ? t->n : begin + grain;
    c->msg[0] = '\0';
    int rc = t->body(t->ud, state, begin, end, c);
    if (rc) {
      record_failure(p, rc, begin, c->msg[0] ? c->msg : "failed");
      break;
    }
    atomic_fetch_add(&p->done, end - begin);
  }
  if (t->fini) t->fini(t->ud, state, c);
}

static void *worker_main(void *arg) {
  tfp_pool_ctx *c = arg;
  tfp_pool *p = c->pool;
  unsigned long seen = 0;
  pthread_mutex_lock(&p->mu);
  for (;;) {
    while (p->generation == seen && !p->quit) pthread_cond_wait(&p->work_cv, &p->mu);
    if (p->quit) break;
    seen = p->generation;
    pthread_mutex_unlock(&p->mu);
    run_loop(p, c);
    pthread_mutex_lock(&p->mu);
    if (--p->active == 0) pthread_cond_signal(&p->done_cv);
  }
  pthread_mutex_unlock(&p->mu);
  return NULL;
}

tfp_pool *tfp_pool_create(int n_threads) {
  if (n_threads <= 0) n_threads = tfp_pool_default_threads();
  if (n_threads > POOL_MAX_THREADS) n_threads = POOL_MAX_THREADS;
  tfp_pool *p = calloc(1, sizeof *p);
  if (!p) return NULL;
  p->thread = calloc((size_t)n_threads, sizeof *p->thread);
  p->ctx = calloc((size_t)n_threads, sizeof *p->ctx);
  if (!p->thread || !p->ctx) { free(p->thread); free(p->ctx); free(p); return NULL; }
  pthread_mutex_init(&p->mu, NULL);
  pthread_cond_init(&p->work_cv, NULL);
  pthread_condattr_t ca;
  pthread_condattr_init(&ca);
  pthread_condattr_setclock(&ca, CLOCK_MONOTONIC);
  pthread_cond_init(&p->done_cv, &ca);
  pthread_condattr_destroy(&ca);
  atomic_init(&p->next, 0);
  atomic_init(&p->done, 0);
  atomic_init(&p->stop, 0);
  for (int w = 0; w < n_threads; w++) {
    p->ctx[w].pool = p;
    p->ctx[w].worker = w;
    if (pthread_create(&p->thread[w], NULL, worker_main, &p->ctx[w]) != 0) {
      p->n_threads = w;   /* the ones started are joined */
      tfp_pool_free(p);
      return NULL;
    }
    p->n_threads = w + 1;
  }
  return p;
}

int tfp_pool_threads(const tfp_pool *p) { return p ? p->n_threads : 0; }

void tfp_pool_free(tfp_pool *p) {
  if (!p) return;
  pthread_mutex_lock(&p->mu);
  p->quit = 1;
  pthread_cond_broadcast(&p->work_cv);
  pthread_mutex_unlock(&p->mu);
  for (int w = 0; w < p->n_threads; w++) pthread_join(p->thread[w], NULL);
  pthread_cond_destroy(&p->work_cv);
  pthread_cond_destroy(&p->done_cv);
  pthread_mutex_destroy(&p->mu);
  free(p->thread);
  free(p->ctx);
  free(p);
}

int tfp_pool_for(tfp_pool *p, const tfp_pool_task *t, char *err, size_t errlen) {
  if (!p || !t || !t->body) return tfp_error(err, errlen, TFP_EINVAL, "parallel loop without a pool or a body");
  if (t->n == 0) return TFP_OK;
  const char *what = t->what ? t->what : "working";
  atomic_store(&p->next, 0);
  atomic_store(&p->done, 0);
  atomic_store(&p->stop, 0);
  pthread_mutex_lock(&p->mu);
  p->task = t;
  p->err_code = TFP_OK;
  p->err_index = SIZE_MAX;
  p->err_msg[0] = '\0';
  p->active = p->n_threads;
  p->generation++;
  pthread_cond_broadcast(&p->work_cv);
  int interrupted = 0;
  while (p->active > 0) {
    struct timespec until;
    clock_gettime(CLOCK_MONOTONIC, &until);
    until.tv_nsec += 50 * 1000 * 1000;
    if (until.tv_nsec >= 1000000000L) { until.tv_sec++; until.tv_nsec -= 1000000000L; }
    pthread_cond_timedwait(&p->done_cv, &p->mu, &until);
    if (p->active > 0 && t->progress && !interrupted) {
      pthread_mutex_unlock(&p->mu);
      if (t->progress(t->progress_ud, what, atomic_load(&p->done), t->n)) {
        interrupted = 1;
        atomic_store(&p->stop, 1);
      }
      pthread_mutex_lock(&p->mu);
    }
  }
  int code = p->err_code;
  char msg[sizeof p->err_msg];
  memcpy(msg, p->err_msg, sizeof msg);
  size_t done = atomic_load(&p->done);
  p->task = NULL;
  pthread_mutex_unlock(&p->mu);
  if (code != TFP_OK && code != TFP_EINTR) return tfp_error(err, errlen, code, "%s", msg);
  if (interrupted || code == TFP_EINTR)
    return tfp_error(err, errlen, TFP_EINTR, "%s interrupted after %zu of %zu", what, done, t->n);
  if (t->progress) (void)t->progress(t->progress_ud, what, t->n, t->n);   /* all done: a stop asks nothing */
  return TFP_OK;
}
