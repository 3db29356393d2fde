// Single-precision matrix product for x86-64 with AVX-512: C ← α·op(A)·op(B) + β·C, row-major.
// The engine's BLAS layer calls it instead of OpenBLAS where the CPU has AVX-512 (OpenBLAS 0.3.21,
// Debian's, runs its AVX2 kernels there). A 12 × 32 register tile: 24 accumulators, each k step
// two vector loads of op(B) and twelve broadcasts of op(A) from a k-major packed copy. Every
// element is one sum over k in order, whatever the blocking or the thread split: results do not
// depend on how the caller divides the work.
#include "CSeqRecKernels.h"
#include <stdlib.h>
#include <string.h>

#if defined(__x86_64__) && (defined(__clang__) || defined(__GNUC__))
#include <immintrin.h>
#define SEQREC_GEMM512 1

enum { MR = 12, NR = 32, NC = 512, KC = 256 };

// r[i] ← column i of the 16 × 16 block whose rows are r[0…15] (unpack, then two rounds of
// 128-bit lane shuffles).
__attribute__((target("avx512f")))
static inline void transpose16(__m512 r[16]) {
    __m512 t[16];
    for (int i = 0; i < 16; i += 2) {
        t[i] = _mm512_unpacklo_ps(r[i], r[i + 1]);
        t[i + 1] = _mm512_unpackhi_ps(r[i], r[i + 1]);
    }
    for (int i = 0; i < 16; i += 4) {
        r[i] = _mm512_shuffle_ps(t[i], t[i + 2], _MM_SHUFFLE(1, 0, 1, 0));
        r[i + 1] = _mm512_shuffle_ps(t[i], t[i + 2], _MM_SHUFFLE(3, 2, 3, 2));
        r[i + 2] = _mm512_shuffle_ps(t[i + 1], t[i + 3], _MM_SHUFFLE(1, 0, 1, 0));
        r[i + 3] = _mm512_shuffle_ps(t[i + 1], t[i + 3], _MM_SHUFFLE(3, 2, 3, 2));
    }
    for (int h = 0; h < 16; h += 8)
        for (int i = 0; i < 4; i++) {
            t[h + i] = _mm512_shuffle_f32x4(r[h + i], r[h + i + 4], 0x88);
            t[h + i + 4] = _mm512_shuffle_f32x4(r[h + i], r[h + i + 4], 0xDD);
        }
    for (int i = 0; i < 8; i++) {
        r[i] = _mm512_shuffle_f32x4(t[i], t[i + 8], 0x88);
        r[i + 8] = _mm512_shuffle_f32x4(t[i], t[i + 8], 0xDD);
    }
}

// op(A) rows [r0, r0 + rows) (rows ≤ MR) and k in [k0, k0 + kc) into pa[x·MR + r], zero-padded to
// MR rows.
__attribute__((target("avx512f")))
static void pack_a(int tA, const float *a, long lda, long r0, long rows, long k0, long kc, float *pa) {
    if (tA) {   // op(A)(r, k) = A[k·lda + r]: MR consecutive floats per k, one masked move
        const __mmask16 valid = (__mmask16)((1u << rows) - 1);
        for (long x = 0; x < kc; x++)
            _mm512_mask_storeu_ps(pa + x * MR, 0x0FFF, _mm512_maskz_loadu_ps(valid, a + (k0 + x) * lda + r0));
    } else {    // op(A)(r, k) = A[r·lda + k]: k outer, so the writes are sequential
        const float *src[MR];
        for (long r = 0; r < MR; r++) src[r] = a + (r0 + (r < rows ? r : 0)) * lda + k0;
        long x0 = 0;
        if (rows == MR) {
            // 16 k at a time: twelve rows (and four zero rows) transposed in registers.
            for (; x0 + 16 <= kc; x0 += 16) {
                __m512 r[16];
                for (int i = 0; i < MR; i++) r[i] = _mm512_loadu_ps(src[i] + x0);
                for (int i = MR; i < 16; i++) r[i] = _mm512_setzero_ps();
                transpose16(r);
                for (int i = 0; i < 16; i++) _mm512_mask_storeu_ps(pa + (x0 + i) * MR, 0x0FFF, r[i]);
            }
            // (Scalar on purpose: vectorised, the compiler turns this into scatters, slow on AMD.)
#pragma clang loop vectorize(disable)
            for (long x = x0; x < kc; x++) {
                float *dst = pa + x * MR;
                dst[0] = src[0][x]; dst[1] = src[1][x]; dst[2] = src[2][x]; dst[3] = src[3][x];
                dst[4] = src[4][x]; dst[5] = src[5][x]; dst[6] = src[6][x]; dst[7] = src[7][x];
                dst[8] = src[8][x]; dst[9] = src[9][x]; dst[10] = src[10][x]; dst[11] = src[11][x];
            }
        } else {
#pragma clang loop vectorize(disable)
            for (long x = 0; x < kc; x++)
                for (long r = 0; r < MR; r++) pa[x * MR + r] = r < rows ? src[r][x] : 0;
        }
    }
}

