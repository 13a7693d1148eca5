/* status.c — see status.h. */
#include "status.h"
#include <stdarg.h>
#include <stdio.h>

int tfp_error(char *err, size_t errlen, int code, const char *fmt, ...) {
  if (err && errlen) {
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(err, errlen, fmt, ap);
    va_end(ap);
  }
  return code;
}

const char *tfp_row_label(const tfp_rows *rows, size_t i, char *buf, size_t len) {
  if (rows && rows->fn) rows->fn(rows->ud, i, buf, len);
  else snprintf(buf, len, "row %zu", i + 1);
  return buf;
}
