// The three loops of `Tensor.sampledDot` (the logits of k sampled items at each position, and their
// pullbacks), which dominate a gSASRec training step outside sgemm: 16 fixed accumulation lanes
// (one 512-bit register, or four 128-bit ones in the baseline clone) with the lanes summed in a
// fixed tree, so every clone gives the same bits.
#include "CSeqRecKernels.h"
#include "Clones.h"
#include <stdlib.h>
#include <string.h>


typedef float v16f __attribute__((vector_size(64)));
typedef float v8f __attribute__((vector_size(32)));
typedef float v4f __attribute__((vector_size(16)));

#define load16(p) ({ v16f v_; memcpy(&v_, (p), sizeof v_); v_; })
#define store16(p, v) do { v16f s_ = (v); memcpy((p), &s_, sizeof s_); } while (0)
#define splat16(c) ({ const float c_ = (c); (v16f){c_, c_, c_, c_, c_, c_, c_, c_, c_, c_, c_, c_, c_, c_, c_, c_}; })

// The 16 lanes summed as a tree: halves, quarters, eighths, then the last pair.
#define sum16(a) ({ \
    v16f a_ = (a); \
    v8f h_ = __builtin_shufflevector(a_, a_, 0, 1, 2, 3, 4, 5, 6, 7) + __builtin_shufflevector(a_, a_, 8, 9, 10, 11, 12, 13, 14, 15); \
    v4f q_ = __builtin_shufflevector(h_, h_, 0, 1, 2, 3) + __builtin_shufflevector(h_, h_, 4, 5, 6, 7); \
    (q_[0] + q_[2]) + (q_[1] + q_[3]); })

SEQREC_WIDE_CLONES
void seqrec_sampled_dot_forward(const float *h, const float *t, const int32_t *ids, float *out,
                                long r0, long r1, long k, long d) {
    const long body = d & ~15L;
    for (long r = r0; r < r1; r++) {
        const float *hr = h + r * d;
        const int32_t *id = ids + r * k;
        long j = 0;
        for (; j + 4 <= k; j += 4) {   // four sampled rows share each load of h's row
            const float *t0 = t + (long)id[j] * d, *t1 = t + (long)id[j + 1] * d;
            const float *t2 = t + (long)id[j + 2] * d, *t3 = t + (long)id[j + 3] * d;
            v16f a0 = splat16(0), a1 = splat16(0), a2 = splat16(0), a3 = splat16(0);
            for (long x = 0; x < body; x += 16) {
                v16f hv = load16(hr + x);
                a0 += hv * load16(t0 + x); a1 += hv * load16(t1 + x);
                a2 += hv * load16(t2 + x); a3 += hv * load16(t3 + x);
            }
            float s0 = sum16(a0), s1 = sum16(a1), s2 = sum16(a2), s3 = sum16(a3);
            for (long x = body; x < d; x++) {
                s0 += hr[x] * t0[x]; s1 += hr[x] * t1[x]; s2 += hr[x] * t2[x]; s3 += hr[x] * t3[x];
            }
            out[r * k + j] = s0; out[r * k + j + 1] = s1; out[r * k + j + 2] = s2; out[r * k + j + 3] = s3;
        }
        for (; j < k; j++) {
            const float *tj = t + (long)id[j] * d;
            v16f a = splat16(0);
            for (long x = 0; x < body; x += 16) a += load16(hr + x) * load16(tj + x);
            float s = sum16(a);
            for (long x = body; x < d; x++) s += hr[x] * tj[x];
            out[r * k + j] = s;
        }
    }
}

SEQREC_WIDE_CLONES
void seqrec_sampled_dot_hidden_grad(const float *g, const float *t, const int32_t *ids, float *dh,
                                    long r0, long r1, long k, long d) {
    for (long r = r0; r < r1; r++) {
        float *dr = dh + r * d;
        const float *gr = g + r * k;
        const int32_t *id = ids + r * k;
        long x = 0;
        for (; x + 64 <= d; x += 64) {   // 64 columns of dh's row stay in registers over all k rows
            v16f a0 = load16(dr + x), a1 = load16(dr + x + 16), a2 = load16(dr + x + 32), a3 = load16(dr + x + 48);
            for (long j = 0; j < k; j++) {
                const float *tj = t + (long)id[j] * d + x;
                v16f c = splat16(gr[j]);
                a0 += c * load16(tj); a1 += c * load16(tj + 16); a2 += c * load16(tj + 32); a3 += c * load16(tj + 48);
            }
            store16(dr + x, a0); store16(dr + x + 16, a1); store16(dr + x + 32, a2); store16(dr + x + 48, a3);
        }
        for (; x + 16 <= d; x += 16) {
            v16f a = load16(dr + x);
            for (long j = 0; j < k; j++) a += splat16(gr[j]) * load16(t + (long)id[j] * d + x);
            store16(dr + x, a);
        }
        for (; x < d; x++) {
            float a = dr[x];
            for (long j = 0; j < k; j++) a += gr[j] * t[(long)id[j] * d + x];
            dr[x] = a;
        }
    }
}

