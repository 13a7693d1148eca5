/* csv.c — RFC 4180 reader and atomic writer; see csv.h.

   The reader streams: see "the streaming reader" below. */
#include "csv.h"
#include "atomic_write.h"
#include "read_ahead.h"
#include <errno.h>
#include <math.h>
#include <stdarg.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

static const char *default_na[] = {"", "NA", ".", NULL};

void tfp_csv_opts_init(tfp_csv_opts *o) {
  memset(o, 0, sizeof *o);
  o->sep = ',';
}

/* ---- numbers: an exact decimal parser.

   A plain decimal number: spaces, sign, digits, point, digits, exponent,
   spaces; no inf/nan/hex. Up to 19 significant digits are gathered in an
   integer w with a decimal exponent e; when w <= 2^53 and |e| <= 22 both w
   and 10^|e| are doubles exactly, so one multiplication or division,
   correctly rounded by IEEE arithmetic, gives the correctly rounded value
   (Clinger's fast path): what strtod gives. Anything else (more digits,
   larger exponents) goes to strtod. Returns 1, 0 (not a number) or -1 (a
   number too large for a double). */
static const double pow10_exact[23] = {1e0,  1e1,  1e2,  1e3,  1e4,  1e5,  1e6,  1e7,
                                       1e8,  1e9,  1e10, 1e11, 1e12, 1e13, 1e14, 1e15,
                                       1e16, 1e17, 1e18, 1e19, 1e20, 1e21, 1e22};

static int slow_number(const char *s, size_t len, double *v) {
  char small[128], *buf = len < sizeof small ? small : malloc(len + 1);
  if (!buf) return 0;
  memcpy(buf, s, len);
  buf[len] = 0;
  *v = strtod(buf, NULL);
  if (buf != small) free(buf);
  return isfinite(*v) ? 1 : -1;   /* underflow rounds to 0 or a subnormal: kept */
}

static int parse_number(const char *p, size_t len, double *v) {
  const char *s = p, *end = p + len;
  while (s < end && *s == ' ') s++;
  while (end > s && end[-1] == ' ') end--;
  const char *q = s;
  int neg = 0, nd = 0, digits = 0, dropped = 0;
  if (q < end && (*q == '+' || *q == '-')) neg = *q++ == '-';
  uint64_t w = 0;
  long e10 = 0;
  for (; q < end && (unsigned)(*q - '0') < 10; q++, digits++) {
    unsigned d = (unsigned)(*q - '0');
    if (nd < 19) { if (w || d) { w = w * 10 + d; nd++; } }
    else { e10++; dropped |= d != 0; }
  }
  if (q < end && *q == '.')
    for (q++; q < end && (unsigned)(*q - '0') < 10; q++, digits++) {
      unsigned d = (unsigned)(*q - '0');
      if (nd < 19) { if (w || d) { w = w * 10 + d; nd++; } e10--; }
      else dropped |= d != 0;
    }
  if (!digits) return 0;
  if (q < end && (*q == 'e' || *q == 'E')) {
    q++;
    int eneg = 0;
    long ex = 0;
    if (q < end && (*q == '+' || *q == '-')) eneg = *q++ == '-';
    if (!(q < end && (unsigned)(*q - '0') < 10)) return 0;
    for (; q < end && (unsigned)(*q - '0') < 10; q++) if (ex < 100000) ex = ex * 10 + (*q - '0');
    e10 += eneg ? -ex : ex;
  }
  if (q != end) return 0;
  if (!dropped && w <= (1ull << 53) && e10 >= -22 && e10 <= 22) {
    double d = (double)w;
    d = e10 < 0 ? d / pow10_exact[-e10] : d * pow10_exact[e10];
    *v = neg ? -d : d;
    return 1;
  }
  if (w == 0 && !dropped) { *v = neg ? -0.0 : 0.0; return 1; }
  return slow_number(s, (size_t)(end - s), v);
}

