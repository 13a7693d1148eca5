/* split.c — see split.h. */
#include "split.h"
#include "status.h"

#include <stdlib.h>
#include <string.h>

void tfp_split_range(size_t n, int part, int n_parts, size_t *begin, size_t *end) {
  if (n_parts <= 1 || part < 0 || part >= n_parts) { *begin = 0; *end = n_parts <= 1 ? n : 0; return; }
  size_t k = (size_t)n_parts, p = (size_t)part, q = n / k, r = n % k;
  *begin = p * q + (p < r ? p : r);
  *end = *begin + q + (p < r ? 1 : 0);
}

int tfp_split_active(const tfp_split *s) {
  return s && s->n_parts > 1 && s->combine;
}

int tfp_split_rows(const tfp_split *s, double *v, size_t n_rows, size_t width, size_t begin, size_t end) {
  if (!tfp_split_active(s)) return TFP_OK;
  memset(v, 0, begin * width * sizeof *v);
  memset(v + end * width, 0, (n_rows - end) * width * sizeof *v);
  return s->combine(s->ud, v, n_rows * width) == TFP_OK ? TFP_OK : TFP_EIO;
}

int tfp_split_int_rows(const tfp_split *s, int *v, size_t n, size_t begin, size_t end) {
  if (!tfp_split_active(s)) return TFP_OK;
  double *w = malloc((n ? n : 1) * sizeof *w);
  if (!w) return TFP_ENOMEM;
  for (size_t i = 0; i < n; i++) w[i] = v[i];   /* codes are small: exact as doubles */
  int rc = tfp_split_rows(s, w, n, 1, begin, end);
  for (size_t i = 0; rc == TFP_OK && i < n; i++) v[i] = (int)w[i];
  free(w);
  return rc;
}

int tfp_split_counts(const tfp_split *s, size_t *c, size_t k) {
  if (!tfp_split_active(s)) return TFP_OK;
  double w[16];
  for (size_t at = 0; at < k; at += 16) {
    size_t m = k - at < 16 ? k - at : 16;
    for (size_t i = 0; i < m; i++) w[i] = (double)c[at + i];
    if (s->combine(s->ud, w, m) != TFP_OK) return TFP_EIO;
    for (size_t i = 0; i < m; i++) c[at + i] = (size_t)w[i];
  }
  return TFP_OK;
}
