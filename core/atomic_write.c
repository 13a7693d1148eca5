/* atomic_write.c — see atomic_write.h. */
#include "atomic_write.h"
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include <sys/stat.h>

#define MAX_LINKS 40   /* as Linux's ELOOP limit */

struct tfp_atomic {
  char *path;     /* as the caller gave it, for messages */
  char *target;   /* after following links: what rename replaces */
  char *tmp;      /* the temporary file, in target's directory */
  int fd;
  int errnum;     /* first write error, 0 while none */
  size_t len;
  char buf[65536];
};

static char *dup_str(const char *s) {
  size_t n = strlen(s) + 1;
  char *d = malloc(n);
  return d ? memcpy(d, s, n) : NULL;
}

/* Length of the directory part of p, with its trailing slash ("a/b" -> 2). */
static size_t dir_len(const char *p) {
  const char *slash = strrchr(p, '/');
  return slash ? (size_t)(slash - p) + 1 : 0;
}

/* The text of link p (malloc'ed), or NULL with errno set. */
static char *read_link(const char *p, size_t size_hint) {
  size_t cap = size_hint + 2 > 64 ? size_hint + 2 : 64;
  for (;;) {
    char *buf = malloc(cap);
    if (!buf) return NULL;
    ssize_t n = readlink(p, buf, cap);
    if (n < 0) { free(buf); return NULL; }
    if ((size_t)n < cap) { buf[n] = '\0'; return buf; }
    free(buf);
    cap *= 2;
  }
}

/* Follow p through symbolic links to the file rename must replace: *out is
   that path (malloc'ed), *st its lstat when *exists. Returns 0 or an errno. */
static int resolve(const char *p, char **out, struct stat *st, int *exists) {
  char *cur = dup_str(p);
  if (!cur) return ENOMEM;
  for (int hops = 0;; hops++) {
    if (lstat(cur, st) != 0) {
      int e = errno;
      if (e != ENOENT) { free(cur); return e; }
      *exists = 0;
      break;
    }
    *exists = 1;
    if (!S_ISLNK(st->st_mode)) break;
    if (hops == MAX_LINKS) { free(cur); return ELOOP; }
    char *text = read_link(cur, (size_t)st->st_size);
    if (!text) { int e = errno; free(cur); return e; }
    char *next;
    if (text[0] == '/') {
      next = text;
    } else {   /* relative to the link's own directory */
      size_t d = dir_len(cur), t = strlen(text);
      next = malloc(d + t + 1);
      if (next) { memcpy(next, cur, d); memcpy(next + d, text, t + 1); }
      free(text);
    }
    free(cur);
    if (!next) return ENOMEM;
    cur = next;
  }
  *out = cur;
  return 0;
}

static const char *file_kind(mode_t m) {
  if (S_ISDIR(m)) return "a directory";
  if (S_ISFIFO(m)) return "a FIFO";
  if (S_ISCHR(m)) return "a character device";
  if (S_ISBLK(m)) return "a block device";
  if (S_ISSOCK(m)) return "a socket";
  return "not a regular file";
}

static mode_t new_file_mode(void) {
  mode_t mask = umask(0);   /* no getter for the umask: read it by setting it back */
  umask(mask);
  return 0666 & ~mask;
}

static void atomic_free(tfp_atomic *a) {
  free(a->path);
  free(a->target);
  free(a->tmp);
  free(a);
}

static int fail_open(tfp_atomic *a, char *err, size_t errlen, int code, const char *fmt, const char *what) {
  int rc = tfp_error(err, errlen, code, fmt, a->path, what);
  atomic_free(a);
  return rc;
}

/* The temporary file's name: hidden, beside the target, with mkstemp's six
   random characters ("dir/.name.tmp-XXXXXX"; a shorter stem for long names). */
static char *temp_template(const char *target) {
  size_t d = dir_len(target);
  const char *base = target + d;
  if (strlen(base) > 200) base = "tfpkit";
  size_t n = d + strlen(base) + sizeof "/..tmp-XXXXXX";
  char *t = malloc(n);
  if (t) snprintf(t, n, "%.*s.%s.tmp-XXXXXX", (int)d, target, base);
  return t;
}

