/* atomic_write.h — every file tfpkit writes goes through here: a temporary
   file in the target's directory, renamed over the target once complete.

   Readers never see half a file, and on any failure the temporary file is
   removed and the old file (if any) is left as it was. The rules:
   - a symbolic link is followed to its final target (the link stays a link
     and its target is replaced); a dangling link creates its target;
   - an existing target that is not a regular file (directory, FIFO, socket,
     device) is refused with TFP_EIO before anything is created;
   - a rewritten file keeps its permission bits (0777 part of the mode); a new
     file gets 0666 less the umask;
   - the temporary file is made by mkstemp (O_CREAT|O_EXCL: an unpredictable
     name, never a planted link), and fsync'ed before the rename.
   A rewritten file is a new inode: hard links to the old one keep the old
   contents, as with any editor's atomic save.

   Use (the caller owns the handle; commit and abort both free it):
     tfp_atomic *a;
     if (tfp_atomic_open(path, &a, err, errlen) != TFP_OK) return ...;
     tfp_atomic_puts(a, "x,y\n");  ...          (errors are sticky)
     return tfp_atomic_commit(a, err, errlen);  (or tfp_atomic_abort(a))
   Messages read "cannot write 'path': reason". */
#ifndef TFP_ATOMIC_WRITE_H
#define TFP_ATOMIC_WRITE_H
#include <stddef.h>
#include "status.h"

typedef struct tfp_atomic tfp_atomic;

int tfp_atomic_open(const char *path, tfp_atomic **out, char *err, size_t errlen);

/* Buffered output. They return 1, or 0 once any write has failed (the error
   is kept and reported by commit). */
int tfp_atomic_write(tfp_atomic *a, const void *data, size_t size);
int tfp_atomic_puts(tfp_atomic *a, const char *s);
int tfp_atomic_putc(tfp_atomic *a, int c);

/* Flush, fsync, rename into place. Frees a; on failure removes the
   temporary file. */
int tfp_atomic_commit(tfp_atomic *a, char *err, size_t errlen);

/* Give up: remove the temporary file and free a (NULL is a no-op). */
void tfp_atomic_abort(tfp_atomic *a);

/* The temporary file's name (for tests). */
const char *tfp_atomic_temp_name(const tfp_atomic *a);

/* The whole file at once. */
int tfp_atomic_write_file(const char *path, const void *data, size_t size, char *err, size_t errlen);
#endif
