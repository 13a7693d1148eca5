/* test_dta.c — Stata files: a file written by ReadStat's own writer (an
   independent implementation of the format) reads back with its values,
   missing values and variable labels; a labelled variable reads as its
   labels (an unlabelled code as its number) or, asked, as the codes; a
   non-Stata file is a clear error. */
#include <readstat.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include "check.h"
#include "dta.h"

static ssize_t write_bytes(const void *data, size_t len, void *ctx) {
  return (ssize_t)fwrite(data, 1, len, ctx);
}

static void write_labelled(const char *path) {
  FILE *fp = fopen(path, "wb");
  readstat_writer_t *w = readstat_writer_init();
  readstat_set_data_writer(w, write_bytes);
  readstat_writer_set_file_format_version(w, 118);
  readstat_label_set_t *set = readstat_add_label_set(w, READSTAT_TYPE_INT32, "belt");
  readstat_label_int32_value(set, 1, "East");
  readstat_label_int32_value(set, 2, "中部");
  readstat_variable_t *region = readstat_add_variable(w, "region", READSTAT_TYPE_INT32, 0);
  readstat_variable_set_label_set(region, set);
  readstat_begin_writing_dta(w, fp, 4);
  for (int i = 0; i < 4; i++) {
    readstat_begin_row(w);
    if (i == 3) readstat_insert_missing_value(w, region);
    else readstat_insert_int32_value(w, region, i + 1);   /* 3 has no label */
    readstat_end_row(w);
  }
  readstat_end_writing(w);
  readstat_writer_free(w);
  fclose(fp);
}

static void write_fixture(const char *path) {
  FILE *fp = fopen(path, "wb");
  readstat_writer_t *w = readstat_writer_init();
  readstat_set_data_writer(w, write_bytes);
  readstat_writer_set_file_format_version(w, 118);
  readstat_variable_t *city = readstat_add_variable(w, "city", READSTAT_TYPE_STRING, 16);
  readstat_variable_t *gdp = readstat_add_variable(w, "gdp", READSTAT_TYPE_DOUBLE, 0);
  readstat_variable_set_label(gdp, "GDP, 100 million yuan");
  readstat_begin_writing_dta(w, fp, 3);
  const char *names[] = {"Beijing", "Hefei", ""};
  const double values[] = {12345.678, 0.25, 0};
  for (int i = 0; i < 3; i++) {
    readstat_begin_row(w);
    readstat_insert_string_value(w, city, names[i]);
    if (i == 2) readstat_insert_missing_value(w, gdp);
    else readstat_insert_double_value(w, gdp, values[i]);
    readstat_end_row(w);
  }
  readstat_end_writing(w);
  readstat_writer_free(w);
  fclose(fp);
}

int main(void) {
  char path[] = "/tmp/tfp_dta_XXXXXX", err[256];
  int fd = mkstemp(path);
  close(fd);
  write_fixture(path);
  tfp_frame *f;
  CHECK(tfp_dta_read(path, &f, err, sizeof err) == TFP_OK);
  if (f) {
    CHECK(f->nrow == 3 && f->ncol == 2);
    CHECK(f->col[0].type == TFP_STR && strcmp(f->col[0].str[1], "Hefei") == 0 && f->col[0].str[2] == NULL);
    CHECK(f->col[1].type == TFP_NUM && f->col[1].num[0] == 12345.678 && isnan(f->col[1].num[2]));
    CHECK(f->col[1].label && strcmp(f->col[1].label, "GDP, 100 million yuan") == 0);
    tfp_frame_free(f);
  }
  CHECK(tfp_dta_read("refs/stata-ivreg2/card_data.csv", &f, err, sizeof err) == TFP_EDATA);
  CHECK_STR_CONTAINS(err, "refs/stata-ivreg2/card_data.csv: not a readable Stata file");
  write_labelled(path);
  CHECK(tfp_dta_read(path, &f, err, sizeof err) == TFP_OK);
  if (f) {
    tfp_column *c = &f->col[0];
    CHECK(c->type == TFP_STR && strcmp(c->str[0], "East") == 0 && strcmp(c->str[1], "中部") == 0);
    CHECK(c->type == TFP_STR && strcmp(c->str[2], "3") == 0 && c->str[3] == NULL);
    tfp_frame_free(f);
  }
  tfp_dta_opts o;
  tfp_dta_opts_init(&o);
  o.value_labels = 0;
  CHECK(tfp_dta_read_opts(path, &o, &f, err, sizeof err) == TFP_OK);
  if (f) {
    CHECK(f->col[0].type == TFP_NUM && f->col[0].num[1] == 2 && isnan(f->col[0].num[3]));
    tfp_frame_free(f);
  }
  remove(path);
  return check_report("test_dta");
}
