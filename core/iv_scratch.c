/* iv_scratch.c — the IV passes' scratch (see iv_internal.h): an arena of
   workspaces freed at once, the notes buffer, and two small helpers. */
#include "iv_internal.h"
#include <stdarg.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

struct tfp_iv_block {
  tfp_iv_block *next;
  max_align_t data[];
};

static void *block(tfp_iv_arena *a, size_t count, size_t size, int zero)
{
  if (size && count > (SIZE_MAX - sizeof(tfp_iv_block)) / size) { a->oom = 1; return NULL; }
  tfp_iv_block *b = zero ? calloc(1, sizeof *b + count * size) : malloc(sizeof *b + count * size);
  if (!b) { a->oom = 1; return NULL; }
  b->next = a->head;
  a->head = b;
  return b->data;
}

void *tfp_iv_alloc(tfp_iv_arena *a, size_t count, size_t size) { return block(a, count, size, 1); }

double *tfp_iv_take(tfp_iv_arena *a, size_t n) { return block(a, n, sizeof(double), 0); }

void tfp_iv_release(tfp_iv_arena *a, void *p)
{
  for (tfp_iv_block **b = &a->head; p && *b; b = &(*b)->next)
    if ((void *)(*b)->data == p) {
      tfp_iv_block *dead = *b;
      *b = dead->next;
      free(dead);
      return;
    }
}

void tfp_iv_arena_free(tfp_iv_arena *a)
{
  while (a->head) {
    tfp_iv_block *next = a->head->next;
    free(a->head);
    a->head = next;
  }
  a->oom = 0;
}

void tfp_iv_note(tfp_iv_notes *nb, const char *fmt, ...)
{
  va_list ap;
  va_start(ap, fmt);
  int len = vsnprintf(NULL, 0, fmt, ap);
  va_end(ap);
  if (len < 0) return;
  size_t add = (size_t)len;
  char *p = realloc(nb->text, nb->len + add + 2);
  if (!p) return;
  va_start(ap, fmt);
  vsnprintf(p + nb->len, add + 1, fmt, ap);
  va_end(ap);
  p[nb->len + add] = '\n';
  p[nb->len + add + 1] = 0;
  nb->text = p;
  nb->len += add + 1;
}

char *tfp_iv_notes_take(tfp_iv_notes *nb)
{
  char *text = nb->text;
  nb->text = NULL;
  nb->len = 0;
  return text;
}

char *tfp_iv_strdup(const char *s)
{
  size_t n = strlen(s) + 1;
  char *p = malloc(n);
  if (p) memcpy(p, s, n);
  return p;
}

int tfp_iv_lost(int rc, char *err, size_t errlen)
{
  if (rc == TFP_EINTR) { snprintf(err, errlen, "interrupted"); return rc; }
  snprintf(err, errlen, "out of memory");
  return TFP_ENOMEM;
}
