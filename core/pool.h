/* pool.h — a fixed set of worker threads (pthreads) and a parallel-for over
   an index range, for the work that splits into independent items:
   bootstrap replications, the units of a DEA, the groups of an FE sweep.

   Usage, GLPK-style (opaque handle, explicit create/free, status codes):

     tfp_pool *p = tfp_pool_create(0);           0: tfp_pool_default_threads()
     tfp_pool_task t;
     tfp_pool_task_init(&t);
     t.n = reps; t.body = one_rep; t.ud = &job;
     t.init = open_worker; t.fini = close_worker;   optional per-worker state
     t.progress = cb; t.progress_ud = ud; t.what = "bootstrap";
     int rc = tfp_pool_for(p, &t, err, sizeof err);
     tfp_pool_free(p);

   Contract:
   - Items 0..n-1 are handed out in chunks of `grain` consecutive items, in
     ascending order, to whichever worker is free. Which worker runs an item
     is not determined; a body whose result depends only on its items (and
     an item's own random stream, rng.h) gives the same numbers for any
     number of threads.
   - init runs once per worker and loop, in that worker's thread, before its
     first chunk; fini runs in the same thread after its last one, whenever
     init succeeded. That is where thread-bound resources live: GLPK keeps
     its environment in thread-local storage (GLPK >= 4.61 built with TLS;
     tfp_pool_glpk_ok() checks), its objects must never cross threads, and a
     thread must call glp_free_env() before it ends: a fini that does so
     leaves nothing behind.
   - Workers run only inside tfp_pool_for; the caller's thread waits and, at
     least every 50 ms, asks progress(progress_ud, what, done, n) with the
     items finished so far. A non-zero answer stops the loop: no new chunk
     starts, bodies that poll tfp_pool_stopping() return early, and the call
     fails with TFP_EINTR ("interrupted"). progress is only ever called from
     the caller's thread (it may touch state that is not thread-safe).
   - A body returns TFP_OK or an error code (and may write its message with
     tfp_pool_error). The first failure stops the loop; the call returns the
     error of the failing chunk with the lowest index among those that ran,
     so the reported error does not depend on the thread count either.
   - Items always run in the pool's own threads, a pool of 1 included, so
     a fini that frees thread-bound resources never touches the caller's.
   - One loop at a time per pool; tfp_pool_for is not reentrant. */
#ifndef TFP_POOL_H
#define TFP_POOL_H
#include <stddef.h>
#include "status.h"

typedef struct tfp_pool tfp_pool;

/* Where a body runs: its worker and the loop's state. */
typedef struct tfp_pool_ctx tfp_pool_ctx;

typedef int (*tfp_pool_init_fn)(void *ud, tfp_pool_ctx *c, void **state);
typedef int (*tfp_pool_body_fn)(void *ud, void *state, size_t begin, size_t end, tfp_pool_ctx *c);
typedef void (*tfp_pool_fini_fn)(void *ud, void *state, tfp_pool_ctx *c);

typedef struct {
  size_t n;                    /* items 0..n-1 */
  size_t grain;                /* items per chunk; default 1 */
  tfp_pool_body_fn body;       /* required */
  tfp_pool_init_fn init;       /* optional: per-worker state, in the worker's thread */
  tfp_pool_fini_fn fini;       /* optional: frees it, same thread */
  void *ud;
  tfp_progress_fn progress;    /* optional: asked from the caller's thread */
  void *progress_ud;
  const char *what;            /* passed to progress; default "working" */
} tfp_pool_task;

void tfp_pool_task_init(tfp_pool_task *t);

/* The thread count to use when none is asked: TFP_THREADS from the
   environment when it is a positive integer, else the online processors. */
int tfp_pool_default_threads(void);

/* A pool of n_threads workers (0: the default; capped at 256). NULL when
   memory or threads cannot be had. */
tfp_pool *tfp_pool_create(int n_threads);
int tfp_pool_threads(const tfp_pool *p);
void tfp_pool_free(tfp_pool *p);

/* Run the task; TFP_OK, TFP_EINTR (progress said stop), TFP_EINVAL (no
   body), or the first failing chunk's code. */
int tfp_pool_for(tfp_pool *p, const tfp_pool_task *t, char *err, size_t errlen);

/* For bodies and init/fini. */
int tfp_pool_worker(const tfp_pool_ctx *c);     /* 0..threads-1 */
int tfp_pool_stopping(const tfp_pool_ctx *c);   /* non-zero once the loop is stopping */
/* The body's error message (the code is what the body returns). */
void tfp_pool_error(tfp_pool_ctx *c, const char *fmt, ...) __attribute__((format(printf, 2, 3)));

/* Non-zero when the linked GLPK keeps its environment per thread (built
   with thread-local storage), so that workers may each run their own LPs. */
int tfp_pool_glpk_ok(void);

/* Frees the calling thread's GLPK environment (glp_free_env): a fini for
   workers that ran LPs, or call it from a fini of your own. */
void tfp_pool_glpk_release(void);
#endif
