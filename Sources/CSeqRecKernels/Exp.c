// The vectorised exp (the method of SeqRecTensor's `vexp`) and the two kernels built on it that
// dominate Transformer training outside sgemm: masked row softmax (attention) and exact GELU.
// Written with vector extensions so the AVX2 clone runs 8 lanes per instruction; the Swift
// engine is compiled for baseline x86-64, where the same code ran as pairs of SSE operations.
#include "CSeqRecKernels.h"
#include "Clones.h"
#include <string.h>

typedef float v8f __attribute__((vector_size(32)));
typedef int32_t v8i __attribute__((vector_size(32)));

// Helpers are macros (statement expressions): a function taking or returning a 256-bit vector
// would change the ABI of the baseline clone.
#define splat(c) ({ const float c_ = (c); (v8f){c_, c_, c_, c_, c_, c_, c_, c_}; })
#define load8(p) ({ v8f v_; memcpy(&v_, (p), sizeof v_); v_; })
#define store8(p, v) do { v8f s_ = (v); memcpy((p), &s_, sizeof s_); } while (0)
#define pick(m, a, b) ({ v8i m_ = (m); (v8f)((m_ & (v8i)(a)) | (~m_ & (v8i)(b))); })

// Loads the n < 8 tail elements of p, padding with `fill`; stores the first n lanes.
#define loadTail(p, n, fill) ({ float t_[8]; for (int l_ = 0; l_ < 8; l_++) t_[l_] = l_ < (n) ? (p)[l_] : (fill); load8(t_); })
#define storeTail(p, n, v) do { float u_[8]; store8(u_, (v)); for (long l_ = 0; l_ < (n); l_++) (p)[l_] = u_[l_]; } while (0)

// e^x: x = n·ln 2 + r, degree-6 polynomial for e^r (Cephes expf), 2ⁿ in two exponent halves.
// 0 below −87.33654 (so −∞ → 0), +∞ above 88.72283, NaN stays NaN.
#define exp8(xin) ({ \
    v8f xe_ = (xin); \
    const v8f lo = splat(-87.33654f), hi = splat(88.72283f), magic = splat(12582912.0f); \
    v8f xc = pick(xe_ < lo, lo, xe_); \
    xc = pick(xc > hi, hi, xc); \
    v8f t = xc * 1.44269504f + magic; \
    v8f fn = t - magic; \
    v8i n = (v8i)t - 0x4B400000; \
    v8f r = xc - fn * 0.693359375f; \
    r = r - fn * -2.12194440e-4f; \
    v8f z = r * r; \
    v8f y = splat(1.9875691500e-4f); \
    y = y * r + 1.3981999507e-3f; \
    y = y * r + 8.3334519073e-3f; \
    y = y * r + 4.1665795894e-2f; \
    y = y * r + 1.6666665459e-1f; \
    y = y * r + 5.0000001201e-1f; \
    y = y * z + r + 1.0f; \
    v8i half = n >> 1; \
    v8f p1 = (v8f)((half + 127) << 23), p2 = (v8f)((n - half + 127) << 23); \
    v8f v = y * p1 * p2; \
    v = pick(xe_ < lo, splat(0.0f), v); \
    v = pick(xe_ > hi, splat(__builtin_inff()), v); \
    pick(xe_ != xe_, xe_, v); \
})

#define lanesSum(a) ({ v8f a_ = (a); ((a_[0] + a_[4]) + (a_[2] + a_[6])) + ((a_[1] + a_[5]) + (a_[3] + a_[7])); })

