/* status.h — the core's return codes and its error-message convention:
   functions return TFP_OK or a code and, when err != NULL, write a message
   naming the file, line, column, variable or row into err (errlen bytes).

   Ownership, one convention across core/ (GLPK's, with one addition):
   - a handle the library allocates is released by its _free, which frees
     the object itself and takes NULL: tfp_frame_create/tfp_frame_free,
     tfp_iv_fit/tfp_iv_result_free, tfp_pool_create/tfp_pool_free,
     tfp_atomic_open/commit/abort;
   - a result struct the caller owns (on its stack, in its userdata) and a
     function fills is released by its _clear, which frees the members,
     zeroes the struct and may be called again: tfp_dea_run and
     tfp_dea_result_clear, tfp_malmquist_run and tfp_malmquist_result_clear,
     tfp_dea_boot and tfp_boot_result_clear (tfp_malmquist_boot and
     tfp_malmquist_boot_result_clear).
   Anything else malloc'ed and handed out (panel keys, group levels) is
   documented as the caller's to free(). On failure nothing is left to
   release. */
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

/* Names a row of the caller's data in messages. fn writes a label such as
   "city 12, year 2007 (row 5)" into buf; with no namer (a NULL pointer or
   fn) a row is "row 5" (1-based, as frames print). Bindings name rows by
   the frame's panel (tfp_frame_row_label in frame.h). */
typedef struct {
  void (*fn)(const void *ud, size_t row, char *buf, size_t len);
  const void *ud;
} tfp_rows;

/* The label of row i (0-based) in buf (len bytes); returns buf. */
const char *tfp_row_label(const tfp_rows *rows, size_t i, char *buf, size_t len);

/* Format a message into err (when given) and return code. */
int tfp_error(char *err, size_t errlen, int code, const char *fmt, ...)
  __attribute__((format(printf, 4, 5)));
#endif
