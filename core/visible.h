/* visible.h — data text made safe to show on a terminal.

   Cell values, column names and file names come from files anyone can
   write: an escape sequence in a CSV cell must not reach the terminal raw
   when a frame is printed or an error quotes the cell. tfp_visible copies
   text with every byte that could control a terminal written as an escape:
   \n \r \t for those, \xNN for the other C0 controls, DEL and bytes that are
   not valid UTF-8, \u{NN} for the C1 controls (U+0080..U+009F). Valid UTF-8
   text (Chinese city names) is copied as it is. */
#ifndef TFP_VISIBLE_H
#define TFP_VISIBLE_H
#include <stddef.h>

/* Keep newline and tab as they are (messages of several lines). */
#define TFP_VISIBLE_KEEP_LINES 1

/* Writes the visible form of s[0..n) into dst (dstlen bytes, always
   NUL-terminated when dstlen > 0), stopping before an escape or character
   that does not fit (never cutting one). Returns the length of the whole
   visible form, as snprintf does: the text was cut when it is >= dstlen. */
size_t tfp_visible(char *dst, size_t dstlen, const char *s, size_t n, int flags);

/* Does s[0..n) need any escape (is tfp_visible's output different)? */
int tfp_visible_needed(const char *s, size_t n, int flags);
#endif
