/* test_ml.c — Malmquist-Luenberger, global ML and Luenberger indexes on the
   synthetic green panel against refs/green (synth_ml.csv, synth_gml.csv,
   synth_luenberger.csv, synth_ml_infeasible.csv; scipy/HiGHS): the four
   distance functions and the indexes to 1e-6 absolute, NA patterns and the
   infeasible mixed-period LPs exactly; CRS and VRS; column generation on
   and off. */
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include "check.h"
#include "green_refs.h"
#include "ml.h"

typedef struct {
  tfp_frame *f;
  int unit[GP_YEARS * GP_UNITS];
  size_t row_of[GP_UNITS][GP_YEARS];
  const double *x[2], *y[1], *b[1];
  tfp_green_data d;
} panel;

static void load(panel *p) {
  p->f = ref_load("refs/green/synth_green_panel.csv");
  int id = tfp_frame_find(p->f, "id");
  const double *year = ref_col(p->f, "year");
  for (size_t i = 0; i < p->f->nrow; i++) {
    p->unit[i] = atoi(p->f->col[id].str[i] + 1) - 1;
    p->row_of[p->unit[i]][(int)year[i] - 2001] = i;
  }
  p->x[0] = ref_col(p->f, "capital"); p->x[1] = ref_col(p->f, "labour");
  p->y[0] = ref_col(p->f, "output"); p->b[0] = ref_col(p->f, "emissions");
  tfp_green_data d = { p->f->nrow, 2, 1, 1, p->x, p->y, p->b, NULL, NULL, NULL };
  p->d = d;
}

static tfp_ml_result run(panel *p, tfp_ml_index index, int vrs, int colgen) {
  tfp_ml_opts o;
  tfp_ml_opts_init(&o);
  o.index = index;
  o.vrs = vrs;
  o.colgen = colgen;
  tfp_ml_result r;
  char err[256];
  if (tfp_ml_run(&p->d, p->unit, GP_UNITS, ref_col(p->f, "year"), &o, &r, err, sizeof err)) {
    fprintf(stderr, "tfp_ml_run: %s\n", err);
    exit(2);
  }
  return r;
}

/* Reference row k's rows of the panel: the earlier (q) and later (r) year. */
static void rows_of(panel *p, tfp_frame *e, size_t k, size_t *q, size_t *r) {
  int id = tfp_frame_find(e, "id");
  int u = atoi(e->col[id].str[k] + 1) - 1;
  int t0 = (int)ref_col(e, "year_from")[k] - 2001, t1 = (int)ref_col(e, "year_to")[k] - 2001;
  *q = p->row_of[u][t0];
  *r = p->row_of[u][t1];
}

static void indexes_and_their_distances_match(void) {
  panel p;
  load(&p);
  const char *files[3] = { "refs/green/synth_ml.csv", "refs/green/synth_gml.csv", "refs/green/synth_luenberger.csv" };
  for (int index = 0; index < 3; index++) {
    tfp_frame *e = ref_load(files[index]);
    CHECK(e->nrow == 150);
    for (int colgen = 0; colgen <= 1; colgen++)
      for (int vrs = 0; vrs <= 1; vrs++) {
        tfp_ml_result r = run(&p, index, vrs, colgen);
        const char *rts = vrs ? "vrs" : "crs";
        char c[64];
        for (size_t k = 0; k < e->nrow; k++) {
          size_t q, s;
          rows_of(&p, e, k, &q, &s);
          for (int m = 0; m < TFP_ML_NCOMP; m++) {
            snprintf(c, sizeof c, "%s_%s", tfp_ml_component(index, m), rts);
            CHECK_REF(r.change[m][s], ref_col(e, c)[k], 1e-6);
          }
          snprintf(c, sizeof c, "d_tech_t_obs_t_%s", rts);
          CHECK_REF(r.d_t[q], ref_col(e, c)[k], 1e-6);
          snprintf(c, sizeof c, "d_tech_t1_obs_t1_%s", rts);
          CHECK_REF(r.d_t[s], ref_col(e, c)[k], 1e-6);
          if (index == TFP_ML_GML) {
            snprintf(c, sizeof c, "d_global_obs_t_%s", rts);
            CHECK_REF(r.d_g[q], ref_col(e, c)[k], 1e-6);
            snprintf(c, sizeof c, "d_global_obs_t1_%s", rts);
            CHECK_REF(r.d_g[s], ref_col(e, c)[k], 1e-6);
          } else {
            snprintf(c, sizeof c, "d_tech_t_obs_t1_%s", rts);
            CHECK_REF(r.d_tm1[s], ref_col(e, c)[k], 1e-6);
            snprintf(c, sizeof c, "d_tech_t1_obs_t_%s", rts);
            CHECK_REF(r.d_tp1[q], ref_col(e, c)[k], 1e-6);
          }
        }
        CHECK(r.n_changes == 150 && r.n_failed == 0);
        /* levels chain the changes */
        for (size_t u = 0; u < GP_UNITS; u++) {
          double lv = index == TFP_ML_LUENBERGER ? 0 : 1;
          CHECK(r.level[0][p.row_of[u][0]] == lv);
          for (int t = 1; t < GP_YEARS; t++) {
            double ch = r.change[0][p.row_of[u][t]];
            lv = index == TFP_ML_LUENBERGER ? lv + ch : lv * ch;
            if (isnan(lv)) CHECK(isnan(r.level[0][p.row_of[u][t]]));
            else CHECK_NEAR(r.level[0][p.row_of[u][t]], lv, 1e-12);
          }
        }
        if (index == TFP_ML_GML) CHECK(r.n_infeasible == 0);
        else CHECK(r.n_infeasible == (vrs ? 77u : 37u));
        tfp_ml_result_clear(&r);
      }
    tfp_frame_free(e);
  }
  tfp_frame_free(p.f);
}

