/* stock_yogo.h — Stock & Yogo (2005) critical values for the Cragg-Donald
   weak-identification F statistic, as embedded in ivreg2 (5% tests):
   - 2SLS relative bias 5/10/20/30%, K1 = 1..3 endogenous, L1 = K1+2..30;
   - 2SLS size 10/15/20/25%, K1 = 1..2, L1 = K1..30;
   - LIML size and Fuller-k relative and maximal bias, K1 = 1..2, L1 = 1..30.
   Source: Stock & Yogo (2005), "Testing for weak instruments in linear IV
   regression", Tables 5.1 and 5.2 (see tests/refs/stata-ivreg2/README.md). */
#ifndef TFP_STOCK_YOGO_H
#define TFP_STOCK_YOGO_H
#include <stddef.h>
#include "iv.h"

/* 2SLS relative bias b in {0.05,0.10,0.20,0.30} (index 0..3); NaN if not tabulated. */
double tfp_sy_bias(size_t K1, size_t L1, int b_index);
/* 2SLS size r in {0.10,0.15,0.20,0.25} (index 0..3); NaN if not tabulated. */
double tfp_sy_size(size_t K1, size_t L1, int r_index);
/* ivreg2's display for K1 endogenous regressors and L1 excluded
   instruments: the bias rows when tabulated, then the size rows, into cv
   (room for 8); *ncv gets their number. Returns the source's name, or NULL
   when nothing is tabulated. */
const char *tfp_sy_lookup(size_t K1, size_t L1, tfp_iv_cv *cv, size_t *ncv);
/* The same for LIML (fuller = 0: LIML size 10/15/20/25%) and Fuller-k
   (fuller = 1: Fuller relative bias, then maximal bias, 5/10/20/30%, for
   Fuller's a = 1 whatever the fit's a, as ivreg2 notes), K1 = 1..2, L1 =
   1..30 (Stock & Yogo 2005, Tables 5.3-5.5, as ivreg2 embeds them). */
const char *tfp_sy_lookup_liml(size_t K1, size_t L1, int fuller, tfp_iv_cv *cv, size_t *ncv);
#endif
