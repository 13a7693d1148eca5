/* csv.h — RFC 4180 reader and writer for data frames.

   Reads a header row then records: quoted fields (with "" escapes, embedded
   separators and newlines), a UTF-8 BOM and CRLF line ends are accepted.
   Column types are inferred (numeric when every non-missing field parses as a
   number) unless given. Malformed input fails with TFP_EDATA and a message
   naming the file (or source name), line and column: among it a NUL byte,
   and a number beyond the range of a double (1e400) in a numeric column.
   Columns listed in str_cols keep every non-empty field verbatim ("007",
   "NA", "."), unless an na list is given explicitly. */
#ifndef TFP_CSV_H
#define TFP_CSV_H
#include "frame.h"

typedef struct {
  char sep;                 /* field separator, default ',' */
  const char **na;          /* NA tokens, NULL-terminated; NULL = {"", "NA", "."}
                               (only "" in str_cols columns) */
  const char **num_cols;    /* columns that must be numeric (NULL-terminated), or NULL */
  const char **str_cols;    /* columns that must stay strings (NULL-terminated), or NULL */
  tfp_progress_fn progress; /* asked every few MB read or parsed (status.h): a non-zero
                               return stops with TFP_EINTR, everything freed; or NULL */
  void *progress_ud;
} tfp_csv_opts;

void tfp_csv_opts_init(tfp_csv_opts *o);

/* Parse size bytes of text; `source` names it in messages. */
int tfp_csv_parse(const char *text, size_t size, const char *source,
                  const tfp_csv_opts *o, tfp_frame **out, char *err, size_t errlen);
int tfp_csv_read(const char *path, const tfp_csv_opts *o, tfp_frame **out,
                 char *err, size_t errlen);

/* Write f to path through tfp_atomic (atomic_write.h: a temporary file
   renamed into place, links followed, mode kept, non-regular files refused).
   Numbers are written with 15 to 17 significant digits (the fewest that read
   back exactly), missing as empty fields. */
int tfp_csv_write(const tfp_frame *f, const char *path, char *err, size_t errlen);
#endif
