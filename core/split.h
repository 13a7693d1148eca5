/* split.h — dividing work among the processes of a distributed run (MPI
   ranks; the bindings own the communication, core/ never sees MPI).

   A part takes a contiguous block of items, the blocks in part order and
   their sizes differing by at most one, so every process knows who owns
   what without asking. A primitive that splits its LPs computes only its
   own part's results, leaves the other rows at 0 and hands each result
   array to combine (an element-wise sum over the processes, e.g.
   MPI_Allreduce with MPI_SUM): x + 0 + ... + 0 is x exactly, NaN included,
   so the combined arrays are the values each row's owner computed, on every
   process. n_parts <= 1 (the default, all zero): no split. */
#ifndef TFP_SPLIT_H
#define TFP_SPLIT_H
#include <stddef.h>

typedef struct {
  int part, n_parts;                                  /* this process, of n_parts */
  int (*combine)(void *ud, double *v, size_t n);      /* sum over the parts, in place; TFP_OK or a code */
  void *ud;
} tfp_split;

/* Items [*begin, *end) of 0..n-1 for part `part` of n_parts (n_parts <= 1:
   all of them). */
void tfp_split_range(size_t n, int part, int n_parts, size_t *begin, size_t *end);

/* Whether s splits the work. */
int tfp_split_active(const tfp_split *s);
#endif
