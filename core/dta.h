/* dta.h — Stata .dta files (versions 104-119) through ReadStat.
   Numeric variables become numeric columns (Stata's missing values, system
   and extended, become NaN); string variables become string columns (empty
   strings missing). Variable labels are kept as column labels.
   A numeric variable with a value label set becomes a string column of its
   labels (a value without a label is written as the number, as Stata shows
   it; missing stays missing), unless value_labels is 0: then the codes stay. */
#ifndef TFP_DTA_H
#define TFP_DTA_H
#include "frame.h"

/* Errors name the file: not a Stata file, a corrupt header (sizes the file
   cannot hold, a variable without a name or named twice) are TFP_EDATA; a
   missing or non-regular file TFP_EIO. */
typedef struct {
  int value_labels;   /* 1 (default): labelled variables read as their labels; 0: the codes */
  tfp_progress_fn progress;   /* asked every 65536 values (status.h): non-zero stops the
                                 read with TFP_EINTR, everything freed; or NULL */
  void *progress_ud;
} tfp_dta_opts;

void tfp_dta_opts_init(tfp_dta_opts *o);
int tfp_dta_read_opts(const char *path, const tfp_dta_opts *o, tfp_frame **out, char *err, size_t errlen);
/* tfp_dta_read_opts with the defaults. */
int tfp_dta_read(const char *path, tfp_frame **out, char *err, size_t errlen);
/* The same from size bytes in memory, named `name` in messages. */
int tfp_dta_parse(const void *data, size_t size, const char *name, tfp_frame **out, char *err, size_t errlen);
#endif
