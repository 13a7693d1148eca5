/* green.c — data checks, scales and the GLPK guard of the slacks-based and
   directional models (see green.h). */
#include "green.h"

#include <glpk.h>
#include <limits.h>
#include <math.h>
#include <setjmp.h>
#include <stdio.h>
#include <string.h>

const double *tfp_green_var(const tfp_green_data *d, size_t v) {
  if (v < d->n_in) return d->x[v];
  if (v < d->n_in + d->n_out) return d->y[v - d->n_in];
  return d->b[v - d->n_in - d->n_out];
}

const char *tfp_green_var_name(const tfp_green_data *d, size_t v, char *buf, size_t len) {
  const char *kind = "input", *const *names = d->x_names;
  size_t i = v;
  if (v >= d->n_in + d->n_out) { kind = "bad output"; names = d->b_names; i = v - d->n_in - d->n_out; }
  else if (v >= d->n_in) { kind = "output"; names = d->y_names; i = v - d->n_in; }
  if (names && names[i]) snprintf(buf, len, "%s '%s'", kind, names[i]);
  else snprintf(buf, len, "%s %zu", kind, i + 1);
  return buf;
}

int tfp_green_check(const tfp_green_data *d, int as_reference, const char *fn, const char *what,
                    const tfp_rows *rows, char *err, size_t errlen) {
  char var[256], rb[256];
  if (!what) what = "";
  const char *sep = *what ? " " : "";
  if (!d || d->n_in == 0 || d->n_out == 0 || !d->x || !d->y || (d->n_bad && !d->b)) {
    tfp_error(err, errlen, 0, "%s%s%s needs at least one input and one good output", what, *what ? ": " : "", fn);
    return TFP_EINVAL;
  }
  size_t n_var = d->n_in + d->n_out + d->n_bad;
  for (size_t v = 0; v < n_var; v++) {
    const double *c = tfp_green_var(d, v);
    tfp_green_var_name(d, v, var, sizeof var);
    if (!c) { tfp_error(err, errlen, 0, "%s is NULL", var); return TFP_EINVAL; }
    for (size_t j = 0; j < d->n; j++) {
      if (c[j] > 0 && isfinite(c[j])) continue;
      tfp_row_label(rows, j, rb, sizeof rb);
      if (isnan(c[j]))
        tfp_error(err, errlen, 0, "%s%s%s, %s: missing value (%s needs positive data)", what, sep, var, rb, fn);
      else if (isinf(c[j]))
        tfp_error(err, errlen, 0, "%s%s%s, %s: infinite value (%s needs positive data)", what, sep, var, rb, fn);
      else
        tfp_error(err, errlen, 0, "%s%s%s, %s: non-positive value %g (%s needs positive data)", what, sep, var,
                  rb, c[j], fn);
      return TFP_EDATA;
    }
  }
  if (as_reference && d->n < n_var) {
    tfp_error(err, errlen, 0, "%s%s%zu units, fewer than the variables (%zu): the frontier is not identified",
              what, *what ? ": " : "", d->n, n_var);
    return TFP_EDATA;
  }
  return TFP_OK;
}

void tfp_green_scales(const tfp_green_data *d, double *scale) {
  size_t n_var = d->n_in + d->n_out + d->n_bad;
  for (size_t v = 0; v < n_var; v++) {
    const double *c = tfp_green_var(d, v);
    double esum = 0;
    size_t cnt = 0;
    for (size_t k = 0; k < d->n; k++)
      if (c[k] != 0 && isfinite(c[k])) {
        int ex;
        frexp(c[k], &ex);
        esum += ex;
        cnt++;
      }
    scale[v] = cnt ? ldexp(1.0, (int)lround(esum / (double)cnt)) : 1.0;
  }
}

typedef struct {
  jmp_buf jb;
  char msg[256];
} guard_t;

static void on_fatal(void *info) {
  guard_t *g = info;
  longjmp(g->jb, 1);
}

static int on_term(void *info, const char *s) {
  guard_t *g = info;
  size_t used = strlen(g->msg);
  if (used + 1 < sizeof g->msg) snprintf(g->msg + used, sizeof g->msg - used, "%s", s);
  return 1;
}

/* The setjmp lives here, the work in body's own frame: nothing the longjmp
   could clobber is kept in this one but the guard (static storage duration
   would not be re-entrant; volatile is not needed for a pointer argument
   that is never modified). */
static int run_guarded(guard_t *g, int (*body)(void *), void *ud, int lp_memory_mb, int *lost) {
  g->msg[0] = '\0';
  int env = glp_init_env();
  if (env != 0 && env != 1) {
    snprintf(g->msg, sizeof g->msg, "%s", env == 2 ? "no memory available" : "unsupported");
    return env == 2 ? TFP_ENOMEM : TFP_ENUMERIC;
  }
  if (setjmp(g->jb)) {
    glp_free_env();   /* GLPK's objects are gone with it */
    *lost = 1;
    return strstr(g->msg, "memory") ? TFP_ENOMEM : TFP_ENUMERIC;
  }
  glp_error_hook(on_fatal, g);
  glp_term_hook(on_term, g);
  glp_term_out(GLP_OFF);
  glp_mem_limit(lp_memory_mb > 0 ? lp_memory_mb : INT_MAX);
  int rc = body(ud);
  glp_mem_limit(INT_MAX);
  glp_term_hook(NULL, NULL);
  glp_error_hook(NULL, NULL);
  return rc;
}

int tfp_glpk_guarded(int (*body)(void *), void *ud, int lp_memory_mb, int *lost, char *msg,
                     size_t msglen) {
  guard_t g;
  *lost = 0;
  int rc = run_guarded(&g, body, ud, lp_memory_mb, lost);
  if (*lost && msg && msglen) snprintf(msg, msglen, "%s", g.msg);
  return rc;
}
