/* rng.c — see rng.h. */
#include "rng.h"
#include <math.h>

static uint64_t splitmix64(uint64_t *x) {
  uint64_t z = (*x += 0x9e3779b97f4a7c15ULL);
  z = (z ^ (z >> 30)) * 0xbf58476d1ce4e5b9ULL;
  z = (z ^ (z >> 27)) * 0x94d049bb133111ebULL;
  return z ^ (z >> 31);
}

void tfp_rng_seed(tfp_rng *r, uint64_t seed, uint64_t stream) {
  /* two splitmix rounds mix seed and stream so that neighbouring streams of
     neighbouring seeds do not share states */
  uint64_t x = seed;
  uint64_t h = splitmix64(&x);
  x = h ^ (stream * 0xd1342543de82ef95ULL + 0x2545f4914f6cdd1dULL);
  for (int k = 0; k < 4; k++) r->s[k] = splitmix64(&x);
  if (!(r->s[0] | r->s[1] | r->s[2] | r->s[3])) r->s[0] = 1;
}

static uint64_t rotl(uint64_t v, int k) { return (v << k) | (v >> (64 - k)); }

uint64_t tfp_rng_next(tfp_rng *r) {
  uint64_t *s = r->s;
  uint64_t out = rotl(s[1] * 5, 7) * 9;
  uint64_t t = s[1] << 17;
  s[2] ^= s[0]; s[3] ^= s[1]; s[1] ^= s[2]; s[0] ^= s[3];
  s[2] ^= t;
  s[3] = rotl(s[3], 45);
  return out;
}

double tfp_rng_unif(tfp_rng *r) {
  return ((double)(tfp_rng_next(r) >> 11) + 0.5) * 0x1.0p-53;
}

double tfp_rng_norm(tfp_rng *r) {
  double u1 = tfp_rng_unif(r), u2 = tfp_rng_unif(r);
  return sqrt(-2.0 * log(u1)) * cos(6.283185307179586476925 * u2);
}

/* The 128-bit product a * b as its high and low 64-bit halves (ISO C has no
   128-bit integer): four 32 x 32 -> 64-bit partial products. */
static uint64_t mul_hi(uint64_t a, uint64_t b, uint64_t *lo) {
  uint64_t a0 = a & 0xffffffffu, a1 = a >> 32, b0 = b & 0xffffffffu, b1 = b >> 32;
  uint64_t p00 = a0 * b0, p01 = a0 * b1, p10 = a1 * b0, p11 = a1 * b1;
  uint64_t mid = (p00 >> 32) + (p01 & 0xffffffffu) + (p10 & 0xffffffffu);
  *lo = a * b;
  return p11 + (p01 >> 32) + (p10 >> 32) + (mid >> 32);
}

uint64_t tfp_rng_below(tfp_rng *r, uint64_t n) {
  uint64_t lo, hi = mul_hi(tfp_rng_next(r), n, &lo);
  if (lo < n) {
    uint64_t floor = (uint64_t)(-n) % n;
    while (lo < floor) hi = mul_hi(tfp_rng_next(r), n, &lo);
  }
  return hi;
}