SEQREC_CLONES
void seqrec_softmax_row(const float *x, float *o, long n, const float *mask) {
    const long body = n / 8 * 8;
    float mx = -__builtin_inff();
    for (long j = 0; j < n; j++)
        if ((!mask || mask[j] != 0) && x[j] > mx) mx = x[j];
    if (mx == -__builtin_inff()) {   // nothing allowed (or all −∞): zeros, never NaN
        for (long j = 0; j < n; j++) o[j] = 0;
        return;
    }
    const v8f shift = splat(mx);
    v8f acc = splat(0.0f);
    for (long j = 0; j < body; j += 8) {
        v8f e = exp8(load8(x + j) - shift);
        if (mask) e = pick(load8(mask + j) != 0, e, splat(0.0f));
        acc += e;
        store8(o + j, e);
    }
    if (body < n) {
        v8f e = exp8(loadTail(x + body, n - body, -__builtin_inff()) - shift);
        if (mask) e = pick(loadTail(mask + body, n - body, 0) != 0, e, splat(0.0f));
        acc += e;
        storeTail(o + body, n - body, e);
    }
    const v8f inv = splat(1.0f / lanesSum(acc));
    for (long j = 0; j < body; j += 8) store8(o + j, load8(o + j) * inv);
    if (body < n) storeTail(o + body, n - body, loadTail(o + body, n - body, 0) * inv);
}

// Φ(x) and φ(x): erf by Abramowitz & Stegun 7.1.26 (|error| ≤ 1.5e-7); one exp serves both.
#define normal8(xin, cdf, pdf) do { \
    v8f xn_ = (xin); \
    v8f e = exp8(xn_ * xn_ * -0.5f); \
    v8i negative = xn_ < 0; \
    v8f z = pick(negative, -xn_, xn_) * 0.70710678f; \
    v8f t = 1.0f / (1.0f + 0.3275911f * z); \
    v8f poly = splat(1.061405429f); \
    poly = poly * t - 1.453152027f; \
    poly = poly * t + 1.421413741f; \
    poly = poly * t - 0.284496736f; \
    poly = poly * t + 0.254829592f; \
    poly = poly * t; \
    v8f erf = 1.0f - poly * e; \
    erf = pick(negative, -erf, erf); \
    cdf = 0.5f * (1.0f + erf); \
    pdf = 0.39894228f * e; \
} while (0)

#define gelu8(xin, g, j, count, out) do { \
    v8f cdf, pdf, xg = (xin); \
    normal8(xg, cdf, pdf); \
    if (!(g)) out = xg * cdf; \
    else out = ((count) == 8 ? load8((g) + (j)) : loadTail((g) + (j), (count), 0)) * (cdf + xg * pdf); \
} while (0)

SEQREC_CLONES
void seqrec_gelu(const float *x, const float *g, float *o, long n) {
    const long body = n / 8 * 8;
    v8f r;
    for (long j = 0; j < body; j += 8) { gelu8(load8(x + j), g, j, 8, r); store8(o + j, r); }
    if (body < n) { gelu8(loadTail(x + body, n - body, 0), g, body, n - body, r); storeTail(o + body, n - body, r); }
}

// The largest of n floats (−∞ for none), eight lanes at a time.
static inline __attribute__((always_inline)) float row_max(const float *x, long n) {
    const long body = n / 8 * 8;
    v8f m = splat(-__builtin_inff());
    for (long j = 0; j < body; j += 8) { v8f v = load8(x + j); m = pick(v > m, v, m); }
    float mx = -__builtin_inff();
    for (int l = 0; l < 8; l++) if (m[l] > mx) mx = m[l];
    for (long j = body; j < n; j++) if (x[j] > mx) mx = x[j];
    return mx;
}

SEQREC_CLONES
float seqrec_logsumexp_row(const float *x, long n) {
    const long body = n / 8 * 8;
    const float mx = row_max(x, n);
    const v8f shift = splat(mx);
    v8f acc = splat(0.0f);
    for (long j = 0; j < body; j += 8) acc += exp8(load8(x + j) - shift);
    if (body < n) acc += exp8(loadTail(x + body, n - body, -__builtin_inff()) - shift);
    return mx + __builtin_logf(lanesSum(acc));
}