/* ---- the streaming reader.

   The text is read in pieces (READ_CHUNK bytes, a record never split: the
   part of a record at a piece's end moves to the front of the next), and
   each record goes straight into typed columns: a column is numeric until a
   field that is neither a number nor a missing-value code turns it into
   text (fread's "bump"); the text of its earlier rows is then taken from a
   second read of those rows. So a column's type does not depend on how
   many rows were seen, and nothing holds the whole text. Errors are
   reported as the whole-text reader reported them: a malformed record
   (quote, NUL) at once; then an empty file, a header alone, a duplicate
   name, a record with the wrong number of fields (the first), and each
   column's first bad number, in column order. Missing-value codes are
   matched by length first (a bit per length), then by memcmp. */

enum { CHECK_BYTES = 1 << 20, CHECK_ROWS = 1 << 16, READ_CHUNK = 1 << 23 };

typedef struct {
  char *name;
  int text, want_num, want_str, keep_na;
  double *num;
  char **str;
  size_t bump;                    /* text from this row on (0: from the start) */
  size_t bad_row, big_row;        /* 1 + row of the first non-number (want_num), out-of-range number */
  size_t bad_line, big_line;
  char *bad_text, *big_text;
} rcol;

typedef struct { size_t off, len; int esc, has_num; double num; } span;

typedef struct {
  const tfp_csv_opts *o;
  const char *src;
  char sep;
  const char **na;
  uint64_t na_lens;               /* bit k: a code of length k */
  unsigned char stop[256];        /* field ends: sep, \n, \r, NUL */
  rcol *col;
  size_t ncol, nrow, cap, nrec;
  size_t line, rec_line, hdr_line;
  size_t dup_a, dup_b;            /* 1 + columns of the first duplicate name */
  size_t nf_line, nf_count;       /* the first record with a wrong field count */
  span *f;
  size_t nf, fcap;
  char *esc;
  size_t esc_len, esc_cap;
  size_t pass2_rows;              /* rows before the latest bump: the second pass's */
  int second;                     /* in the second pass */
  size_t next_bytes, next_rows;   /* when to ask progress next */
  size_t done_bytes, total_bytes;
  size_t at_bytes;                /* the end of the last record taken: nrow rows lie before it */
  char *err;
  size_t errlen;
} reader;

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

static int interrupted(const tfp_csv_opts *o, const char *what, size_t done, size_t total) {
  return o->progress && o->progress(o->progress_ud, what, done, total);
}

static int is_na(const reader *R, const char *s, size_t len) {
  if (len >= 64 || !((R->na_lens >> len) & 1)) return 0;
  for (const char **t = R->na; *t; t++)
    if (strlen(*t) == len && memcmp(*t, s, len) == 0) return 1;
  return 0;
}

static char *copy_text(const char *s, size_t len) {
  char *p = malloc(len + 1);
  if (p) { memcpy(p, s, len); p[len] = 0; }
  return p;
}

/* The common number, read while the field is scanned: [-]digits[.digits],
   19 digits at most, ending at a field's end (stop[] byte; a CR only
   before LF or the text's end), its value exact (w <= 2^53 and at most 22
   decimals: one correctly rounded division, as in parse_number). Returns 1
   with *i at the field's end, or 0 (the caller scans the field again). */
static int scan_number(const char *s, size_t n, size_t *i, const unsigned char *stop, double *v) {
  size_t q = *i;
  int neg = q < n && s[q] == '-';
  q += (size_t)neg;
  uint64_t w = 0;
  size_t d0 = q, nfrac = 0;
  while (q < n && (unsigned)(s[q] - '0') < 10) w = w * 10 + (uint64_t)(s[q++] - '0');
  size_t nint = q - d0;
  if (q < n && s[q] == '.') {
    size_t f0 = ++q;
    while (q < n && (unsigned)(s[q] - '0') < 10) w = w * 10 + (uint64_t)(s[q++] - '0');
    nfrac = q - f0;
  }
  if (nint + nfrac == 0 || nint + nfrac > 19 || nfrac > 22 || w > (1ull << 53) || q >= n) return 0;
  if (!stop[(unsigned char)s[q]] || s[q] == 0) return 0;
  if (s[q] == '\r' && !(q + 1 < n && s[q + 1] == '\n')) return 0;
  double d = nfrac ? (double)w / pow10_exact[nfrac] : (double)w;
  *v = neg ? -d : d;
  *i = q;
  return 1;
}

