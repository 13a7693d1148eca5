/* read_ahead.h — a file read in pieces by a second thread, one piece ahead
   of the caller: the kernel's copy of the next piece overlaps the caller's
   work on this one (csv.c's streaming reader).

   Two buffers take turns; each piece has `head` bytes of room before its
   data, where the caller may put what it kept of the previous piece (the
   cut record), so that the two are contiguous without copying the piece.

   Use:
     tfp_read_ahead *ra = tfp_read_ahead_start(fp, chunk, head);
     if (!ra) ... read sequentially (no memory or no thread);
     for (;;) {
       char *data; size_t got; int eof;
       int e = tfp_read_ahead_next(ra, &data, &got, &eof);   (e: errno of a failed read)
       ... copy what is kept of the previous piece into data - k (k <= head) ...
       tfp_read_ahead_release(ra);   (the previous piece: the reader may refill it)
       ... use data[0..got); stop at eof ...
     }
     tfp_read_ahead_stop(ra);   (at any point: the thread ends; frees all)
   The FILE is only read by the thread between start and stop. */
#ifndef TFP_READ_AHEAD_H
#define TFP_READ_AHEAD_H
#include <stddef.h>
#include <stdio.h>

typedef struct tfp_read_ahead tfp_read_ahead;

tfp_read_ahead *tfp_read_ahead_start(FILE *fp, size_t chunk, size_t head);
int tfp_read_ahead_next(tfp_read_ahead *ra, char **data, size_t *got, int *eof);
void tfp_read_ahead_release(tfp_read_ahead *ra);
void tfp_read_ahead_stop(tfp_read_ahead *ra);
#endif
