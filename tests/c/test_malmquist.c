/* test_malmquist.c — DEA-Malmquist components, distance functions and
   summaries against DEAP 2.1's printed output and independent
   reproductions (refs/dea/README.md), plus the index's identities. */
#include <math.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include "check.h"
#include "refs.h"
#include "csv.h"
#include "malmquist.h"

static int colidx(const tfp_frame *f, const char *name) {
  int j = tfp_frame_find(f, name);
  if (j < 0) { fprintf(stderr, "reference column %s missing\n", name); exit(2); }
  return j;
}

/* A cell as a number: NaN when missing or not a number ("mean", "NA"). */
static double num_at(const tfp_frame *f, const char *name, size_t i) {
  const tfp_column *c = &f->col[colidx(f, name)];
  if (c->type == TFP_NUM) return c->num[i];
  if (!c->str[i]) return NAN;
  const char *s = c->str[i];
  if (strncmp(s, "DMU", 3) == 0) s += 3;   /* deaR's unit names */
  char *end;
  double v = strtod(s, &end);
  return end != s && *end == 0 ? v : NAN;
}

static int is_word(const tfp_frame *f, const char *name, size_t i, const char *w) {
  const tfp_column *c = &f->col[colidx(f, name)];
  return c->type == TFP_STR && c->str[i] && strcmp(c->str[i], w) == 0;
}

/* A panel from a data frame: numeric id and time columns. */
typedef struct {
  tfp_frame *f;
  size_t n;
  int *code;
  size_t n_units;
  const double *id, *time;
  const double *xp[8], *yp[8];
  tfp_dea_data d;
} panel;

static void panel_open(panel *p, const char *path, const char *id, const char *time,
                       const char **xn, size_t n_in, const char **yn, size_t n_out) {
  p->f = ref_load(path);
  p->n = p->f->nrow;
  p->id = p->f->col[colidx(p->f, id)].num;
  p->time = p->f->col[colidx(p->f, time)].num;
  p->code = malloc(p->n * sizeof *p->code);
  CHECK(tfp_group_codes(&p->f->col[colidx(p->f, id)], p->n, p->code, &p->n_units, NULL, NULL) == TFP_OK);
  for (size_t i = 0; i < n_in; i++) p->xp[i] = p->f->col[colidx(p->f, xn[i])].num;
  for (size_t r = 0; r < n_out; r++) p->yp[r] = p->f->col[colidx(p->f, yn[r])].num;
  tfp_dea_data d = { p->n, n_in, n_out, p->xp, p->yp, xn, yn };
  p->d = d;
}

static void panel_close(panel *p) { free(p->code); tfp_frame_free(p->f); }

/* Row of (id, time), or -1. */
static long panel_row(const panel *p, double id, double time) {
  for (size_t i = 0; i < p->n; i++)
    if (p->id[i] == id && p->time[i] == time) return (long)i;
  return -1;
}

static tfp_malmquist_result mq_run(const panel *p, tfp_dea_orientation or, int warm) {
  tfp_malmquist_opts o;
  tfp_malmquist_opts_init(&o);
  o.orientation = or;
  o.warm_start = warm;
  tfp_malmquist_result r;
  char err[256];
  if (tfp_malmquist_run(&p->d, p->code, p->n_units, p->time, &o, &r, err, sizeof err)) {
    fprintf(stderr, "tfp_malmquist_run: %s\n", err);
    exit(2);
  }
  return r;
}

/* NaN wanted means undefined: we must give NaN too. */
#define CHECK_NEAR_OR_NAN(got, want, tol) do { double w2_ = (want); \
  if (isnan(w2_)) CHECK(isnan(got)); else CHECK_NEAR(got, w2_, tol); } while (0)

/* 30 units x 6 periods, 2 inputs, 2 outputs: Benchmarking 0.33 / lp_solve
   distances and components in both orientations, to 1e-6. */
