/* dta.h — Stata .dta files (versions 104-119) through ReadStat.
   Numeric variables become numeric columns (Stata's missing values, system
   and extended, become NaN); string variables become string columns (empty
   strings missing). Variable labels are kept as column labels. */
#ifndef TFP_DTA_H
#define TFP_DTA_H
#include "frame.h"

/* Errors name the file: not a Stata file, a corrupt header (sizes the file
   cannot hold, a variable without a name or named twice) are TFP_EDATA; a
   missing or non-regular file TFP_EIO. */
int tfp_dta_read(const char *path, tfp_frame **out, char *err, size_t errlen);
/* The same from size bytes in memory, named `name` in messages. */
int tfp_dta_parse(const void *data, size_t size, const char *name, tfp_frame **out, char *err, size_t errlen);
#endif