// When tB: op(B) columns [c0, c0 + cols) and k in [k0, k0 + kc) into pb[x·stride + j] (otherwise
// op(B)'s rows are read in place).
__attribute__((target("avx512f")))
static void pack_b_transposed(const float *b, long ldb, long c0, long cols, long k0, long kc, float *pb, long stride) {
    // 16 × 16 blocks transposed in registers, then the ragged edges one by one.
    const long cols16 = cols & ~15L, kc16 = kc & ~15L;
    for (long j = 0; j < cols16; j += 16)
        for (long x = 0; x < kc16; x += 16) {
            __m512 r[16];
            for (int i = 0; i < 16; i++) r[i] = _mm512_loadu_ps(b + (c0 + j + i) * ldb + k0 + x);
            transpose16(r);
            for (int i = 0; i < 16; i++) _mm512_storeu_ps(pb + (x + i) * stride + j, r[i]);
        }
    for (long j = 0; j < cols; j++) {
        const float *src = b + (c0 + j) * ldb + k0;
#pragma clang loop vectorize(disable)
        for (long x = j < cols16 ? kc16 : 0; x < kc; x++) pb[x * stride + j] = src[x];
    }
}

__attribute__((target("avx512f")))
static void tile(long k, const float *pa, const float *b, long ldb, float *c, long ldc, long rows, long cols,
                 float alpha, float beta, const float *bias) {
    const __mmask16 m0 = cols >= 16 ? 0xFFFF : (__mmask16)((1u << cols) - 1);
    const __mmask16 m1 = cols >= 32 ? 0xFFFF : cols <= 16 ? 0 : (__mmask16)((1u << (cols - 16)) - 1);
    __m512 c00 = _mm512_setzero_ps(), c01 = c00, c10 = c00, c11 = c00, c20 = c00, c21 = c00, c30 = c00, c31 = c00,
           c40 = c00, c41 = c00, c50 = c00, c51 = c00, c60 = c00, c61 = c00, c70 = c00, c71 = c00,
           c80 = c00, c81 = c00, c90 = c00, c91 = c00, ca0 = c00, ca1 = c00, cb0 = c00, cb1 = c00;
    for (long x = 0; x < k; x++) {
        const __m512 b0 = _mm512_maskz_loadu_ps(m0, b + x * ldb), b1 = _mm512_maskz_loadu_ps(m1, b + x * ldb + 16);
        const float *p = pa + x * MR;
        __m512 v;
#define ROW(r, a0, a1) v = _mm512_set1_ps(p[r]); a0 = _mm512_fmadd_ps(v, b0, a0); a1 = _mm512_fmadd_ps(v, b1, a1);
        ROW(0, c00, c01) ROW(1, c10, c11) ROW(2, c20, c21) ROW(3, c30, c31) ROW(4, c40, c41) ROW(5, c50, c51)
        ROW(6, c60, c61) ROW(7, c70, c71) ROW(8, c80, c81) ROW(9, c90, c91) ROW(10, ca0, ca1) ROW(11, cb0, cb1)
#undef ROW
    }
    const __m512 va = _mm512_set1_ps(alpha), vb = _mm512_set1_ps(beta);
    // A bias row takes the place of β·C (the same sum as C pre-loaded with it and β = 1).
    const __m512 bias0 = bias ? _mm512_maskz_loadu_ps(m0, bias) : vb, bias1 = bias ? _mm512_maskz_loadu_ps(m1, bias + 16) : vb;
#define STORE(r, a0, a1) if (r < rows) { \
        float *o = c + (r) * ldc; \
        __m512 s0 = _mm512_mul_ps(va, a0), s1 = _mm512_mul_ps(va, a1); \
        if (bias) { \
            s0 = _mm512_add_ps(s0, bias0); \
            s1 = _mm512_add_ps(s1, bias1); \
        } else if (beta != 0) { \
            s0 = _mm512_add_ps(s0, _mm512_mul_ps(vb, _mm512_maskz_loadu_ps(m0, o))); \
            s1 = _mm512_add_ps(s1, _mm512_mul_ps(vb, _mm512_maskz_loadu_ps(m1, o + 16))); \
        } \
        _mm512_mask_storeu_ps(o, m0, s0); _mm512_mask_storeu_ps(o + 16, m1, s1); }
    STORE(0, c00, c01) STORE(1, c10, c11) STORE(2, c20, c21) STORE(3, c30, c31) STORE(4, c40, c41) STORE(5, c50, c51)
    STORE(6, c60, c61) STORE(7, c70, c71) STORE(8, c80, c81) STORE(9, c90, c91) STORE(10, ca0, ca1) STORE(11, cb0, cb1)
