// Small element-wise kernels the Swift engine calls in its hot loops. Each is plain C,
// compiled twice (AVX2 and the baseline x86-64 / generic target) with the clone chosen at load
// time, so one binary runs everywhere and uses 256-bit vectors where the CPU has them.
// Every clone performs the same operations in the same order (no FMA contraction, fixed
// accumulation lanes): results are bit-identical whichever clone runs.
#ifndef CSEQREC_KERNELS_H
#define CSEQREC_KERNELS_H

#include <stdint.h>

/// Inverted dropout over n elements: o[j] = x[j] · (hash(base + j) ≥ threshold ? scale : 0),
/// where hash is the 32-bit counter hash of SeqRec's `Tensor.dropout` keyed by k1, k2.
/// x and o may alias.
void seqrec_dropout_apply(const float *x, float *o, long n, uint32_t base, uint32_t k1, uint32_t k2,
                          uint32_t threshold, float scale);

/// The counter hash itself (for tests and for code that needs the keep decision).
uint32_t seqrec_dropout_hash(uint32_t index, uint32_t k1, uint32_t k2);

/// n draws `offset + nextInt(below: bound)` of SplitMix64 from `state` into out — the same
/// numbers as that many `SplitMix64.nextInt(below:)` calls (bound > 0; the results must fit
/// Int32) — and the state after them.
uint64_t seqrec_uniform_draws(uint64_t state, uint64_t bound, int32_t offset, int32_t *out, long n);

/// One Adam / AdamW update of n weights w with moments m, v and gradient g (SeqRecNN's `Adam`):
/// m ← β₁m + (1−β₁)g; v ← β₂v + (1−β₂)g²; w ← w·decay − lr·(m/c1)/(√(v/c2) + ε). No aliasing.
void seqrec_adam_update(float *w, float *m, float *v, const float *g, long n, float beta1, float beta2, float c1,
                        float c2, float epsilon, float lr, float decay);

/// Layer normalisation of `rows` rows of length d: y = (x − mean)·rstd·γ + β with biased
/// variance; writes (mean, rstd) per row into stats[2·row], stats[2·row + 1].
void seqrec_layernorm_forward(const float *x, float *y, float *stats, const float *gamma, const float *beta,
                              long rows, long d, float epsilon);

/// Pullback of `seqrec_layernorm_forward` for `rows` rows given the upstream gradient g.
/// Adds Σ g·x̂ into dgamma[d] and Σ g into dbeta[d]; writes dx (if not NULL).
void seqrec_layernorm_backward(const float *x, const float *g, const float *stats, const float *gamma,
                               float *dx, float *dgamma, float *dbeta, long rows, long d);

/// Softmax of one row of n floats into o (o may equal x); entries with mask[j] == 0 (mask may
/// be NULL) get 0, and a row with no allowed entry becomes all zeros.
void seqrec_softmax_row(const float *x, float *o, long n, const float *mask);

/// log Σⱼ e^(x[j]) of one row of n floats, as max + log Σ e^(x − max) (the softmax loss).
float seqrec_logsumexp_row(const float *x, long n);

/// o[j] = scale · softmax(x)[j] over one row of n floats (o ≠ x), returning log Σⱼ e^(x[j]):
/// the softmax loss's gradient row and its log-partition from one exp pass (row in cache).
float seqrec_softmax_scaled_row(const float *x, float *o, long n, float scale);

/// o[j] = e^(x[j] − shift) · scale over n floats (the softmax loss's pullback; o may equal x).
void seqrec_exp_shifted(const float *x, float *o, long n, float shift, float scale);

/// o[j] = outSign · softplus(inSign · x[j]) over n floats, softplus(v) = log(1 + eᵛ) without
/// overflow (log σ(x) is inSign = outSign = −1).
void seqrec_softplus(const float *x, float *o, long n, float inSign, float outSign);

/// o[j] = g[j] · σ(inSign · x[j]) over n floats (the pullback of `seqrec_softplus`).
void seqrec_sigmoid_times(const float *x, const float *g, float *o, long n, float inSign);

/// Exact (erf) GELU x·Φ(x) over n floats into o; with g not NULL, its pullback g·(Φ(x) + x·φ(x)).
void seqrec_gelu(const float *x, const float *g, float *o, long n);

/// Sampled logits for rows [r0, r1): out[r·k + j] = h[r] · t[ids[r·k + j]] (rows of width d).
void seqrec_sampled_dot_forward(const float *h, const float *t, const int32_t *ids, float *out,
                                long r0, long r1, long k, long d);

/// Their pullback into h for rows [r0, r1): dh[r] += Σⱼ g[r·k + j] · t[ids[r·k + j]], in j order.
void seqrec_sampled_dot_hidden_grad(const float *g, const float *t, const int32_t *ids, float *dh,
                                    long r0, long r1, long k, long d);