static void synthetic_panel_matches_benchmarking_in_both_orientations(void) {
  const char *xn[] = { "labor", "capital" }, *yn[] = { "output1", "output2" };
  panel p;
  panel_open(&p, "refs/dea/synthetic_panel.csv", "unit", "period", xn, 2, yn, 2);
  tfp_frame *e = ref_load("refs/dea/synthetic_panel_malmquist_expected.csv");
  tfp_malmquist_result r[2] = { mq_run(&p, TFP_DEA_INPUT, 1), mq_run(&p, TFP_DEA_OUTPUT, 1) };
  size_t matched = 0;
  for (size_t i = 0; i < e->nrow; i++) {
    int out = is_word(e, "orientation", i, "out");
    tfp_malmquist_result *m = &r[out];
    double u = num_at(e, "unit", i), t = num_at(e, "period", i);
    long a = panel_row(&p, u, t), b = panel_row(&p, u, t - 1);
    CHECK(a >= 0 && b >= 0);
    if (a < 0 || b < 0) continue;
    for (int k = 0; k < TFP_MQ_NCOMP; k++)
      CHECK_NEAR(m->change[k][a], num_at(e, tfp_malmquist_component(k), i), 1e-6);
    CHECK_NEAR(m->crs_t[b], num_at(e, "crs_own_prev", i), 1e-6);
    CHECK_NEAR(m->crs_t[a], num_at(e, "crs_own", i), 1e-6);
    CHECK_NEAR(m->crs_tm1[a], num_at(e, "crs_vs_prev_frontier", i), 1e-6);
    CHECK_NEAR(m->crs_tp1[b], num_at(e, "crs_prev_vs_frontier", i), 1e-6);
    CHECK_NEAR(m->vrs_t[b], num_at(e, "vrs_own_prev", i), 1e-6);
    CHECK_NEAR(m->vrs_t[a], num_at(e, "vrs_own", i), 1e-6);
    matched++;
  }
  CHECK(matched == 300);
  CHECK(r[0].n_changes == 150 && r[1].n_changes == 150);
  /* DEAP's LP count: own CRS + VRS for 180 rows, two cross-period CRS for
     each of the 5 adjacent pairs of 30 units. */
  CHECK(r[1].n_lp == 180 * 2 + 5 * 30 * 2);
  CHECK(r[1].n_infeasible == 0 && r[1].n_failed == 0);
  tfp_malmquist_result_clear(&r[0]);
  tfp_malmquist_result_clear(&r[1]);
  tfp_frame_free(e);
  panel_close(&p);
}

static const char *deap111_x[] = { "x1", "x2", "x3" }, *deap111_y[] = { "y1", "y2", "y3" };

/* DEAP 111 (7 firms x 4 years, values to 2.7e7): scipy/HiGHS distances and
   components, both orientations, to 1e-6; deaR and Benchmarking components
   to 1e-6 (they agree with scipy to 1e-12). */
