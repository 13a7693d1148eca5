/* cert.c — radial LPs settled by a remembered optimal basis (see cert.h). */
#include "cert.h"
#include "hull.h"

#include <lapack.h>
#include <math.h>
#include <stdlib.h>
#include <string.h>

#define CERT_CACHE 16        /* bases remembered */
#define CERT_TOL 1e-10      /* primal and dual feasibility, scaled data */
#define CERT_MAXROW 63

/* LAPACK's LU with complete pivoting for tiny systems (not in lapack.h):
   reference code over level-1/2 BLAS, no OpenBLAS work buffer. dgesv and
   dgetrs take OpenBLAS's buffer under a global mutex on every call: two
   threads certifying at once ran them at a third of the speed. */
void LAPACK_GLOBAL(dgetc2, DGETC2)(const lapack_int *n, double *a, const lapack_int *lda, lapack_int *ipiv,
                                   lapack_int *jpiv, lapack_int *info);
void LAPACK_GLOBAL(dgesc2, DGESC2)(const lapack_int *n, const double *a, const lapack_int *lda, double *rhs,
                                   const lapack_int *ipiv, const lapack_int *jpiv, double *scale);

struct tfp_cert {
  size_t n_in, n_out, n_var, m, n_cols;
  int output;
  const double *cx;
  double sg[CERT_MAXROW];            /* slack sign per row; 0: no slack */
  int basis[CERT_CACHE][CERT_MAXROW];
  size_t n_cached;
  double B[CERT_MAXROW * CERT_MAXROW], Bt[CERT_MAXROW * CERT_MAXROW], xb[CERT_MAXROW], pi[CERT_MAXROW];
  lapack_int ipiv[CERT_MAXROW], jpiv[CERT_MAXROW];
  double *red;                       /* n_cols reduced costs */
  size_t hits;
};

tfp_cert *tfp_cert_new(size_t n_in, size_t n_out, int output, int conv, const double *cx, size_t n_cols) {
  size_t m = n_in + n_out + (conv != TFP_CONV_NONE);
  if (m > CERT_MAXROW) return NULL;
  tfp_cert *c = calloc(1, sizeof *c);
  if (!c) return NULL;
  c->red = malloc((n_cols ? n_cols : 1) * sizeof *c->red);
  if (!c->red) { free(c); return NULL; }
  c->n_in = n_in; c->n_out = n_out; c->n_var = n_in + n_out; c->m = m; c->n_cols = n_cols;
  c->output = output;
  c->cx = cx;
  for (size_t i = 0; i < c->n_var; i++) c->sg[i] = i < n_in ? 1.0 : -1.0;
  if (conv != TFP_CONV_NONE) c->sg[c->n_var] = conv == TFP_CONV_LE ? 1.0 : conv == TFP_CONV_GE ? -1.0 : 0.0;
  return c;
}

void tfp_cert_free(tfp_cert *c) {
  if (!c) return;
  free(c->red);
  free(c);
}

size_t tfp_cert_rows(const tfp_cert *c) { return c->m; }
size_t tfp_cert_hits(const tfp_cert *c) { return c->hits; }

size_t tfp_cert_bases(const tfp_cert *c, int *out, size_t max) {
  size_t n = c->n_cached < max ? c->n_cached : max;
  for (size_t s = 0; s < n; s++) memcpy(out + s * c->m, c->basis[s], c->m * sizeof *out);
  return n;
}

/* Move cache slot s to the front. */
static void to_front(tfp_cert *c, size_t s) {
  if (s == 0) return;
  int tmp[CERT_MAXROW];
  memcpy(tmp, c->basis[s], c->m * sizeof *tmp);
  memmove(c->basis[1], c->basis[0], s * sizeof c->basis[0]);
  memcpy(c->basis[0], tmp, c->m * sizeof *tmp);
}

void tfp_cert_remember(tfp_cert *c, const int *basis) {
  int b[CERT_MAXROW];
  size_t m = c->m, top = 1 + c->n_cols;
  int has_theta = 0;
  for (size_t p = 0; p < m; p++) {
    int v = basis[p];
    if (v < 0 || (size_t)v >= top + m || ((size_t)v >= top && c->sg[v - top] == 0)) return;
    size_t q = p;   /* canonical order: ascending */
    for (; q > 0 && b[q - 1] > v; q--) b[q] = b[q - 1];
    if (q > 0 && b[q - 1] == v) return;
    b[q] = v;
    has_theta |= v == 0;
  }
  if (!has_theta) return;
  for (size_t s = 0; s < c->n_cached; s++)
    if (!memcmp(c->basis[s], b, m * sizeof *b)) { to_front(c, s); return; }
  if (c->n_cached < CERT_CACHE) c->n_cached++;
  memmove(c->basis[1], c->basis[0], (c->n_cached - 1) * sizeof c->basis[0]);
  memcpy(c->basis[0], b, m * sizeof *b);
}