/// Their pullback into the table for the ids in [lo, hi): dt[id] += g[r·k + j] · h[r] over all
/// (r, j) in order (threads owning disjoint id ranges give a deterministic sum).
void seqrec_sampled_dot_table_grad(const float *g, const float *h, const int32_t *ids, float *dt,
                                   long rows, long k, long d, int32_t lo, int32_t hi);

/// 1 when this CPU runs `seqrec_pq_shuffle_scan` (x86-64 with AVX-512 F, BW and VBMI), else 0.
int seqrec_pq_shuffle_scan_available(void);

/// PQTopK's quantised scan (b = 256, m a multiple of 8, at most 256): for each whole group of 64
/// items in [begin, end) (item-major codes, m bytes per item), the 16-bit sum over the item's codes
/// of table[k·256 + code]; writes the index of every item whose sum is ≥ threshold to out (room
/// for end − begin entries) and returns their count. Items past the last whole group of 64 are
/// not scanned. Codes are prefetched ahead up to item `prefetch_end` (the end of what the caller
/// scans next: past it the prefetches would only cost bandwidth). Returns −1 where the kernel is
/// not compiled in.
long seqrec_pq_shuffle_scan(const uint8_t *codes, long m, long begin, long end, long prefetch_end,
                            const uint8_t *table, uint16_t threshold, int64_t *out);

/// RecJPQPrune's blocked posting lists (`count` blocks of `rows` × 64 code bytes, split-major, row r
/// holding split `splitOfRow[r]`; the last block's lanes from `lastLanes` on are padding; blocks
/// before `prefetchCount` — the list's end — may be prefetched): writes
/// the position (block · 64 + lane) of every posting whose 16-bit sum of table[split·256 + code]
/// is ≥ threshold to out (room for count · 64) and returns their count; −1 where the kernel is not
/// compiled in (needs the same CPU as `seqrec_pq_shuffle_scan`).
long seqrec_pq_blocked_scan(const uint8_t *blocks, long rows, long count, long prefetchCount, long lastLanes,
                            const int32_t *splitOfRow, const uint8_t *table, uint16_t threshold, int64_t *out);

/// The interaction readers' all-numeric rows: from b[start], consecutive lines of `width`
/// unsigned decimal fields (`digits[.digits]`, at most 18 digits) joined by the byte s0 (and s1
/// when s1 ≥ 0), each ending in [\r]\n (or at limit, the end of the data); field `user` and
/// field `item` plain integers (no fraction, no leading zero), field `time` (−1: none) below
/// 10^15 as a mantissa, converted as mantissa / 10^scale. Writes up to maxRows rows (user and
/// item values; times[r] when times is not NULL) and returns their count; *next is the offset of
/// the first line not read (a line of another shape, or maxRows reached). `end` is where the
/// buffer ends (≥ limit): loads never pass it. With `structural` (and AVX2 on the CPU) the field
/// boundaries come from a 64-byte non-digit mask first (with AVX-512 VBMI and a bundled layout,
/// a row per 64-byte load); otherwise each field is scanned in turn. All read the same rows with
/// the same values.
long seqrec_numeric_rows(const unsigned char *b, long start, long limit, long end, int width, int user, int item,
                         int time, unsigned char s0, int s1, long maxRows, int64_t *users, int64_t *items,
                         double *times, long *next, int structural);

/// Token ids of integer values through a direct table (`TokenIndex`'s dense lookup): out[i] =
/// dense[values[i]] − 1 while values[i] < denseCount and its entry is set; returns how many were
/// resolved before the first value that is not (a new token, for the caller to add), or n.
long seqrec_dense_lookup(const int64_t *values, long n, const int32_t *dense, long denseCount, int32_t *out);

/// The number of bytes equal to `byte` in p[0..<n] (the readers' line count; 64 bytes a step with AVX2).
long seqrec_count_byte(const unsigned char *p, long n, unsigned char byte);

/// 1 when this CPU runs `seqrec_sgemm` (x86-64 with AVX-512F), else 0.
int seqrec_sgemm_available(void);

/// C ← α·op(A)·op(B) + β·C, row-major (op = transpose when the flag is 1; C is not read when
/// β = 0), on one thread with AVX-512: a 12 × 32 register tile over k-major packed slices of
/// op(A), blocked by 256 in k. Each element's sum over k runs in the same order however the
/// caller splits m and n. Returns 0 (and does nothing) where the kernel is not available.
int seqrec_sgemm(int transposeA, int transposeB, long m, long n, long k, float alpha, const float *a, long lda,
                 const float *b, long ldb, float beta, float *c, long ldc);

/// `seqrec_sgemm` with C ← α·op(A)·op(B) + bias (bias[n] added to every row in the tile's
/// epilogue, in place of β·C; bias NULL = `seqrec_sgemm`): the same floats as C pre-loaded with
/// the bias rows and β = 1, without the pass that writes them.
int seqrec_sgemm_bias(int transposeA, int transposeB, long m, long n, long k, float alpha, const float *a, long lda,
                      const float *b, long ldb, float beta, float *c, long ldc, const float *bias);

#endif