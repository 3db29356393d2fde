// PQTopK's scan with table lookups done by byte shuffles (AVX-512 VBMI), for b = 256 sub-ids and
// m a multiple of 8. The per-query float table S (m × 256) is quantised by the caller to bytes
// q[k][c]; this kernel sums q over an item's m codes in 16-bit lanes, 64 items at a time, and
// returns the items whose quantised sum reaches a threshold. The caller derives that threshold
// from its exact top-K (an upper bound on the true score), so rescoring only the returned
// candidates with the float table keeps the top-K exact.
//
// Per 64 items and 8 splits: the item-major code bytes are brought into eight 8-item × 8-split
// registers (plain loads for m = 8, loads and a word transpose for m a multiple of 64, gathers
// otherwise), regrouped by one vpermb each to split-major within the register, and transposed as an
// 8 × 8 matrix of 64-bit words, so each register then holds one split's codes of 64 items. A
// 256-entry byte table is four registers: two vpermi2b look up codes 0–127 and 128–255, and the
// code's top bit picks between them.
#include "CSeqRecKernels.h"

#if defined(__x86_64__) && defined(__clang__)
#include <immintrin.h>

#ifndef PQ_PREFETCH
#define PQ_PREFETCH 8192
#endif
#define PQ_TARGET __attribute__((target("avx512f,avx512bw,avx512vbmi")))

int seqrec_pq_shuffle_scan_available(void) {
    __builtin_cpu_init();
    return __builtin_cpu_supports("avx512f") && __builtin_cpu_supports("avx512bw") &&
           __builtin_cpu_supports("avx512vbmi");
}

// new_r[k] = bit d of k clear ? r[k] : s[k − d];  new_s[k] = bit clear ? r[k + d] : s[k].
#define TRANSPOSE_STEP(r, s, lo, hi) do { \
    __m512i r_ = _mm512_permutex2var_epi64((r), (lo), (s)); \
    __m512i s_ = _mm512_permutex2var_epi64((r), (hi), (s)); \
    (r) = r_; (s) = s_; } while (0)

PQ_TARGET
static inline __m512i lookup(__m512i codes, const uint8_t *t) {
    __m512i lo = _mm512_permutex2var_epi8(_mm512_loadu_si512(t), codes, _mm512_loadu_si512(t + 64));
    __m512i hi = _mm512_permutex2var_epi8(_mm512_loadu_si512(t + 128), codes, _mm512_loadu_si512(t + 192));
    return _mm512_mask_blend_epi8(_mm512_movepi8_mask(codes), lo, hi);
}

// The constant registers: the vpermb regrouping and the three transpose steps' index vectors.
typedef struct { __m512i regroup, l1, h1, l2, h2, l4, h4; } Shuffles;

PQ_TARGET
static inline void transpose8(__m512i *x, const Shuffles *c) {
    TRANSPOSE_STEP(x[0], x[1], c->l1, c->h1); TRANSPOSE_STEP(x[2], x[3], c->l1, c->h1);
    TRANSPOSE_STEP(x[4], x[5], c->l1, c->h1); TRANSPOSE_STEP(x[6], x[7], c->l1, c->h1);
    TRANSPOSE_STEP(x[0], x[2], c->l2, c->h2); TRANSPOSE_STEP(x[1], x[3], c->l2, c->h2);
    TRANSPOSE_STEP(x[4], x[6], c->l2, c->h2); TRANSPOSE_STEP(x[5], x[7], c->l2, c->h2);
    TRANSPOSE_STEP(x[0], x[4], c->l4, c->h4); TRANSPOSE_STEP(x[1], x[5], c->l4, c->h4);
    TRANSPOSE_STEP(x[2], x[6], c->l4, c->h4); TRANSPOSE_STEP(x[3], x[7], c->l4, c->h4);
}

