/* test_atomic_write.c — the one file writer (core/atomic_write.h): links
   followed, non-regular files refused, modes kept, the umask respected, and
   after any failure the old file intact and no temporary file left. Every
   case works in a fresh directory under /tmp; no real device is touched. */
#define _XOPEN_SOURCE 700   /* mknod, S_IFCHR */
#include <dirent.h>
#include <errno.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include <sys/resource.h>
#include <sys/stat.h>
#include <sys/sysmacros.h>
#include "atomic_write.h"
#include "check.h"

static char dir[64];

static void fresh_dir(void) {
  snprintf(dir, sizeof dir, "/tmp/tfp_aw_XXXXXX");
  if (!mkdtemp(dir)) { perror("mkdtemp"); exit(1); }
}

static void remove_dir(void) {
  char cmd[192];
  snprintf(cmd, sizeof cmd, "chmod -R u+w '%s'; rm -rf '%s'", dir, dir);
  if (system(cmd) != 0) fprintf(stderr, "could not remove %s\n", dir);
}

/* dir/name, in one of 4 rotating buffers: hold no result across 4 calls. */
static const char *in_dir(const char *name) {
  static char buf[4][160];
  static int k;
  k = (k + 1) % 4;
  snprintf(buf[k], sizeof buf[k], "%s/%s", dir, name);
  return buf[k];
}

/* The directory's entries, sorted and space-separated (dot files included). */
static const char *listing(const char *d) {
  static char out[1024];
  char names[32][256];
  int n = 0;
  DIR *dp = opendir(d);
  struct dirent *e;
  while (dp && (e = readdir(dp)) && n < 32)
    if (strcmp(e->d_name, ".") && strcmp(e->d_name, "..")) snprintf(names[n++], sizeof names[0], "%s", e->d_name);
  if (dp) closedir(dp);
  for (int i = 1; i < n; i++)
    for (int j = i; j > 0 && strcmp(names[j - 1], names[j]) > 0; j--) {
      char t[sizeof names[0]];
      memcpy(t, names[j], sizeof t); memcpy(names[j], names[j - 1], sizeof t); memcpy(names[j - 1], t, sizeof t);
    }
  size_t used = 0;
  out[0] = '\0';
  for (int i = 0; i < n && used < sizeof out; i++)
    used += (size_t)snprintf(out + used, sizeof out - used, "%s%s", i ? " " : "", names[i]);
  return out;
}

static void put(const char *path, const char *text) {
  FILE *fp = fopen(path, "w");
  if (!fp) { perror(path); exit(1); }
  fputs(text, fp);
  fclose(fp);
}

static const char *get(const char *path) {
  static char buf[256];
  FILE *fp = fopen(path, "r");
  if (!fp) return "(missing)";
  size_t n = fread(buf, 1, sizeof buf - 1, fp);
  buf[n] = '\0';
  fclose(fp);
  return buf;
}

static mode_t mode_of(const char *path) {
  struct stat st;
  return stat(path, &st) == 0 ? st.st_mode & 07777 : (mode_t)-1;
}

static int write_text(const char *path, const char *text, char *err, size_t errlen) {
  return tfp_atomic_write_file(path, text, strlen(text), err, errlen);
}

static void test_a_new_file_gets_0666_less_the_umask(void) {
  fresh_dir();
  char err[256];
  mode_t old = umask(027);
  CHECK(write_text(in_dir("new.txt"), "hello\n", err, sizeof err) == TFP_OK);
  umask(022);
  CHECK(write_text(in_dir("new2.txt"), "hello\n", err, sizeof err) == TFP_OK);
  umask(old);
  CHECK(mode_of(in_dir("new.txt")) == 0640);
  CHECK(mode_of(in_dir("new2.txt")) == 0644);
  CHECK(strcmp(get(in_dir("new.txt")), "hello\n") == 0);
  CHECK(strcmp(listing(dir), "new.txt new2.txt") == 0);
  remove_dir();
}

static void test_a_rewritten_file_keeps_its_mode(void) {
  fresh_dir();
  char err[256];
  const char *path = in_dir("secret.csv");
  put(path, "old\n");
  chmod(path, 0600);
  mode_t old = umask(022);
  CHECK(write_text(path, "new\n", err, sizeof err) == TFP_OK);
  umask(old);
  CHECK(mode_of(path) == 0600);
  CHECK(strcmp(get(path), "new\n") == 0);
  chmod(path, 0751);
  CHECK(write_text(path, "newer\n", err, sizeof err) == TFP_OK);
  CHECK(mode_of(path) == 0751);
  CHECK(strcmp(listing(dir), "secret.csv") == 0);
  remove_dir();
}