/* One record from s[*pos..n): its fields' spans in R->f, *have = 1; or
   *have = 0 when the text ends, or more text is needed (!final: *pos stays
   at the record's start). Returns TFP_OK or an error code. */
static int next_record(reader *R, const char *s, size_t n, size_t *pos, int final, int *have) {
  size_t i = *pos, line0 = R->line;
  char sep = R->sep;
  for (;;) {   /* blank lines */
    if (i < n && s[i] == '\n') { i++; R->line++; continue; }
    if (i + 1 < n && s[i] == '\r' && s[i + 1] == '\n') { i += 2; R->line++; continue; }
    if (i + 1 == n && s[i] == '\r' && !final) { *have = 0; return TFP_OK; }
    break;
  }
  *pos = i;
  line0 = R->line;
  *have = 0;
  if (i >= n) return TFP_OK;
  R->rec_line = R->line;
  R->nf = 0;
  R->esc_len = 0;
  for (;;) {   /* one field per pass */
    if (!grow((void **)&R->f, &R->fcap, R->nf + 1, sizeof *R->f)) return TFP_ENOMEM;
    span *f = &R->f[R->nf++];
    if (i < n && s[i] == '"') {
      size_t qline = R->line;
      f->off = R->esc_len; f->esc = 1; f->has_num = 0;
      for (i++;;) {
        if (i >= n) {
          if (!final) goto more;
          return tfp_error(R->err, R->errlen, TFP_EDATA, "%s:%zu: unterminated quoted field (column %zu)",
                           R->src, qline, R->nf);
        }
        char c = s[i];
        if (c == '"') {
          if (i + 1 >= n && !final) goto more;
          if (i + 1 < n && s[i + 1] == '"') { i++; }
          else { i++; break; }
        } else if (c == '\n') R->line++;
        else if (c == '\0') goto nul;
        if (!grow((void **)&R->esc, &R->esc_cap, R->esc_len + 1, 1)) return TFP_ENOMEM;
        R->esc[R->esc_len++] = c;
        i++;
      }
      f->len = R->esc_len - f->off;
      if (i >= n && !final) goto more;
      if (i < n && s[i] != sep && s[i] != '\n' && s[i] != '\r')
        return tfp_error(R->err, R->errlen, TFP_EDATA,
                         "%s:%zu: unexpected character '%c' after a closing quote (column %zu)",
                         R->src, R->line, s[i], R->nf);
    } else {
      size_t b = i;
      f->has_num = scan_number(s, n, &i, R->stop, &f->num);
      if (!f->has_num) i = b;
      for (;;) {
        while (i < n && !R->stop[(unsigned char)s[i]]) i++;
        if (i < n && s[i] == '\r' && i + 1 < n && s[i + 1] != '\n') { i++; continue; }
        break;
      }
      if (i >= n && !final) goto more;
      if (i + 1 == n && s[i] == '\r' && !final) goto more;
      if (i < n && s[i] == '\0') goto nul;
      f->off = b; f->len = i - b; f->esc = 0;
    }
    if (i < n && s[i] == sep) { i++; continue; }
    if (i < n && s[i] == '\r') i++;
    if (i < n && s[i] == '\n') { i++; R->line++; }
    break;
  }
  *pos = i;
  *have = 1;
  return TFP_OK;
more:
  R->line = line0;
  *have = 0;
  return TFP_OK;
nul:   /* fields are C strings: a NUL would silently cut the field */
  return tfp_error(R->err, R->errlen, TFP_EDATA, "%s:%zu: NUL byte in column %zu (a binary file, or "
                   "UTF-16 text? save it as UTF-8)", R->src, R->line, R->nf);
}

static int in_list(const char *s, const char *const *list) {
  for (; list && *list; list++)
    if (strcmp(s, *list) == 0) return 1;
  return 0;
}

