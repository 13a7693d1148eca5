/* status.h — the core's return codes and its error-message convention:
   functions return TFP_OK or a code and, when err != NULL, write a message
   naming the file, line, column, variable or row into err (errlen bytes). */
#ifndef TFP_STATUS_H
#define TFP_STATUS_H
#include <stddef.h>

/* TFP_EINTR: the computation was stopped by its progress callback (Ctrl-C);
   nothing is wrong with the input or the data, and running it again may
   succeed. */
enum { TFP_OK = 0, TFP_ENOMEM = 1, TFP_EINVAL = 2, TFP_EDATA = 3, TFP_EIO = 4,
       TFP_ENUMERIC = 5, TFP_EINTR = 6 };

/* Progress of a long computation: called now and then with the work done of
   the total; a non-zero return asks the computation to stop (it then fails
   with TFP_EINTR and a message saying "interrupted"). */
typedef int (*tfp_progress_fn)(void *ud, const char *what, size_t done, size_t total);

/* Format a message into err (when given) and return code. */
int tfp_error(char *err, size_t errlen, int code, const char *fmt, ...)
  __attribute__((format(printf, 4, 5)));
#endif
