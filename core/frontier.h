/* frontier.h — which observations span the technology of a period, for the
   panel indexes (radial Malmquist here; the DDF-based ML / GML / Luenberger
   indexes reuse it):

     contemporaneous  the observations of period t (DEAP, Färe et al. 1994)
     sequential       those of periods 1..t (Shestalova 2003): no technical
                      regress by construction
     global           those of every period (Pastor & Lovell 2005; Oh 2010's
                      GML): one technology for all

   The caller keeps its rows grouped by period, periods ascending: period p's
   rows are positions off[p] .. off[p+1]-1 of that order. Each reference set
   is then one contiguous range of positions, so a technology is a view of
   the period-sorted columns (no copy):

     size_t b, e;
     tfp_reference_span(TFP_REF_SEQUENTIAL, off, n_periods, t, &b, &e);
     tfp_reference_view(&sorted, b, e, ptr, &ref);   ref: rows b..e-1 of sorted
     tfp_dea_run(&period_t_units, &ref, ...);

   A span equal to the evaluated period's own block is that period's own
   technology: pass NULL as the reference instead (tfp_dea_run then screens
   its inefficient units away as it does for an own technology). */
#ifndef TFP_FRONTIER_H
#define TFP_FRONTIER_H
#include <stddef.h>
#include "dea.h"

typedef enum {
  TFP_REF_CONTEMPORANEOUS = 0, TFP_REF_SEQUENTIAL = 1, TFP_REF_GLOBAL = 2
} tfp_reference;

/* "contemporaneous", "sequential", "global"; NULL for another value. */
const char *tfp_reference_name(tfp_reference r);
/* The kind named s (case-sensitive), or -1. */
int tfp_reference_parse(const char *s);

/* Positions [*begin, *end) of the technology of period t (0 <= t < n_periods). */
void tfp_reference_span(tfp_reference kind, const size_t *off, size_t n_periods, size_t t,
                        size_t *begin, size_t *end);

/* view = rows [begin, end) of `sorted` (whose columns hold every row in
   period order); ptr: n_in + n_out slots owned by the caller, kept alive as
   long as view is used. Names are shared with sorted. */
void tfp_reference_view(const tfp_dea_data *sorted, size_t begin, size_t end,
                        const double **ptr, tfp_dea_data *view);
#endif
