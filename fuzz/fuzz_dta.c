/* fuzz_dta.c — libFuzzer target for the Stata .dta reader (ReadStat's
   parser and our callbacks, from memory): any bytes must give a frame or an
   error message naming the input, never a crash, a leak, undefined
   behaviour or an allocation the input's size does not justify. */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include "dta.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size) {
  tfp_frame *f = NULL;
  char err[512];
  int rc = tfp_dta_parse(data, size, "fuzz.dta", &f, err, sizeof err);
  if (rc != TFP_OK) {
    if (f != NULL || strlen(err) == 0 || strncmp(err, "fuzz.dta", 8) != 0) abort();
    return 0;
  }
  for (size_t j = 0; j < f->ncol; j++) {
    const tfp_column *c = &f->col[j];
    if (!c->name || !*c->name || (c->type == TFP_NUM) != (c->num != NULL)) abort();
    for (size_t k = 0; k < j; k++)
      if (strcmp(f->col[k].name, c->name) == 0) abort();
    for (size_t i = 0; i < f->nrow; i++) {
      if (c->type == TFP_STR && c->str[i]) (void)strlen(c->str[i]);
      if (c->type == TFP_NUM) (void)(c->num[i] == c->num[i]);
    }
  }
  tfp_frame_free(f);
  return 0;
}
