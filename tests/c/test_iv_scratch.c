/* test_iv_scratch.c — the IV passes' scratch (iv_internal.h): the arena
   gives workspaces (zeroed when asked), reports a take it cannot give, and frees all at
   once; the notes buffer grows to any length and hands its text over. */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include "check.h"
#include "iv_internal.h"

static void test_arena_gives_workspaces_zeroed_when_asked_and_frees_at_once(void)
{
  tfp_iv_arena a = TFP_IV_ARENA_INIT;
  double *x = tfp_iv_alloc(&a, 1000, sizeof *x), *y = tfp_iv_take(&a, 0), *z = tfp_iv_take(&a, 1000);
  size_t *ix = tfp_iv_alloc(&a, 10, sizeof *ix);
  CHECK(x && y && z && ix && !a.oom);
  for (size_t i = 0; i < 1000; i++) z[i] = (double)i;   /* n doubles, writable */
  int zero = 1;
  for (size_t i = 0; i < 1000; i++) zero &= x[i] == 0.0;
  for (size_t i = 0; i < 10; i++) zero &= ix[i] == 0;
  CHECK(zero);
  CHECK((uintptr_t)x % sizeof(double) == 0);
  tfp_iv_arena_free(&a);
  CHECK(a.head == NULL && !a.oom);
}

static void test_arena_reports_a_take_it_cannot_give(void)
{
  tfp_iv_arena a = TFP_IV_ARENA_INIT;
  double *ok = tfp_iv_take(&a, 4);
  double *huge = tfp_iv_take(&a, SIZE_MAX / 4);
  CHECK(ok != NULL && huge == NULL && a.oom);
  tfp_iv_arena_free(&a);
}

static void test_notes_grow_to_any_length_and_are_handed_over(void)
{
  tfp_iv_notes nb = {0};
  CHECK(tfp_iv_notes_take(&nb) == NULL);
  char *name = malloc(5001);
  memset(name, 'x', 5000);
  name[5000] = 0;
  tfp_iv_note(&nb, "first %d", 1);
  tfp_iv_note(&nb, "variable %s dropped", name);
  char *text = tfp_iv_notes_take(&nb);
  CHECK(text && strncmp(text, "first 1\nvariable xxx", 20) == 0);
  CHECK(strlen(text) == strlen("first 1\n") + strlen("variable  dropped\n") + 5000);
  CHECK(nb.text == NULL && nb.len == 0);
  free(text);
  free(name);
}

int main(void)
{
  test_arena_gives_workspaces_zeroed_when_asked_and_frees_at_once();
  test_arena_reports_a_take_it_cannot_give();
  test_notes_grow_to_any_length_and_are_handed_over();
  return check_report("test_iv_scratch");
}