/* Columns by name, then position: duplicates end up adjacent. */
typedef struct { const char *name; size_t j; } named_col;
static int cmp_named_col(const void *a, const void *b) {
  const named_col *x = a, *y = b;
  int c = strcmp(x->name, y->name);
  return c ? c : (x->j > y->j) - (x->j < y->j);
}

/* The header: the columns, and the first duplicate name (by sorting: 100k
   columns took 30 s pairwise), as a left-to-right scan would find it. */
static int take_header(reader *R, const char *s) {
  size_t ncol = R->nf;
  if (!(R->col = calloc(ncol ? ncol : 1, sizeof *R->col))) return TFP_ENOMEM;
  R->ncol = ncol;
  R->hdr_line = R->rec_line;
  for (size_t j = 0; j < ncol; j++) {
    const span *f = &R->f[j];
    rcol *c = &R->col[j];
    if (f->len) c->name = copy_text((f->esc ? R->esc : s) + f->off, f->len);
    else if ((c->name = malloc(24))) snprintf(c->name, 24, "v%zu", j + 1);   /* Stata's name */
    if (!c->name) return TFP_ENOMEM;
    c->want_num = in_list(c->name, R->o->num_cols);
    c->want_str = in_list(c->name, R->o->str_cols);
    c->text = c->want_str;
    c->keep_na = c->want_str && !R->o->na;
  }
  named_col *ord = malloc((ncol ? ncol : 1) * sizeof *ord);
  if (!ord) return TFP_ENOMEM;
  for (size_t j = 0; j < ncol; j++) ord[j] = (named_col){R->col[j].name, j};
  qsort(ord, ncol, sizeof *ord, cmp_named_col);
  size_t dj = (size_t)-1, dk = 0;
  for (size_t a = 1; a < ncol; a++)   /* the first two of each group of equal names */
    if (strcmp(ord[a].name, ord[a - 1].name) == 0 && (a < 2 || strcmp(ord[a - 1].name, ord[a - 2].name) != 0) &&
        ord[a].j < dj) { dk = ord[a - 1].j; dj = ord[a].j; }
  free(ord);
  if (dj != (size_t)-1) { R->dup_a = dk + 1; R->dup_b = dj + 1; }
  return TFP_OK;
}

/* Room for row r in every column. */
static int reserve(reader *R, size_t r) {
  if (r < R->cap) return TFP_OK;
  size_t cap = R->cap ? R->cap + R->cap / 2 : 4096;
  /* rows of the whole file, from the bytes of those seen (not from whole
     pieces: a long record cut at a piece's end holds the piece back) */
  if (R->total_bytes && R->at_bytes && R->nrow > 1000) {
    double est = (double)R->total_bytes / (double)R->at_bytes * (double)R->nrow * 1.05 + 1024;
    if (est > (double)cap && est < 1e12) cap = (size_t)est;
  }
  for (size_t j = 0; j < R->ncol; j++) {
    rcol *c = &R->col[j];
    if (!c->text) {
      double *p = realloc(c->num, cap * sizeof *p);
      if (!p) return TFP_ENOMEM;
      c->num = p;
    } else {
      char **p = realloc(c->str, cap * sizeof *p);
      if (!p) return TFP_ENOMEM;
      memset(p + R->cap, 0, (cap - R->cap) * sizeof *p);
      c->str = p;
    }
  }
  R->cap = cap;
  return TFP_OK;
}

/* A column turns to text at row r: its numbers go, rows < r wait for the
   second pass. */
static int bump(reader *R, rcol *c, size_t r) {
  char **p = calloc(R->cap, sizeof *p);
  if (!p) return TFP_ENOMEM;
  free(c->num);
  c->num = NULL;
  c->str = p;
  c->text = 1;
  c->bump = r;
  if (r > R->pass2_rows) R->pass2_rows = r;
  return TFP_OK;
}

static int note_bad(char **text, size_t *row, size_t *line, size_t r, size_t at, const char *s, size_t len) {
  if (*row) return TFP_OK;
  *row = r + 1;
  *line = at;
  return (*text = copy_text(s, len)) ? TFP_OK : TFP_ENOMEM;
}

