/* test_hull.c — DEA over the frame (hull.h) gives today's scores, peers and
   slacks (hull = 0: every non-dominated unit in the LP) to 1e-9, under every
   returns to scale, both orientations, against its own or another
   technology; the same numbers, bit for bit, for 1, 2 and 3 threads; a run
   split into unit ranges gives the whole run's numbers; Ctrl-C (progress)
   stops it in the pool too. */
#include <math.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <stdio.h>
#include "check.h"
#include "dea.h"
#include "malmquist.h"

static uint64_t state = 88172645463325252ULL;
static double unif(void) {
  state ^= state << 13; state ^= state >> 7; state ^= state << 17;
  return ((double)(state >> 11) + 0.5) / 9007199254740992.0;
}

typedef struct { double *x1, *x2, *y1, *y2; const double *xp[2], *yp[2]; tfp_dea_data d; } units;

static void make(units *u, size_t n, double shift) {
  u->x1 = malloc(n * sizeof(double)); u->x2 = malloc(n * sizeof(double));
  u->y1 = malloc(n * sizeof(double)); u->y2 = malloc(n * sizeof(double));
  for (size_t j = 0; j < n; j++) {
    u->x1[j] = exp(2 * unif()); u->x2[j] = exp(2 * unif());
    double e = exp(-fabs(0.5 * (unif() - 0.5)));
    u->y1[j] = shift * pow(u->x1[j], 0.4) * pow(u->x2[j], 0.5) * e;
    u->y2[j] = shift * pow(u->x1[j], 0.3) * pow(u->x2[j], 0.3) * e * exp(0.3 * unif());
  }
  u->xp[0] = u->x1; u->xp[1] = u->x2; u->yp[0] = u->y1; u->yp[1] = u->y2;
  u->d = (tfp_dea_data){ n, 2, 2, u->xp, u->yp, NULL, NULL };
}

static void drop(units *u) { free(u->x1); free(u->x2); free(u->y1); free(u->y2); }

static void run(const units *e, const units *r, tfp_dea_rts rts, tfp_dea_orientation or, int hull, int threads,
                int extras, tfp_dea_result *res) {
  tfp_dea_opts o;
  tfp_dea_opts_init(&o);
  o.rts = rts; o.orientation = or; o.hull = hull; o.threads = threads;
  o.want_lambda = extras > 0;
  o.want_slacks = extras > 1;
  char err[256] = "";
  CHECK(tfp_dea_run(&e->d, r ? &r->d : NULL, &o, res, err, sizeof err) == TFP_OK);
}

static void same_numbers(const tfp_dea_result *a, const tfp_dea_result *b, double tol) {
  double worst = 0;
  for (size_t j = 0; j < a->n; j++) {
    CHECK(a->status[j] == b->status[j]);
    if (a->status[j] != TFP_DEA_OPTIMAL) continue;
    worst = fmax(worst, fabs(a->eff[j] - b->eff[j]));
    if (a->slack)
      for (size_t v = 0; v < 4; v++) worst = fmax(worst, fabs(a->slack[j * 4 + v] - b->slack[j * 4 + v]));
  }
  CHECK(worst <= tol);
}

static void frame_scores_match_todays_under_every_technology(void) {
  units a, b;
  make(&a, 700, 1.0);
  make(&b, 500, 1.1);
  for (int rts = 0; rts <= TFP_RTS_NDRS; rts++)
    for (int or = 0; or <= 1; or++)
      for (int other = 0; other <= 1; other++) {
        tfp_dea_result h, t;
        run(&a, other ? &b : NULL, rts, or, 1, 1, 0, &h);
        run(&a, other ? &b : NULL, rts, or, 0, 1, 0, &t);
        CHECK(h.n_cols <= t.n_cols);
        same_numbers(&h, &t, 1e-9);
        tfp_dea_result_clear(&h);
        tfp_dea_result_clear(&t);
      }
  drop(&a); drop(&b);
}

/* Degenerate data, where a remembered basis is most likely to be wrongly
   taken: integer values on a small grid (ties, duplicate units, units on
   one ray, weakly efficient units with slacks), scaled copies of one unit,
   and a constant input. Scores and slacks as today's under every returns
   to scale and both orientations. */