#undef STORE
}

// Blocked over k (KC), columns (NC) and rows (MR): a packed KC × MR slice of op(A) and a KC × NR
// slice of op(B) stay in L1/L2 while a tile runs. A later k block adds to C (β = 1).
__attribute__((target("avx512f")))
static void gemm512(int tA, int tB, long m, long n, long k, float alpha, const float *a, long lda,
                    const float *b, long ldb, float beta, float *c, long ldc, const float *bias) {
    const long kmax = k < KC ? k : KC;
    const long stride = n < NC ? (n + NR - 1) / NR * NR : NC;
    // Packing buffers on the stack (12 KB, and up to 64 KB of op(B)); a larger op(B) slice on the heap.
    float pa[MR * KC] __attribute__((aligned(64)));
    float pbStack[16384] __attribute__((aligned(64)));
    float *pbHeap = tB && stride * kmax > 16384 ? aligned_alloc(64, (size_t)(stride * kmax * sizeof(float) + 63) / 64 * 64) : NULL;
    float *pb = pbHeap ? pbHeap : pbStack;
    for (long k0 = 0; k0 < k; k0 += KC) {
        const long kc = k - k0 < KC ? k - k0 : KC;
        const float betaK = k0 == 0 ? beta : 1;
        for (long c0 = 0; c0 < n; c0 += NC) {
            const long cols = n - c0 < NC ? n - c0 : NC;
            if (tB) pack_b_transposed(b, ldb, c0, cols, k0, kc, pb, stride);
            const float *bp = tB ? pb : b + k0 * ldb + c0;
            const long bstride = tB ? stride : ldb;
            for (long r0 = 0; r0 < m; r0 += MR) {
                const long rows = m - r0 < MR ? m - r0 : MR;
                pack_a(tA, a, lda, r0, rows, k0, kc, pa);
                for (long j = 0; j < cols; j += NR)
                    tile(kc, pa, bp + j, bstride, c + r0 * ldc + c0 + j, ldc, rows, cols - j < NR ? cols - j : NR, alpha, betaK,
                         bias && k0 == 0 ? bias + c0 + j : NULL);
            }
        }
    }
    free(pbHeap);
}
#endif

int seqrec_sgemm_available(void) {
#ifdef SEQREC_GEMM512
    return __builtin_cpu_supports("avx512f") ? 1 : 0;
#else
    return 0;
#endif
}

int seqrec_sgemm(int transposeA, int transposeB, long m, long n, long k, float alpha, const float *a, long lda,
                 const float *b, long ldb, float beta, float *c, long ldc) {
    return seqrec_sgemm_bias(transposeA, transposeB, m, n, k, alpha, a, lda, b, ldb, beta, c, ldc, NULL);
}

int seqrec_sgemm_bias(int transposeA, int transposeB, long m, long n, long k, float alpha, const float *a, long lda,
                      const float *b, long ldb, float beta, float *c, long ldc, const float *bias) {
#ifdef SEQREC_GEMM512
    if (!__builtin_cpu_supports("avx512f")) return 0;
    if (m <= 0 || n <= 0) return 1;
    if (k <= 0) {   // C ← β·C, or the bias rows
        for (long r = 0; r < m; r++)
            for (long j = 0; j < n; j++) c[r * ldc + j] = bias ? bias[j] : beta == 0 ? 0 : beta * c[r * ldc + j];
        return 1;
    }
    gemm512(transposeA, transposeB, m, n, k, alpha, a, lda, b, ldb, beta, c, ldc, bias);
    return 1;
#else
    (void)transposeA; (void)transposeB; (void)m; (void)n; (void)k; (void)alpha; (void)a; (void)lda;
    (void)b; (void)ldb; (void)beta; (void)c; (void)ldc; (void)bias;
    return 0;
#endif
}
