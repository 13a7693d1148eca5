/* panel.h — the panel: each row a unit (a group code) and a period.

   One implementation of what every panel primitive needs: dense group codes
   in sorted order of the values, rows in panel order (unit, then period,
   then row), and the checks, with one message format naming the unit and
   the period:
     id 'city' is missing in row 4 (year = 2003)
     time 'year' is missing in row 5 (city = Wuxi)
     time 'year' is 2003.5 in row 5 (city = Wuxi): periods must be whole numbers
     duplicate city = Wuxi, year = 2002 in rows 1 and 3
   Frames (frame.c), capital stock and deflating (capital.c, deflate.c), the
   Malmquist index (malmquist.c) and the IV fit's fixed effects and clusters
   use these; the bindings number Lua's groups by tfp_group_codes too. */
#ifndef TFP_PANEL_H
#define TFP_PANEL_H
#include <stddef.h>
#include "status.h"

typedef struct tfp_column tfp_column; /* frame.h */

/* Dense codes 0..n_groups-1 for the values of a column (numeric or string),
   numbered in sorted order of the values; missing values get code -1.
   Numbers go through a hash table (only the distinct values are sorted:
   linear in the rows), strings through a sort.
   Returns TFP_OK, TFP_ENOMEM, or TFP_EINTR when progress (status.h; may be
   NULL) stops the sort. The panel functions below take progress alike. */
int tfp_group_codes(const tfp_column *c, size_t nrow, int *code, size_t *n_groups, tfp_progress_fn progress,
                    void *progress_ud);

/* The same numbering for v[rows[k]], k < n (rows NULL: v[k]): code[k] is
   the rank of its value among the distinct values, NaN gets -1. levels
   (optional) receives the n_groups distinct values, ascending (malloc'ed,
   the caller frees). */
int tfp_group_codes_num(const double *v, const size_t *rows, size_t n, int *code, double **levels,
                        size_t *n_groups, tfp_progress_fn progress, void *progress_ud);

/* A row's place in panel order, (unit code, time, row); sort with tfp_sort
   (or qsort) and tfp_panel_key_cmp. */
typedef struct {
  int g;
  double t;
  size_t row;
} tfp_panel_key;
int tfp_panel_key_cmp(const void *a, const void *b);

/* How messages name the panel: the variables, and a unit by unit_label[code]
   when given, else by the id column's value in the row (id_col), else by
   its code + 1. NULL names read "id" and "time". */
typedef struct {
  const char *id_name, *time_name;
  const char *const *unit_label;
  const tfp_column *id_col;
} tfp_panel_names;

/* The label of unit u (seen in row `row`) for messages: in buf, or a label
   given; returns it. */
const char *tfp_panel_unit(const tfp_panel_names *nm, int u, size_t row, char *buf, size_t len);

/* The label of unit u for messages: unit_label[u], or its code + 1 in buf. */
const char *tfp_unit_name(const char *const *unit_label, int u, char *buf, size_t len);

enum { TFP_PERIOD_FINITE = 0, TFP_PERIOD_WHOLE = 1 };

/* The n rows' keys in panel order (*out, malloc'ed, the caller frees).
   Fails with TFP_EDATA at the first row (in row order) with a missing unit
   (unit[i] < 0) or a missing or infinite time, or (whole) a time that is
   not a whole number; TFP_ENOMEM, TFP_EINTR. Duplicates are left to
   tfp_panel_unique. */
int tfp_panel_keys(size_t n, const int *unit, const double *time, int whole, const tfp_panel_names *nm,
                   tfp_progress_fn progress, void *progress_ud, tfp_panel_key **out, char *err,
                   size_t errlen);

/* TFP_OK, or TFP_EDATA naming the first duplicate unit-period pair of the
   sorted keys. */
int tfp_panel_unique(const tfp_panel_key *key, size_t n, const tfp_panel_names *nm, char *err, size_t errlen);

/* Periods of the panel indexes (malmquist.c, ml.c, boot.c). tfp_panel_periods:
   the distinct values of the n (finite) times, ascending, into
   period[0 .. *n_periods) (period has room for n), and each row's period in
   period_of; TFP_OK, or TFP_EINTR when progress stops the sort.
   tfp_panel_period_rows: the rows grouped by period, in row order within
   one: period p's rows are rows[off[p] .. off[p+1]-1] (off has n_periods + 1
   entries, rows n). */
int tfp_panel_periods(const double *time, size_t n, double *period, int *period_of, size_t *n_periods,
                      tfp_progress_fn progress, void *progress_ud);
void tfp_panel_period_rows(const int *period_of, size_t n, size_t n_periods, size_t *off, size_t *rows);

/* Rows by unit, for the per-unit recursions of capital.c and deflate.c:
   order[] (n) receives the rows sorted by unit then time; the rows of unit u
   are order[start[u] .. start[u+1]-1] (start has n_units + 1 entries).
   Missing ids or times, times that are not whole numbers (or beyond 1e9)
   and duplicate unit-time pairs are errors; so are gaps when
   consecutive != 0. */
int tfp_panel_sort(size_t n, const int *unit, size_t n_units, const double *time, const tfp_panel_names *nm,
                   int consecutive, size_t *order, size_t *start, char *err, size_t errlen);
#endif