static void make_grid(units *a, size_t n) {
  make(a, n, 1.0);
  for (size_t j = 0; j < n; j++) {
    a->x1[j] = 1 + (double)(int)(5 * unif());
    a->x2[j] = j % 7 == 0 ? 3.0 : 1 + (double)(int)(4 * unif());
    a->y1[j] = 1 + (double)(int)(3 * unif());
    a->y2[j] = j % 5 == 0 ? a->y1[j] : 1 + (double)(int)(3 * unif());
    if (j % 11 == 0 && j > 0) {   /* a scaled copy of an earlier unit */
      double k = 1 + (double)(j % 3);
      a->x1[j] = k * a->x1[j - 1]; a->x2[j] = k * a->x2[j - 1];
      a->y1[j] = k * a->y1[j - 1]; a->y2[j] = k * a->y2[j - 1];
    }
  }
}

static void degenerate_data_match_todays(void) {
  units a;
  make_grid(&a, 600);
  for (int rts = 0; rts <= TFP_RTS_NDRS; rts++)
    for (int or = 0; or <= 1; or++)
      for (int extras = 0; extras <= 2; extras += 2) {
        tfp_dea_result h, t;
        run(&a, NULL, rts, or, 1, 2, extras, &h);
        run(&a, NULL, rts, or, 0, 1, extras, &t);
        same_numbers(&h, &t, 1e-9);
        tfp_dea_result_clear(&h);
        tfp_dea_result_clear(&t);
      }
  drop(&a);
}

/* Radial peers: the same units and weights. */
static void frame_peers_and_slacks_match_todays(void) {
  units a;
  make(&a, 400, 1.0);
  for (int rts = 0; rts <= 1; rts++) {
    tfp_dea_result h, t;
    run(&a, NULL, rts, TFP_DEA_INPUT, 1, 1, 1, &h);
    run(&a, NULL, rts, TFP_DEA_INPUT, 0, 1, 1, &t);
    same_numbers(&h, &t, 1e-9);
    size_t differ = 0;
    for (size_t j = 0; j < a.d.n; j++) {
      if (h.n_peers[j] != t.n_peers[j]) { differ++; continue; }
      for (size_t k = 0; k < h.n_peers[j]; k++)
        if (h.peer[j * h.max_peers + k] != t.peer[j * t.max_peers + k] ||
            fabs(h.peer_weight[j * h.max_peers + k] - t.peer_weight[j * t.max_peers + k]) > 1e-9) differ++;
    }
    if (differ) fprintf(stderr, "rts %d: %zu of %zu units' peers differ\n", rts, differ, a.d.n);
    CHECK(differ == 0);
    tfp_dea_result_clear(&h);
    tfp_dea_result_clear(&t);
    /* the second stage's slacks (its peers may be another optimum of the
       max-slack LP, as any LP solver's may) */
    run(&a, NULL, rts, TFP_DEA_INPUT, 1, 1, 2, &h);
    run(&a, NULL, rts, TFP_DEA_INPUT, 0, 1, 2, &t);
    same_numbers(&h, &t, 1e-9);
    tfp_dea_result_clear(&h);
    tfp_dea_result_clear(&t);
  }
  drop(&a);
}

static void any_thread_count_gives_the_same_bits(void) {
  units a;
  make(&a, 3000, 1.0);
  tfp_dea_result r[3];
  for (int k = 0; k < 3; k++) run(&a, NULL, TFP_RTS_VRS, TFP_DEA_OUTPUT, 1, k + 1, 2, &r[k]);
  for (int k = 1; k < 3; k++) {
    CHECK(memcmp(r[0].eff, r[k].eff, a.d.n * sizeof(double)) == 0);
    CHECK(memcmp(r[0].slack, r[k].slack, 4 * a.d.n * sizeof(double)) == 0);
    CHECK(memcmp(r[0].n_peers, r[k].n_peers, a.d.n * sizeof(size_t)) == 0);
    CHECK(r[0].n_iter == r[k].n_iter);
  }
  for (int k = 0; k < 3; k++) tfp_dea_result_clear(&r[k]);
  drop(&a);
}