/* Every LP of synth_ml_infeasible.csv is flagged, and no other. */
static void infeasible_mixed_period_lps_are_exactly_the_references(void) {
  panel p;
  load(&p);
  tfp_frame *e = ref_load("refs/green/synth_ml_infeasible.csv");
  int id = tfp_frame_find(e, "id"), rts = tfp_frame_find(e, "rts"), lp = tfp_frame_find(e, "lp");
  for (int vrs = 0; vrs <= 1; vrs++) {
    tfp_ml_result r = run(&p, TFP_ML_ML, vrs, 1);
    size_t listed = 0;
    for (size_t k = 0; k < e->nrow; k++) {
      if (strcmp(e->col[rts].str[k], vrs ? "vrs" : "crs") != 0) continue;
      int u = atoi(e->col[id].str[k] + 1) - 1, obs, tech;
      CHECK(sscanf(e->col[lp].str[k], "obs_%d_tech_%d", &obs, &tech) == 2);
      size_t row = p.row_of[u][obs - 2001];
      CHECK((tech < obs ? r.status_tm1[row] : r.status_tp1[row]) == TFP_DDF_INFEASIBLE);
      listed++;
    }
    size_t flagged = 0;
    for (size_t i = 0; i < r.n; i++)
      flagged += (r.status_tm1[i] == TFP_DDF_INFEASIBLE) + (r.status_tp1[i] == TFP_DDF_INFEASIBLE);
    CHECK(flagged == listed && listed == r.n_infeasible);
    tfp_ml_result_clear(&r);
  }
  tfp_frame_free(e);
  tfp_frame_free(p.f);
}

/* An unbalanced panel: a unit missing a middle year has no change across
   the gap, and its levels after it are NaN; the rest is unchanged. */
static void a_gap_breaks_the_chain_and_nothing_else(void) {
  panel p;
  load(&p);
  tfp_ml_result full = run(&p, TFP_ML_GML, 0, 1);
  size_t drop = p.row_of[4][2], n = p.d.n;
  double buf[4][GP_YEARS * GP_UNITS], year[GP_YEARS * GP_UNITS];
  int unit[GP_YEARS * GP_UNITS];
  const double *yr = ref_col(p.f, "year");
  size_t m = 0;
  const double *src[4] = { p.x[0], p.x[1], p.y[0], p.b[0] };
  for (size_t i = 0; i < n; i++) {
    if (i == drop) continue;
    for (int v = 0; v < 4; v++) buf[v][m] = src[v][i];
    year[m] = yr[i];
    unit[m] = p.unit[i];
    m++;
  }
  const double *x[2] = { buf[0], buf[1] }, *y[1] = { buf[2] }, *b[1] = { buf[3] };
  tfp_green_data d = { m, 2, 1, 1, x, y, b, NULL, NULL, NULL };
  tfp_ml_opts o;
  tfp_ml_opts_init(&o);
  o.index = TFP_ML_GML;
  tfp_ml_result r;
  char err[256];
  CHECK(tfp_ml_run(&d, unit, GP_UNITS, year, &o, &r, err, sizeof err) == 0);
  CHECK(r.n_changes == 150 - 2);
  size_t after = p.row_of[4][3] - 1;   /* the row of unit 5, year 2004, in the new data */
  CHECK(isnan(r.change[0][after]) && isnan(r.level[0][after]));
  tfp_ml_result_clear(&r);
  tfp_ml_result_clear(&full);
  /* duplicates and too-small periods are errors naming them */
  unit[1] = unit[0];
  year[1] = year[0];
  CHECK(tfp_ml_run(&d, unit, GP_UNITS, year, &o, &r, err, sizeof err) == TFP_EDATA);
  CHECK_STR_CONTAINS(err, "duplicate id-time pair at rows 1 and 2");
  tfp_frame_free(p.f);
}

int main(void) {
  indexes_and_their_distances_match();
  infeasible_mixed_period_lps_are_exactly_the_references();
  a_gap_breaks_the_chain_and_nothing_else();
  return check_report("test_ml");
}