static void deap111_matches_full_precision_reproductions(void) {
  panel p;
  panel_open(&p, "refs/dea/deap111_data.csv", "firm", "year", deap111_x, 3, deap111_y, 3);
  tfp_malmquist_result r[2] = { mq_run(&p, TFP_DEA_INPUT, 1), mq_run(&p, TFP_DEA_OUTPUT, 1) };
  const char *files[] = { "refs/dea/deap111_reproduced_scipy_in.csv",
                          "refs/dea/deap111_reproduced_scipy_out.csv" };
  for (int out = 0; out <= 1; out++) {
    tfp_frame *e = ref_load(files[out]);
    CHECK(e->nrow == 28);
    for (size_t i = 0; i < e->nrow; i++) {
      long a = panel_row(&p, num_at(e, "firm", i), num_at(e, "year", i));
      CHECK(a >= 0);
      if (a < 0) continue;
      CHECK_NEAR_OR_NAN(r[out].crs_tm1[a], num_at(e, "crs_te_tech_tm1", i), 1e-6);
      CHECK_NEAR_OR_NAN(r[out].crs_t[a], num_at(e, "crs_te_tech_t", i), 1e-6);
      CHECK_NEAR_OR_NAN(r[out].crs_tp1[a], num_at(e, "crs_te_tech_tp1", i), 1e-6);
      CHECK_NEAR_OR_NAN(r[out].vrs_t[a], num_at(e, "vrs_te", i), 1e-6);
      for (int k = 0; k < TFP_MQ_NCOMP; k++)
        CHECK_NEAR_OR_NAN(r[out].change[k][a], num_at(e, tfp_malmquist_component(k), i), 1e-6);
    }
    tfp_frame_free(e);
  }
  const char *others[] = { "refs/dea/deap111_reproduced_deaR.csv",
                           "refs/dea/deap111_reproduced_Benchmarking.csv" };
  for (int f = 0; f < 2; f++) {
    tfp_frame *e = ref_load(others[f]);
    size_t matched = 0;
    for (size_t i = 0; i < e->nrow; i++) {
      int out = is_word(e, "orientation", i, "out");
      long a = panel_row(&p, num_at(e, "firm", i), num_at(e, "year", i));
      CHECK(a >= 0);
      if (a < 0) continue;
      for (int k = 0; k < TFP_MQ_NCOMP; k++)
        if (tfp_frame_find(e, tfp_malmquist_component(k)) >= 0) {
          CHECK_NEAR(r[out].change[k][a], num_at(e, tfp_malmquist_component(k), i), 1e-6);
          matched++;
        }
    }
    CHECK(matched == (f == 0 ? 42 * 5 : 42 * 3));
    tfp_frame_free(e);
  }
  tfp_malmquist_result_clear(&r[0]);
  tfp_malmquist_result_clear(&r[1]);
  panel_close(&p);
}

/* DEAP 2.1's own printed output on the 111 data (output orientation, 3
   decimals, 0.000 printed where undefined): to 6e-4. */
static void deap111_matches_deap_printed_output(void) {
  panel p;
  panel_open(&p, "refs/dea/deap111_data.csv", "firm", "year", deap111_x, 3, deap111_y, 3);
  tfp_malmquist_result r = mq_run(&p, TFP_DEA_OUTPUT, 1);
  tfp_frame *e = ref_load("refs/dea/deap111_published_distances.csv");
  const char *dn[] = { "crs_te_tech_tm1", "crs_te_tech_t", "crs_te_tech_tp1", "vrs_te" };
  const double *dv[] = { r.crs_tm1, r.crs_t, r.crs_tp1, r.vrs_t };
  for (size_t i = 0; i < e->nrow; i++) {
    long a = panel_row(&p, num_at(e, "firm", i), num_at(e, "year", i));
    CHECK(a >= 0);
    if (a < 0) continue;
    for (int k = 0; k < 4; k++) {
      double want = num_at(e, dn[k], i);
      if (want == 0) CHECK(isnan(dv[k][a]));
      else CHECK_NEAR(dv[k][a], want, 6e-4);
    }
  }
  tfp_frame_free(e);

  e = ref_load("refs/dea/deap111_published_malmquist.csv");
  size_t n_mean = 0;
  for (size_t i = 0; i < e->nrow; i++) {
    double year = num_at(e, "year", i);
    int mean = is_word(e, "firm", i, "mean");
    long a = mean ? -1 : panel_row(&p, num_at(e, "firm", i), year);
    size_t per = (size_t)year - 1;   /* years are 1..4: period index */
    CHECK(r.period[per] == year);
    for (int k = 0; k < TFP_MQ_NCOMP; k++) {
      double want = num_at(e, tfp_malmquist_component(k), i);
      if (mean) CHECK_NEAR(r.period_mean[k][per], want, 6e-4);
      else if (a >= 0) CHECK_NEAR(r.change[k][a], want, 6e-4);
      else CHECK(0);
    }
    n_mean += mean;
  }
  CHECK(n_mean == 3);
  tfp_frame_free(e);

  e = ref_load("refs/dea/deap111_published_annual_means.csv");
  for (size_t i = 0; i < e->nrow; i++)
    for (int k = 0; k < TFP_MQ_NCOMP; k++) {
      double want = num_at(e, tfp_malmquist_component(k), i);
      if (is_word(e, "year", i, "mean")) CHECK_NEAR(r.mean[k], want, 6e-4);
      else CHECK_NEAR(r.period_mean[k][(size_t)num_at(e, "year", i) - 1], want, 6e-4);
    }
  tfp_frame_free(e);

  e = ref_load("refs/dea/deap111_published_firm_means.csv");
  for (size_t i = 0; i < e->nrow; i++)
    for (int k = 0; k < TFP_MQ_NCOMP; k++) {
      double want = num_at(e, tfp_malmquist_component(k), i);
      if (is_word(e, "firm", i, "mean")) CHECK_NEAR(r.mean[k], want, 6e-4);
      else {
        long a = panel_row(&p, num_at(e, "firm", i), 1);
        CHECK(a >= 0);
        if (a >= 0) CHECK_NEAR(r.unit_mean[k][p.code[a]], want, 6e-4);
      }
    }
  tfp_frame_free(e);
  tfp_malmquist_result_clear(&r);
  panel_close(&p);
}

