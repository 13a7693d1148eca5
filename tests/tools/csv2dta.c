/* csv2dta.c — test fixture writer: a CSV to a Stata .dta (format 118) by
   ReadStat's own writer, an implementation independent of our reader.
     tfp_csv2dta in.csv out.dta [--label COL]...
   Numeric columns become doubles (missing: Stata's system missing); text
   columns strings; a --label column becomes an int32 variable whose value
   label set (named after it) maps codes 1, 2, ... to its distinct texts in
   order of first appearance, as Stata's encode does. */
#include <readstat.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include "csv.h"

static ssize_t write_bytes(const void *data, size_t len, void *ctx) {
  return (ssize_t)fwrite(data, 1, len, ctx);
}

int main(int argc, char **argv) {
  if (argc < 3) { fprintf(stderr, "usage: %s in.csv out.dta [--label COL]...\n", argv[0]); return 2; }
  tfp_frame *f;
  char err[512];
  if (tfp_csv_read(argv[1], NULL, &f, err, sizeof err) != TFP_OK) { fprintf(stderr, "%s\n", err); return 1; }
  size_t nc = f->ncol, n = f->nrow;
  int *labelled = calloc(nc ? nc : 1, sizeof *labelled);
  int *code = calloc((n ? n : 1) * (nc ? nc : 1), sizeof *code);
  for (int a = 3; a + 1 < argc; a += 2) {
    int j = strcmp(argv[a], "--label") == 0 ? tfp_frame_find(f, argv[a + 1]) : -1;
    if (j < 0 || f->col[j].type != TFP_STR) { fprintf(stderr, "--label %s: no such text column\n", argv[a + 1]); return 2; }
    labelled[j] = 1;
  }
  FILE *fp = fopen(argv[2], "wb");
  if (!fp) { perror(argv[2]); return 1; }
  readstat_writer_t *w = readstat_writer_init();
  readstat_set_data_writer(w, write_bytes);
  readstat_writer_set_file_format_version(w, 118);
  readstat_variable_t **var = calloc(nc ? nc : 1, sizeof *var);
  for (size_t j = 0; j < nc; j++) {
    tfp_column *c = &f->col[j];
    if (labelled[j]) {
      readstat_label_set_t *set = readstat_add_label_set(w, READSTAT_TYPE_INT32, c->name);
      int next = 0;
      for (size_t i = 0; i < n; i++) {
        if (!c->str[i]) continue;
        size_t k = 0;
        while (k < i && !(c->str[k] && strcmp(c->str[k], c->str[i]) == 0)) k++;
        if (k < i) { code[j * n + i] = code[j * n + k]; continue; }
        code[j * n + i] = ++next;
        readstat_label_int32_value(set, next, c->str[i]);
      }
      var[j] = readstat_add_variable(w, c->name, READSTAT_TYPE_INT32, 0);
      readstat_variable_set_label_set(var[j], set);
    } else if (c->type == TFP_STR) {
      size_t width = 1;
      for (size_t i = 0; i < n; i++)
        if (c->str[i] && strlen(c->str[i]) > width) width = strlen(c->str[i]);
      var[j] = readstat_add_variable(w, c->name, READSTAT_TYPE_STRING, width);
    } else {
      var[j] = readstat_add_variable(w, c->name, READSTAT_TYPE_DOUBLE, 0);
    }
  }
  readstat_begin_writing_dta(w, fp, (long)n);
  for (size_t i = 0; i < n; i++) {
    readstat_begin_row(w);
    for (size_t j = 0; j < nc; j++) {
      tfp_column *c = &f->col[j];
      if (labelled[j]) {
        if (c->str[i]) readstat_insert_int32_value(w, var[j], code[j * n + i]);
        else readstat_insert_missing_value(w, var[j]);
      } else if (c->type == TFP_STR) {
        readstat_insert_string_value(w, var[j], c->str[i] ? c->str[i] : "");
      } else if (c->num[i] != c->num[i]) {
        readstat_insert_missing_value(w, var[j]);
      } else {
        readstat_insert_double_value(w, var[j], c->num[i]);
      }
    }
    readstat_end_row(w);
  }
  readstat_error_t e = readstat_end_writing(w);
  readstat_writer_free(w);
  fclose(fp);
  free(var);
  free(code);
  free(labelled);
  tfp_frame_free(f);
  if (e != READSTAT_OK) { fprintf(stderr, "%s\n", readstat_error_message(e)); return 1; }
  return 0;
}
