// Bulk uniform integer draws from SplitMix64 with Lemire's method: exactly the stream of
// repeated `SplitMix64.nextInt(below:)` calls (SeqRecCore), computed in vector lanes. The
// gSASRec port's sampler draws k per position of every window (6.5M per step at k 256), on one
// thread; one at a time that was ~4 % of the step.
#include "CSeqRecKernels.h"
#include "Clones.h"

#define GOLDEN 0x9E3779B97F4A7C15ull   // SplitMix64.gamma

static inline uint64_t mix(uint64_t z) {
    z = (z ^ (z >> 30)) * 0xBF58476D1CE4E5B9ull;
    z = (z ^ (z >> 27)) * 0x94D049BB133111EBull;
    return z ^ (z >> 31);
}

// One draw as `nextInt(below:)` makes it: the high word of next()·b, redrawing while the low
// word falls below 2⁶⁴ mod b.
static inline uint64_t draw(uint64_t *state, uint64_t b) {
    *state += GOLDEN;
    unsigned __int128 m = (unsigned __int128)mix(*state) * b;
    if ((uint64_t)m < b) {
        const uint64_t threshold = (0 - b) % b;
        while ((uint64_t)m < threshold) {
            *state += GOLDEN;
            m = (unsigned __int128)mix(*state) * b;
        }
    }
    return (uint64_t)(m >> 64);
}

enum { BLOCK = 64 };

// Blocks of 64 draws in lanes, assuming none redraws: draw i of a block uses state + (i+1)·γ.
// A block where some low word is below b (where `draw` would look at the threshold; about b/2⁶⁴
// per draw) is redone one draw at a time, so the stream stays exact.
SEQREC_V4_CLONES
uint64_t seqrec_uniform_draws(uint64_t state, uint64_t bound, int32_t offset, int32_t *out, long n) {
    long i = 0;
    if (bound < (1ull << 32)) {   // always, for Int32 results; larger bounds go one at a time
        for (; i + BLOCK <= n; i += BLOCK) {
            uint64_t flagged = 0;
            for (int j = 0; j < BLOCK; j++) {
                const uint64_t z = mix(state + (uint64_t)(j + 1) * GOLDEN);
                // z·b from 32-bit halves (b < 2³²): low word and high word of the 128-bit product.
                const uint64_t p1 = (z & 0xFFFFFFFFull) * bound, p2 = (z >> 32) * bound;
                const uint64_t low = p1 + (p2 << 32), high = (p2 + (p1 >> 32)) >> 32;
                flagged |= (uint64_t)(low < bound);
                out[i + j] = (int32_t)high + offset;
            }
            if (flagged) {   // overwrite the block with the exact draws
                for (int j = 0; j < BLOCK; j++) out[i + j] = (int32_t)draw(&state, bound) + offset;
            } else {
                state += (uint64_t)BLOCK * GOLDEN;
            }
        }
    }
    for (; i < n; i++) out[i] = (int32_t)draw(&state, bound) + offset;
    return state;
}