/* Field j of data row r into its column (num: its value when the scan
   read it, or NULL). */
static int take_field(reader *R, rcol *c, size_t r, const char *s, size_t len, const double *num) {
  if (c->text) {
    if (c->keep_na ? len == 0 : is_na(R, s, len)) { c->str[r] = NULL; return TFP_OK; }
    return (c->str[r] = copy_text(s, len)) ? TFP_OK : TFP_ENOMEM;
  }
  if (is_na(R, s, len)) { c->num[r] = NAN; return TFP_OK; }
  if (num) { c->num[r] = *num; return TFP_OK; }
  double v;
  int got = parse_number(s, len, &v);
  if (got > 0) { c->num[r] = v; return TFP_OK; }
  if (got < 0) { c->num[r] = v; return note_bad(&c->big_text, &c->big_row, &c->big_line, r, R->rec_line, s, len); }
  if (c->want_num) { c->num[r] = NAN; return note_bad(&c->bad_text, &c->bad_row, &c->bad_line, r, R->rec_line, s, len); }
  int rc = bump(R, c, r);
  return rc ? rc : take_field(R, c, r, s, len, NULL);
}

/* A record: the header, a data row, or (second pass) the text of the rows
   before a column's bump. */
static int take_record(reader *R, const char *s) {
  if (R->nrec++ == 0) return R->second ? TFP_OK : take_header(R, s);
  size_t r = R->nrow++;
  if (!R->second && R->nf != R->ncol && !R->nf_line) { R->nf_line = R->rec_line; R->nf_count = R->nf; }
  int rc = !R->second && r >= R->cap ? reserve(R, r) : TFP_OK;
  if (rc) return rc;
  for (size_t j = 0; j < R->ncol; j++) {
    rcol *c = &R->col[j];
    const span *f = j < R->nf ? &R->f[j] : NULL;
    const char *p = f ? (f->esc ? R->esc : s) + f->off : "";
    size_t len = f ? f->len : 0;
    const double *num = f && f->has_num ? &f->num : NULL;
    if (!R->second || (c->text && r < c->bump)) rc = take_field(R, c, r, p, len, num);
    if (rc) return rc;
  }
  return TFP_OK;
}

/* The records of s[0..n); *used gets the bytes consumed (a record cut by the
   piece's end is left for the next piece unless final). */
static int take_text(reader *R, const char *s, size_t n, int final, size_t *used) {
  size_t pos = 0;
  if (R->nrec == 0 && R->done_bytes == 0 && n >= 3 && (unsigned char)s[0] == 0xEF && (unsigned char)s[1] == 0xBB &&
      (unsigned char)s[2] == 0xBF)
    pos = 3;
  for (;;) {
    if (R->second && R->nrow >= R->pass2_rows) break;
    size_t here = R->done_bytes + pos;
    if (here >= R->next_bytes) {
      if (interrupted(R->o, "parsing", here, R->total_bytes > here ? R->total_bytes : here))
        return TFP_EINTR;
      R->next_bytes = here + CHECK_BYTES;
    }
    if (!R->second && R->nrow >= R->next_rows) {
      size_t est = R->cap > R->nrow ? R->cap : R->nrow;
      if (interrupted(R->o, "building columns", R->nrow, est)) return TFP_EINTR;
      R->next_rows = R->nrow + CHECK_ROWS;
    }
    int have, rc = next_record(R, s, n, &pos, final, &have);
    if (rc) return rc;
    if (!have) break;
    if ((rc = take_record(R, s))) return rc;
    R->at_bytes = R->done_bytes + pos;
  }
  *used = pos;
  return TFP_OK;
}

static void reader_init(reader *R, const tfp_csv_opts *o, const char *src, char *err, size_t errlen) {
  memset(R, 0, sizeof *R);
  R->o = o;
  R->src = src;
  R->sep = o->sep ? o->sep : ',';
  R->na = o->na ? o->na : default_na;
  for (const char **t = R->na; *t; t++) if (strlen(*t) < 64) R->na_lens |= 1ull << strlen(*t);
  R->stop[(unsigned char)R->sep] = R->stop['\n'] = R->stop['\r'] = R->stop[0] = 1;
  R->line = 1;
  R->err = err;
  R->errlen = errlen;
}

