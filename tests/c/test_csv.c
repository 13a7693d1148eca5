/* test_csv.c — the CSV reader on good and malformed text, one row per case. */
#include <stdlib.h>
#include <unistd.h>
#include <sys/stat.h>
#include <string.h>
#include "check.h"
#include "csv.h"

typedef struct {
  const char *name, *text;
  const char *error;   /* expected message fragment, or NULL for success */
  size_t nrow, ncol;
} csv_case;

static const csv_case cases[] = {
  {"an empty file is an error", "", "t.csv: empty file", 0, 0},
  {"a header without rows is an error", "a,b\n", "t.csv: header only", 0, 0},
  {"a ragged row names its line", "a,b\n1,2\n3\n", "t.csv:3: row has 1 fields, the header has 2", 0, 0},
  {"an unterminated quote names the line it opened on", "a,b\n1,\"x\n2,3\n", "t.csv:2: unterminated quoted field (column 2)", 0, 0},
  {"text after a closing quote is an error", "a\n\"x\"y\n", "t.csv:2: unexpected character 'y'", 0, 0},
  {"duplicate column names are an error", "a,b,a\n1,2,3\n", "duplicate column name 'a' (columns 1 and 3)", 0, 0},
  {"the first duplicate from the left is reported", "b,a,c,a,b\n1,2,3,4,5\n", "duplicate column name 'a' (columns 2 and 4)", 0, 0},
  {"quoted fields keep commas, quotes and newlines", "a,b\n\"x,\"\"y\"\"\nz\",2\n", NULL, 1, 2},
  {"a BOM and CRLF line ends are accepted", "\xEF\xBB\xBF" "a,b\r\n1,2\r\n3,4\r\n", NULL, 2, 2},
  {"blank lines are skipped", "a\n1\n\n2\n", NULL, 2, 1},
  {"a missing final newline is fine", "a,b\n1,2", NULL, 1, 2},
  {"an unnamed column is called v<j>", ",b\n1,2\n", NULL, 1, 2},
};

static void test_cases(void) {
  for (size_t k = 0; k < sizeof cases / sizeof *cases; k++) {
    const csv_case *c = &cases[k];
    tfp_frame *f = NULL;
    char err[256] = "";
    int rc = tfp_csv_parse(c->text, strlen(c->text), "t.csv", NULL, &f, err, sizeof err);
    if (c->error) {
      CHECK(rc == TFP_EDATA && f == NULL);
      CHECK_STR_CONTAINS(err, c->error);
    } else {
      CHECK(rc == TFP_OK);
      if (rc != TFP_OK) { fprintf(stderr, "  case '%s': %s\n", c->name, err); continue; }
      CHECK(f->nrow == c->nrow && f->ncol == c->ncol);
    }
    tfp_frame_free(f);
  }
}

static void test_quoted_field_contents(void) {
  const char *text = "a,b\n\"x,\"\"y\"\"\nz\",2\n";
  tfp_frame *f;
  char err[256];
  CHECK(tfp_csv_parse(text, strlen(text), "t.csv", NULL, &f, err, sizeof err) == TFP_OK);
  CHECK(f->col[0].type == TFP_STR && strcmp(f->col[0].str[0], "x,\"y\"\nz") == 0);
  CHECK(f->col[1].type == TFP_NUM && f->col[1].num[0] == 2);
  tfp_frame_free(f);
}

static void test_types_and_missing(void) {
  const char *text = "id,x,s\n1,1.5,a\n2,NA,.\n3,,c\n4,-2e3,d\n";
  tfp_frame *f;
  char err[256];
  CHECK(tfp_csv_parse(text, strlen(text), "t.csv", NULL, &f, err, sizeof err) == TFP_OK);
  CHECK(f->col[1].type == TFP_NUM);
  CHECK(isnan(f->col[1].num[1]) && isnan(f->col[1].num[2]));
  CHECK_NEAR(f->col[1].num[3], -2000, 0);
  CHECK(f->col[2].type == TFP_STR && f->col[2].str[1] == NULL && strcmp(f->col[2].str[2], "c") == 0);
  tfp_frame_free(f);
}

static void test_numeric_column_rejects_text(void) {
  const char *text = "id,x\n1,2\n2,abc\n";
  const char *num[] = {"x", NULL};
  tfp_csv_opts o;
  tfp_csv_opts_init(&o);
  o.num_cols = num;
  tfp_frame *f;
  char err[256];
  CHECK(tfp_csv_parse(text, strlen(text), "t.csv", &o, &f, err, sizeof err) == TFP_EDATA);
  CHECK_STR_CONTAINS(err, "t.csv:3: column 2 'x' expects a number, got 'abc'");
  /* Without the declaration the column is text, and "inf" never counts as a number. */
  const char *inf = "x\n1\ninf\n";
  CHECK(tfp_csv_parse(inf, strlen(inf), "t.csv", NULL, &f, err, sizeof err) == TFP_OK);
  CHECK(f->col[0].type == TFP_STR);
  tfp_frame_free(f);
}