// Adds one group of 8 splits for 64 items: x[j] holds items 8j…8j+7 × the group's 8 splits,
// item-major; `table` is the group's 8 × 256 quantised entries.
PQ_TARGET
static inline void accumulate(__m512i *x, const uint8_t *table, const Shuffles *c, __m512i *acc0, __m512i *acc1) {
    for (int j = 0; j < 8; j++) x[j] = _mm512_permutexvar_epi8(c->regroup, x[j]);
    transpose8(x, c);
    for (int s = 0; s < 8; s++) {
        __m512i v = lookup(x[s], table + s * 256);
        *acc0 = _mm512_add_epi16(*acc0, _mm512_cvtepu8_epi16(_mm512_castsi512_si256(v)));
        *acc1 = _mm512_add_epi16(*acc1, _mm512_cvtepu8_epi16(_mm512_extracti64x4_epi64(v, 1)));
    }
}

PQ_TARGET
long seqrec_pq_shuffle_scan(const uint8_t *codes, long m, long begin, long end, long prefetch_end,
                            const uint8_t *table, uint16_t threshold, int64_t *out) {
    Shuffles c;
    // Items whose codes lie PQ_PREFETCH bytes ahead of item g: prefetch while that is before prefetch_end.
    const long ahead = PQ_PREFETCH / m;
    // vpermb: byte item·8 + split → split·8 + item within each 64-byte register.
    uint8_t perm[64];
    for (int s = 0; s < 8; s++)
        for (int i = 0; i < 8; i++) perm[s * 8 + i] = (uint8_t)(i * 8 + s);
    c.regroup = _mm512_loadu_si512(perm);
    int64_t lo1[8], hi1[8], lo2[8], hi2[8], lo4[8], hi4[8];
    for (int k = 0; k < 8; k++) {
        lo1[k] = (k & 1) ? 8 + k - 1 : k; hi1[k] = (k & 1) ? 8 + k : k + 1;
        lo2[k] = (k & 2) ? 8 + k - 2 : k; hi2[k] = (k & 2) ? 8 + k : k + 2;
        lo4[k] = (k & 4) ? 8 + k - 4 : k; hi4[k] = (k & 4) ? 8 + k : k + 4;
    }
    c.l1 = _mm512_loadu_si512(lo1); c.h1 = _mm512_loadu_si512(hi1);
    c.l2 = _mm512_loadu_si512(lo2); c.h2 = _mm512_loadu_si512(hi2);
    c.l4 = _mm512_loadu_si512(lo4); c.h4 = _mm512_loadu_si512(hi4);
    const __m512i stride = _mm512_set_epi64(7 * m, 6 * m, 5 * m, 4 * m, 3 * m, 2 * m, m, 0);
    const __m512i limit = _mm512_set1_epi16((short)threshold);
    long found = 0;
    for (long g = begin; g + 64 <= end; g += 64) {
        __m512i acc0 = _mm512_setzero_si512(), acc1 = _mm512_setzero_si512();
        if (m == 8) {
            // One group: the 64 items' 512 bytes are the eight 8 × 8 registers as they lie.
            const uint8_t *base = codes + g * 8;
            if (g + ahead < prefetch_end)
                for (int line = 0; line < 8; line++) __builtin_prefetch(base + PQ_PREFETCH + line * 64, 0, 0);
            __m512i x[8];
            for (int j = 0; j < 8; j++) x[j] = _mm512_loadu_si512(base + j * 64);
            accumulate(x, table, &c, &acc0, &acc1);
        } else if (m % 64 == 0) {
            // Per 64 splits: 8 items' 64-byte rows transposed as 8 × 8 words give each group's
            // 8 × 8 register for those items (64 loads and 8 transposes instead of 64 gathers).
            for (long super = 0; super < m; super += 64) {
                __m512i groups[8][8];
                for (int j = 0; j < 8; j++) {
                    __m512i rows[8];
                    for (int t = 0; t < 8; t++) {
                        const uint8_t *row = codes + (g + 8 * j + t) * m + super;
                        if (g + ahead < prefetch_end) __builtin_prefetch(row + PQ_PREFETCH, 0, 0);
                        rows[t] = _mm512_loadu_si512(row);
                    }
                    transpose8(rows, &c);
                    for (int s = 0; s < 8; s++) groups[s][j] = rows[s];
                }
                for (int s = 0; s < 8; s++) accumulate(groups[s], table + (super + 8 * s) * 256, &c, &acc0, &acc1);
            }
        } else {
            for (long group = 0; group < m; group += 8) {
                __m512i x[8];
                const uint8_t *base = codes + g * m + group;
                for (int j = 0; j < 8; j++) x[j] = _mm512_i64gather_epi64(stride, (const void *)(base + j * 8 * m), 1);
                accumulate(x, table + group * 256, &c, &acc0, &acc1);
            }
        }
        uint64_t hits = (uint64_t)_mm512_cmpge_epu16_mask(acc0, limit) |
                        ((uint64_t)_mm512_cmpge_epu16_mask(acc1, limit) << 32);
        while (hits) {
            out[found++] = g + __builtin_ctzll(hits);
            hits &= hits - 1;
        }
    }
    return found;
}