/* DEAP eg4 (5 firms x 3 years, output orientation): DEAP's printed
   distances (with their arithmetic "mean" rows) and Malmquist table (with
   geometric "mean" rows) to 6e-4; deaR's full-precision reproduction in
   both orientations, components, distances and means, to 1e-6. */
static void deap_eg4_matches_deap_printed_output_and_deaR(void) {
  const char *xn[] = { "x" }, *yn[] = { "y" };
  panel p;
  panel_open(&p, "refs/dea/deap_eg4_data_reconstructed.csv", "firm", "year", xn, 1, yn, 1);
  tfp_malmquist_result r[2] = { mq_run(&p, TFP_DEA_INPUT, 1), mq_run(&p, TFP_DEA_OUTPUT, 1) };

  tfp_frame *e = ref_load("refs/dea/deap_eg4_published_distances.csv");
  const char *dn[] = { "crs_te_rel_tech_tm1", "crs_te_rel_tech_t", "crs_te_rel_tech_tp1", "vrs_te" };
  const double *dv[] = { r[1].crs_tm1, r[1].crs_t, r[1].crs_tp1, r[1].vrs_t };
  for (size_t i = 0; i < e->nrow; i++) {
    double year = num_at(e, "year", i);
    for (int k = 0; k < 4; k++) {
      double want = num_at(e, dn[k], i), got = 0;
      if (is_word(e, "firm", i, "mean")) {
        size_t m = 0;
        for (size_t j = 0; j < p.n; j++)
          if (p.time[j] == year) { got += dv[k][j]; m++; }
        got /= (double)m;
      } else {
        long a = panel_row(&p, num_at(e, "firm", i), year);
        CHECK(a >= 0);
        if (a < 0) continue;
        got = dv[k][a];
      }
      CHECK_NEAR_OR_NAN(got, want, 6e-4);
    }
  }
  tfp_frame_free(e);

  e = ref_load("refs/dea/deap_eg4_published_malmquist.csv");
  for (size_t i = 0; i < e->nrow; i++) {
    double year = num_at(e, "year", i);
    for (int k = 0; k < TFP_MQ_NCOMP; k++) {
      double want = num_at(e, tfp_malmquist_component(k), i);
      if (is_word(e, "year", i, "ALL")) CHECK_NEAR(r[1].mean[k], want, 6e-4);
      else if (is_word(e, "firm", i, "mean")) CHECK_NEAR(r[1].period_mean[k][(size_t)year - 1], want, 6e-4);
      else {
        long a = panel_row(&p, num_at(e, "firm", i), year);
        CHECK(a >= 0);
        if (a >= 0) CHECK_NEAR(r[1].change[k][a], want, 6e-4);
      }
    }
  }
  CHECK_NEAR(r[1].mean[TFP_MQ_TFPCH], 1.061, 6e-4);
  tfp_frame_free(e);

  const char *files[] = { "refs/dea/deap_eg4_malmquist_in_reproduced.csv",
                          "refs/dea/deap_eg4_malmquist_out_reproduced.csv" };
  const char *means[] = { "refs/dea/deap_eg4_malmquist_in_means_reproduced.csv",
                          "refs/dea/deap_eg4_malmquist_out_means_reproduced.csv" };
  for (int out = 0; out <= 1; out++) {
    tfp_malmquist_result *m = &r[out];
    e = ref_load(files[out]);
    CHECK(e->nrow == 10);
    for (size_t i = 0; i < e->nrow; i++) {
      double t = num_at(e, "period", i), u = num_at(e, "dmu", i);
      long a = panel_row(&p, u, t), b = panel_row(&p, u, t - 1);
      CHECK(a >= 0 && b >= 0);
      if (a < 0 || b < 0) continue;
      for (int k = 0; k < TFP_MQ_NCOMP; k++)
        CHECK_NEAR(m->change[k][a], num_at(e, tfp_malmquist_component(k), i), 1e-6);
      CHECK_NEAR(m->crs_t[a], num_at(e, "crs_te_t", i), 1e-6);
      CHECK_NEAR(m->crs_t[b], num_at(e, "crs_te_tm1", i), 1e-6);
      CHECK_NEAR(m->crs_tm1[a], num_at(e, "crs_te_obs_t_tech_tm1", i), 1e-6);
      CHECK_NEAR(m->crs_tp1[b], num_at(e, "crs_te_obs_tm1_tech_t", i), 1e-6);
      CHECK_NEAR(m->vrs_t[a], num_at(e, "vrs_te_t", i), 1e-6);
      CHECK_NEAR(m->vrs_t[b], num_at(e, "vrs_te_tm1", i), 1e-6);
    }
    tfp_frame_free(e);
    e = ref_load(means[out]);
    for (size_t i = 0; i < e->nrow; i++)
      for (int k = 0; k < TFP_MQ_NCOMP; k++) {
        double want = num_at(e, tfp_malmquist_component(k), i);
        if (is_word(e, "period", i, "ALL")) CHECK_NEAR(m->mean[k], want, 1e-6);
        else CHECK_NEAR(m->period_mean[k][(size_t)num_at(e, "period", i) - 1], want, 1e-6);
      }
    tfp_frame_free(e);
  }
  tfp_malmquist_result_clear(&r[0]);
  tfp_malmquist_result_clear(&r[1]);
  panel_close(&p);
}

