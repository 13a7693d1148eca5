/* ivbatch.h — many IV/GMM fits at once on the thread pool (pool.h): the
   specifications of a specification curve, each a tfp_iv_fit of its own.

   Usage (opaque pool, caller-owned outcomes, status codes):

     tfp_iv_job jobs[n];               each {&data, &opts}; columns may be shared
     tfp_iv_outcome out[n];
     tfp_iv_batch_opts bo;
     tfp_iv_batch_opts_init(&bo);      bo.threads = 0: all cores
     int rc = tfp_iv_batch(jobs, n, &bo, out, err, sizeof err);
     ... out[i].r (NULL when fit i failed), out[i].status, out[i].message ...
     tfp_iv_outcome_clear(out, n);

   Contract:
   - Fit i is exactly tfp_iv_fit(jobs[i].data, jobs[i].opts) but for the
     progress callback, which the batch replaces by its own (the fits stop
     when the batch does). Fits only read their data: jobs may point to the
     same column arrays.
   - The BLAS runs on one thread of its own for the whole batch (the
     previous count is restored after), so every fit computes in the same
     order whatever bo.threads: results are identical for any thread count.
     Under a memory limit (tfp_la_memory_limit finite) the batch runs on one
     thread: OpenBLAS maps a work buffer per concurrent caller (linalg.h).
   - Outcomes of the data are the fit's own: TFP_EDATA and TFP_ENUMERIC
     leave out[i].r NULL, out[i].status the code and out[i].message the
     fit's message; the other fits go on. Anything else (TFP_EINVAL: a
     specification no data can repair; TFP_ENOMEM; TFP_EINTR after
     bo.progress asked to stop) fails the whole batch with the code and the
     message of the lowest-numbered failing fit that ran ("fit 12: ..."),
     and out is cleared.
   - bo.progress is asked from the caller's thread only (pool.h). */
#ifndef TFP_IVBATCH_H
#define TFP_IVBATCH_H
#include <stddef.h>
#include "iv.h"

typedef struct {
  const tfp_iv_data *data;
  const tfp_iv_opts *opts;   /* NULL: tfp_iv_opts_init's defaults */
} tfp_iv_job;

typedef struct {
  int threads;               /* 0: tfp_pool_default_threads() */
  tfp_progress_fn progress;  /* may stop the batch, or NULL */
  void *progress_ud;
  const char *what;          /* for progress; default "fits" */
} tfp_iv_batch_opts;

void tfp_iv_batch_opts_init(tfp_iv_batch_opts *o);

typedef struct {
  tfp_iv_result *r;          /* the fit (the caller's, freed by _clear), or NULL */
  int status;                /* TFP_OK, TFP_EDATA or TFP_ENUMERIC */
  char *message;             /* the failed fit's message (malloc'ed), or NULL */
} tfp_iv_outcome;

/* Runs the n jobs; TFP_OK when the batch ran (some fits may have failed
   with an outcome of their data), else the batch's error. threads_used, when
   not NULL, gets the number of worker threads. */
int tfp_iv_batch(const tfp_iv_job *jobs, size_t n, const tfp_iv_batch_opts *o, tfp_iv_outcome *out,
                 int *threads_used, char *err, size_t errlen);
/* Frees what the outcomes hold and zeroes them; may be called again. */
void tfp_iv_outcome_clear(tfp_iv_outcome *out, size_t n);
#endif
