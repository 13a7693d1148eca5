/* rng.h — reproducible random streams for parallel work: stream k of seed s
   is the same sequence whichever thread draws it, so a replication that
   draws from its own stream (tfp_rng_seed(&r, seed, replication)) gives the
   same numbers for any thread count.

   Generator: xoshiro256** (Blackman & Vigna 2018), its state filled by
   splitmix64 from (seed, stream); uniforms have 53 random bits in (0, 1);
   normals by Box-Muller (two uniforms each, no state carried between
   calls); integers below n by Lemire's multiply-and-reject (unbiased), its
   128-bit product from 64-bit halves (ISO C). */
#ifndef TFP_RNG_H
#define TFP_RNG_H
#include <stdint.h>

typedef struct { uint64_t s[4]; } tfp_rng;

void tfp_rng_seed(tfp_rng *r, uint64_t seed, uint64_t stream);
uint64_t tfp_rng_next(tfp_rng *r);
double tfp_rng_unif(tfp_rng *r);            /* in (0, 1) */
double tfp_rng_norm(tfp_rng *r);            /* standard normal */
uint64_t tfp_rng_below(tfp_rng *r, uint64_t n);   /* 0..n-1; n > 0 */
#endif