/* Column of variable v in the unit's LP into col (m entries). */
static void column(const tfp_cert *c, int v, const double *x0, const double *y0, double *col) {
  size_t m = c->m, top = 1 + c->n_cols;
  memset(col, 0, m * sizeof *col);
  if (v == 0) {
    if (!c->output) for (size_t i = 0; i < c->n_in; i++) col[i] = -x0[i];
    else for (size_t r = 0; r < c->n_out; r++) col[c->n_in + r] = -y0[r];
  } else if ((size_t)v < top) {
    for (size_t i = 0; i < c->n_var; i++) col[i] = c->cx[i * c->n_cols + (size_t)v - 1];
    if (m > c->n_var) col[c->n_var] = 1.0;
  } else {
    col[(size_t)v - top] = c->sg[(size_t)v - top];
  }
}

/* Is basis s optimal for the unit? Leaves its values in xb. */
static int check(tfp_cert *c, size_t s, const double *x0, const double *y0, double *obj) {
  const int *b = c->basis[s];
  size_t mm = c->m;
  lapack_int m = (lapack_int)mm, info = 0;
  double sc = 1;
  for (size_t p = 0; p < mm; p++) column(c, b[p], x0, y0, c->B + p * mm);
  for (size_t p = 0; p < mm; p++)
    for (size_t i = 0; i < mm; i++) c->Bt[i * mm + p] = c->B[p * mm + i];
  for (size_t i = 0; i < mm; i++)
    c->xb[i] = i < c->n_in ? (c->output ? x0[i] : 0.0) : i < c->n_var ? (c->output ? 0.0 : y0[i - c->n_in]) : 1.0;
  /* info > 0: a pivot below LAPACK's threshold (near singular); sc < 1: scaled against overflow */
  LAPACK_GLOBAL(dgetc2, DGETC2)(&m, c->B, &m, c->ipiv, c->jpiv, &info);
  if (info != 0) return 0;
  LAPACK_GLOBAL(dgesc2, DGESC2)(&m, c->B, &m, c->xb, c->ipiv, c->jpiv, &sc);
  if (sc != 1) return 0;
  for (size_t p = 0; p < mm; p++)
    if (!(c->xb[p] >= -CERT_TOL)) return 0;
  if (!(c->xb[0] > 0 && isfinite(c->xb[0]))) return 0;   /* b[0] is theta (canonical order) */
  /* duals: B'pi = c_B (min theta, or min -phi); B' factorised only for a primal feasible basis */
  memset(c->pi, 0, mm * sizeof *c->pi);
  c->pi[0] = c->output ? -1.0 : 1.0;
  LAPACK_GLOBAL(dgetc2, DGETC2)(&m, c->Bt, &m, c->ipiv, c->jpiv, &info);
  if (info != 0) return 0;
  LAPACK_GLOBAL(dgesc2, DGESC2)(&m, c->Bt, &m, c->pi, c->ipiv, c->jpiv, &sc);
  if (sc != 1) return 0;
  for (size_t i = 0; i < c->m; i++)
    if (!(-c->pi[i] * c->sg[i] >= -CERT_TOL)) return 0;
  /* reduced costs of every reference column (basic ones are 0 up to rounding) */
  size_t n = c->n_cols;
  double pconv = c->m > c->n_var ? c->pi[c->n_var] : 0.0;
  for (size_t k = 0; k < n; k++) c->red[k] = -pconv;
  for (size_t v = 0; v < c->n_var; v++) {
    const double *a = c->cx + v * n;
    double pv = c->pi[v];
    for (size_t k = 0; k < n; k++) c->red[k] -= pv * a[k];
  }
  double dmin = 0;
  for (size_t k = 0; k < n; k++) dmin = c->red[k] < dmin ? c->red[k] : dmin;
  if (!(dmin >= -CERT_TOL)) return 0;
  *obj = c->xb[0];
  return 1;
}

int tfp_cert_solve(tfp_cert *c, const double *x0, const double *y0, double *obj) {
  for (size_t s = 0; s < c->n_cached; s++)
    if (check(c, s, x0, y0, obj)) {
      to_front(c, s);
      c->hits++;
      return 1;
    }
  return 0;
}

size_t tfp_cert_peers(const tfp_cert *c, size_t *k, double *w, size_t max) {
  size_t m = 0, top = 1 + c->n_cols;
  for (size_t p = 0; p < c->m && m < max; p++) {
    int v = c->basis[0][p];
    if (v == 0 || (size_t)v >= top || fabs(c->xb[p]) < 1e-12) continue;
    k[m] = (size_t)v - 1;   /* codes ascending: so are the columns */
    w[m] = c->xb[p];
    m++;
  }
  return m;
}
