/* test_frontier.c — reference technologies (core/frontier.h) and the radial
   Malmquist index against sequential and global frontiers, compared with
   deaR 1.5.3's malmquist_index on the synthetic green panel
   (refs/green/README_frontiers.md): every index and distance deaR reports
   that tfpkit's decomposition defines, absolute 1e-6, NA where deaR has NA. */
#include <math.h>
#include <stdlib.h>
#include <string.h>
#include "check.h"
#include "refs.h"
#include "csv.h"
#include "frontier.h"
#include "malmquist.h"

static void test_spans_are_the_periods_up_to_t_or_all(void) {
  const size_t off[] = {0, 3, 5, 9};
  size_t b, e;
  tfp_reference_span(TFP_REF_CONTEMPORANEOUS, off, 3, 1, &b, &e);
  CHECK(b == 3 && e == 5);
  tfp_reference_span(TFP_REF_SEQUENTIAL, off, 3, 1, &b, &e);
  CHECK(b == 0 && e == 5);
  tfp_reference_span(TFP_REF_SEQUENTIAL, off, 3, 0, &b, &e);
  CHECK(b == 0 && e == 3);
  tfp_reference_span(TFP_REF_GLOBAL, off, 3, 0, &b, &e);
  CHECK(b == 0 && e == 9);
  CHECK(tfp_reference_parse("sequential") == TFP_REF_SEQUENTIAL);
  CHECK(tfp_reference_parse("global") == TFP_REF_GLOBAL);
  CHECK(tfp_reference_parse("nope") == -1);
  CHECK(strcmp(tfp_reference_name(TFP_REF_CONTEMPORANEOUS), "contemporaneous") == 0);
  double x[9], y[9];
  for (int k = 0; k < 9; k++) { x[k] = k + 1; y[k] = 10 * (k + 1); }
  const double *xs[] = {x}, *ys[] = {y}, *ptr[2];
  tfp_dea_data all = {9, 1, 1, xs, ys, NULL, NULL}, v;
  tfp_reference_view(&all, 3, 5, ptr, &v);
  CHECK(v.n == 2 && v.x[0][0] == 4 && v.y[0][1] == 50);
}

typedef struct {
  tfp_frame *f;
  size_t n;
  int *code;
  size_t n_units;
  const double *year;
  const double *xp[2], *yp[1];
  tfp_dea_data d;
} panel;

static const char *in_names[] = {"capital", "labour"}, *out_names[] = {"output"};

static void panel_open(panel *p) {
  p->f = ref_load("refs/green/frontiers_synth_green_panel.csv");
  p->n = p->f->nrow;
  int id = tfp_frame_find(p->f, "id");
  p->year = ref_col(p->f, "year");
  p->code = malloc(p->n * sizeof *p->code);
  CHECK(tfp_group_codes(&p->f->col[id], p->n, p->code, &p->n_units, NULL, NULL) == TFP_OK);
  p->xp[0] = ref_col(p->f, "capital");
  p->xp[1] = ref_col(p->f, "labour");
  p->yp[0] = ref_col(p->f, "output");
  tfp_dea_data d = { p->n, 2, 1, p->xp, p->yp, in_names, out_names };
  p->d = d;
}

/* The panel's row of unit `id` in `year`. */
static size_t row_of(const panel *p, const char *id, double year) {
  const tfp_column *c = &p->f->col[tfp_frame_find(p->f, "id")];
  for (size_t i = 0; i < p->n; i++)
    if (p->year[i] == year && strcmp(c->str[i], id) == 0) return i;
  fprintf(stderr, "no row for %s %g\n", id, year);
  exit(2);
}

/* A deaR cell (NaN for NA), with ours: equal within 1e-6 or both missing. */
static int n_compared;
static double max_diff;
static void same(const tfp_frame *ref, const char *col, size_t i, double got) {
  int j = tfp_frame_find(ref, col);
  if (j < 0) { fprintf(stderr, "reference column %s missing\n", col); exit(2); }
  const tfp_column *c = &ref->col[j];
  double want = c->type == TFP_NUM ? c->num[i] : NAN;
  n_compared++;
  if (isnan(want)) { CHECK(isnan(got)); return; }
  if (fabs(got - want) > max_diff) max_diff = fabs(got - want);
  if (!(fabs(got - want) <= 1e-6)) {
    fprintf(stderr, "  %s row %zu: got %.12g want %.12g\n", col, i + 1, got, want);
    CHECK(0);
  }
}

static void run(const panel *p, tfp_reference kind, tfp_dea_orientation or, tfp_malmquist_result *m) {
  tfp_malmquist_opts o;
  tfp_malmquist_opts_init(&o);
  o.reference = kind;
  o.orientation = or;
  char err[256];
  if (tfp_malmquist_run(&p->d, p->code, p->n_units, p->year, &o, m, err, sizeof err)) {
    fprintf(stderr, "malmquist: %s\n", err);
    exit(2);
  }
}

