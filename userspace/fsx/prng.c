// SPDX-License-Identifier: GPL-2.0-only
/*
 * faultmem-fsx: splitmix64, so that a seed names the same run on every
 * machine and C library (random() and rand() do not promise that).
 */
#include <string.h>

#include "fsx.h"

uint64_t rng_next(uint64_t *state)
{
	uint64_t z = (*state += 0x9e3779b97f4a7c15ULL);

	z = (z ^ (z >> 30)) * 0xbf58476d1ce4e5b9ULL;
	z = (z ^ (z >> 27)) * 0x94d049bb133111ebULL;
	return z ^ (z >> 31);
}

/* A number in [0, @n); 0 when @n is 0. */
uint64_t rng_below(uint64_t *state, uint64_t n)
{
	return n ? rng_next(state) % n : 0;
}

/* @len bytes that @seed names: what a write writes. */
void rng_fill(uint64_t seed, char *buf, size_t len)
{
	uint64_t state = seed, word = 0;
	size_t i;

	for (i = 0; i < len; i++) {
		if (i % 8 == 0)
			word = rng_next(&state);
		buf[i] = (char)(word >> (i % 8 * 8));
	}
}
