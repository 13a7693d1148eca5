#!/usr/bin/env bash
# function_length_selftest.sh — function_length.sh on fixtures of the styles
# it must follow: it names each function over the limit with its length,
# passes under a higher limit, and refuses a file it cannot follow.
set -uo pipefail
tool=$(dirname "$0")/function_length.sh
dir=$(mktemp -d)
trap 'rm -rf "$dir"' EXIT
fail=0
expect() {   # expect WHAT WANT_RC WANT_TEXT -- ARGS...
  local what=$1 want_rc=$2 want=$3
  shift 4
  local out rc
  out=$(bash "$tool" "$@" 2>&1)
  rc=$?
  if [ "$rc" != "$want_rc" ] || ! grep -qF -- "$want" <<<"$out"; then
    echo "FAIL: $what (exit $rc, want $want_rc and '$want'):"
    echo "$out"
    fail=1
  else
    echo "ok: $what"
  fi
}

cat > "$dir/styles.c" <<'C'
/* braces { in a comment } */
#include <stdio.h>
#define BLOCK(x) do { \
    x; } while (0)
static const char *names[] = { "a{", "b}" };
typedef struct {
  int a;
} pair;
struct node { int v; };
enum { A, B };

static int attached(int a) {
  if (a) { return '{'; }
  return '}';
}

int
gnu_style (int a,
           int b)
{
  /* } */
  const char *s = "}}}\"{";
  return a + b + (s[0] == '\'');
}

static void (*returns_fn(int k))(void) {
  (void)k;
  return NULL;
}

__attribute__((unused)) static int with_attr(void) { return (pair){1}.a; }

static int cb_param(int (*cb)(int), int x)
{
  int v[] = { 1, 2 };   // a { line comment
  return cb(x) + v[0];
}
C
mkdir "$dir/bad"
printf 'int unbalanced(void) {\n  return 0;\n' > "$dir/bad/unbalanced.c"

expect "a long function, brace on its own line and the name below its type" 1 \
  "styles.c:17: gnu_style is 8 lines (limit 4)" -- --max 4 "$dir/styles.c"
expect "a long function taking a function pointer (a directory given)" 1 "styles.c:33: cb_param is 5 lines (limit 4)" -- --max 4 "$dir"
expect "functions at the limit pass; five functions, no struct or initializer" 0 "5 functions in 1 file, none longer" -- \
  --max 8 "$dir/styles.c"
expect "attached braces, a function returning a function pointer, a leading attribute" 0 \
  "4  $dir/styles.c:26  returns_fn" -- --max 8 --top 5 "$dir/styles.c"
expect "an attached one-liner" 0 "1  $dir/styles.c:31  with_attr" -- --max 8 --top 5 "$dir/styles.c"
expect "unbalanced braces are refused" 2 "unbalanced braces" -- "$dir/bad"
exit $fail
