/* green.h — what the slacks-based and directional models (sbm.h, ddf.h,
   ml.h, meta.h) share: a data set with bad (undesirable) outputs, its
   check, and GLPK run under a guard.

   Data: n units, n_in inputs, n_out good outputs and n_bad bad outputs as
   column pointers (x[i][j] = input i of unit j), every value finite and > 0
   (checked, messages name the variable and the unit through `rows`).

   GLPK runs only inside tfp_glpk_guarded: its environment initialised
   explicitly (a failure there would print and abort), terminal output off,
   its fatal errors caught by its error hook (returned as TFP_ENOMEM or
   TFP_ENUMERIC; every GLPK object is then gone, so the body must keep no
   malloc'ed memory of its own that only it would free), its memory capped
   at lp_memory_mb (0: no cap), as dea.c does. */
#ifndef TFP_GREEN_H
#define TFP_GREEN_H
#include <stddef.h>
#include "status.h"

typedef struct {
  size_t n;
  size_t n_in, n_out, n_bad;
  const double *const *x;          /* n_in columns of n values */
  const double *const *y;          /* n_out good outputs */
  const double *const *b;          /* n_bad bad outputs (may be NULL when n_bad = 0) */
  const char *const *x_names, *const *y_names, *const *b_names;   /* or NULL */
} tfp_green_data;

/* Variable v of d in the order inputs, good outputs, bad outputs. */
const double *tfp_green_var(const tfp_green_data *d, size_t v);
/* "input 'capital'", "bad output 2", ... into buf. */
const char *tfp_green_var_name(const tfp_green_data *d, size_t v, char *buf, size_t len);

/* Every value finite and > 0, at least one input and one good output, and
   (as_reference) at least n_in + n_out + n_bad units. `what` prefixes the
   message ("" or "reference"); fn names the model ("SBM", "DDF"). */
int tfp_green_check(const tfp_green_data *d, int as_reference, const char *fn, const char *what,
                    const tfp_rows *rows, char *err, size_t errlen);

/* Column scales: each variable divided by the power of two nearest its
   geometric mean over the n units (exact; the slacks-based and directional
   scores are units invariant). scale: n_in + n_out + n_bad values. */
void tfp_green_scales(const tfp_green_data *d, double *scale);

/* Run body(ud) with GLPK guarded (see above). The body returns a TFP_ code.
   On a GLPK fatal error msg holds GLPK's text and the return is TFP_ENOMEM
   or TFP_ENUMERIC; *lost is set (the body's GLPK objects are gone). */
int tfp_glpk_guarded(int (*body)(void *), void *ud, int lp_memory_mb, int *lost,
                     char *msg, size_t msglen);
#endif
