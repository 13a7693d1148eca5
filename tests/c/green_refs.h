/* green_refs.h — the synthetic green panel of refs/green (30 units x 2001-2006:
   inputs capital, labour; good output `output`; bad output `emissions`) cut
   into its years, for the C tests of the slacks-based and directional
   models. Reference files list the panel's rows in the panel's order. */
#ifndef TFP_TEST_GREEN_REFS_H
#define TFP_TEST_GREEN_REFS_H
#include <math.h>
#include <string.h>
#include "refs.h"
#include "green.h"

#define GP_YEARS 6
#define GP_UNITS 30

typedef struct {
  tfp_frame *f;
  double buf[GP_YEARS][4][GP_UNITS];
  const double *col[GP_YEARS][4];
  size_t row[GP_YEARS][GP_UNITS];   /* panel row of unit j in year t */
} green_panel;

static const char *gp_x_names[] = { "capital", "labour" }, *gp_y_names[] = { "output" },
                  *gp_b_names[] = { "emissions" };

static inline void gp_load(green_panel *p) {
  p->f = ref_load("refs/green/synth_green_panel.csv");
  const char *names[4] = { "capital", "labour", "output", "emissions" };
  const double *year = ref_col(p->f, "year");
  size_t cnt[GP_YEARS] = { 0 };
  for (size_t i = 0; i < p->f->nrow; i++) {
    int t = (int)year[i] - 2001;
    if (t < 0 || t >= GP_YEARS || cnt[t] >= GP_UNITS) { fprintf(stderr, "unexpected panel row %zu\n", i); exit(2); }
    size_t j = cnt[t]++;
    p->row[t][j] = i;
    for (int v = 0; v < 4; v++) p->buf[t][v][j] = ref_col(p->f, names[v])[i];
  }
  for (int t = 0; t < GP_YEARS; t++)
    for (int v = 0; v < 4; v++) p->col[t][v] = p->buf[t][v];
}

/* Year t (0-based) as a data set, with or without the bad output. */
static inline tfp_green_data gp_year(const green_panel *p, int t, int with_bad) {
  tfp_green_data d = { GP_UNITS, 2, 1, with_bad ? 1 : 0, p->col[t], p->col[t] + 2,
                       with_bad ? p->col[t] + 3 : NULL, gp_x_names, gp_y_names, gp_b_names };
  return d;
}

/* Compare got (NaN = NA) with the reference cell: NA patterns exactly,
   values to tol absolute. */
#define CHECK_REF(got, want, tol) do { double g__ = (got), w__ = (want); \
  if (isnan(w__) || isnan(g__)) { CHECK(isnan(w__) == isnan(g__)); \
    if (isnan(w__) != isnan(g__)) fprintf(stderr, "  got %.12g want %.12g\n", g__, w__); } \
  else CHECK_NEAR(g__, w__, tol); } while (0)
#endif
