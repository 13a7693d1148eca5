/* csv_baseline.h — the CSV reader as it was before issue 14 (core/csv.c at
   98b713b), kept for bench_csv_read's in-process baseline only: the whole
   file read into memory, tokenised into an arena of NUL-terminated fields,
   then each column typed and built (strtod per number, strcmp per field
   for the missing-value codes). Not part of the library. */
#include <errno.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include "csv.h"

static const char *default_na[] = {"", "NA", ".", NULL};

/* Growable arrays for the tokeniser. */
typedef struct {
  char *text; size_t len, cap;          /* field contents, NUL-separated */
  size_t *field; size_t nfield, fcap;   /* offset of each field in text */
  size_t *line; size_t nrec, rcap;      /* line where each record starts */
} tokens;

static int grow(void **p, size_t *cap, size_t need, size_t size) {
  if (need <= *cap) return 1;
  size_t cap2 = *cap ? *cap : 64;
  while (cap2 < need) cap2 *= 2;
  void *q = realloc(*p, cap2 * size);
  if (!q) return 0;
  *p = q;
  *cap = cap2;
  return 1;
}

static int put_char(tokens *t, char c) {
  if (!grow((void **)&t->text, &t->cap, t->len + 1, 1)) return 0;
  t->text[t->len++] = c;
  return 1;
}

static int start_field(tokens *t) {
  if (!grow((void **)&t->field, &t->fcap, t->nfield + 1, sizeof *t->field)) return 0;
  t->field[t->nfield++] = t->len;
  return 1;
}

static void tokens_free(tokens *t) { free(t->text); free(t->field); free(t->line); }

/* Splits text into records and fields. Records that are entirely empty lines
   are skipped. Each record's field count is checked by the caller. */
/* Between two questions to the progress callback: bytes parsed, rows built. */
enum { CHECK_BYTES = 1 << 20, CHECK_ROWS = 1 << 16, READ_CHUNK = 1 << 24 };

static int interrupted(const tfp_csv_opts *o, const char *what, size_t done, size_t total) {
  return o->progress && o->progress(o->progress_ud, what, done, total);
}

static int tokenise(const char *s, size_t n, const tfp_csv_opts *o, const char *src, tokens *t,
                    size_t **rec_nf, char *err, size_t errlen) {
  char sep = o->sep ? o->sep : ',';
  size_t i = 0, line = 1, rcap_nf = 0, first = 0, next_check = CHECK_BYTES;
  if (n >= 3 && (unsigned char)s[0] == 0xEF && (unsigned char)s[1] == 0xBB && (unsigned char)s[2] == 0xBF)
    i = 3;
  *rec_nf = NULL;
  while (i < n) {
    if (i >= next_check) {
      if (interrupted(o, "parsing", i, n)) return tfp_error(err, errlen, TFP_EINTR, "%s: interrupted", src);
      next_check = i + CHECK_BYTES;
    }
    if (s[i] == '\n' || (s[i] == '\r' && i + 1 < n && s[i + 1] == '\n')) {   /* blank line */
      i += s[i] == '\r' ? 2 : 1;
      line++;
      continue;
    }
    first = t->nfield;
    size_t rec_line = line;
    if (!grow((void **)&t->line, &t->rcap, t->nrec + 1, sizeof *t->line) ||
        !grow((void **)rec_nf, &rcap_nf, t->nrec + 1, sizeof **rec_nf)) return TFP_ENOMEM;
    for (;;) {   /* one field per pass */
      if (!start_field(t)) return TFP_ENOMEM;
      if (i < n && s[i] == '"') {
        size_t qline = line;
        i++;
        for (;;) {
          if (i >= n)
            return tfp_error(err, errlen, TFP_EDATA, "%s:%zu: unterminated quoted field (column %zu)",
                        src, qline, t->nfield - first);
          if (s[i] == '"') {
            if (i + 1 < n && s[i + 1] == '"') { if (!put_char(t, '"')) return TFP_ENOMEM; i += 2; continue; }
            i++;
            break;
          }
          if (s[i] == '\n') line++;
          if (s[i] == '\0') goto nul;
          if (!put_char(t, s[i++])) return TFP_ENOMEM;
        }
        if (i < n && s[i] != sep && s[i] != '\n' && s[i] != '\r')
          return tfp_error(err, errlen, TFP_EDATA,
                      "%s:%zu: unexpected character '%c' after a closing quote (column %zu)",
                      src, line, s[i], t->nfield - first);
      } else {
        while (i < n && s[i] != sep && s[i] != '\n' && !(s[i] == '\r' && (i + 1 == n || s[i + 1] == '\n'))) {
          if (s[i] == '\0') goto nul;
          if (!put_char(t, s[i++])) return TFP_ENOMEM;
        }
      }
      if (!put_char(t, '\0')) return TFP_ENOMEM;
      if (i < n && s[i] == sep) { i++; continue; }
      if (i < n && s[i] == '\r') i++;
      if (i < n && s[i] == '\n') { i++; line++; }
      break;
    }
    t->line[t->nrec] = rec_line;
    (*rec_nf)[t->nrec++] = t->nfield - first;
  }
  return TFP_OK;
nul:   /* fields are C strings: a NUL would silently cut the field */
  return tfp_error(err, errlen, TFP_EDATA, "%s:%zu: NUL byte in column %zu (a binary file, or "
                   "UTF-16 text? save it as UTF-8)", src, line, t->nfield - first);
}

