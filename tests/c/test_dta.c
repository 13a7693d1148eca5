/* test_dta.c — Stata files: a file written by ReadStat's own writer (an
   independent implementation of the format) reads back with its values,
   missing values and variable labels; a labelled variable reads as its
   labels (an unlabelled code as its number) or, asked, as the codes; a
   non-Stata file is a clear error; so are hostile headers (bytes of a
   written file patched, one row per case): an empty or repeated variable
   name, a row count the file cannot hold. */
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

static unsigned char *slurp(const char *path, size_t *size) {
  FILE *fp = fopen(path, "rb");
  fseek(fp, 0, SEEK_END);
  *size = (size_t)ftell(fp);
  rewind(fp);
  unsigned char *b = malloc(*size);
  if (fread(b, 1, *size, fp) != *size) *size = 0;
  fclose(fp);
  return b;
}

static unsigned char *find(unsigned char *b, size_t size, const char *tag) {
  size_t n = strlen(tag);
  for (size_t i = 0; i + n <= size; i++)
    if (memcmp(b + i, tag, n) == 0) return b + i + n;
  return NULL;
}

/* Patches of a format-118 file (names are 129-byte fields after <varnames>,
   the row count 8 little-endian bytes after <N>). */
static void empty_name(unsigned char *b, size_t size) { find(b, size, "<varnames>")[0] = 0; }
static void second_name_repeated(unsigned char *b, size_t size) {
  unsigned char *v = find(b, size, "<varnames>");
  memcpy(v + 129, v, 129);
}
static void billion_rows(unsigned char *b, size_t size) {
  unsigned long long n = 1000000000ULL;
  unsigned char *p = find(b, size, "<N>");
  for (int k = 0; k < 8; k++) p[k] = (unsigned char)(n >> (8 * k));
}
static void max_rows(unsigned char *b, size_t size) { memset(find(b, size, "<N>"), 0xff, 7); }

static const struct {
  const char *name;
  void (*patch)(unsigned char *, size_t);
  int status;
  const char *message;
} hostile[] = {
  {"an empty variable name is a data error naming the file and the variable", empty_name, TFP_EDATA,
   ": corrupt file: variable 1 has no name"},
  {"a variable name given twice is a data error naming it", second_name_repeated, TFP_EDATA,
   ": corrupt file: two variables are named 'city'"},
  {"a billion rows declared in a small file are refused before any allocation", billion_rows, TFP_EDATA,
   ": corrupt header: it declares 1000000000 rows"},
  {"an absurd row count is refused", max_rows, TFP_EDATA, ": not a readable Stata file: "},
};

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
  size_t size;
  unsigned char *good = slurp(path, &size);
  CHECK(tfp_dta_parse(good, size, "mem.dta", &f, err, sizeof err) == TFP_OK && f && f->nrow == 3);
  tfp_frame_free(f);
  for (size_t k = 0; k < sizeof hostile / sizeof hostile[0]; k++) {
    unsigned char *b = malloc(size);
    memcpy(b, good, size);
    hostile[k].patch(b, size);
    FILE *fp = fopen(path, "wb");
    fwrite(b, 1, size, fp);
    fclose(fp);
    int rc = tfp_dta_read(path, &f, err, sizeof err);
    if (rc != hostile[k].status || f) fprintf(stderr, "case: %s\n", hostile[k].name);
    CHECK(rc == hostile[k].status && f == NULL);
    CHECK(strncmp(err, path, strlen(path)) == 0);
    CHECK_STR_CONTAINS(err, hostile[k].message);
    CHECK(tfp_dta_parse(b, size, "mem.dta", &f, err, sizeof err) == hostile[k].status && f == NULL);
    CHECK_STR_CONTAINS(err, hostile[k].message);
    free(b);
  }
  free(good);
  CHECK(tfp_dta_read("/no/such/file.dta", &f, err, sizeof err) == TFP_EIO);
  CHECK_STR_CONTAINS(err, "/no/such/file.dta: No such file or directory");
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