static void test_writing_through_a_link_updates_its_target(void) {
  fresh_dir();
  char err[256];
  CHECK(mkdir(in_dir("real"), 0700) == 0);
  put(in_dir("real/t.txt"), "old\n");
  chmod(in_dir("real/t.txt"), 0640);
  CHECK(symlink("real/t.txt", in_dir("link1")) == 0);     /* relative, to another directory */
  CHECK(symlink(in_dir("link1"), in_dir("link2")) == 0);  /* absolute, to a link */
  CHECK(write_text(in_dir("link2"), "new\n", err, sizeof err) == TFP_OK);
  struct stat st;
  CHECK(lstat(in_dir("link1"), &st) == 0 && S_ISLNK(st.st_mode));
  CHECK(lstat(in_dir("link2"), &st) == 0 && S_ISLNK(st.st_mode));
  CHECK(strcmp(get(in_dir("real/t.txt")), "new\n") == 0);
  CHECK(mode_of(in_dir("real/t.txt")) == 0640);
  CHECK(strcmp(listing(in_dir("real")), "t.txt") == 0);
  CHECK(strcmp(listing(dir), "link1 link2 real") == 0);
  /* A dangling link creates its target. */
  CHECK(symlink("made.txt", in_dir("dangling")) == 0);
  CHECK(write_text(in_dir("dangling"), "made\n", err, sizeof err) == TFP_OK);
  CHECK(lstat(in_dir("dangling"), &st) == 0 && S_ISLNK(st.st_mode));
  CHECK(strcmp(get(in_dir("made.txt")), "made\n") == 0);
  /* A loop of links is an error naming the path. */
  CHECK(symlink("loop_b", in_dir("loop_a")) == 0 && symlink("loop_a", in_dir("loop_b")) == 0);
  CHECK(write_text(in_dir("loop_a"), "x", err, sizeof err) == TFP_EIO);
  CHECK_STR_CONTAINS(err, "loop_a");
  CHECK_STR_CONTAINS(err, "symbolic links");
  remove_dir();
}

/* Each refusal: TFP_EIO, a message naming the path and saying what it is,
   the object untouched and nothing created beside it. */
static void check_refused(const char *path, const char *kind, const char *want_listing) {
  char err[256];
  CHECK(write_text(path, "x\n", err, sizeof err) == TFP_EIO);
  CHECK_STR_CONTAINS(err, path);
  CHECK_STR_CONTAINS(err, kind);
  CHECK_STR_CONTAINS(err, "not a regular file");
  CHECK(strcmp(listing(dir), want_listing) == 0);
}

static void test_non_regular_targets_are_refused(void) {
  fresh_dir();
  CHECK(mkfifo(in_dir("fifo"), 0600) == 0);
  check_refused(in_dir("fifo"), "a FIFO", "fifo");
  struct stat st;
  CHECK(lstat(in_dir("fifo"), &st) == 0 && S_ISFIFO(st.st_mode));
  CHECK(symlink("fifo", in_dir("to_fifo")) == 0);
  check_refused(in_dir("to_fifo"), "its link target", "fifo to_fifo");
  CHECK(mkdir(in_dir("d"), 0700) == 0);
  check_refused(in_dir("d"), "a directory", "d fifo to_fifo");
  /* A character device like /dev/full, made here (as root): only our copy
     could be harmed by a bug. Skipped where mknod is not permitted. */
  if (mknod(in_dir("full"), S_IFCHR | 0600, makedev(1, 7)) == 0) {
    check_refused(in_dir("full"), "a character device", "d fifo full to_fifo");
    CHECK(lstat(in_dir("full"), &st) == 0 && S_ISCHR(st.st_mode));
  } else {
    printf("(character device case skipped: mknod: %s)\n", strerror(errno));
  }
  remove_dir();
}

static void test_a_failed_write_leaves_the_old_file_and_no_temporary(void) {
  fresh_dir();
  char err[256];
  const char *path = in_dir("big.txt");
  put(path, "old contents\n");
  /* Files above 1000 bytes cannot be written: write() fails with EFBIG. */
  struct rlimit old, small;
  getrlimit(RLIMIT_FSIZE, &old);
  small = old;
  small.rlim_cur = 1000;
  void (*prev)(int) = signal(SIGXFSZ, SIG_IGN);
  CHECK(setrlimit(RLIMIT_FSIZE, &small) == 0);
  static char big[200000];
  memset(big, 'x', sizeof big);
  int rc = tfp_atomic_write_file(path, big, sizeof big, err, sizeof err);
  setrlimit(RLIMIT_FSIZE, &old);
  signal(SIGXFSZ, prev);
  CHECK(rc == TFP_EIO);
  CHECK_STR_CONTAINS(err, path);
  CHECK_STR_CONTAINS(err, strerror(EFBIG));
  CHECK(strcmp(get(path), "old contents\n") == 0);
  CHECK(strcmp(listing(dir), "big.txt") == 0);
  remove_dir();
}

