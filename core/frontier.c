/* frontier.c — reference technologies of a panel (see frontier.h). */
#include "frontier.h"
#include <string.h>

static const char *const names[] = { "contemporaneous", "sequential", "global" };

const char *tfp_reference_name(tfp_reference r) {
  return (unsigned)r <= TFP_REF_GLOBAL ? names[r] : NULL;
}

int tfp_reference_parse(const char *s) {
  for (int k = 0; s && k <= TFP_REF_GLOBAL; k++)
    if (strcmp(s, names[k]) == 0) return k;
  return -1;
}

void tfp_reference_span(tfp_reference kind, const size_t *off, size_t n_periods, size_t t,
                        size_t *begin, size_t *end) {
  switch (kind) {
  case TFP_REF_SEQUENTIAL: *begin = off[0]; *end = off[t + 1]; break;
  case TFP_REF_GLOBAL: *begin = off[0]; *end = off[n_periods]; break;
  default: *begin = off[t]; *end = off[t + 1]; break;
  }
}

void tfp_reference_view(const tfp_dea_data *sorted, size_t begin, size_t end,
                        const double **ptr, tfp_dea_data *view) {
  *view = *sorted;
  view->n = end - begin;
  for (size_t i = 0; i < sorted->n_in; i++) ptr[i] = sorted->x[i] + begin;
  for (size_t r = 0; r < sorted->n_out; r++) ptr[sorted->n_in + r] = sorted->y[r] + begin;
  view->x = ptr;
  view->y = ptr + sorted->n_in;
}
