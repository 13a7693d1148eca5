/* unit_order.h — an order of DEA units in which consecutive units' radial
   LPs tend to share their optimal basis (the same facet of the frontier),
   so that cert.h settles most of them and GLPK's warm starts need few
   pivots.

   A unit's radial projection depends on its ray only: input orientation,
   the input mix x / sum(x) and the outputs (VRS-type technologies) or
   outputs / sum(x) (CRS); output orientation the same with inputs and
   outputs swapped. Those n_in + n_out - 1 coordinates (the first three)
   are walked in a snake order: the first coordinates cut into strips of
   equal counts (by rank), each strip walked along the last coordinate,
   forwards and backwards in turn. Deterministic (ties by unit number), so
   the order never depends on the thread count. */
#ifndef TFP_UNIT_ORDER_H
#define TFP_UNIT_ORDER_H
#include <stddef.h>

/* Reorder q[0..m) (columns of xys: (n_in + n_out) x n_ref, variable-major,
   positive). crs: the technology is a cone. TFP_OK, or TFP_ENOMEM with q
   unchanged. */
int tfp_unit_order(const double *xys, size_t n_ref, size_t n_in, size_t n_out, int output, int crs, size_t *q,
                   size_t m);
#endif
