/* read_ahead.c — a file read one piece ahead by a second thread (see
   read_ahead.h). */
#include "read_ahead.h"

#include <errno.h>
#include <pthread.h>
#include <stdlib.h>

struct tfp_read_ahead {
  FILE *fp;
  size_t chunk, head;
  char *buf[2];
  size_t got[2];
  int err[2], eof[2];
  int full[2];        /* filled by the thread, not yet released by the caller */
  int cur, prev;      /* the caller's piece, the one before it (-1: none) */
  int quit;
  pthread_mutex_t mu;
  pthread_cond_t cv;
  pthread_t thread;
};

static void *fill(void *arg) {
  tfp_read_ahead *ra = arg;
  for (int s = 0;; s ^= 1) {
    pthread_mutex_lock(&ra->mu);
    while (ra->full[s] && !ra->quit) pthread_cond_wait(&ra->cv, &ra->mu);
    int quit = ra->quit;
    pthread_mutex_unlock(&ra->mu);
    if (quit) return NULL;
    errno = 0;
    size_t got = fread(ra->buf[s] + ra->head, 1, ra->chunk, ra->fp);
    int e = ferror(ra->fp) ? (errno ? errno : EIO) : 0;
    int eof = got < ra->chunk;   /* a regular file gives less only at its end or on an error */
    pthread_mutex_lock(&ra->mu);
    ra->got[s] = got;
    ra->err[s] = e;
    ra->eof[s] = eof;
    ra->full[s] = 1;
    pthread_cond_broadcast(&ra->cv);
    pthread_mutex_unlock(&ra->mu);
    if (eof || e) return NULL;
  }
}

tfp_read_ahead *tfp_read_ahead_start(FILE *fp, size_t chunk, size_t head) {
  tfp_read_ahead *ra = calloc(1, sizeof *ra);
  if (!ra) return NULL;
  ra->fp = fp; ra->chunk = chunk; ra->head = head;
  ra->cur = ra->prev = -1;
  ra->buf[0] = malloc(head + chunk);
  ra->buf[1] = malloc(head + chunk);
  int ok = ra->buf[0] && ra->buf[1];
  if (ok && pthread_mutex_init(&ra->mu, NULL) != 0) ok = 0;
  if (ok && pthread_cond_init(&ra->cv, NULL) != 0) { pthread_mutex_destroy(&ra->mu); ok = 0; }
  if (ok && pthread_create(&ra->thread, NULL, fill, ra) != 0) {
    pthread_cond_destroy(&ra->cv);
    pthread_mutex_destroy(&ra->mu);
    ok = 0;
  }
  if (!ok) {
    free(ra->buf[0]); free(ra->buf[1]); free(ra);
    return NULL;
  }
  return ra;
}

int tfp_read_ahead_next(tfp_read_ahead *ra, char **data, size_t *got, int *eof) {
  int k = ra->cur < 0 ? 0 : ra->cur ^ 1;
  pthread_mutex_lock(&ra->mu);
  while (!ra->full[k]) pthread_cond_wait(&ra->cv, &ra->mu);
  *data = ra->buf[k] + ra->head;
  *got = ra->got[k];
  *eof = ra->eof[k] || ra->err[k];
  int e = ra->err[k];
  pthread_mutex_unlock(&ra->mu);
  ra->prev = ra->cur;
  ra->cur = k;
  return e;
}

void tfp_read_ahead_release(tfp_read_ahead *ra) {
  if (ra->prev < 0) return;
  pthread_mutex_lock(&ra->mu);
  ra->full[ra->prev] = 0;
  pthread_cond_broadcast(&ra->cv);
  pthread_mutex_unlock(&ra->mu);
  ra->prev = -1;
}

void tfp_read_ahead_stop(tfp_read_ahead *ra) {
  if (!ra) return;
  pthread_mutex_lock(&ra->mu);
  ra->quit = 1;
  pthread_cond_broadcast(&ra->cv);
  pthread_mutex_unlock(&ra->mu);
  pthread_join(ra->thread, NULL);
  pthread_cond_destroy(&ra->cv);
  pthread_mutex_destroy(&ra->mu);
  free(ra->buf[0]); free(ra->buf[1]);
  free(ra);
}
