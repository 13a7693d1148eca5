/* split.c — see split.h. */
#include "split.h"

void tfp_split_range(size_t n, int part, int n_parts, size_t *begin, size_t *end) {
  if (n_parts <= 1 || part < 0 || part >= n_parts) { *begin = 0; *end = n_parts <= 1 ? n : 0; return; }
  size_t k = (size_t)n_parts, p = (size_t)part, q = n / k, r = n % k;
  *begin = p * q + (p < r ? p : r);
  *end = *begin + q + (p < r ? 1 : 0);
}

int tfp_split_active(const tfp_split *s) {
  return s && s->n_parts > 1 && s->combine;
}