static void test_an_unwritable_directory_leaves_nothing(void) {
  fresh_dir();
  char err[256];
  CHECK(write_text("/tmp/tfp_no_such_dir_for_sure/x.csv", "x", err, sizeof err) == TFP_EIO);
  CHECK_STR_CONTAINS(err, "cannot write '/tmp/tfp_no_such_dir_for_sure/x.csv': No such file");
  if (geteuid() != 0) {   /* root writes into read-only directories */
    CHECK(mkdir(in_dir("ro"), 0700) == 0);
    put(in_dir("ro/t.txt"), "old\n");
    chmod(in_dir("ro"), 0500);
    CHECK(write_text(in_dir("ro/t.txt"), "new\n", err, sizeof err) == TFP_EIO);
    CHECK_STR_CONTAINS(err, "Permission denied");
    CHECK(strcmp(get(in_dir("ro/t.txt")), "old\n") == 0);
    CHECK(strcmp(listing(in_dir("ro")), "t.txt") == 0);
  }
  CHECK(write_text("", "x", err, sizeof err) == TFP_EIO);
  CHECK(write_text(in_dir("sub/"), "x", err, sizeof err) == TFP_EIO);
  CHECK_STR_CONTAINS(err, "not a file name");
  remove_dir();
}

static void test_temporary_files_are_fresh_and_unpredictable(void) {
  fresh_dir();
  char err[256];
  tfp_atomic *a, *b;
  char path[128], prefix[128];
  snprintf(path, sizeof path, "%s", in_dir("t.txt"));
  snprintf(prefix, sizeof prefix, "%s", in_dir(".t.txt.tmp-"));
  CHECK(tfp_atomic_open(path, &a, err, sizeof err) == TFP_OK);
  CHECK(tfp_atomic_open(path, &b, err, sizeof err) == TFP_OK);
  if (!a || !b) { remove_dir(); return; }
  const char *ta = tfp_atomic_temp_name(a), *tb = tfp_atomic_temp_name(b);
  CHECK(strcmp(ta, tb) != 0);
  CHECK(strncmp(ta, prefix, strlen(prefix)) == 0);
  struct stat st;
  CHECK(lstat(ta, &st) == 0 && S_ISREG(st.st_mode) && st.st_nlink == 1);
  /* The old writer's predictable names, planted as links to a victim, are
     never touched. */
  put(in_dir("victim"), "safe\n");
  CHECK(symlink("victim", in_dir("t.txt.tmp-0000")) == 0);
  tfp_atomic_puts(a, "from a\n");
  tfp_atomic_putc(b, 'b');
  tfp_atomic_abort(b);
  CHECK(tfp_atomic_commit(a, err, sizeof err) == TFP_OK);
  CHECK(strcmp(get(path), "from a\n") == 0);
  CHECK(strcmp(get(in_dir("victim")), "safe\n") == 0);
  CHECK(strcmp(listing(dir), "t.txt t.txt.tmp-0000 victim") == 0);
  tfp_atomic_abort(NULL);
  remove_dir();
}

static void test_large_output_is_written_whole(void) {
  fresh_dir();
  char err[256];
  tfp_atomic *a;
  const char *path = in_dir("large.txt");
  CHECK(tfp_atomic_open(path, &a, err, sizeof err) == TFP_OK);
  for (int i = 0; i < 100000; i++) tfp_atomic_puts(a, "0123456789");
  CHECK(tfp_atomic_commit(a, err, sizeof err) == TFP_OK);
  struct stat st;
  CHECK(stat(path, &st) == 0 && st.st_size == 1000000);
  remove_dir();
}

int main(void) {
  test_a_new_file_gets_0666_less_the_umask();
  test_a_rewritten_file_keeps_its_mode();
  test_writing_through_a_link_updates_its_target();
  test_non_regular_targets_are_refused();
  test_a_failed_write_leaves_the_old_file_and_no_temporary();
  test_an_unwritable_directory_leaves_nothing();
  test_temporary_files_are_fresh_and_unpredictable();
  test_large_output_is_written_whole();
  return check_report("test_atomic_write");
}
