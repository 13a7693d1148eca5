/* embedded.h — files compiled into the binary (Lua modules, default data). */
#ifndef TFP_EMBEDDED_H
#define TFP_EMBEDDED_H
#include <stddef.h>

typedef struct {
  const char *name;   /* file name without directory, e.g. "model.lua" */
  const char *data;   /* contents, NUL-terminated */
  size_t size;        /* bytes, without the terminating NUL */
} tfp_embedded_file;

extern const tfp_embedded_file tfp_embedded[];

/* Returns the embedded file called name, or NULL. */
const tfp_embedded_file *tfp_embedded_find(const char *name);
#endif
