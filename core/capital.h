/* capital.h — capital stock by the perpetual inventory method:

     K_t = (1 - delta) K_{t-1} + I_t

   with I_t real investment. The stock of a unit's first year is
   - TFP_K0_GROWTH, the Hall-Jones (1999) rule: K_first = I_first / (g + delta),
     g the unit's average (geometric) investment growth over its years,
     g = (I_last / I_first)^(1 / (t_last - t_first)) - 1;
   - TFP_K0_GIVEN: taken from k0[] at the unit's first-year row.
   The rows need not be sorted; each unit's years must be integral and
   consecutive (a gap, a duplicate year, a missing id, year or investment, or
   a negative investment is an error naming the unit and the years). */
#ifndef TFP_CAPITAL_H
#define TFP_CAPITAL_H
#include <stddef.h>

typedef enum { TFP_K0_GROWTH = 0, TFP_K0_GIVEN = 1 } tfp_k0_rule;

typedef struct {
  double delta;                   /* depreciation rate in (0, 1]; default 0.096 (the paper's) */
  tfp_k0_rule initial;            /* default TFP_K0_GROWTH */
  const double *k0;               /* TFP_K0_GIVEN: per row, read at each unit's first year */
  const char *const *unit_label;  /* n_units labels for messages, or NULL (codes are printed) */
  const char *id_name, *time_name;   /* the variables, for messages; default "id", "time" */
} tfp_capital_opts;

void tfp_capital_opts_init(tfp_capital_opts *o);

/* n rows; unit[i] in 0..n_units-1 (tfp_group_codes; -1 = missing id is an
   error), time[i] the year, investment[i] real investment. Writes k (n
   values, aligned with the rows). Returns TFP_OK, TFP_EINVAL, TFP_EDATA or
   TFP_ENOMEM with err filled. */
int tfp_capital_stock(size_t n, const int *unit, size_t n_units, const double *time,
                      const double *investment, const tfp_capital_opts *o,
                      double *k, char *err, size_t errlen);

#endif
