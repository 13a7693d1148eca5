/* malmquist.h — the DEA-Malmquist productivity index as DEAP 2.1 computes it
   (Färe, Grosskopf, Norris & Zhang 1994), on a panel that may be unbalanced.

   Each period's units span that period's technology. For every row (unit i
   in period t) DEAP's four distance functions are solved, in its efficiency
   convention (1 on the frontier, as in dea.h):
     crs_tm1  data of t against the CRS frontier of the previous period,
     crs_t    data of t against the CRS frontier of t,
     crs_tp1  data of t against the CRS frontier of the next period,
     vrs_t    data of t against the VRS frontier of t
   (cross-period VRS LPs are never solved, as in DEAP). Periods are the
   distinct time values in ascending order; "previous" means the previous one
   of those. For a unit present in periods s (previous) and t:
     effch  = crs_t(t) / crs_t(s)
     techch = sqrt(crs_tm1(t) / crs_t(t) * crs_t(s) / crs_tp1(s))
     pech   = vrs_t(t) / vrs_t(s),  sech = effch / pech,  tfpch = effch * techch
   Changes are NaN in a unit's first period and where it is absent from the
   previous period. Cumulative levels TFP, TECH, EFF are the products of the
   changes since the unit's first period (1 there); after a missing change
   they are NaN. Summaries are geometric means (DEAP's "mean" rows): by period
   over the units with a change, by unit over its periods, and over all.

   reference (frontier.h) changes the technology each period's distances are
   measured against:
     sequential  every "frontier of t" above is the sequential frontier of
                 periods 1..t (the same formulas, as deaR's type1 = "seq"),
                 VRS included;
     global      (Pastor & Lovell 2005) the CRS and VRS distances to the
                 frontier of all periods pooled, glob_crs and glob_vrs, are
                 added; tfpch = glob_crs(t) / glob_crs(s), effch as above
                 (contemporaneous), techch = tfpch / effch (the change of the
                 best-practice gap), pech and sech as above; crs_tm1 and
                 crs_tp1 stay the contemporaneous cross-period distances. */
#ifndef TFP_MALMQUIST_H
#define TFP_MALMQUIST_H
#include "dea.h"
#include "split.h"
#include "frontier.h"

enum { TFP_MQ_EFFCH = 0, TFP_MQ_TECHCH, TFP_MQ_PECH, TFP_MQ_SECH, TFP_MQ_TFPCH, TFP_MQ_NCOMP };

/* "effch", "techch", "pech", "sech", "tfpch" for k < TFP_MQ_NCOMP. */
const char *tfp_malmquist_component(int k);

typedef struct {
  tfp_dea_orientation orientation;   /* default output, as the paper */
  tfp_reference reference;           /* default contemporaneous, as DEAP */
  int warm_start;                    /* default 1 (see dea.h) */
  int screen;                        /* default 1 (see dea.h) */
  int hull;                          /* default 1: LPs over each technology's frame,
                                        found once per technology (see dea.h) */
  int threads;                       /* 0: TFP_THREADS or all cores; 1: the caller's
                                        thread; results bit-identical for any count */
  const char *id_name, *time_name;   /* for messages; default "id", "time" */
  const tfp_column *id_col;          /* names units in messages by their id (NULL: codes + 1) */
  tfp_rows rows;                     /* names rows in messages (default "row i") */
  tfp_progress_fn progress;          /* per period, or NULL */
  void *progress_ud;
  tfp_split split;                   /* a distributed run (split.h): each part solves
                                        its block of each period's units, against the
                                        whole technology; default none */
} tfp_malmquist_opts;

void tfp_malmquist_opts_init(tfp_malmquist_opts *o);

typedef struct {
  size_t n;                 /* rows of the data */
  size_t n_units, n_periods;
  double *period;           /* n_periods distinct times, ascending */
  int *period_of;           /* n: index of each row's period */
  size_t *order;            /* n row indices sorted by unit, then period */
  double *crs_tm1, *crs_t, *crs_tp1, *vrs_t;   /* n each; NaN where undefined */
  double *glob_crs, *glob_vrs;                 /* n each (global reference), else NULL */
  double *change[TFP_MQ_NCOMP];                /* n each */
  double *tfp, *tech, *eff;                    /* n each: cumulative levels */
  double *period_mean[TFP_MQ_NCOMP];   /* n_periods each (NaN for the first) */
  double *unit_mean[TFP_MQ_NCOMP];     /* n_units each (NaN with no change) */
  double mean[TFP_MQ_NCOMP];           /* over every change */
  size_t n_changes;         /* rows with a change (unit present in both periods) */
  size_t n_lp, n_infeasible, n_failed;
} tfp_malmquist_result;

/* unit: n codes 0..n_units-1 (negative = missing id, an error); time: n
   integral or real values. d: the n rows' inputs and outputs. Errors name
   the variable and row: missing id or time, duplicate id-time pairs (as
   panel.h words them),
   non-positive/missing/infinite inputs or outputs, a period with fewer
   units than inputs + outputs. */
int tfp_malmquist_run(const tfp_dea_data *d, const int *unit, size_t n_units,
                      const double *time, const tfp_malmquist_opts *o,
                      tfp_malmquist_result *res, char *err, size_t errlen);

/* Free the members of a result filled by tfp_malmquist_run (the struct is
   the caller's) and zero it; a cleared or zeroed result may be cleared again. */
void tfp_malmquist_result_clear(tfp_malmquist_result *res);
#endif
