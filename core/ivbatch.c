/* ivbatch.c — many IV/GMM fits on the thread pool (see ivbatch.h). */
#include "ivbatch.h"
#include "linalg.h"
#include "pool.h"

#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

void tfp_iv_batch_opts_init(tfp_iv_batch_opts *o) {
  memset(o, 0, sizeof *o);
  o->what = "fits";
}

void tfp_iv_outcome_clear(tfp_iv_outcome *out, size_t n) {
  if (!out) return;
  for (size_t i = 0; i < n; i++) {
    tfp_iv_result_free(out[i].r);
    free(out[i].message);
  }
  memset(out, 0, n * sizeof *out);
}

typedef struct {
  const tfp_iv_job *jobs;
  tfp_iv_outcome *out;
  size_t err_room;           /* holds any fit's message */
} batch;

/* A worker's scratch: the error buffer of its fits. */
typedef struct { char *err; } worker;

static int worker_init(void *ud, tfp_pool_ctx *c, void **state) {
  const batch *b = ud;
  worker *w = malloc(sizeof *w);
  if (w) w->err = malloc(b->err_room);
  if (!w || !w->err) {
    free(w);
    tfp_pool_error(c, "out of memory for a worker");
    return TFP_ENOMEM;
  }
  *state = w;
  return TFP_OK;
}

static void worker_fini(void *ud, void *state, tfp_pool_ctx *c) {
  (void)ud; (void)c;
  worker *w = state;
  free(w->err);
  free(w);
}

/* The fits' progress: no output from workers, only the batch's stop. */
static int fit_stopping(void *ud, const char *what, size_t done, size_t total) {
  (void)what; (void)done; (void)total;
  return tfp_pool_stopping(ud);
}

static int fit_body(void *ud, void *state, size_t begin, size_t end, tfp_pool_ctx *c) {
  const batch *b = ud;
  worker *w = state;
  for (size_t i = begin; i < end; i++) {
    /* stopped: by the caller (the pool reports it) or by another fit's
       failure, which is the error to report, not this one's interruption */
    if (tfp_pool_stopping(c)) return TFP_OK;
    tfp_iv_opts o;
    if (b->jobs[i].opts) o = *b->jobs[i].opts; else tfp_iv_opts_init(&o);
    o.progress = fit_stopping;
    o.progress_ud = c;
    tfp_iv_outcome *out = &b->out[i];
    int rc = tfp_iv_fit(b->jobs[i].data, &o, &out->r, w->err, b->err_room);
    if (rc == TFP_EINTR && tfp_pool_stopping(c)) return TFP_OK;
    if (rc == TFP_EDATA || rc == TFP_ENUMERIC) {
      out->status = rc;
      out->message = malloc(strlen(w->err) + 1);
      if (!out->message) { tfp_pool_error(c, "fit %zu: out of memory", i + 1); return TFP_ENOMEM; }
      strcpy(out->message, w->err);
    } else if (rc) {
      tfp_pool_error(c, "fit %zu: %s", i + 1, w->err);
      return rc;
    }
  }
  return TFP_OK;
}

int tfp_iv_batch(const tfp_iv_job *jobs, size_t n, const tfp_iv_batch_opts *o_in, tfp_iv_outcome *out,
                 int *threads_used, char *err, size_t errlen) {
  tfp_iv_batch_opts o;
  if (o_in) o = *o_in; else tfp_iv_batch_opts_init(&o);
  if (err && errlen) err[0] = 0;
  if (threads_used) *threads_used = 0;
  memset(out, 0, n * sizeof *out);
  if (n == 0) return TFP_OK;
  for (size_t i = 0; i < n; i++)
    if (!jobs[i].data) return tfp_error(err, errlen, TFP_EINVAL, "fit %zu has no data", i + 1);
  batch b = {jobs, out, 0};
  for (size_t i = 0; i < n; i++) {
    size_t room = tfp_iv_err_room(jobs[i].data);
    if (room > b.err_room) b.err_room = room;
  }
  int threads = o.threads > 0 ? o.threads : tfp_pool_default_threads();
  if (!isinf(tfp_la_memory_limit())) threads = 1;
  if ((size_t)threads > n) threads = (int)n;
  tfp_pool *pool = tfp_pool_create(threads);
  if (!pool) return tfp_error(err, errlen, TFP_ENOMEM, "cannot start %d worker threads", threads);
  if (threads_used) *threads_used = tfp_pool_threads(pool);
  tfp_pool_task t;
  tfp_pool_task_init(&t);
  t.n = n;
  t.body = fit_body;
  t.init = worker_init;
  t.fini = worker_fini;
  t.ud = &b;
  t.progress = o.progress;
  t.progress_ud = o.progress_ud;
  t.what = o.what ? o.what : "fits";
  int blas = tfp_la_blas_threads(1);
  int rc = tfp_pool_for(pool, &t, err, errlen);
  tfp_la_blas_threads(blas);
  tfp_pool_free(pool);
  if (rc) tfp_iv_outcome_clear(out, n);
  return rc;
}