/* Columns by name, then position: duplicates end up adjacent. */
typedef struct { const char *name; size_t j; } named_col;
static int cmp_named_col(const void *a, const void *b) {
  const named_col *x = a, *y = b;
  int c = strcmp(x->name, y->name);
  return c ? c : (x->j > y->j) - (x->j < y->j);
}

static int in_list(const char *s, const char *const *list) {
  for (; list && *list; list++)
    if (strcmp(s, *list) == 0) return 1;
  return 0;
}

/* A plain decimal number: sign, digits, point, digits, exponent. No inf/nan/hex.
   Returns 1, 0 (not a number) or -1 (a number too large for a double). */
static int parse_number(const char *s, double *v) {
  const char *p = s;
  while (*p == ' ') p++;
  if (*p == '+' || *p == '-') p++;
  int digits = 0;
  while (*p >= '0' && *p <= '9') { p++; digits++; }
  if (*p == '.') { p++; while (*p >= '0' && *p <= '9') { p++; digits++; } }
  if (!digits) return 0;
  if (*p == 'e' || *p == 'E') {
    p++;
    if (*p == '+' || *p == '-') p++;
    if (!(*p >= '0' && *p <= '9')) return 0;
    while (*p >= '0' && *p <= '9') p++;
  }
  while (*p == ' ') p++;
  if (*p) return 0;
  errno = 0;
  *v = strtod(s, NULL);
  return isfinite(*v) ? 1 : -1;   /* underflow rounds to 0 or a subnormal: kept */
}