/* ------------------------------------------------------------ identities */

static uint64_t lcg_state;
static double unif(void) {
  lcg_state = lcg_state * 6364136223846793005ULL + 1442695040888963407ULL;
  return ((double)(lcg_state >> 11) + 0.5) / 9007199254740992.0;
}

/* A seeded panel: n_units x n_per, 2 inputs, 1 output, 3% technical
   progress a period, half-normal-ish inefficiency; rows listed period by
   period, skipping the (unit, period) pairs in drop[] (1-based, 0-ended). */
typedef struct { size_t n; double *x1, *x2, *y, *t; int *code; const double *xp[2], *yp[1]; tfp_dea_data d; } toy;

static void toy_make(toy *p, size_t n_units, size_t n_per, const int (*drop)[2]) {
  size_t cap = n_units * n_per;
  p->x1 = malloc(cap * sizeof(double)); p->x2 = malloc(cap * sizeof(double));
  p->y = malloc(cap * sizeof(double)); p->t = malloc(cap * sizeof(double));
  p->code = malloc(cap * sizeof(int));
  lcg_state = 2026;
  size_t n = 0;
  for (size_t t = 0; t < n_per; t++)
    for (size_t u = 0; u < n_units; u++) {
      double x1 = exp(2 * unif()), x2 = exp(2 * unif());
      double y = exp(0.03 * (double)t) * pow(x1, 0.3) * pow(x2, 0.6) * exp(-fabs(0.3 * (unif() - 0.5)));
      int skip = 0;
      for (size_t k = 0; drop && drop[k][0]; k++)
        if ((size_t)drop[k][0] == u + 1 && (size_t)drop[k][1] == t + 1) skip = 1;
      if (skip) continue;
      p->x1[n] = x1; p->x2[n] = x2; p->y[n] = y;
      p->t[n] = 2000.0 + (double)t;
      p->code[n] = (int)u;
      n++;
    }
  p->n = n;
  p->xp[0] = p->x1; p->xp[1] = p->x2; p->yp[0] = p->y;
  tfp_dea_data d = { n, 2, 1, p->xp, p->yp, NULL, NULL };
  p->d = d;
}