int tfp_atomic_open(const char *path, tfp_atomic **out, char *err, size_t errlen) {
  *out = NULL;
  tfp_atomic *a = calloc(1, sizeof *a);
  if (!a || !(a->path = dup_str(path))) {
    free(a);
    return tfp_error(err, errlen, TFP_ENOMEM, "cannot write '%s': out of memory", path);
  }
  a->fd = -1;
  if (path[0] == '\0' || path[strlen(path) - 1] == '/')
    return fail_open(a, err, errlen, TFP_EIO, "cannot write '%s': %s", "not a file name");
  struct stat st;
  int exists;
  int e = resolve(path, &a->target, &st, &exists);
  if (e == ENOMEM) return fail_open(a, err, errlen, TFP_ENOMEM, "cannot write '%s': %s", "out of memory");
  if (e) return fail_open(a, err, errlen, TFP_EIO, "cannot write '%s': %s", strerror(e));
  if (exists && !S_ISREG(st.st_mode)) {
    int rc = strcmp(a->target, path) == 0
      ? tfp_error(err, errlen, TFP_EIO, "cannot write '%s': it is %s, not a regular file", path,
                  file_kind(st.st_mode))
      : tfp_error(err, errlen, TFP_EIO, "cannot write '%s': its link target '%s' is %s, not a regular file",
                  path, a->target, file_kind(st.st_mode));
    atomic_free(a);
    return rc;
  }
  mode_t mode = exists ? (st.st_mode & 0777) : new_file_mode();
  if (!(a->tmp = temp_template(a->target)))
    return fail_open(a, err, errlen, TFP_ENOMEM, "cannot write '%s': %s", "out of memory");
  a->fd = mkstemp(a->tmp);
  if (a->fd < 0) return fail_open(a, err, errlen, TFP_EIO, "cannot write '%s': %s", strerror(errno));
  fcntl(a->fd, F_SETFD, FD_CLOEXEC);
  /* Rewriting a file of another owner (as root): keep the owner when we may. */
  if (exists && (st.st_uid != geteuid() || st.st_gid != getegid())) {
    if (fchown(a->fd, st.st_uid, st.st_gid) != 0) { /* not permitted: the file becomes ours */ }
  }
  if (fchmod(a->fd, mode) != 0) {
    e = errno;
    tfp_atomic_abort(a);
    return tfp_error(err, errlen, TFP_EIO, "cannot write '%s': %s", path, strerror(e));
  }
  *out = a;
  return TFP_OK;
}

static int flush(tfp_atomic *a) {
  size_t done = 0;
  while (!a->errnum && done < a->len) {
    ssize_t n = write(a->fd, a->buf + done, a->len - done);
    if (n > 0) done += (size_t)n;
    else if (n < 0 && errno == EINTR) continue;
    else a->errnum = n < 0 ? errno : EIO;
  }
  a->len = 0;
  return !a->errnum;
}

int tfp_atomic_write(tfp_atomic *a, const void *data, size_t size) {
  const char *p = data;
  while (size > 0 && !a->errnum) {
    if (a->len == sizeof a->buf && !flush(a)) break;
    size_t k = sizeof a->buf - a->len;
    if (k > size) k = size;
    memcpy(a->buf + a->len, p, k);
    a->len += k;
    p += k;
    size -= k;
  }
  return !a->errnum;
}

int tfp_atomic_puts(tfp_atomic *a, const char *s) { return tfp_atomic_write(a, s, strlen(s)); }

int tfp_atomic_putc(tfp_atomic *a, int c) {
  char ch = (char)c;
  return tfp_atomic_write(a, &ch, 1);
}

const char *tfp_atomic_temp_name(const tfp_atomic *a) { return a->tmp; }

void tfp_atomic_abort(tfp_atomic *a) {
  if (!a) return;
  if (a->fd >= 0) close(a->fd);
  if (a->tmp && a->fd >= 0) unlink(a->tmp);
  atomic_free(a);
}

/* Make the rename itself durable; a failure here loses nothing written. */
static void sync_dir(const char *target) {
  size_t d = dir_len(target);
  char *dir = malloc(d + 2);
  if (!dir) return;
  if (d) { memcpy(dir, target, d); dir[d] = '\0'; }
  else strcpy(dir, ".");
  int fd = open(dir, O_RDONLY);
  free(dir);
  if (fd >= 0) { fsync(fd); close(fd); }
}

int tfp_atomic_commit(tfp_atomic *a, char *err, size_t errlen) {
  int e = 0;
  if (!flush(a)) e = a->errnum;
  else if (fsync(a->fd) != 0) e = errno;
  if (close(a->fd) != 0 && !e) e = errno;
  a->fd = -1;
  if (!e && rename(a->tmp, a->target) != 0) e = errno;
  if (e) {
    unlink(a->tmp);
    int rc = tfp_error(err, errlen, TFP_EIO, "cannot write '%s': %s", a->path, strerror(e));
    atomic_free(a);
    return rc;
  }
  sync_dir(a->target);
  atomic_free(a);
  return TFP_OK;
}

int tfp_atomic_write_file(const char *path, const void *data, size_t size, char *err, size_t errlen) {
  tfp_atomic *a;
  int rc = tfp_atomic_open(path, &a, err, errlen);
  if (rc != TFP_OK) return rc;
  tfp_atomic_write(a, data, size);
  return tfp_atomic_commit(a, err, errlen);
}
