#include "CSeqRecKernels.h"
#include "Clones.h"

static inline uint32_t hash32(uint32_t i, uint32_t k1, uint32_t k2) {
    uint32_t h = (i * 0x9E3779B1u) ^ k1;
    h ^= h >> 16;
    h *= 0x85EBCA6Bu;
    h ^= h >> 13;
    h *= 0xC2B2AE35u;
    h ^= h >> 16;
    h ^= k2;
    h *= 0x27D4EB2Fu;
    h ^= h >> 15;
    return h;
}

uint32_t seqrec_dropout_hash(uint32_t index, uint32_t k1, uint32_t k2) { return hash32(index, k1, k2); }

SEQREC_WIDE_CLONES
void seqrec_dropout_apply(const float *x, float *o, long n, uint32_t base, uint32_t k1, uint32_t k2,
                          uint32_t threshold, float scale) {
    union { float f; uint32_t u; } s = { scale };
    const uint32_t scaleBits = s.u;
    for (long j = 0; j < n; j++) {
        uint32_t h = hash32(base + (uint32_t)j, k1, k2);
        union { uint32_t u; float f; } keep = { h >= threshold ? scaleBits : 0u };
        o[j] = x[j] * keep.f;
    }
}
