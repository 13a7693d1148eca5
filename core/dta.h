/* dta.h — Stata .dta files (versions 104-119) through ReadStat.
   Numeric variables become numeric columns (Stata's missing values, system
   and extended, become NaN); string variables become string columns (empty
   strings missing). Variable labels are kept as column labels. */
#ifndef TFP_DTA_H
#define TFP_DTA_H
#include "frame.h"

int tfp_dta_read(const char *path, tfp_frame **out, char *err, size_t errlen);
#endif