static void test_semicolon_separator(void) {
  const char *text = "a;b\n1,5;2\n";
  tfp_csv_opts o;
  tfp_csv_opts_init(&o);
  o.sep = ';';
  tfp_frame *f;
  char err[256];
  CHECK(tfp_csv_parse(text, strlen(text), "t.csv", &o, &f, err, sizeof err) == TFP_OK);
  CHECK(f->ncol == 2 && f->col[0].type == TFP_STR && f->col[1].num[0] == 2);
  tfp_frame_free(f);
}

/* Card (1995) as shipped with the Stata fixtures: 3010 rows, 34 columns. */
static void test_card_data_loads(void) {
  tfp_frame *f;
  char err[256];
  CHECK(tfp_csv_read("refs/stata-ivreg2/card_data.csv", NULL, &f, err, sizeof err) == TFP_OK);
  if (!f) { fprintf(stderr, "%s\n", err); return; }
  CHECK(f->nrow == 3010 && f->ncol == 34);
  int j = tfp_frame_find(f, "lwage");
  CHECK(j >= 0 && f->col[j].type == TFP_NUM);
  tfp_frame_free(f);
  CHECK(tfp_csv_read("refs/no-such-file.csv", NULL, &f, err, sizeof err) == TFP_EIO);
  CHECK_STR_CONTAINS(err, "refs/no-such-file.csv: No such file");
}

static void test_written_file_has_the_usual_permissions(void) {
  const char *text = "x\n1\n";
  tfp_frame *f;
  char err[256], path[64];
  snprintf(path, sizeof path, "/tmp/tfp_csv_mode_%d.csv", (int)getpid());
  mode_t old = umask(022);
  CHECK(tfp_csv_parse(text, strlen(text), "t.csv", NULL, &f, err, sizeof err) == TFP_OK);
  CHECK(tfp_csv_write(f, path, err, sizeof err) == TFP_OK);
  struct stat st;
  CHECK(stat(path, &st) == 0 && (st.st_mode & 0777) == 0644);
  umask(old);
  remove(path);
  tfp_frame_free(f);
}

static void test_write_reads_back_exactly(void) {
  const char *text = "name,x\n\"a, b\",0.1\nc,\nd,1e-300\n";
  tfp_frame *f, *g;
  char err[256], path[] = "/tmp/tfp_csv_XXXXXX";
  int fd = mkstemp(path);
  CHECK(fd >= 0);
  close(fd);
  CHECK(tfp_csv_parse(text, strlen(text), "t.csv", NULL, &f, err, sizeof err) == TFP_OK);
  CHECK(tfp_csv_write(f, path, err, sizeof err) == TFP_OK);
  CHECK(tfp_csv_read(path, NULL, &g, err, sizeof err) == TFP_OK);
  CHECK(strcmp(g->col[0].str[0], "a, b") == 0);
  CHECK(g->col[1].num[0] == 0.1 && isnan(g->col[1].num[1]) && g->col[1].num[2] == 1e-300);
  CHECK(tfp_csv_write(f, "/no/such/dir/x.csv", err, sizeof err) == TFP_EIO);
  CHECK_STR_CONTAINS(err, "/no/such/dir/x.csv");
  remove(path);
  tfp_frame_free(f);
  tfp_frame_free(g);
}

/* Ctrl-C: a progress callback that says stop in a given stage ends the read
   with TFP_EINTR, "interrupted", no frame, and nothing leaked (ASan build). */
typedef struct { const char *stage; int calls, seen; } stopper;

static int stop_in_stage(void *ud, const char *what, size_t done, size_t total) {
  stopper *s = ud;
  s->calls++;
  CHECK(done <= total);
  if (strcmp(what, s->stage) != 0) return 0;
  s->seen = 1;
  return 1;
}

static char *big_text(size_t nrow, size_t *len) {
  char *t = malloc(nrow * 40 + 32);
  size_t n = (size_t)sprintf(t, "id,x,name\n");
  for (size_t i = 0; i < nrow; i++) n += (size_t)sprintf(t + n, "%zu,%.3f,unit%zu\n", i, 0.5 * (double)i, i % 97);
  *len = n;
  return t;
}