static void toy_free(toy *p) { free(p->x1); free(p->x2); free(p->y); free(p->t); free(p->code); }

static tfp_malmquist_result toy_run(const toy *p, size_t n_units, tfp_dea_orientation or, int warm) {
  tfp_malmquist_opts o;
  tfp_malmquist_opts_init(&o);
  o.orientation = or;
  o.warm_start = warm;
  tfp_malmquist_result r;
  char err[256];
  if (tfp_malmquist_run(&p->d, p->code, n_units, p->t, &o, &r, err, sizeof err)) {
    fprintf(stderr, "tfp_malmquist_run: %s\n", err);
    exit(2);
  }
  return r;
}

static void components_multiply_up_and_crs_parts_do_not_depend_on_orientation(void) {
  toy p;
  toy_make(&p, 40, 5, NULL);
  tfp_malmquist_result in = toy_run(&p, 40, TFP_DEA_INPUT, 1);
  tfp_malmquist_result out = toy_run(&p, 40, TFP_DEA_OUTPUT, 1);
  int ok_prod = 1, ok_orient = 1, ok_level = 1;
  size_t both_frontier = 0, bad_frontier = 0;
  for (int o = 0; o < 2; o++) {
    tfp_malmquist_result *m = o ? &out : &in;
    for (size_t k = 0; k < p.n; k++) {
      size_t r = m->order[k];
      double *c[TFP_MQ_NCOMP];
      for (int j = 0; j < TFP_MQ_NCOMP; j++) c[j] = m->change[j];
      if (m->period_of[r] == 0) {
        if (!(m->tfp[r] == 1 && m->tech[r] == 1 && m->eff[r] == 1 && isnan(c[TFP_MQ_TFPCH][r])))
          ok_level = 0;
        continue;
      }
      size_t q = m->order[k - 1];
      if (fabs(c[TFP_MQ_TFPCH][r] - c[TFP_MQ_EFFCH][r] * c[TFP_MQ_TECHCH][r]) > 1e-12 ||
          fabs(c[TFP_MQ_EFFCH][r] - c[TFP_MQ_PECH][r] * c[TFP_MQ_SECH][r]) > 1e-12)
        ok_prod = 0;
      if (fabs(m->tfp[r] - m->tfp[q] * c[TFP_MQ_TFPCH][r]) > 1e-12 * m->tfp[r] ||
          fabs(m->tfp[r] - m->tech[r] * m->eff[r]) > 1e-12 * m->tfp[r])
        ok_level = 0;
      if (fabs(m->crs_t[r] - 1) < 1e-9 && fabs(m->crs_t[q] - 1) < 1e-9) {
        both_frontier++;
        if (fabs(c[TFP_MQ_EFFCH][r] - 1) > 1e-9) bad_frontier++;
      }
    }
  }
  for (size_t r = 0; r < p.n; r++) {
    if (in.period_of[r] == 0) continue;
    if (fabs(in.change[TFP_MQ_EFFCH][r] - out.change[TFP_MQ_EFFCH][r]) > 1e-9 ||
        fabs(in.change[TFP_MQ_TECHCH][r] - out.change[TFP_MQ_TECHCH][r]) > 1e-9 ||
        fabs(in.crs_tm1[r] - out.crs_tm1[r]) > 1e-9)
      ok_orient = 0;
  }
  CHECK(ok_prod);
  CHECK(ok_orient);
  CHECK(ok_level);
  CHECK(both_frontier > 0);
  CHECK(bad_frontier == 0);
  CHECK(in.n_changes == 160);
  tfp_malmquist_result_clear(&in);
  tfp_malmquist_result_clear(&out);
  toy_free(&p);
}

