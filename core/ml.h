/* ml.h — productivity indexes from directional distance functions with bad
   outputs (ddf.h) on a panel that may be unbalanced, each period's units
   spanning that period's technology (D_a(b): the period-b observation of a
   unit against technology a; G: the global technology, every period's
   observations pooled). For a unit present in periods s (previous) and t:

   Malmquist-Luenberger (Chung, Fare & Grosskopf 1997):
     ml      = sqrt{ [(1+D_s(s))/(1+D_s(t))] * [(1+D_t(s))/(1+D_t(t))] }
     mleffch = (1+D_s(s))/(1+D_t(t)),   mltech = ml / mleffch
   global Malmquist-Luenberger (Oh 2010):
     gml = (1+D_G(s))/(1+D_G(t)),  ec = (1+D_s(s))/(1+D_t(t)),  bpc = gml / ec
   Luenberger indicator (Chambers, Fare & Grosskopf 1996):
     l = [(D_t(s) - D_t(t)) + (D_s(s) - D_s(t))] / 2,  leffch = D_s(s) - D_t(t),
     ltech = l - leffch.
   Ratios (ml, gml) above 1 and differences (l) above 0 are improvements.
   The mixed-period LPs D_s(t), D_t(s) can be infeasible (weak disposability):
   their distances are NaN, counted (n_infeasible) and flagged per row
   (status_tm1, status_tp1), and the changes that need them are NaN; a ratio
   with 1 + D <= 0 is NaN too (n_nonpositive). Global and contemporaneous
   LPs are always feasible.

   The index sits on the later period's row. Levels chain the changes from
   a unit's first period: products for ml and gml (1 there), sums for the
   Luenberger indicator (0 there); after a missing change they are NaN.
   Summaries: by period, by unit and over all, geometric means for ml and
   gml, arithmetic for the Luenberger indicator.

   A distributed run (split, split.h): every DDF is split as ddf.h says
   (each part its block of each period's units, combined after every
   technology), so every part holds the whole result. */
#ifndef TFP_ML_H
#define TFP_ML_H
#include "ddf.h"

typedef enum { TFP_ML_ML = 0, TFP_ML_GML = 1, TFP_ML_LUENBERGER = 2 } tfp_ml_index;
enum { TFP_ML_INDEX = 0, TFP_ML_EFFCH = 1, TFP_ML_TECHCH = 2, TFP_ML_NCOMP = 3 };

/* The component names: ml mleffch mltech | gml ec bpc | l leffch ltech. */
const char *tfp_ml_component(tfp_ml_index index, int k);

typedef struct {
  tfp_ml_index index;               /* default ML */
  int vrs;                          /* default 0 (CRS) */
  int colgen;                       /* default 1 */
  const char *id_name, *time_name;  /* messages; default "id", "time" */
  tfp_rows rows;
  tfp_progress_fn progress;
  void *progress_ud;
  int lp_memory_mb;
  tfp_split split;                  /* a distributed run (see above); default none */
} tfp_ml_opts;

void tfp_ml_opts_init(tfp_ml_opts *o);

typedef struct {
  size_t n, n_units, n_periods;
  double *period;            /* n_periods distinct times, ascending */
  int *period_of;            /* n */
  size_t *order;             /* n rows by unit, then period */
  double *d_t;               /* n: D_t(t), own period's technology */
  double *d_tm1, *d_tp1;     /* n: against the previous / next period's technology (ml, l) */
  double *d_g;               /* n: against the global technology (gml) */
  int *status_tm1, *status_tp1;   /* n TFP_DDF_* codes, -1 where no LP */
  double *change[TFP_ML_NCOMP];   /* n each */
  double *level[TFP_ML_NCOMP];    /* n each: TFP, EFF, TECH levels */
  double *period_mean[TFP_ML_NCOMP], *unit_mean[TFP_ML_NCOMP];
  double mean[TFP_ML_NCOMP];
  size_t n_changes, n_lp, n_iter, n_infeasible, n_failed, n_nonpositive;
} tfp_ml_result;

/* unit: n codes 0..n_units-1; time: n finite values. Errors as
   tfp_malmquist_run's (missing id or time, duplicates, bad data, a period
   with fewer units than variables). */
int tfp_ml_run(const tfp_green_data *d, const int *unit, size_t n_units, const double *time,
               const tfp_ml_opts *o, tfp_ml_result *res, char *err, size_t errlen);
void tfp_ml_result_clear(tfp_ml_result *res);
#endif