static void test_a_stopping_callback_stops_parsing_in_every_stage(void) {
  size_t len;
  char *text = big_text(200000, &len);   /* 5 MB, 200k rows */
  const char *stages[] = {"parsing", "building columns"};
  for (int k = 0; k < 2; k++) {
    stopper s = {stages[k], 0, 0};
    tfp_csv_opts o;
    tfp_csv_opts_init(&o);
    o.progress = stop_in_stage;
    o.progress_ud = &s;
    tfp_frame *f = (tfp_frame *)1;
    char err[256] = "";
    CHECK(tfp_csv_parse(text, len, "big.csv", &o, &f, err, sizeof err) == TFP_EINTR);
    CHECK(f == NULL);
    CHECK(s.seen);
    CHECK_STR_CONTAINS(err, "big.csv: interrupted");
  }
  /* a callback that never stops changes nothing */
  stopper s = {"never", 0, 0};
  tfp_csv_opts o;
  tfp_csv_opts_init(&o);
  o.progress = stop_in_stage;
  o.progress_ud = &s;
  tfp_frame *f = NULL;
  char err[256] = "";
  CHECK(tfp_csv_parse(text, len, "big.csv", &o, &f, err, sizeof err) == TFP_OK);
  CHECK(f && f->nrow == 200000 && f->ncol == 3 && f->col[2].type == TFP_STR);
  CHECK(s.calls > 5);
  tfp_frame_free(f);
  /* and reading a file stops between its pieces */
  char path[] = "/tmp/tfp_csv_intrXXXXXX";
  int fd = mkstemp(path);
  CHECK(fd >= 0);
  for (int rep = 0; fd >= 0 && rep < 4; rep++) CHECK(write(fd, text, len) == (ssize_t)len);   /* > 16 MB */
  if (fd >= 0) close(fd);
  stopper r = {"reading", 0, 0};
  o.progress_ud = &r;
  f = (tfp_frame *)1;
  CHECK(tfp_csv_read(path, &o, &f, err, sizeof err) == TFP_EINTR);
  CHECK(f == NULL && r.seen && r.calls == 1);
  CHECK_STR_CONTAINS(err, "interrupted");
  unlink(path);
  free(text);
}

/* A file of several pieces (read one piece ahead by a second thread) gives
   the frame the whole text gives: records cut at every piece boundary,
   quoted fields with newlines, fields longer than the room kept before a
   piece (64 KB) and than a piece itself, and a column that turns to text
   late (the second pass, read ahead too). */
static void same_frame(const tfp_frame *a, const tfp_frame *b) {
  CHECK(a->nrow == b->nrow && a->ncol == b->ncol);
  if (a->nrow != b->nrow || a->ncol != b->ncol) return;
  size_t bad = 0;
  for (size_t j = 0; j < a->ncol; j++) {
    CHECK(strcmp(a->col[j].name, b->col[j].name) == 0 && a->col[j].type == b->col[j].type);
    if (a->col[j].type != b->col[j].type) continue;
    for (size_t i = 0; i < a->nrow; i++) {
      if (a->col[j].type == TFP_NUM) bad += memcmp(&a->col[j].num[i], &b->col[j].num[i], sizeof(double)) != 0;
      else {
        const char *x = a->col[j].str[i], *y = b->col[j].str[i];
        bad += (x == NULL) != (y == NULL) || (x && strcmp(x, y) != 0);
      }
    }
  }
  CHECK(bad == 0);
}

static void test_a_file_of_many_pieces_reads_as_its_text(void) {
  size_t cap = 64u << 20, n = 0;
  char *t = malloc(cap);
  n += (size_t)sprintf(t + n, "id,x,late,note\n");
  size_t rows = 0;
  for (size_t i = 0; n < cap - (12u << 20); i++, rows++) {
    n += (size_t)sprintf(t + n, "%zu,%.17g,", i, 1.0 / (double)(i + 3));
    n += (size_t)(n > (30u << 20) && i % 1000 == 7 ? sprintf(t + n, "abc%zu,", i) : sprintf(t + n, "%zu,", i % 13));
    if (i % 5000 == 11) {                         /* 100 KB or 9 MB, quoted, with newlines */
      size_t w = i % 20000 == 11 ? 9u << 20 : 100000;
      t[n++] = '"';
      for (size_t k = 0; k < w; k++) t[n++] = k % 1000 == 999 ? '\n' : k % 7 == 0 ? ',' : (char)('a' + k % 26);
      t[n++] = '"';
    } else if (i % 3 == 0) {
      n += (size_t)sprintf(t + n, "\"line one\nline \"\"two\"\"\"");
    } else {
      n += (size_t)sprintf(t + n, "plain %zu", i);
    }
    t[n++] = '\n';
  }
  char path[] = "/tmp/tfp_csv_piecesXXXXXX";
  int fd = mkstemp(path);
  CHECK(fd >= 0);
  if (fd >= 0) { CHECK(write(fd, t, n) == (ssize_t)n); close(fd); }
  tfp_frame *a = NULL, *b = NULL;
  char err[256] = "";
  CHECK(tfp_csv_parse(t, n, "pieces.csv", NULL, &a, err, sizeof err) == TFP_OK);
  CHECK(tfp_csv_read(path, NULL, &b, err, sizeof err) == TFP_OK);
  if (a && b) {
    same_frame(a, b);
    CHECK(b->nrow == rows && b->col[2].type == TFP_STR && b->col[3].type == TFP_STR);
  }
  tfp_frame_free(a);
  tfp_frame_free(b);
  unlink(path);
  free(t);
}

int main(void) {
  test_a_stopping_callback_stops_parsing_in_every_stage();
  test_a_file_of_many_pieces_reads_as_its_text();
  test_cases();
  test_quoted_field_contents();
  test_types_and_missing();
  test_numeric_column_rejects_text();
  test_semicolon_separator();
  test_card_data_loads();
  test_write_reads_back_exactly();
  test_written_file_has_the_usual_permissions();
  return check_report("test_csv");
}