// dt[id] += g·h[row] for the pairs whose id lies in [lo, hi), visited in pair order (row, then
// sample) for every id, so each row of dt sums its terms in one fixed order.
SEQREC_WIDE_CLONES
static void table_grad_pairs(const float *g, const float *h, const int32_t *ids, float *dt, long rows, long k, long d,
                             int32_t lo, int32_t hi) {
    const long body = d & ~15L;
    for (long r = 0; r < rows; r++) {
        const float *hr = h + r * d;
        for (long j = 0; j < k; j++) {
            const int32_t id = ids[r * k + j];
            if (id < lo || id >= hi) continue;
            const float c = g[r * k + j];
            float *dr = dt + (long)id * d;
            const v16f cv = splat16(c);
            for (long x = 0; x < body; x += 16) store16(dr + x, load16(dr + x) + cv * load16(hr + x));
            for (long x = body; x < d; x++) dr[x] += c * hr[x];
        }
    }
}

// The same sums with the owned ids cut into slices whose rows of dt fit in L2 (256 KB): the
// pairs are first bucketed by slice (two branch-free passes over the ids, pair order kept within
// a bucket), then each slice's pairs update its rows of dt while they stay cached. With random
// ids over a table larger than L2 the direct loop waits on a cache miss for every pair; here
// each row of dt receives its terms in the same order, so the bits are the direct loop's.
SEQREC_WIDE_CLONES
void seqrec_sampled_dot_table_grad(const float *g, const float *h, const int32_t *ids, float *dt,
                                   long rows, long k, long d, int32_t lo, int32_t hi) {
    const long span = (long)hi - lo, pairs = rows * k;
    int shift = 0;
    while (((2L << shift) * d * 4) <= 256 * 1024) shift++;   // 2^shift ids per slice
    const long slices = span > 0 ? ((span - 1) >> shift) + 1 : 0;
    long *pos = slices > 1 && pairs < (1L << 31) ? calloc((size_t)slices + 2, sizeof(long)) : NULL;
    int32_t *list = NULL;
    if (pos) {
        for (long p = 0; p < pairs; p++) {   // pos[s + 1] counts slice s; pos[slices + 1] the rest
            const unsigned long u = (unsigned long)((long)ids[p] - lo);
            const long inside = u < (unsigned long)span;
            pos[(inside ? (long)(u >> shift) : slices) + 1]++;
        }
        // pos[s]: where slice s's pairs start; pos[slices]: one spare place (the sink).
        long total = 0;
        for (long s_ = 0; s_ < slices; s_++) { const long c = pos[s_ + 1]; pos[s_] = total; total += c; }
        pos[slices] = total;
        list = malloc(sizeof(int32_t) * (size_t)(total + 1));
    }
    if (!list) {
        free(pos);
        table_grad_pairs(g, h, ids, dt, rows, k, d, lo, hi);
        return;
    }
    // Pairs in order: an owned pair goes to its slice's next place, any other to the sink,
    // which never advances.
    long *next = pos;
    for (long p = 0; p < pairs; p++) {
        const unsigned long u = (unsigned long)((long)ids[p] - lo);
        const long inside = u < (unsigned long)span;
        const long s_ = inside ? (long)(u >> shift) : slices;
        list[next[s_]] = (int32_t)p;
        next[s_] += inside;
    }
    const long body = d & ~15L;
    long begin = 0;
    for (long s_ = 0; s_ < slices; s_++) {
        const long end = next[s_];   // slice s ends where its cursor stopped
        long r = 0, row_start = 0;
        for (long i = begin; i < end; i++) {
            const long p = list[i];
            while (p >= row_start + k) { r++; row_start += k; }
            const float c = g[p];
            const float *hr = h + r * d;
            float *dr = dt + (long)ids[p] * d;
            const v16f cv = splat16(c);
            for (long x = 0; x < body; x += 16) store16(dr + x, load16(dr + x) + cv * load16(hr + x));
            for (long x = body; x < d; x++) dr[x] += c * hr[x];
        }
        begin = end;
    }
    free(list);
    free(pos);
}