static void reader_free(reader *R) {
  for (size_t j = 0; j < R->ncol; j++) {
    rcol *c = &R->col[j];
    free(c->name); free(c->num); free(c->bad_text); free(c->big_text);
    if (c->str) tfp_column_free_str(c->str, R->cap);
  }
  free(R->col); free(R->f); free(R->esc);
}

/* Back to the start for the second pass (the rows before a bump). */
static void reader_rewind(reader *R) {
  R->nrec = R->nrow = 0;
  R->line = 1;
  R->second = 1;
  R->next_bytes = R->done_bytes = R->at_bytes = 0;
}

/* The errors found on the way, in the whole-text reader's order. */
static int reader_check(reader *R) {
  const char *src = R->src;
  if (R->nrec == 0) return tfp_error(R->err, R->errlen, TFP_EDATA, "%s: empty file (no header row)", src);
  if (R->nrow == 0) return tfp_error(R->err, R->errlen, TFP_EDATA, "%s: header only, no data rows", src);
  if (R->dup_b)
    return tfp_error(R->err, R->errlen, TFP_EDATA, "%s:%zu: duplicate column name '%s' (columns %zu and %zu)",
                     src, R->hdr_line, R->col[R->dup_b - 1].name, R->dup_a, R->dup_b);
  if (R->nf_line)
    return tfp_error(R->err, R->errlen, TFP_EDATA, "%s:%zu: row has %zu fields, the header has %zu", src,
                     R->nf_line, R->nf_count, R->ncol);
  for (size_t j = 0; j < R->ncol; j++) {
    const rcol *c = &R->col[j];
    if (c->want_num && c->bad_row)
      return tfp_error(R->err, R->errlen, TFP_EDATA, "%s:%zu: column %zu '%s' expects a number, got '%s'", src,
                       c->bad_line, j + 1, c->name, c->bad_text);
    if (!c->text && c->big_row)
      return tfp_error(R->err, R->errlen, TFP_EDATA, "%s:%zu: column %zu '%s': number '%s' is out of range "
                       "(beyond +-1.8e308)", src, c->big_line, j + 1, c->name, c->big_text);
  }
  return TFP_OK;
}

/* The columns handed to a frame (the reader keeps nothing). */
static int reader_frame(reader *R, tfp_frame **out) {
  tfp_frame *f = tfp_frame_create(R->nrow);
  if (!f) return TFP_ENOMEM;
  for (size_t j = 0; j < R->ncol; j++) {
    rcol *c = &R->col[j];
    int rc;
    if (!c->text) {
      double *p = realloc(c->num, (R->nrow ? R->nrow : 1) * sizeof *p);
      if (p) c->num = p;
      rc = tfp_frame_add_num(f, c->name, c->num);
      if (rc >= 0) c->num = NULL;
    } else {
      for (size_t r = R->nrow; r < R->cap; r++) c->str[r] = NULL;
      rc = tfp_frame_add_str(f, c->name, c->str);
      if (rc >= 0) c->str = NULL;
    }
    if (rc < 0) { tfp_frame_free(f); return TFP_ENOMEM; }
  }
  *out = f;
  return TFP_OK;
}

/* The whole of a text already in memory: one piece. */
static int read_text(reader *R, const char *text, size_t size) {
  size_t used = 0;
  R->total_bytes = size;
  return take_text(R, text, size, 1, &used);
}

static int finish(reader *R, int rc, tfp_frame **out) {
  if (!rc) rc = reader_check(R);
  if (!rc) rc = reader_frame(R, out);
  if (rc == TFP_EINTR) tfp_error(R->err, R->errlen, rc, "%s: interrupted", R->src);
  if (rc == TFP_ENOMEM) tfp_error(R->err, R->errlen, rc, "%s: out of memory", R->src);
  reader_free(R);
  return rc;
}

