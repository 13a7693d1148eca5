/* sort.c — see sort.h. Bottom-up merge sort: runs of RUN elements sorted by
   qsort, then merged pairwise, ping-ponging between base and a scratch
   buffer; progress is asked after every run and every CHECK elements merged. */
#include "sort.h"
#include <stdlib.h>
#include <string.h>

enum { RUN = 8192, CHECK = 65536 };

typedef int (*cmp_fn)(const void *, const void *);

/* Merge a[0..na) and b[0..nb) into out; *work counts elements written since
   the last question to progress. Returns 1 when asked to stop. */
static int merge(const char *a, size_t na, const char *b, size_t nb, char *out, size_t size,
                 cmp_fn cmp, tfp_progress_fn progress, void *ud, const char *what,
                 size_t *work, size_t *done, size_t total) {
  const char *ae = a + na * size, *be = b + nb * size;
  while (a < ae && b < be) {
    size_t k = 0;
    /* up to CHECK elements between questions */
    while (a < ae && b < be && k < CHECK) {
      if (cmp(b, a) < 0) { memcpy(out, b, size); b += size; }
      else { memcpy(out, a, size); a += size; }
      out += size;
      k++;
    }
    *work += k;
    if (*work >= CHECK) {
      *done += *work;
      *work = 0;
      if (progress(ud, what, *done, total)) return 1;
    }
  }
  if (a < ae) memcpy(out, a, (size_t)(ae - a));
  else if (b < be) memcpy(out, b, (size_t)(be - b));
  *work += (size_t)(ae - a) / size + (size_t)(be - b) / size;
  return 0;
}

int tfp_sort(void *base, size_t n, size_t size, int (*cmp)(const void *, const void *),
             tfp_progress_fn progress, void *progress_ud, const char *what) {
  if (n < 2) return TFP_OK;
  if (!progress || n <= RUN) {   /* a millisecond: not worth a question */
    qsort(base, n, size, cmp);
    return TFP_OK;
  }
  char *scratch = n <= (size_t)-1 / size ? malloc(n * size) : NULL;
  if (!scratch) {
    qsort(base, n, size, cmp);
    return progress(progress_ud, what, n, n) ? TFP_EINTR : TFP_OK;
  }
  size_t passes = 0;
  for (size_t w = RUN; w < n; w *= 2) passes++;
  size_t total = n * (passes + 1), done = 0, work = 0;
  int rc = TFP_OK;
  char *src = base, *dst = scratch;
  for (size_t lo = 0; lo < n; lo += RUN) {
    size_t m = n - lo < RUN ? n - lo : RUN;
    qsort(src + lo * size, m, size, cmp);
    done += m;
    if (progress(progress_ud, what, done, total)) { rc = TFP_EINTR; goto out; }
  }
  for (size_t w = RUN; w < n; w *= 2) {
    for (size_t lo = 0; lo < n; lo += 2 * w) {
      size_t na = n - lo < w ? n - lo : w;
      size_t nb = n - lo - na < w ? n - lo - na : w;
      if (merge(src + lo * size, na, src + (lo + na) * size, nb, dst + lo * size, size, cmp,
                progress, progress_ud, what, &work, &done, total)) { rc = TFP_EINTR; goto out; }
    }
    char *t = src; src = dst; dst = t;
  }
  if (src != (char *)base) memcpy(base, src, n * size);
  rc = progress(progress_ud, what, total, total) ? TFP_EINTR : TFP_OK;
out:
  free(scratch);
  return rc;
}
