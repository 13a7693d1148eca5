/* deflate.h — real values from nominal values and a price index.

   chained index (previous period = 100; China's yearbook convention):
     P_base = 1,  P_t = P_{t-1} idx_t / 100 after the base,
     P_{t-1} = P_t / (idx_t / 100) before it;   real_t = nominal_t / P_t.
     The base period's own index (relative to the period before it) is not
     used. Each unit's periods must be consecutive and include the base. A
     missing index leaves the periods beyond it (seen from the base) missing.
   fixed-base index (base period = 100):
     real_t = nominal_t * idx_base / idx_t, idx_base the unit's index in the
     base period; with no base (NaN) the index is taken as is: real_t =
     nominal_t * 100 / idx_t (no panel needed).
   Missing nominal values give missing real values. An index of 0 or less, a
   missing id/time, a gap (chained) or a unit without a base row is an error
   naming the unit and the periods. */
#ifndef TFP_DEFLATE_H
#define TFP_DEFLATE_H
#include <stddef.h>

typedef struct {
  int chained;                    /* 1 (default): previous period = 100; 0: fixed base */
  double base;                    /* base period (default NaN: none; chained needs one) */
  const char *const *unit_label;  /* n_units labels for messages, or NULL */
  const char *id_name, *time_name;   /* the variables, for messages; default "id", "time" */
} tfp_deflate_opts;

void tfp_deflate_opts_init(tfp_deflate_opts *o);

/* n rows of nominal[] and index[]; unit[] (codes 0..n_units-1, or NULL for
   one unit) and time[] (NULL only for fixed base without a base period).
   Writes real (n values). Returns TFP_OK, TFP_EINVAL, TFP_EDATA, TFP_ENOMEM. */
int tfp_deflate(size_t n, const double *nominal, const double *index, const int *unit,
                size_t n_units, const double *time, const tfp_deflate_opts *o,
                double *real, char *err, size_t errlen);
#endif