static void warm_start_gives_the_cold_start_indexes(void) {
  toy p;
  toy_make(&p, 40, 5, NULL);
  for (int or = 0; or <= 1; or++) {
    tfp_malmquist_result w = toy_run(&p, 40, or, 1), c = toy_run(&p, 40, or, 0);
    int same = w.n_lp == c.n_lp;
    for (size_t r = 0; r < p.n; r++) {
      const double *a[] = { w.crs_tm1, w.crs_t, w.crs_tp1, w.vrs_t, w.tfp },
                   *b[] = { c.crs_tm1, c.crs_t, c.crs_tp1, c.vrs_t, c.tfp };
      for (int k = 0; k < 5; k++)
        if (!(isnan(a[k][r]) ? isnan(b[k][r]) : fabs(a[k][r] - b[k][r]) <= 1e-10)) same = 0;
    }
    CHECK(same);
    tfp_malmquist_result_clear(&w);
    tfp_malmquist_result_clear(&c);
  }
  toy_free(&p);
}

/* Unit 3 missing in period 3, unit 5 in period 1: unit 3 has no change in
   period 4 (its previous period is absent) and its levels are undefined
   from there; unit 5 starts in period 2 with levels 1. */
static void an_unbalanced_panel_uses_the_pairs_present_in_both_periods(void) {
  const int drop[][2] = { { 3, 3 }, { 5, 1 }, { 0, 0 } };
  toy p;
  toy_make(&p, 40, 5, drop);
  CHECK(p.n == 198);
  tfp_malmquist_result m = toy_run(&p, 40, TFP_DEA_OUTPUT, 1);
  CHECK(m.n_changes == 160 - 3);
  CHECK(m.n_infeasible == 0 && m.n_failed == 0);
  for (size_t r = 0; r < p.n; r++) {
    int u = p.code[r] + 1, t = m.period_of[r] + 1;
    int has_change = t > 1 && !(u == 3 && t == 4) && !(u == 5 && t == 2);
    CHECK(has_change ? !isnan(m.change[TFP_MQ_TFPCH][r]) : isnan(m.change[TFP_MQ_TFPCH][r]));
    CHECK(!isnan(m.crs_t[r]) && !isnan(m.vrs_t[r]));
    if (u == 3 && t >= 4) CHECK(isnan(m.tfp[r]) && isnan(m.eff[r]));
    if (u == 5 && t == 2) CHECK(m.tfp[r] == 1 && m.tech[r] == 1 && m.eff[r] == 1);
    if (u == 5 && t == 3) CHECK(!isnan(m.tfp[r]));
  }
  CHECK(!isnan(m.unit_mean[TFP_MQ_TFPCH][2]));   /* unit 3 keeps its other changes */
  CHECK(isnan(m.period_mean[TFP_MQ_TFPCH][0]));
  tfp_malmquist_result_clear(&m);
  toy_free(&p);
}