int tfp_csv_parse(const char *text, size_t size, const char *source,
                  const tfp_csv_opts *o, tfp_frame **out, char *err, size_t errlen) {
  tfp_csv_opts def;
  if (!o) { tfp_csv_opts_init(&def); o = &def; }
  *out = NULL;
  reader R;
  reader_init(&R, o, source, err, errlen);
  int rc = read_text(&R, text, size);
  if (!rc && R.pass2_rows) {
    size_t nrow = R.nrow, nrec = R.nrec, line = R.line;
    reader_rewind(&R);
    rc = read_text(&R, text, size);
    R.nrow = nrow; R.nrec = nrec; R.line = line;
  }
  return finish(&R, rc, out);
}

/* The error of a failed system call whose errno was saved as e: a call that
   fails without setting errno (an allocation inside the C library, under
   fault injection) must not print a stale "Success" or "Inappropriate ioctl
   for device". */
static int io_error(char *err, size_t errlen, const char *path, const char *what, int e) {
  if (e == 0 || e == ENOMEM) return tfp_error(err, errlen, TFP_ENOMEM, "%s: %sout of memory", path, what);
  return tfp_error(err, errlen, TFP_EIO, "%s: %s%s", path, what, strerror(e));
}

/* One piece of text (got of its len bytes new): progress ("reading"), then
   its whole records; *used the bytes taken. *done: no further piece wanted
   (the last one, or the second pass has its rows). */
static int take_piece(reader *R, const char *text, size_t len, size_t got, int final, size_t *used, int *done) {
  *used = 0;
  *done = 1;
  if (got > 0 && interrupted(R->o, "reading", R->done_bytes + len,
                             R->total_bytes > R->done_bytes + len ? R->total_bytes : R->done_bytes + len + 1))
    return TFP_EINTR;
  int rc = take_text(R, text, len, final, used);
  if (rc) return rc;
  *done = final || (R->second && R->nrow >= R->pass2_rows);
  if (!*done) R->done_bytes += *used;
  return TFP_OK;
}

/* One pass over the file in pieces: read, take the whole records, keep the
   cut one for the next piece. */
static int read_pass(reader *R, FILE *fp, const char *path, char **buf, size_t *cap) {
  size_t len = 0;
  for (;;) {
    if (*cap - len < READ_CHUNK / 2 && !grow((void **)buf, cap, len + READ_CHUNK, 1)) return TFP_ENOMEM;
    errno = 0;
    size_t got = fread(*buf + len, 1, *cap - len, fp);
    int e = errno;
    if (got == 0 && ferror(fp)) return io_error(R->err, R->errlen, path, "read error: ", e);
    len += got;
    size_t used;
    int done, rc = take_piece(R, *buf, len, got, got == 0 || feof(fp), &used, &done);
    if (rc || done) return rc;
    memmove(*buf, *buf + used, len - used);
    len -= used;
  }
}

/* read_pass with the next piece read by a second thread meanwhile (files
   of more than one piece). The cut record goes into the room before the
   next piece (READ_HEAD bytes); a longer one, with the piece, into buf.
   Returns -1 when the thread cannot start: read_pass then. */
enum { READ_HEAD = 1 << 16 };

static int read_pass_ahead(reader *R, FILE *fp, const char *path, char **buf, size_t *cap) {
  tfp_read_ahead *ra = tfp_read_ahead_start(fp, READ_CHUNK, READ_HEAD);
  if (!ra) return -1;
  const char *left = NULL;   /* the cut record: in the previous piece or in buf */
  size_t nleft = 0;
  int rc = TFP_OK;
  for (;;) {
    char *data, *text;
    size_t got;
    int final, e = tfp_read_ahead_next(ra, &data, &got, &final);
    if (e) { rc = io_error(R->err, R->errlen, path, "read error: ", e); break; }
    if (nleft <= READ_HEAD) {
      text = data - nleft;
      if (nleft) memmove(text, left, nleft);
    } else {
      if (!grow((void **)buf, cap, nleft + got, 1)) { rc = TFP_ENOMEM; break; }
      memmove(*buf, left, nleft);
      memcpy(*buf + nleft, data, got);
      text = *buf;
    }
    tfp_read_ahead_release(ra);   /* the previous piece: copied from, refilled next */
    size_t len = nleft + got, used;
    int done;
    rc = take_piece(R, text, len, got, final, &used, &done);
    if (rc || done) break;
    left = text + used;
    nleft = len - used;
  }
  tfp_read_ahead_stop(ra);
  return rc;
}

