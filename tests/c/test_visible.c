/* test_visible.c — data text made safe for the terminal (core/visible.h):
   one row per case, the text and its visible form. */
#include <string.h>
#include "visible.h"
#include "check.h"

typedef struct {
  const char *what, *in;
  size_t n;          /* 0: strlen(in) */
  int flags;
  const char *want;
} visible_case;

static const visible_case cases[] = {
  {"plain ASCII is kept", "Beijing, 2003", 0, 0, "Beijing, 2003"},
  {"Chinese text is kept", "\xe5\x8c\x97\xe4\xba\xac \xe5\x86\x85\xe8\x92\x99\xe5\x8f\xa4", 0, 0,
   "\xe5\x8c\x97\xe4\xba\xac \xe5\x86\x85\xe8\x92\x99\xe5\x8f\xa4"},
  {"a 4-byte character is kept", "\xf0\x9f\x98\x80", 0, 0, "\xf0\x9f\x98\x80"},
  {"ESC is shown as \\x1b", "a\x1b[31mred\x1b[0m", 0, 0, "a\\x1b[31mred\\x1b[0m"},
  {"an OSC title sequence is shown", "\x1b]0;pwned\x07", 0, 0, "\\x1b]0;pwned\\x07"},
  {"newline, tab and CR are shown", "a\nb\tc\rd", 0, 0, "a\\nb\\tc\\rd"},
  {"messages keep newline and tab, not CR", "a\nb\tc\rd", 0, TFP_VISIBLE_KEEP_LINES, "a\nb\tc\\rd"},
  {"backspace and DEL are shown", "x\b\x7f", 0, 0, "x\\x08\\x7f"},
  {"a NUL byte is shown", "a\0b", 3, 0, "a\\x00b"},
  {"the C1 CSI (U+009B) is shown", "\xc2\x9b" "2J", 0, 0, "\\u{9b}2J"},
  {"a lone 8-bit CSI byte is shown", "\x9b" "2J", 0, 0, "\\x9b2J"},
  {"Latin-1 bytes (not UTF-8) are shown", "caf\xe9", 0, 0, "caf\\xe9"},
  {"a cut UTF-8 sequence is shown", "\xe5\x8c", 0, 0, "\\xe5\\x8c"},
  {"an overlong form is shown", "\xc0\xaf", 0, 0, "\\xc0\\xaf"},
  {"a surrogate is shown", "\xed\xa0\x80", 0, 0, "\\xed\\xa0\\x80"},
  {"above U+10FFFF is shown", "\xf4\x90\x80\x80", 0, 0, "\\xf4\\x90\\x80\\x80"},
  {"a backslash is kept", "C:\\data\\x.csv", 0, 0, "C:\\data\\x.csv"},
  {"the empty string", "", 0, 0, ""},
};

static void test_cases(void) {
  for (size_t k = 0; k < sizeof cases / sizeof cases[0]; k++) {
    const visible_case *c = &cases[k];
    size_t n = c->n ? c->n : strlen(c->in);
    char out[128];
    size_t len = tfp_visible(out, sizeof out, c->in, n, c->flags);
    check_count++;
    if (strcmp(out, c->want) != 0 || len != strlen(c->want)) {
      check_failures++;
      fprintf(stderr, "%s: got \"%s\" (%zu), want \"%s\"\n", c->what, out, len, c->want);
    }
    CHECK(tfp_visible_needed(c->in, n, c->flags) == (strcmp(c->in, c->want) != 0 || n != strlen(c->in)));
  }
}

static void test_cutting_never_splits_an_escape_or_a_character(void) {
  char out[8];
  CHECK(tfp_visible(out, 7, "ab\x1b" "cd", 5, 0) == 8);   /* "ab\x1bcd" needs 9 bytes */
  CHECK(strcmp(out, "ab\\x1b") == 0);
  CHECK(tfp_visible(out, 6, "ab\x1b" "cd", 5, 0) == 8);
  CHECK(strcmp(out, "ab") == 0);
  CHECK(tfp_visible(out, 6, "\xe5\x8c\x97\xe4\xba\xac", 6, 0) == 6);
  CHECK(strcmp(out, "\xe5\x8c\x97") == 0);
  CHECK(tfp_visible(out, 3, "\xe5\x8c\x97", 3, 0) == 3);
  CHECK(strcmp(out, "") == 0);
  CHECK(tfp_visible(NULL, 0, "a\n", 2, 0) == 3);
}

int main(void) {
  test_cases();
  test_cutting_never_splits_an_escape_or_a_character();
  return check_report("test_visible");
}