static void bad_panels_are_rejected_naming_the_column_and_row(void) {
  double x[] = { 1, 2, 3, 4, 5, 6 }, y[] = { 1, 2, 3, 4, 5, 6 }, yneg[] = { 1, 2, 3, 4, -5, 6 };
  double t_ok[] = { 1, 1, 1, 2, 2, 2 }, t_dup[] = { 1, 1, 1, 2, 2, 1 }, t_nan[] = { 1, 1, NAN, 2, 2, 2 };
  double t_thin[] = { 1, 1, 1, 2, 3, 3 };
  int id[] = { 0, 1, 2, 0, 1, 2 }, id_miss[] = { 0, 1, 2, -1, 1, 2 }, id_thin[] = { 0, 1, 2, 0, 0, 1 };
  const char *xn[] = { "emp" }, *yn[] = { "gdp" };
  struct { const double *t, *y; const int *id; const char *m1, *m2; } cases[] = {
    { t_dup, y, id, "duplicate city = 3, year = 1 in rows 3 and 6", "city = 3" },
    { t_nan, y, id, "time 'year' is missing in row 3", "(city = 3)" },
    { t_ok, y, id_miss, "id 'city' is missing in row 4", "(year = 2)" },
    { t_ok, yneg, id, "output 'gdp', row 5", "non-positive" },
    { t_thin, y, id_thin, "year 2 has 1 units", "fewer than inputs + outputs" },
  };
  for (size_t k = 0; k < sizeof cases / sizeof cases[0]; k++) {
    const double *xp[] = { x }, *yp[] = { cases[k].y };
    tfp_dea_data d = { 6, 1, 1, xp, yp, xn, yn };
    tfp_malmquist_opts o;
    tfp_malmquist_opts_init(&o);
    o.id_name = "city";
    o.time_name = "year";
    tfp_malmquist_result r;
    char err[256] = "";
    CHECK(tfp_malmquist_run(&d, cases[k].id, 3, cases[k].t, &o, &r, err, sizeof err) == TFP_EDATA);
    CHECK_STR_CONTAINS(err, cases[k].m1);
    CHECK_STR_CONTAINS(err, cases[k].m2);
    CHECK(r.change[0] == NULL);
  }
}

static int stop_after_two(void *ud, const char *what, size_t done, size_t total) {
  (void)what; (void)total;
  *(size_t *)ud = done;
  return done >= 2;
}

/* A progress callback that asks to stop ends the run with TFP_EINTR, after
   the period it was called for, and leaves no result. */
static void a_progress_callback_interrupts_the_run_with_eintr(void) {
  toy p;
  toy_make(&p, 10, 4, NULL);
  tfp_malmquist_opts o;
  tfp_malmquist_opts_init(&o);
  size_t seen = 0;
  o.progress = stop_after_two;
  o.progress_ud = &seen;
  tfp_malmquist_result r;
  char err[256] = "";
  CHECK(tfp_malmquist_run(&p.d, p.code, 10, p.t, &o, &r, err, sizeof err) == TFP_EINTR);
  CHECK(seen == 2);
  CHECK_STR_CONTAINS(err, "Malmquist interrupted after 2 of 4 periods");
  CHECK(r.change[0] == NULL);
  toy_free(&p);
}

int main(void) {
  synthetic_panel_matches_benchmarking_in_both_orientations();
  deap111_matches_full_precision_reproductions();
  deap111_matches_deap_printed_output();
  deap_eg4_matches_deap_printed_output_and_deaR();
  components_multiply_up_and_crs_parts_do_not_depend_on_orientation();
  warm_start_gives_the_cold_start_indexes();
  an_unbalanced_panel_uses_the_pairs_present_in_both_periods();
  bad_panels_are_rejected_naming_the_column_and_row();
  a_progress_callback_interrupts_the_run_with_eintr();
  return check_report("test_malmquist");
}
