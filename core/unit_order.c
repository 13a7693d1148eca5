/* unit_order.c — units ordered along their rays (see unit_order.h). */
#include "unit_order.h"
#include "status.h"

#include <math.h>
#include <stdlib.h>

#define ORD_DIMS 3   /* coordinates used; later ones matter little for locality */

typedef struct {
  double key[ORD_DIMS];
  size_t k;
} ord_item;

static int cmp_at(const ord_item *p, const ord_item *q, int d) {
  if (p->key[d] != q->key[d]) return p->key[d] < q->key[d] ? -1 : 1;
  return (p->k > q->k) - (p->k < q->k);
}
static int cmp_d0(const void *a, const void *b) { return cmp_at(a, b, 0); }
static int cmp_d1(const void *a, const void *b) { return cmp_at(a, b, 1); }
static int cmp_all(const void *a, const void *b) {
  const ord_item *p = a, *q = b;
  for (int d = 0; d < ORD_DIMS; d++)
    if (p->key[d] != q->key[d]) return p->key[d] < q->key[d] ? -1 : 1;
  return (p->k > q->k) - (p->k < q->k);
}

/* Unit k's ray coordinates (at most ORD_DIMS; the rest 0). */
static void ray(const double *xys, size_t n_ref, size_t n_in, size_t n_out, int output, int crs, size_t k,
                double *key) {
  size_t na = output ? n_out : n_in, nb = output ? n_in : n_out, d = 0;
  const double *a = xys + (output ? n_in : 0) * n_ref, *b = xys + (output ? 0 : n_in) * n_ref;
  double sa = 0;
  for (size_t i = 0; i < na; i++) sa += a[i * n_ref + k];
  for (size_t i = 0; i + 1 < na && d < ORD_DIMS; i++) key[d++] = a[i * n_ref + k] / sa;
  for (size_t j = 0; j < nb && d < ORD_DIMS; j++) key[d++] = crs ? b[j * n_ref + k] / sa : b[j * n_ref + k];
  for (; d < ORD_DIMS; d++) key[d] = 0;
}

int tfp_unit_order(const double *xys, size_t n_ref, size_t n_in, size_t n_out, int output, int crs, size_t *q,
                   size_t m) {
  if (m < 3) return TFP_OK;
  ord_item *it = malloc(m * sizeof *it);
  if (!it) return TFP_ENOMEM;
  size_t dims = n_in + n_out - 1;
  if (dims > ORD_DIMS) dims = ORD_DIMS;
  for (size_t a = 0; a < m; a++) {
    it[a].k = q[a];
    ray(xys, n_ref, n_in, n_out, output, crs, q[a], it[a].key);
  }
  /* strips: the first dims - 1 coordinates replaced by their rank's bin,
     about m^(1/dims) bins each, so steps are alike along every coordinate */
  size_t nbin = (size_t)floor(pow((double)m, 1.0 / (double)dims) + 0.5);
  if (nbin < 1) nbin = 1;
  for (size_t d = 0; d + 1 < dims; d++) {
    qsort(it, m, sizeof *it, d == 0 ? cmp_d0 : cmp_d1);
    for (size_t a = 0; a < m; a++) it[a].key[d] = (double)(a * nbin / m);
  }
  /* snake: a coordinate runs backwards when the bins before it sum odd */
  for (size_t a = 0; a < m; a++) {
    double par = 0;
    for (size_t d = 1; d < dims; d++) {
      par += it[a].key[d - 1];
      if (fmod(par, 2.0) != 0) it[a].key[d] = -it[a].key[d];
    }
  }
  qsort(it, m, sizeof *it, cmp_all);
  for (size_t a = 0; a < m; a++) q[a] = it[a].k;
  free(it);
  return TFP_OK;
}
