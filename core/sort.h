/* sort.h — qsort that can be stopped.

   tfp_sort sorts as qsort does (same comparator contract, and no promise
   about the order of equal elements) and consults progress (status.h)
   every few thousand elements, so a sort of tens of millions of rows stops
   within milliseconds of a Ctrl-C. Returns TFP_OK, or TFP_EINTR when
   progress asked to stop: base then holds garbage (elements may be lost or
   repeated), to be thrown away. Small
   arrays, or no progress, go to qsort. If the scratch buffer (n * size
   bytes) cannot be had, it falls back to qsort too, uninterruptible. */
#ifndef TFP_SORT_H
#define TFP_SORT_H
#include <stddef.h>
#include "status.h"

int tfp_sort(void *base, size_t n, size_t size, int (*cmp)(const void *, const void *),
             tfp_progress_fn progress, void *progress_ud, const char *what);
#endif