static int old_csv_parse(const char *text, size_t size, const char *source,
                  const tfp_csv_opts *o, tfp_frame **out, char *err, size_t errlen) {
  tfp_csv_opts def;
  if (!o) { tfp_csv_opts_init(&def); o = &def; }
  const char **na = o->na ? o->na : default_na;
  tokens t = {0};
  size_t *nf = NULL, ncol = 0;
  char **hdr = NULL;
  tfp_frame *f = NULL;
  *out = NULL;
  int rc = tokenise(text, size, o, source, &t, &nf, err, errlen);
  if (rc != TFP_OK) goto done;
  if (t.nrec == 0) { rc = tfp_error(err, errlen, TFP_EDATA, "%s: empty file (no header row)", source); goto done; }
  if (t.nrec == 1) { rc = tfp_error(err, errlen, TFP_EDATA, "%s: header only, no data rows", source); goto done; }
  ncol = nf[0];
  size_t nrow = t.nrec - 1;
  if (!(hdr = calloc(ncol, sizeof *hdr))) { rc = TFP_ENOMEM; goto done; }
  for (size_t j = 0; j < ncol; j++) {
    const char *name = t.text + t.field[j];
    size_t len = *name ? strlen(name) + 1 : 24;
    if (!(hdr[j] = malloc(len))) { rc = TFP_ENOMEM; goto done; }
    if (*name) memcpy(hdr[j], name, len);
    else snprintf(hdr[j], len, "v%zu", j + 1);   /* Stata's name for an unnamed column */
  }
  {   /* duplicate names by sorting (100k columns: a pairwise check took 30 s);
         reported as a left-to-right scan would: the earliest second occurrence */
    named_col *ord = malloc((ncol ? ncol : 1) * sizeof *ord);
    size_t dk = 0, dj = (size_t)-1;
    if (!ord) { rc = TFP_ENOMEM; goto done; }
    for (size_t j = 0; j < ncol; j++) ord[j] = (named_col){hdr[j], j};
    qsort(ord, ncol, sizeof *ord, cmp_named_col);
    for (size_t a = 1; a < ncol; a++)   /* the first two of each group of equal names */
      if (strcmp(ord[a].name, ord[a - 1].name) == 0 && (a < 2 || strcmp(ord[a - 1].name, ord[a - 2].name) != 0) &&
          ord[a].j < dj) { dk = ord[a - 1].j; dj = ord[a].j; }
    free(ord);
    if (dj != (size_t)-1) {
      rc = tfp_error(err, errlen, TFP_EDATA, "%s:%zu: duplicate column name '%s' (columns %zu and %zu)",
                     source, t.line[0], hdr[dj], dk + 1, dj + 1);
      goto done;
    }
  }
  for (size_t r = 1; r < t.nrec; r++)
    if (nf[r] != ncol) {
      rc = tfp_error(err, errlen, TFP_EDATA, "%s:%zu: row has %zu fields, the header has %zu",
                source, t.line[r], nf[r], ncol);
      goto done;
    }
  if (!(f = tfp_frame_create(nrow))) { rc = TFP_ENOMEM; goto done; }
  size_t at = ncol;   /* first data field */
  for (size_t j = 0; j < ncol; j++) {
    int want_num = in_list(hdr[j], o->num_cols), want_str = in_list(hdr[j], o->str_cols);
    double *num = malloc((nrow ? nrow : 1) * sizeof *num);
    if (!num) { rc = TFP_ENOMEM; goto done; }
    int numeric = !want_str;
    size_t too_big = 0;   /* 1 + row of the first number out of range */
    for (size_t r = 0; r < nrow && numeric; r++) {
      if (r % CHECK_ROWS == CHECK_ROWS - 1 && interrupted(o, "building columns", j * nrow + r, ncol * nrow)) {
        free(num);
        rc = tfp_error(err, errlen, TFP_EINTR, "%s: interrupted", source);
        goto done;
      }
      const char *s = t.text + t.field[at + r * ncol + j];
      int got;
      if (in_list(s, na)) num[r] = NAN;
      else if ((got = parse_number(s, &num[r])) < 0) { if (!too_big) too_big = r + 1; }
      else if (!got) {
        numeric = 0;
        if (want_num) {
          free(num);
          rc = tfp_error(err, errlen, TFP_EDATA, "%s:%zu: column %zu '%s' expects a number, got '%s'",
                    source, t.line[r + 1], j + 1, hdr[j], s);
          goto done;
        }
      }
    }
    if (numeric && too_big) {
      free(num);
      rc = tfp_error(err, errlen, TFP_EDATA, "%s:%zu: column %zu '%s': number '%s' is out of range "
                     "(beyond +-1.8e308)", source, t.line[too_big], j + 1, hdr[j],
                     t.text + t.field[at + (too_big - 1) * ncol + j]);
      goto done;
    }
    if (numeric) {
      if (tfp_frame_add_num(f, hdr[j], num) < 0) { rc = TFP_ENOMEM; goto done; }
      continue;
    }
    free(num);
    char **str = calloc(nrow ? nrow : 1, sizeof *str);
    if (!str) { rc = TFP_ENOMEM; goto done; }
    /* a column declared text keeps "NA" and "." verbatim: only an empty
       field (or a token of an na list given explicitly) is missing there */
    int keep_na = want_str && !o->na;
    for (size_t r = 0; r < nrow; r++) {
      if (r % CHECK_ROWS == CHECK_ROWS - 1 && interrupted(o, "building columns", j * nrow + r, ncol * nrow)) {
        tfp_column_free_str(str, nrow);
        rc = tfp_error(err, errlen, TFP_EINTR, "%s: interrupted", source);
        goto done;
      }
      const char *s = t.text + t.field[at + r * ncol + j];
      if (keep_na ? *s == 0 : in_list(s, na)) continue;
      size_t len = strlen(s) + 1;
      if (!(str[r] = malloc(len))) { tfp_column_free_str(str, nrow); rc = TFP_ENOMEM; goto done; }
      memcpy(str[r], s, len);
    }
    if (tfp_frame_add_str(f, hdr[j], str) < 0) { rc = TFP_ENOMEM; goto done; }
  }
  *out = f;
  f = NULL;
done:
  if (rc == TFP_ENOMEM) tfp_error(err, errlen, rc, "%s: out of memory", source);
  tfp_frame_free(f);
  if (hdr) tfp_column_free_str(hdr, ncol);
  tokens_free(&t);
  free(nf);
  return rc;
}