SEQREC_CLONES
float seqrec_softmax_scaled_row(const float *x, float *o, long n, float scale) {
    const long body = n / 8 * 8;
    const float mx = row_max(x, n);
    const v8f shift = splat(mx);
    v8f acc = splat(0.0f);
    for (long j = 0; j < body; j += 8) {
        const v8f e = exp8(load8(x + j) - shift);
        acc += e;
        store8(o + j, e);
    }
    if (body < n) {
        const v8f e = exp8(loadTail(x + body, n - body, -__builtin_inff()) - shift);
        acc += e;
        storeTail(o + body, n - body, e);
    }
    const float sum = lanesSum(acc);
    const v8f k = splat(scale / sum);
    for (long j = 0; j < body; j += 8) store8(o + j, load8(o + j) * k);
    if (body < n) storeTail(o + body, n - body, loadTail(o + body, n - body, 0) * k);
    return mx + __builtin_logf(sum);
}

SEQREC_CLONES
void seqrec_exp_shifted(const float *x, float *o, long n, float shift, float scale) {
    const long body = n / 8 * 8;
    const v8f sh = splat(shift);
    for (long j = 0; j < body; j += 8) store8(o + j, exp8(load8(x + j) - sh) * scale);
    if (body < n) storeTail(o + body, n - body, exp8(loadTail(x + body, n - body, 0) - sh) * scale);
}

// log(1 + e) for e in [0, 1]: Cephes logf's polynomial on z = e, or, above √2 − 1, on
// z = (1 + e)/2 − 1 plus log 2 — accurate also for tiny e (no 1 + e rounding).
#define log1p01(ein) ({ \
    v8f e_ = (ein); \
    v8i big_ = e_ > 0.41421356f; \
    v8f z = pick(big_, (e_ - 1.0f) * 0.5f, e_); \
    v8f zz = z * z; \
    v8f p = splat(7.0376836292e-2f); \
    p = p * z - 1.1514610310e-1f; \
    p = p * z + 1.1676998740e-1f; \
    p = p * z - 1.2420140846e-1f; \
    p = p * z + 1.4249322787e-1f; \
    p = p * z - 1.6668057665e-1f; \
    p = p * z + 2.0000714765e-1f; \
    p = p * z - 2.4999993993e-1f; \
    p = p * z + 3.3333331174e-1f; \
    v8f y = p * z * zz - zz * 0.5f + z; \
    pick(big_, y + 0.69314718f, y); })

// softplus(v) = max(v, 0) + log(1 + e^−|v|) and σ(v), from one e = e^−|v|.
#define softplus8(v) ({ v8f v_ = (v); v8f a_ = pick(v_ < 0, -v_, v_); \
    pick(v_ > 0, v_, splat(0.0f)) + log1p01(exp8(-a_)); })
#define sigmoid8(v) ({ v8f v_ = (v); v8f a_ = pick(v_ < 0, -v_, v_); v8f e_ = exp8(-a_); \
    pick(v_ < 0, e_, splat(1.0f)) / (1.0f + e_); })

SEQREC_CLONES
void seqrec_softplus(const float *x, float *o, long n, float inSign, float outSign) {
    const long body = n / 8 * 8;
    for (long j = 0; j < body; j += 8) store8(o + j, softplus8(load8(x + j) * inSign) * outSign);
    if (body < n) storeTail(o + body, n - body, softplus8(loadTail(x + body, n - body, 0) * inSign) * outSign);
}

SEQREC_CLONES
void seqrec_sigmoid_times(const float *x, const float *g, float *o, long n, float inSign) {
    const long body = n / 8 * 8;
    for (long j = 0; j < body; j += 8) store8(o + j, load8(g + j) * sigmoid8(load8(x + j) * inSign));
    if (body < n)
        storeTail(o + body, n - body, loadTail(g + body, n - body, 0) * sigmoid8(loadTail(x + body, n - body, 0) * inSign));
}