// RecJPQPrune's posting lists in blocks of 64 postings, split-major: row r of a block holds the
// 64 postings' codes of one split, the list's own split left out (its sub-id is the list's). A
// row is looked up as it lies — no regrouping or transpose — and a list reads m − 1 bytes per
// posting instead of m. `splitOfRow[r]` names row r's split; lanes past `lastLanes` in the last
// block are padding.
PQ_TARGET
long seqrec_pq_blocked_scan(const uint8_t *blocks, long rows, long count, long prefetchCount, long lastLanes,
                            const int32_t *splitOfRow, const uint8_t *table, uint16_t threshold, int64_t *out) {
    // Blocks prefetched ahead (~8 KB, as the item-major scan) while before block prefetchCount.
    const long ahead = rows > 0 ? (PQ_PREFETCH + rows * 64 - 1) / (rows * 64) : 0;
    const __m512i limit = _mm512_set1_epi16((short)threshold);
    const long bytes = rows * 64;
    long found = 0;
    for (long b = 0; b < count; b++) {
        const uint8_t *block = blocks + b * bytes;
        if (b + ahead < prefetchCount)
            for (long line = 0; line < rows; line++) __builtin_prefetch(block + ahead * bytes + line * 64, 0, 0);
        __m512i acc0 = _mm512_setzero_si512(), acc1 = _mm512_setzero_si512();
        for (long r = 0; r < rows; r++) {
            __m512i v = lookup(_mm512_loadu_si512(block + r * 64), table + (long)splitOfRow[r] * 256);
            acc0 = _mm512_add_epi16(acc0, _mm512_cvtepu8_epi16(_mm512_castsi512_si256(v)));
            acc1 = _mm512_add_epi16(acc1, _mm512_cvtepu8_epi16(_mm512_extracti64x4_epi64(v, 1)));
        }
        uint64_t hits = (uint64_t)_mm512_cmpge_epu16_mask(acc0, limit) |
                        ((uint64_t)_mm512_cmpge_epu16_mask(acc1, limit) << 32);
        if (b == count - 1 && lastLanes < 64) hits &= (1ull << lastLanes) - 1;
        while (hits) {
            out[found++] = b * 64 + __builtin_ctzll(hits);
            hits &= hits - 1;
        }
    }
    return found;
}

#else

int seqrec_pq_shuffle_scan_available(void) { return 0; }
long seqrec_pq_blocked_scan(const uint8_t *blocks, long rows, long count, long prefetchCount, long lastLanes,
                            const int32_t *splitOfRow, const uint8_t *table, uint16_t threshold, int64_t *out) {
    (void)blocks; (void)rows; (void)count; (void)prefetchCount; (void)lastLanes; (void)splitOfRow; (void)table;
    (void)threshold; (void)out;
    return -1;
}

long seqrec_pq_shuffle_scan(const uint8_t *codes, long m, long begin, long end, long prefetch_end,
                            const uint8_t *table, uint16_t threshold, int64_t *out) {
    (void)codes; (void)m; (void)begin; (void)end; (void)prefetch_end; (void)table; (void)threshold; (void)out;
    return -1;
}

#endif