/* The error of a failed system call whose errno was saved as e: a call that
   fails without setting errno (an allocation inside the C library, under
   fault injection) must not print a stale "Success" or "Inappropriate ioctl
   for device". */
static int old_io_error(char *err, size_t errlen, const char *path, const char *what, int e) {
  if (e == 0 || e == ENOMEM) return tfp_error(err, errlen, TFP_ENOMEM, "%s: %sout of memory", path, what);
  return tfp_error(err, errlen, TFP_EIO, "%s: %s%s", path, what, strerror(e));
}

static int old_csv_read(const char *path, const tfp_csv_opts *o, tfp_frame **out, char *err, size_t errlen) {
  tfp_csv_opts def;
  if (!o) { tfp_csv_opts_init(&def); o = &def; }
  *out = NULL;
  errno = 0;
  FILE *fp = fopen(path, "rb");
  if (!fp) return old_io_error(err, errlen, path, "", errno);
  struct stat st;
  size_t expect = fstat(fileno(fp), &st) == 0 && st.st_size > 0 ? (size_t)st.st_size : 0;
  char *buf = NULL;
  size_t len = 0, cap = 0, got;
  int e = 0;
  do {   /* in pieces of at most READ_CHUNK, asking progress between them */
    if (!grow((void **)&buf, &cap, len + 65536, 1)) { fclose(fp); free(buf); return tfp_error(err, errlen, TFP_ENOMEM, "%s: out of memory", path); }
    errno = 0;
    got = fread(buf + len, 1, cap - len < READ_CHUNK ? cap - len : READ_CHUNK, fp);
    e = errno;
    len += got;
    if (got > 0 && interrupted(o, "reading", len, expect > len ? expect : len + 1)) {
      fclose(fp);
      free(buf);
      return tfp_error(err, errlen, TFP_EINTR, "%s: interrupted", path);
    }
  } while (got > 0);
  int bad = ferror(fp);
  fclose(fp);
  if (bad) { free(buf); return old_io_error(err, errlen, path, "read error: ", e); }
  int rc = old_csv_parse(buf, len, path, o, out, err, errlen);
  free(buf);
  return rc;
}

