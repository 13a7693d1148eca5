/* cert.h — the radial envelopment LP (hull.h) settled without a simplex,
   from a basis remembered from earlier solves.

   The LP in standard form (scaled data, n_cols reference columns): min c'z,
   A z = b, z >= 0 over theta (phi), the lambdas and one slack per
   inequality row (input rows <=, output rows >=, the convexity row's as
   TFP_CONV_*; equality: no slack). A basis is m = n_rows of those
   variables. For a new unit, each remembered basis (most recently used
   first) is factorised (LAPACK dgetc2, m <= 63: tiny) and checked: basic
   values >= -1e-10 (primal feasible) and every reduced cost >= -1e-10 with
   the duals of B'pi = c_B (dual feasible). Both: the basis is optimal (the
   KKT conditions of the full LP hold), its objective the LP's optimum and
   its lambdas an optimal basic solution. No pivoting: a unit no basis
   certifies goes to the caller's simplex, whose optimal basis the caller
   then remembers. Plain C over LAPACK; no GLPK here. */
#ifndef TFP_CERT_H
#define TFP_CERT_H
#include <stddef.h>

typedef struct tfp_cert tfp_cert;

/* cx: (n_in + n_out) x n_cols, variable-major, scaled; kept by pointer.
   output: 1 for output orientation; conv: TFP_CONV_* (hull.h). NULL when
   out of memory or with more than 62 variables. */
tfp_cert *tfp_cert_new(size_t n_in, size_t n_out, int output, int conv, const double *cx, size_t n_cols);
void tfp_cert_free(tfp_cert *c);
size_t tfp_cert_rows(const tfp_cert *c);
/* Basic variable codes: 0 theta, 1 + k reference column k, 1 + n_cols + i
   the slack of row i. basis: tfp_cert_rows codes; a basis with a code out
   of range or repeated, or a slack of an equality row, is not kept. */
void tfp_cert_remember(tfp_cert *c, const int *basis);
/* 1: a remembered basis is optimal for the unit (x0, y0: scaled inputs and
   outputs) with theta (phi) > 0; *obj its objective. 0: none is. */
int tfp_cert_solve(tfp_cert *c, const double *x0, const double *y0, double *obj);
/* After a certified solve: the columns with |lambda| >= 1e-12, ascending,
   into k, their lambdas into w (at most max); the count. */
size_t tfp_cert_peers(const tfp_cert *c, size_t *k, double *w, size_t max);
/* The remembered bases, most recently used first, into out (at most max,
   tfp_cert_rows codes each); their count. Remembered in reverse by another
   cert over the same columns, it starts where this one ended. */
size_t tfp_cert_bases(const tfp_cert *c, int *out, size_t max);
/* Units settled by a certificate, and tried, since tfp_cert_new. */
size_t tfp_cert_hits(const tfp_cert *c);
#endif
