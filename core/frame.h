/* frame.h — a column-oriented data frame.

   Numeric columns are contiguous arrays of double with NaN for missing;
   string columns are arrays of malloc'ed strings with NULL for missing.
   A frame owns its columns; the caller owns the frames it creates and frees
   them with tfp_frame_free. Functions that can fail return TFP_OK or an
   error code and write a message into err (errlen bytes) when err != NULL. */
#ifndef TFP_FRAME_H
#define TFP_FRAME_H
#include <stddef.h>
#include "panel.h"
#include "status.h"

typedef enum { TFP_NUM = 0, TFP_STR = 1 } tfp_type;

typedef struct tfp_column {
  char *name;
  char *label;      /* variable label, or NULL */
  tfp_type type;
  double *num;      /* TFP_NUM: nrow values, NaN = missing */
  char **str;       /* TFP_STR: nrow strings, NULL = missing */
} tfp_column;

typedef struct tfp_frame {
  size_t nrow, ncol, cap;
  tfp_column *col;
  int panel_id, panel_time;   /* column indices declared by tfp_frame_panel, or -1 */
  /* name -> column index, a hash table kept by frame.c (open addressing,
     slots hold index + 1, 0 = empty; NULL when not built): lookups and
     additions stay O(1) with 100k columns. Only frame.c changes columns. */
  size_t *name_ix, name_cap;
} tfp_frame;

tfp_frame *tfp_frame_create(size_t nrow);
void tfp_frame_free(tfp_frame *f);

/* Index of the column called name, or -1. */
int tfp_frame_find(const tfp_frame *f, const char *name);

/* Add a column, replacing one of the same name. The frame takes ownership of
   data (nrow elements, malloc'ed) even on failure. Returns the column index,
   or -1 when out of memory. */
int tfp_frame_add_num(tfp_frame *f, const char *name, double *data);
int tfp_frame_add_str(tfp_frame *f, const char *name, char **data);
int tfp_frame_set_label(tfp_frame *f, int col, const char *label);
void tfp_frame_drop(tfp_frame *f, int col);

/* Deep copy of the listed rows (in that order). NULL when out of memory. */
tfp_frame *tfp_frame_rows(const tfp_frame *f, const size_t *rows, size_t n);

/* Copies of one column's storage (malloc'ed; NULL when out of memory). */
double *tfp_column_copy_num(const tfp_column *c, size_t n);
char **tfp_column_copy_str(const tfp_column *c, size_t n);
void tfp_column_free_str(char **s, size_t n);

/* Declare the panel structure. Time must be numeric and integral. Fails with
   TFP_EDATA naming the first duplicate id-time pair or a missing id/time
   (panel.h's messages). Group codes and panel keys are in panel.h. */
int tfp_frame_panel(tfp_frame *f, int id_col, int time_col, tfp_progress_fn progress,
                    void *progress_ud, char *err, size_t errlen);

/* Row names for messages (a tfp_rows namer): ud is a tfp_frame_namer; rows
   are named by the unit and period columns ("city 12, year 2007 (row 5)"),
   or "row 5" where a column is -1 or a value is missing. */
typedef struct { const tfp_frame *f; int id, time; } tfp_frame_namer;
void tfp_frame_row_label(const void *ud, size_t row, char *buf, size_t len);

/* The declared panel's shape, as Stata's xtset reports it. Periods are the
   whole numbers first..last (lags assume a step of 1); a unit has a gap when
   a period inside its own first..last is missing, and spans all periods when
   its first and last are the panel's. Strongly balanced: every unit has every
   period; weakly: every unit has as many rows, at different periods. */
typedef struct {
  size_t n_units, n_obs;
  double first, last;         /* NaN when the frame has no rows */
  size_t n_periods;           /* last - first + 1 */
  size_t n_gaps;              /* units with a gap */
  size_t n_partial;           /* units not spanning first..last */
  int balance;                /* 2 strongly, 1 weakly balanced, 0 unbalanced */
} tfp_panel_info;

/* Fails with TFP_EINVAL when no panel is declared, or as tfp_frame_panel
   when the id or time columns changed since and now have missing values. */
int tfp_frame_panel_info(const tfp_frame *f, tfp_panel_info *info, tfp_progress_fn progress,
                         void *progress_ud, char *err, size_t errlen);

/* out[i] = x at (id_i, time_i - k) in the declared panel, NaN where that
   row does not exist (gaps are respected). k may be negative (a lead). */
int tfp_frame_lag(const tfp_frame *f, const double *x, long k, double *out,
                  tfp_progress_fn progress, void *progress_ud, char *err, size_t errlen);
#endif
