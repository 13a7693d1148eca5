/* meta.h — the metafrontier by group (O'Donnell, Rao & Battese 2008 for the
   radial model; the directional version as in Oh & Lee 2010): each unit is
   scored against its own group's frontier (group efficiency) and against
   the frontier of all groups pooled (meta efficiency); the technology gap
   ratio is tgr = meta / group (<= 1: how far the group's frontier lies
   inside the metafrontier at the unit's input-output mix).

   Radial model (dea.h, DEAP's convention, inputs and good outputs only):
   efficiencies are DEA scores. Directional model (ddf.h, bad outputs
   allowed, observed direction): beta against each frontier, efficiency
   1/(1 + beta), so tgr = (1 + beta_group)/(1 + beta_meta). A group needs at
   least as many units as variables.

   A distributed run (split, split.h): the directional model's DDFs are
   split as ddf.h says; the radial model's DEAs are not (dea.h has no
   split; they run on its threads). */
#ifndef TFP_META_H
#define TFP_META_H
#include "dea.h"
#include "ddf.h"

typedef enum { TFP_META_RADIAL = 0, TFP_META_DDF = 1 } tfp_meta_model;

typedef struct {
  tfp_meta_model model;
  tfp_dea_rts rts;                  /* radial: any; ddf: CRS or VRS */
  tfp_dea_orientation orientation;  /* radial */
  const char *const *group_names;   /* n_groups names for messages, or NULL */
  tfp_rows rows;
  tfp_progress_fn progress;
  void *progress_ud;
  tfp_split split;                  /* a distributed run (see above); default none */
} tfp_meta_opts;

void tfp_meta_opts_init(tfp_meta_opts *o);

typedef struct {
  size_t n, n_groups;
  double *group_eff, *meta_eff, *tgr;   /* n each; NaN where an LP failed */
  double *group_beta, *meta_beta;       /* ddf: n each; NULL for radial */
  size_t n_lp, n_infeasible, n_failed;
} tfp_meta_result;

/* group: n codes 0..n_groups-1 (negative: missing, an error naming the row). */
int tfp_meta_run(const tfp_green_data *d, const int *group, size_t n_groups, const tfp_meta_opts *o,
                 tfp_meta_result *res, char *err, size_t errlen);
void tfp_meta_result_clear(tfp_meta_result *res);
#endif