/* One pass, the next piece read ahead where the file has more than one. */
static int read_file_pass(reader *R, FILE *fp, const char *path, char **buf, size_t *cap) {
  if (R->total_bytes > READ_CHUNK) {
    int rc = read_pass_ahead(R, fp, path, buf, cap);
    if (rc != -1) return rc;
  }
  return read_pass(R, fp, path, buf, cap);
}

int tfp_csv_read(const char *path, const tfp_csv_opts *o, tfp_frame **out, char *err, size_t errlen) {
  tfp_csv_opts def;
  if (!o) { tfp_csv_opts_init(&def); o = &def; }
  *out = NULL;
  errno = 0;
  FILE *fp = fopen(path, "rb");
  if (!fp) return io_error(err, errlen, path, "", errno);
  struct stat st;
  reader R;
  reader_init(&R, o, path, err, errlen);
  R.total_bytes = fstat(fileno(fp), &st) == 0 && st.st_size > 0 ? (size_t)st.st_size : 0;
  char *buf = NULL;
  size_t cap = 0;
  int rc = read_file_pass(&R, fp, path, &buf, &cap);
  if (!rc && R.pass2_rows) {   /* a column turned to text: its earlier rows again */
    size_t nrow = R.nrow, nrec = R.nrec, line = R.line;
    reader_rewind(&R);
    rewind(fp);
    rc = read_file_pass(&R, fp, path, &buf, &cap);
    R.nrow = nrow; R.nrec = nrec; R.line = line;
  }
  free(buf);
  fclose(fp);
  return finish(&R, rc, out);
}

/* Shortest of %.15g/%.16g/%.17g that reads back to the same double. */
static void format_double(char *buf, size_t n, double v) {
  for (int p = 15; p <= 17; p++) {
    snprintf(buf, n, "%.*g", p, v);
    if (strtod(buf, NULL) == v) return;
  }
}

static int write_field(tfp_atomic *a, const char *s) {
  if (!strpbrk(s, ",\"\r\n") && s[0] != ' ' && (!*s || s[strlen(s) - 1] != ' '))
    return tfp_atomic_puts(a, s);
  tfp_atomic_putc(a, '"');
  for (; *s; s++) {
    if (*s == '"') tfp_atomic_putc(a, '"');
    tfp_atomic_putc(a, *s);
  }
  return tfp_atomic_putc(a, '"');
}

int tfp_csv_write(const tfp_frame *f, const char *path, char *err, size_t errlen) {
  tfp_atomic *a;
  int rc = tfp_atomic_open(path, &a, err, errlen);
  if (rc != TFP_OK) return rc;
  int ok = 1;
  for (size_t j = 0; ok && j < f->ncol; j++) {
    if (j > 0) tfp_atomic_putc(a, ',');
    ok = write_field(a, f->col[j].name);
  }
  ok = ok && tfp_atomic_putc(a, '\n');
  char num[40];
  for (size_t i = 0; ok && i < f->nrow; i++) {
    for (size_t j = 0; ok && j < f->ncol; j++) {
      const tfp_column *c = &f->col[j];
      if (j > 0) tfp_atomic_putc(a, ',');
      if (c->type == TFP_NUM) {
        if (isnan(c->num[i])) continue;
        format_double(num, sizeof num, c->num[i]);
        ok = tfp_atomic_puts(a, num);
      } else if (c->str[i]) {
        ok = write_field(a, c->str[i]);
      }
    }
    ok = ok && tfp_atomic_putc(a, '\n');
  }
  return tfp_atomic_commit(a, err, errlen);   /* reports the first failed write */
}
