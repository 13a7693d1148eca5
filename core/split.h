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

/* The combining a primitive does once its part is solved (each a no-op,
   TFP_OK, when s does not split; TFP_EIO when combine fails, TFP_ENOMEM).
   Every part must make the same calls in the same order. */

/* v holds n_rows rows of width values, rows [begin, end) this part's: the
   others are zeroed, then v summed over the parts, so every part holds
   each row as its owner computed it. */
int tfp_split_rows(const tfp_split *s, double *v, size_t n_rows, size_t width, size_t begin, size_t end);

/* The same for n codes (statuses): each row's owner's value. */
int tfp_split_int_rows(const tfp_split *s, int *v, size_t n, size_t begin, size_t end);

/* k counts (each below 2^53) summed over the parts, in place. */
int tfp_split_counts(const tfp_split *s, size_t *c, size_t k);
#endif
