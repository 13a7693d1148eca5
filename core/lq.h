/* lq.h — location quotients (location entropy), equation (1) of the paper:

     SAGG_j = (x_j / y_j) / (X / Y)

   x_j: employment of row j in the producer-service sectors (the sum of the
   sector columns), y_j: its total employment, X and Y: the same sums over all
   rows of j's group (usually the year: the national ratio of that year).

   Rows with a missing value (NaN) in any sector or in the total do not enter
   their group's sums and get NaN. Misuse of the data is an error naming the
   row (1-based, as the frame prints it): a negative value, a total of 0 or
   less, sectors summing to more than the total, or a group whose complete
   rows have no sector employment at all (the ratio X / Y would be 0). */
#ifndef TFP_LQ_H
#define TFP_LQ_H
#include <stddef.h>
#include "status.h"

/* n rows; sector[k][i] (k < n_sectors) and total[i] the employment columns;
   group[i] in 0..n_groups-1, or -1 for a row outside every group (its LQ is
   NaN); group == NULL puts all rows in one group. names (may be NULL) holds
   the n_sectors sector names then the total's name, and rows (may be NULL)
   names rows, for messages. Writes lq (n values). Returns TFP_OK, TFP_EINVAL
   or TFP_EDATA (err filled). */
int tfp_lq(size_t n, size_t n_sectors, const double *const *sector, const double *total,
           const int *group, size_t n_groups, const char *const *names, const tfp_rows *rows,
           double *lq, char *err, size_t errlen);
#endif