static void test_sequential_matches_dear(const panel *p, const char *path, tfp_dea_orientation or) {
  tfp_frame *ref = ref_load(path);
  tfp_malmquist_result m;
  run(p, TFP_REF_SEQUENTIAL, or, &m);
  const tfp_column *id = &ref->col[tfp_frame_find(ref, "id")];
  const double *from = ref_col(ref, "year_from"), *to = ref_col(ref, "year_to");
  n_compared = 0;
  for (size_t i = 0; i < ref->nrow; i++) {
    size_t r = row_of(p, id->str[i], to[i]), q = row_of(p, id->str[i], from[i]);
    same(ref, "mi", i, m.change[TFP_MQ_TFPCH][r]);
    same(ref, "ec", i, m.change[TFP_MQ_EFFCH][r]);
    same(ref, "tc", i, m.change[TFP_MQ_TECHCH][r]);
    same(ref, "pech", i, m.change[TFP_MQ_PECH][r]);
    same(ref, "sech", i, m.change[TFP_MQ_SECH][r]);
    same(ref, "d_seq_obs_t_crs", i, m.crs_t[r]);
    same(ref, "d_seq_obs_tm1_crs", i, m.crs_t[q]);
    same(ref, "d_seq_obs_t_vrs", i, m.vrs_t[r]);
    same(ref, "d_seq_obs_tm1_vrs", i, m.vrs_t[q]);
    same(ref, "d_seqprev_obs_t_crs", i, m.crs_tm1[r]);
    same(ref, "d_seqnext_obs_tm1_crs", i, m.crs_tp1[q]);
  }
  CHECK(n_compared == 150 * 11);
  CHECK(m.glob_crs == NULL);
  tfp_malmquist_result_clear(&m);
  tfp_frame_free(ref);
}

static void test_global_matches_dear(const panel *p, const char *path, tfp_dea_orientation or) {
  tfp_frame *ref = ref_load(path);
  tfp_malmquist_result m;
  run(p, TFP_REF_GLOBAL, or, &m);
  const tfp_column *id = &ref->col[tfp_frame_find(ref, "id")];
  const double *from = ref_col(ref, "year_from"), *to = ref_col(ref, "year_to");
  n_compared = 0;
  for (size_t i = 0; i < ref->nrow; i++) {
    size_t r = row_of(p, id->str[i], to[i]), q = row_of(p, id->str[i], from[i]);
    same(ref, "mi_crs", i, m.change[TFP_MQ_TFPCH][r]);
    same(ref, "ec_crs", i, m.change[TFP_MQ_EFFCH][r]);
    same(ref, "tc_crs", i, m.change[TFP_MQ_TECHCH][r]);
    same(ref, "pech_vrs", i, m.change[TFP_MQ_PECH][r]);
    same(ref, "d_cont_obs_t_crs", i, m.crs_t[r]);
    same(ref, "d_cont_obs_tm1_crs", i, m.crs_t[q]);
    same(ref, "d_cont_obs_t_vrs", i, m.vrs_t[r]);
    same(ref, "d_cont_obs_tm1_vrs", i, m.vrs_t[q]);
    same(ref, "d_glob_obs_t_crs", i, m.glob_crs[r]);
    same(ref, "d_glob_obs_tm1_crs", i, m.glob_crs[q]);
    same(ref, "d_glob_obs_t_vrs", i, m.glob_vrs[r]);
    same(ref, "d_glob_obs_tm1_vrs", i, m.glob_vrs[q]);
    same(ref, "d_tech_tm1_obs_t_crs", i, m.crs_tm1[r]);
    /* tfpch = effch * techch, effch = pech * sech, as in every reference */
    CHECK_NEAR(m.change[TFP_MQ_TFPCH][r], m.change[TFP_MQ_EFFCH][r] * m.change[TFP_MQ_TECHCH][r], 1e-12);
    CHECK_NEAR(m.change[TFP_MQ_EFFCH][r], m.change[TFP_MQ_PECH][r] * m.change[TFP_MQ_SECH][r], 1e-12);
  }
  CHECK(n_compared == 150 * 13);
  tfp_malmquist_result_clear(&m);
  tfp_frame_free(ref);
}

/* The first period's sequential frontier is its own: rows of the first
   year get the contemporaneous scores, bit for bit. */
static void test_sequential_starts_contemporaneous(const panel *p) {
  tfp_malmquist_result a, b;
  run(p, TFP_REF_CONTEMPORANEOUS, TFP_DEA_OUTPUT, &a);
  run(p, TFP_REF_SEQUENTIAL, TFP_DEA_OUTPUT, &b);
  int same_first = 1, differ_later = 0;
  for (size_t i = 0; i < p->n; i++) {
    if (p->year[i] == 2001) same_first &= a.crs_t[i] == b.crs_t[i] && a.vrs_t[i] == b.vrs_t[i];
    else differ_later += a.crs_t[i] != b.crs_t[i];
    if (p->year[i] > 2001) CHECK(b.crs_t[i] <= a.crs_t[i] + 1e-9);   /* a larger technology */
  }
  CHECK(same_first);
  CHECK(differ_later > 0);
  tfp_malmquist_result_clear(&a);
  tfp_malmquist_result_clear(&b);
}

static void test_an_unknown_reference_is_refused(const panel *p) {
  tfp_malmquist_opts o;
  tfp_malmquist_opts_init(&o);
  o.reference = (tfp_reference)7;
  tfp_malmquist_result m;
  char err[256] = "";
  CHECK(tfp_malmquist_run(&p->d, p->code, p->n_units, p->year, &o, &m, err, sizeof err) == TFP_EINVAL);
  CHECK_STR_CONTAINS(err, "reference");
}

int main(void) {
  test_spans_are_the_periods_up_to_t_or_all();
  panel p;
  panel_open(&p);
  test_sequential_matches_dear(&p, "refs/green/synth_malmquist_seq_in.csv", TFP_DEA_INPUT);
  test_sequential_matches_dear(&p, "refs/green/synth_malmquist_seq_out.csv", TFP_DEA_OUTPUT);
  test_global_matches_dear(&p, "refs/green/synth_malmquist_glob_in.csv", TFP_DEA_INPUT);
  test_global_matches_dear(&p, "refs/green/synth_malmquist_glob_out.csv", TFP_DEA_OUTPUT);
  test_sequential_starts_contemporaneous(&p);
  test_an_unknown_reference_is_refused(&p);
  tfp_frame_free(p.f);
  free(p.code);
  printf("largest difference from deaR: %.3g\n", max_diff);
  return check_report("test_frontier");
}