static void unit_ranges_with_a_shared_frame_give_the_whole_run(void) {
  units a;
  make(&a, 2000, 1.0);
  tfp_dea_opts o;
  tfp_dea_opts_init(&o);
  o.rts = TFP_RTS_VRS;
  o.threads = 1;
  char err[256];
  size_t *frame, n_frame;
  CHECK(tfp_dea_frame(&a.d, &o, &frame, &n_frame, err, sizeof err) == TFP_OK);
  tfp_dea_result whole, part;
  CHECK(tfp_dea_run(&a.d, NULL, &o, &whole, err, sizeof err) == TFP_OK);
  CHECK(whole.n_cols == n_frame);
  o.frame = frame; o.n_frame = n_frame;
  o.unit_begin = 700; o.unit_end = 1300;
  CHECK(tfp_dea_run(&a.d, NULL, &o, &part, err, sizeof err) == TFP_OK);
  CHECK(part.status[0] == TFP_DEA_SKIPPED && isnan(part.eff[1999]));
  for (size_t j = 700; j < 1300; j++) CHECK(fabs(part.eff[j] - whole.eff[j]) <= 1e-12);
  CHECK(part.n_lp == 600);
  tfp_dea_result_clear(&whole);
  tfp_dea_result_clear(&part);
  free(frame);
  drop(&a);
}

static int stop_soon(void *ud, const char *what, size_t done, size_t total) {
  (void)what; (void)done; (void)total;
  return ++*(int *)ud > 2;
}

static void ctrl_c_stops_a_threaded_run(void) {
  units a;
  make(&a, 60000, 1.0);
  tfp_dea_opts o;
  tfp_dea_opts_init(&o);
  o.rts = TFP_RTS_VRS;
  o.threads = 2;
  int calls = 0;
  o.progress = stop_soon;
  o.progress_ud = &calls;
  tfp_dea_result r;
  char err[256] = "";
  CHECK(tfp_dea_run(&a.d, NULL, &o, &r, err, sizeof err) == TFP_EINTR);
  CHECK_STR_CONTAINS(err, "interrupted");
  CHECK(r.eff == NULL);
  drop(&a);
}

/* grid: the degenerate data of make_grid. */
static void malmquist_over_frames_matches_todays_for_any_thread_count(int grid) {
  size_t nu = 150, np = 4, n = nu * np;
  units a;
  if (grid) make_grid(&a, n);
  else make(&a, n, 1.0);
  double *t = malloc(n * sizeof *t);
  int *code = malloc(n * sizeof *code);
  for (size_t i = 0; i < n; i++) { t[i] = 2000.0 + (double)(i / nu); code[i] = (int)(i % nu); }
  tfp_malmquist_result r[3];
  for (int k = 0; k < 3; k++) {
    tfp_malmquist_opts o;
    tfp_malmquist_opts_init(&o);
    o.hull = k > 0;
    o.threads = k == 2 ? 2 : 1;
    char err[256];
    CHECK(tfp_malmquist_run(&a.d, code, nu, t, &o, &r[k], err, sizeof err) == TFP_OK);
  }
  double worst = 0;
  for (size_t i = 0; i < n; i++)
    for (int m = 0; m < TFP_MQ_NCOMP; m++)
      if (isnan(r[0].change[m][i]) != isnan(r[1].change[m][i])) worst = INFINITY;
      else if (!isnan(r[0].change[m][i])) worst = fmax(worst, fabs(r[0].change[m][i] - r[1].change[m][i]));
  CHECK(worst <= 1e-9);
  CHECK(memcmp(r[1].crs_tm1, r[2].crs_tm1, n * sizeof(double)) == 0);
  CHECK(memcmp(r[1].change[TFP_MQ_TFPCH], r[2].change[TFP_MQ_TFPCH], n * sizeof(double)) == 0);
  for (int k = 0; k < 3; k++) tfp_malmquist_result_clear(&r[k]);
  free(t); free(code);
  drop(&a);
}

int main(void) {
  frame_scores_match_todays_under_every_technology();
  degenerate_data_match_todays();
  frame_peers_and_slacks_match_todays();
  any_thread_count_gives_the_same_bits();
  unit_ranges_with_a_shared_frame_give_the_whole_run();
  ctrl_c_stops_a_threaded_run();
  malmquist_over_frames_matches_todays_for_any_thread_count(0);
  malmquist_over_frames_matches_todays_for_any_thread_count(1);
  return check_report("test_hull");
}
