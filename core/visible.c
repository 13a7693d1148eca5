/* visible.c — see visible.h. */
#include "visible.h"
#include <stdio.h>
#include <string.h>

/* Length of the valid UTF-8 sequence at s (n bytes left), 0 when invalid
   (overlong forms, surrogates and code points above U+10FFFF included). */
static size_t utf8_len(const unsigned char *s, size_t n, unsigned long *cp) {
  size_t len;
  unsigned long c, min;
  if (s[0] < 0x80) { *cp = s[0]; return 1; }
  if (s[0] >= 0xC2 && s[0] <= 0xDF) { len = 2; c = s[0] & 0x1F; min = 0x80; }
  else if (s[0] >= 0xE0 && s[0] <= 0xEF) { len = 3; c = s[0] & 0x0F; min = 0x800; }
  else if (s[0] >= 0xF0 && s[0] <= 0xF4) { len = 4; c = s[0] & 0x07; min = 0x10000; }
  else return 0;
  if (n < len) return 0;
  for (size_t k = 1; k < len; k++) {
    if ((s[k] & 0xC0) != 0x80) return 0;
    c = (c << 6) | (s[k] & 0x3F);
  }
  if (c < min || c > 0x10FFFF || (c >= 0xD800 && c <= 0xDFFF)) return 0;
  *cp = c;
  return len;
}

/* The escape for the unit at s (into esc), or 0 when it is shown as is;
   *used is the number of bytes of s the unit takes. */
static int escape_of(const unsigned char *s, size_t n, int flags, char esc[12], size_t *used) {
  unsigned long cp;
  size_t len = utf8_len(s, n, &cp);
  if (len == 0) { *used = 1; snprintf(esc, 12, "\\x%02x", s[0]); return 1; }
  *used = len;
  if (cp == '\n' || cp == '\t') {
    if (flags & TFP_VISIBLE_KEEP_LINES) return 0;
    snprintf(esc, 12, "\\%c", cp == '\n' ? 'n' : 't');
    return 1;
  }
  if (cp == '\r') { snprintf(esc, 12, "\\r"); return 1; }
  if (cp < 0x20 || cp == 0x7F) { snprintf(esc, 12, "\\x%02lx", cp); return 1; }
  if (cp >= 0x80 && cp <= 0x9F) { snprintf(esc, 12, "\\u{%lx}", cp); return 1; }
  return 0;
}

size_t tfp_visible(char *dst, size_t dstlen, const char *s, size_t n, int flags) {
  const unsigned char *p = (const unsigned char *)s;
  size_t out = 0, kept = 0;
  int full = dstlen == 0;
  for (size_t i = 0; i < n;) {
    char esc[12];
    size_t used, plen;
    const char *piece = s + i;
    if (escape_of(p + i, n - i, flags, esc, &used)) { piece = esc; plen = strlen(esc); }
    else plen = used;
    if (!full && out + plen < dstlen) { memcpy(dst + out, piece, plen); kept = out + plen; }
    else full = 1;
    out += plen;
    i += used;
  }
  if (dstlen) dst[kept] = '\0';
  return out;
}

int tfp_visible_needed(const char *s, size_t n, int flags) {
  const unsigned char *p = (const unsigned char *)s;
  for (size_t i = 0; i < n;) {
    char esc[12];
    size_t used;
    if (escape_of(p + i, n - i, flags, esc, &used)) return 1;
    i += used;
  }
  return 0;
}
