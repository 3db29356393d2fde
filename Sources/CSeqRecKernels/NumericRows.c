// The all-numeric row scan of the interaction readers (SeqRecData's ChunkedParse): lines of
// `width` unsigned decimal fields joined by a one- or two-byte separator, as in `ratings.dat`
// (`1::1193::5::978300760`), MovieLens CSV, RecBole `.inter` and delimited files. Digits are
// found and converted eight at a time in a 64-bit word (SWAR); the common layouts get their own
// fully unrolled copy of the row loop. Accepts exactly the lines ChunkedParse.numericRow accepts,
// with the same values (see the header); any other line ends the batch and takes the general
// path in Swift.
#include "CSeqRecKernels.h"
#include <string.h>

static inline uint64_t load8(const unsigned char *p) {
    uint64_t w;
    memcpy(&w, p, 8);
    return w;   // little-endian: byte 0 in the low bits
}

// The run of ASCII digits at p within the next 8 bytes: its length n (8 = the run may go on) and
// value. The first non-digit is the lowest flagged byte (a +6 carry only reaches later bytes).
static inline int swar_digits(const unsigned char *p, uint64_t *value) {
    uint64_t t = load8(p) ^ 0x3030303030303030ull;
    uint64_t nonDigit = ((t + 0x0606060606060606ull) | t) & 0xF0F0F0F0F0F0F0F0ull;
    int n = nonDigit ? __builtin_ctzll(nonDigit) >> 3 : 8;
    if (n == 0) { *value = 0; return 0; }
    uint64_t v = t << (8 * (8 - n));
    v = v * 10 + (v >> 8);
    v = (((v & 0x000000FF000000FFull) * (100 + (1000000ull << 32)))
         + (((v >> 16) & 0x000000FF000000FFull) * (1 + (10000ull << 32)))) >> 32;
    *value = v;
    return n;
}

static const int64_t powers10[19] = {
    1, 10, 100, 1000, 10000, 100000, 1000000, 10000000, 100000000, 1000000000, 10000000000ll,
    100000000000ll, 1000000000000ll, 10000000000000ll, 100000000000000ll, 1000000000000000ll,
    10000000000000000ll, 100000000000000000ll, 1000000000000000000ll};

static const double powers10d[23] = {1e0, 1e1, 1e2, 1e3, 1e4, 1e5, 1e6, 1e7, 1e8, 1e9, 1e10, 1e11,
                                     1e12, 1e13, 1e14, 1e15, 1e16, 1e17, 1e18, 1e19, 1e20, 1e21, 1e22};

// The digits at *i (none is fine; at most 18): their count, or -1 for more than 18; *i moves past
// them. Eight at a time while eight bytes can be read (`end` is the buffer's end), never past `limit`.
static inline int digit_run(const unsigned char *b, long *i, long limit, long end, int64_t *m) {
    int64_t v = 0;
    int n = 0;
    long k = *i;
    while (k + 8 <= end) {
        uint64_t x;
        int c = swar_digits(b + k, &x);
        if (k + c > limit) break;
        v = v * powers10[c] + (int64_t)x;
        n += c;
        k += c;
        if (n > 18) return -1;
        if (c < 8) { *i = k; *m = v; return n; }
    }
    while (k < limit) {
        unsigned d = (unsigned)b[k] - 48u;
        if (d > 9) break;
        v = v * 10 + d;
        n += 1;
        k += 1;
        if (n > 18) return -1;
    }
    *i = k;
    *m = v;
    return n;
}

// The rules both scans apply to field j once its digits are read (n integer digits from `first`,
// value m with `scale` fraction digits, −1 = none): 1 and the user, item or time stored, or 0.
static inline __attribute__((always_inline))
int accept_field(int j, int user, int item, int time, const unsigned char *first, int n, int64_t m, int scale,
                 int64_t *u, int64_t *it, double *t) {
    if (n == 0 && scale <= 0) return 0;
    if (j == user || j == item) {
        if (scale >= 0 || (n != 1 && *first == 48)) return 0;
        if (j == user) *u = m; else *it = m;
    } else if (j == time) {
        if (m >= 1000000000000000ll) return 0;
        *t = scale <= 0 ? (double)m : (double)m / powers10d[scale];
    }
    return 1;
}

// One row at b[start] in the given layout: 1 and the next line's offset, or 0.
static inline __attribute__((always_inline))
int numeric_row(const unsigned char *b, long start, long limit, long end, int width, int user, int item, int time,
                unsigned char s0, int s1, int64_t *u, int64_t *it, double *t, long *next) {
    long i = start;
    for (int j = 0; j < width; j++) {
        long first = i;
        int64_t m;
        int n = digit_run(b, &i, limit, end, &m);
        if (n < 0) return 0;
        int scale = -1;
        if (i < limit && b[i] == 46) {
            i += 1;
            int64_t fraction;
            int k = digit_run(b, &i, limit, end, &fraction);
            if (k <= 0 || n + k > 18) return 0;
            m = m * powers10[k] + fraction;
            scale = k;
        }
        if (!accept_field(j, user, item, time, b + first, n, m, scale, u, it, t)) return 0;
        if (j + 1 < width) {
            if (i >= limit || b[i] != s0) return 0;
            i += 1;
            if (s1 >= 0) {
                if (i >= limit || b[i] != (unsigned char)s1) return 0;
                i += 1;
            }
        }
    }
    if (i < limit && b[i] == 13) i += 1;
    if (i == limit) { *next = i; return 1; }
    if (b[i] != 10) return 0;
    *next = i + 1;
    return 1;
}

// Returns fn(…) with the layout's constants where it is a bundled format's (user::item::rating::time,
// user,item,rating,time, user,item,time: each call gets its own unrolled copy), else generically.
#define DISPATCH_LAYOUTS(fn) do { \
        if (user == 0 && item == 1) { \
            if (width == 4 && time == 3 && s1 >= 0) \
                return fn(b, start, limit, end, 4, 0, 1, 3, s0, s1, maxRows, users, items, times, next); \
            if (width == 4 && time == 3) \
                return fn(b, start, limit, end, 4, 0, 1, 3, s0, -1, maxRows, users, items, times, next); \
            if (width == 3 && time == 2 && s1 < 0) \
                return fn(b, start, limit, end, 3, 0, 1, 2, s0, -1, maxRows, users, items, times, next); \
        } \
        return fn(b, start, limit, end, width, user, item, time, s0, s1, maxRows, users, items, times, next); \
    } while (0)

static inline __attribute__((always_inline))
long numeric_rows(const unsigned char *b, long start, long limit, long end, int width, int user, int item, int time,
                  unsigned char s0, int s1, long maxRows, int64_t *users, int64_t *items, double *times, long *next) {
    long rows = 0, at = start;
    double unused;
    while (rows < maxRows && at < limit) {
        long after;
        if (!numeric_row(b, at, limit, end, width, user, item, time, s0, s1, users + rows, items + rows,
                         times ? times + rows : &unused, &after)) break;
        rows += 1;
        at = after;
    }
    *next = at;
    return rows;
}

// The structural scan (x86-64 with AVX2): the non-digit bytes of 64 bytes at a time become a bit
// mask, and a row's field boundaries are its next set bits, found without converting a digit;
// each field is then converted from one or two 8-byte loads of known length. The positions no
// longer wait on the conversions, which overlap across fields and rows. A line of any other
// shape (or near the buffer's end) is read by numeric_row above, with the same rules.
#if defined(__x86_64__) && (defined(__clang__) || defined(__GNUC__))
#include <immintrin.h>
#define SEQREC_STRUCTURAL 1

__attribute__((target("avx2,bmi")))
static inline uint64_t nondigit_mask(const unsigned char *p) {
    const __m256i zero = _mm256_set1_epi8('0'), nine = _mm256_set1_epi8(9);
    __m256i a = _mm256_sub_epi8(_mm256_loadu_si256((const __m256i *)p), zero);
    __m256i b = _mm256_sub_epi8(_mm256_loadu_si256((const __m256i *)(p + 32)), zero);
    // digit ⇔ (byte − '0') ≤ 9 unsigned ⇔ max(byte − '0', 9) == 9
    uint32_t da = (uint32_t)_mm256_movemask_epi8(_mm256_cmpeq_epi8(_mm256_max_epu8(a, nine), nine));
    uint32_t db = (uint32_t)_mm256_movemask_epi8(_mm256_cmpeq_epi8(_mm256_max_epu8(b, nine), nine));
    return ~((uint64_t)da | ((uint64_t)db << 32));
}

// The value of the n digits (1…8) at p.
static inline uint64_t swar_known(const unsigned char *p, int n) {
    uint64_t v = (load8(p) ^ 0x3030303030303030ull) << (8 * (8 - n));
    v = v * 10 + (v >> 8);
    return (((v & 0x000000FF000000FFull) * (100 + (1000000ull << 32)))
            + (((v >> 16) & 0x000000FF000000FFull) * (1 + (10000ull << 32)))) >> 32;
}

// The value of the n digits (1…16) at p.
static inline int64_t digits_known(const unsigned char *p, int n) {
    if (n <= 8) return (int64_t)swar_known(p, n);
    return (int64_t)swar_known(p, n - 8) * 100000000 + (int64_t)swar_known(p + n - 8, 8);
}

// The non-digit positions from `base` on, in order. `safe` is the last block start at which 64
// bytes can be read; `next` returns −1 past it (the caller then reads the line scalar).
typedef struct { const unsigned char *b; long base; uint64_t bits; long safe; } boundaries;

__attribute__((target("avx2,bmi")))
static inline void boundaries_start(boundaries *w, long at) {
    w->base = at;
    w->bits = at <= w->safe ? nondigit_mask(w->b + at) : 0;
}

__attribute__((target("avx2,bmi")))
static inline long boundaries_next(boundaries *w) {
    while (w->bits == 0) {
        w->base += 64;
        if (w->base > w->safe) return -1;
        w->bits = nondigit_mask(w->b + w->base);
    }
    long e = w->base + __builtin_ctzll(w->bits);
    w->bits &= w->bits - 1;
    return e;
}

// One row at `start` by its boundaries (the walker positioned at `start`): 1 and the next line's
// offset, or 0 (the line is then read by numeric_row).
__attribute__((target("avx2,bmi"))) static inline __attribute__((always_inline))
int structural_row(boundaries *w, long start, long limit, long end, int width, int user, int item, int time,
                   unsigned char s0, int s1, int64_t *u, int64_t *it, double *t, long *next) {
    const unsigned char *b = w->b;
    long i = start;
    for (int j = 0; j < width; j++) {
        long e = boundaries_next(w);
        if (e < 0 || e >= limit) return 0;
        int n = (int)(e - i);
        if (n > 16 || i + 8 > end || e + 9 > end) return 0;
        // A field that is neither user, item nor time (a rating) is only checked, never converted.
        const int used = j == user || j == item || j == time;
        int64_t m = used && n > 0 ? digits_known(b + i, n) : 0;
        int scale = -1;
        if (b[e] == 46) {
            long f = boundaries_next(w);
            if (f < 0 || f >= limit) return 0;
            int k = (int)(f - e - 1);
            if (k <= 0 || n + k > 16) return 0;
            if (used) m = m * powers10[k] + digits_known(b + e + 1, k);
            scale = k;
            e = f;
        }
        if (!accept_field(j, user, item, time, b + i, n, m, scale, u, it, t)) return 0;
        if (j + 1 < width) {
            if (b[e] != s0) return 0;
            i = e + 1;
            if (s1 >= 0) {
                if (boundaries_next(w) != e + 1 || b[e + 1] != (unsigned char)s1) return 0;
                i = e + 2;
            }
        } else {
            if (b[e] == 13) {
                if (boundaries_next(w) != e + 1) return 0;
                e += 1;
            }
            if (b[e] != 10) return 0;
            *next = e + 1;
        }
    }
    return 1;
}

__attribute__((target("avx2,bmi"))) static inline __attribute__((always_inline))
long structural_rows(const unsigned char *b, long start, long limit, long end, int width, int user, int item, int time,
                     unsigned char s0, int s1, long maxRows, int64_t *users, int64_t *items, double *times, long *next) {
    long rows = 0, at = start;
    double unused;
    boundaries w = {b, 0, 0, end - 64};
    boundaries_start(&w, at);
    while (rows < maxRows && at < limit) {
        long after;
        double *t = times ? times + rows : &unused;
        if (!structural_row(&w, at, limit, end, width, user, item, time, s0, s1, users + rows, items + rows, t, &after)) {
            if (!numeric_row(b, at, limit, end, width, user, item, time, s0, s1, users + rows, items + rows, t, &after)) break;
            boundaries_start(&w, after);
        }
        rows += 1;
        at = after;
    }
    *next = at;
    return rows;
}

__attribute__((target("avx2,bmi")))
static long structural_dispatch(const unsigned char *b, long start, long limit, long end, int width, int user, int item,
                                int time, unsigned char s0, int s1, long maxRows, int64_t *users, int64_t *items,
                                double *times, long *next) {
    DISPATCH_LAYOUTS(structural_rows);
}

// The row scan with AVX-512 (BW, VBMI) for the bundled layouts — user, item, [a checked field,]
// time, the user and item first (ratings.dat, MovieLens CSV, RecBole .inter, user,item,time). Row
// ends come from the newline bits of 64-byte blocks a window ahead, so no row waits for the one
// before it. A row is one 64-byte load at its start: byte-class masks (non-digit, separator, dot,
// CR) give its field boundaries and every rule is checked on them and the field lengths, with one
// branch per row; the user, item and time fields are then right-aligned in 16-byte lanes by one
// byte permute and converted together (pairs, quads, octets by multiply-adds). A row it does not
// accept outright (longer than 63 bytes, 17+ digit ids, a fraction in the time, near the
// buffer's end, or malformed) is read by numeric_row, which decides.
#define SEQREC_ROWS512 1

enum { ROWS512_WINDOW = 2048 };

__attribute__((target("avx512f,avx512bw,avx512vbmi,bmi,bmi2,popcnt"))) static inline __attribute__((always_inline))
long rows512(const unsigned char *b, long start, long limit, long end, int width, unsigned char s0, int s1,
             long maxRows, int64_t *users, int64_t *items, double *times, long *next) {
    const int time = width - 1;   // the bundled layouts end with the time
    const __m512i zero = _mm512_set1_epi8('0'), nine = _mm512_set1_epi8(9), nlv = _mm512_set1_epi8('\n'),
                  s0v = _mm512_set1_epi8((char)s0), s1v = _mm512_set1_epi8((char)(s1 >= 0 ? s1 : s0)),
                  dotv = _mm512_set1_epi8('.'), crv = _mm512_set1_epi8('\r');
    // Byte i of 16-byte lane j: j (to broadcast byte j of a scalar into lane j) and i − 16.
    const __m512i laneOf = _mm512_set_epi64(0x0303030303030303ll, 0x0303030303030303ll, 0x0202020202020202ll,
                                            0x0202020202020202ll, 0x0101010101010101ll, 0x0101010101010101ll, 0, 0);
    const __m512i iotaM16 = _mm512_set4_epi32((int)0xFFFEFDFC, (int)0xFBFAF9F8, (int)0xF7F6F5F4, (int)0xF3F2F1F0);
    const __m512i tens = _mm512_set1_epi16(0x010A), hundreds = _mm512_set1_epi32(0x00010064),
                  tenThousands = _mm512_set1_epi32(0x00012710), e8 = _mm512_set1_epi64(100000000);
    const int two = s1 >= 0, sameBytes = two && (unsigned char)s1 == s0;
    const long L = two ? 2 : 1;
    const long lastFast = end - 72;   // a row's loads reach 72 bytes past its start
    int32_t ends[ROWS512_WINDOW + 64];
    long count = 0, k = 0, origin = start;
    long rows = 0, at = start;
    while (rows < maxRows && at < limit) {
        double *t = times + rows;
        if (k == count && at <= lastFast) {
            // The newlines of the next window, four positions written per block whatever its count;
            // the window after it is fetched meanwhile.
            origin = at;
            count = 0;
            k = 0;
            for (long off = 0; off < ROWS512_WINDOW && at + off + 64 <= end; off += 64) {
                __builtin_prefetch(b + at + off + ROWS512_WINDOW);
                uint64_t bits = _mm512_cmpeq_epi8_mask(_mm512_loadu_si512((const void *)(b + at + off)), nlv);
                const long got = __builtin_popcountll(bits);
                for (int x = 0; x < 4; x++) {
                    ends[count + x] = (int32_t)(off + __builtin_ctzll(bits | (1ull << 63)));
                    bits &= bits - 1;
                }
                for (long x = 4; x < got; x++) {
                    ends[count + x] = (int32_t)(off + __builtin_ctzll(bits));
                    bits &= bits - 1;
                }
                count += got;
            }
        }
        const long r = k < count ? origin + ends[k] - at : 64;   // the row's newline
        if (r < 64 && at <= lastFast) {
            const __m512i v = _mm512_loadu_si512((const void *)(b + at));
            const uint64_t nd = ~_mm512_cmple_epu8_mask(_mm512_sub_epi8(v, zero), nine);
            const uint64_t cr = _mm512_cmpeq_epi8_mask(v, crv);
            const long re = r - (long)((cr & ((1ull << r) >> 1)) != 0);   // the content ends before a \r\n
            const uint64_t inRow = _bzhi_u64(~0ull, (unsigned)re);
            const uint64_t c0 = _mm512_cmpeq_epi8_mask(v, s0v) & inRow;
            uint64_t pairs, sepBytes;
            if (!two) {
                pairs = c0;
                sepBytes = c0;
            } else if (sameBytes) {
                pairs = c0 & ~(c0 << 1);   // runs of the separator byte must then be exactly two long
                sepBytes = c0;
            } else {
                const uint64_t c1 = _mm512_cmpeq_epi8_mask(v, s1v) & inRow;
                pairs = c0 & (c1 >> 1);
                sepBytes = c0 | c1;
            }
            const uint64_t dots = _mm512_cmpeq_epi8_mask(v, dotv) & inRow;
            // Every non-digit is a separator byte or a dot, separators come in whole pairs, and
            // there are width − 1 of them; the row ends inside the chunk.
            uint64_t ok = (uint64_t)(at + r < limit) & (uint64_t)((nd & inRow) == (sepBytes | dots))
                          & (uint64_t)(sepBytes == (two ? pairs | (pairs << 1) : pairs))
                          & (uint64_t)(__builtin_popcountll(pairs) == width - 1);
            // Field ends (the last one the row's end) and starts.
            const long e0 = __builtin_ctzll(pairs | (1ull << 62));
            const uint64_t p1 = pairs & (pairs - 1);
            const long e1 = __builtin_ctzll(p1 | (1ull << 62));
            const uint64_t p2 = p1 & (p1 - 1);
            const long e2 = width > 3 ? __builtin_ctzll(p2 | (1ull << 62)) : re;
            const long f1 = e0 + L, f2 = e1 + L, f3 = e2 + L;
            const long n0 = e0, n1 = e1 - f1;
            // User and item: 1–16 digits, no leading zero (and no dot: see below).
            ok &= (uint64_t)((unsigned long)(n0 - 1) < 16) & (uint64_t)((unsigned long)(n1 - 1) < 16);
            const uint64_t zeros = _mm512_cmpeq_epi8_mask(v, zero);
            ok &= (uint64_t)(((zeros & 1) == 0) | (n0 == 1)) & (uint64_t)((((zeros >> (f1 & 63)) & 1) == 0) | (n1 == 1));
            long ft, nt;
            if (width == 3) {
                ft = f2;
                nt = re - f2;
                ok &= (uint64_t)(dots == 0);
            } else {
                // The checked field: 1–16 bytes; the row's only dot may lie in it, with a digit after it.
                const long n2 = e2 - f2;
                const long d = __builtin_ctzll(dots | (1ull << 63));
                ft = f3;
                nt = re - f3;
                ok &= (uint64_t)((unsigned long)(n2 - 1) < 16) & (uint64_t)((dots & (dots - 1)) == 0)
                      & (uint64_t)(dots == 0 || (d > e1 && d + 1 < e2));
            }
            ok &= (uint64_t)((unsigned long)(nt - 1) < 15);   // time: 1–15 digits (below 10^15), no dot
            if (ok) {
                // Lanes 0, 1, 2: the user, item and time fields right-aligned (bytes before a
                // field's start read as zero digits).
                const uint32_t fieldEnds = (uint32_t)e0 | (uint32_t)e1 << 8 | (uint32_t)re << 16;
                const uint32_t fieldStarts = (uint32_t)f1 << 8 | (uint32_t)ft << 16;
                const __m512i E = _mm512_permutexvar_epi8(laneOf, _mm512_castsi128_si512(_mm_cvtsi32_si128((int)fieldEnds)));
                const __m512i F = _mm512_permutexvar_epi8(laneOf, _mm512_castsi128_si512(_mm_cvtsi32_si128((int)fieldStarts)));
                const __m512i idx = _mm512_add_epi8(E, iotaM16);
                const __m512i d = _mm512_maskz_sub_epi8(_mm512_cmpge_epi8_mask(idx, F), _mm512_permutexvar_epi8(idx, v), zero);
                // Digit pairs, quads, octets; then each lane's 16 digits as octet·10⁸ + octet.
                const __m512i quads = _mm512_madd_epi16(_mm512_maddubs_epi16(d, tens), hundreds);
                const __m512i octets = _mm512_madd_epi16(_mm512_packus_epi32(quads, quads), tenThousands);
                const __m512i value = _mm512_add_epi64(_mm512_mul_epu32(octets, e8), _mm512_srli_epi64(octets, 32));
                users[rows] = _mm_cvtsi128_si64(_mm512_castsi512_si128(value));
                items[rows] = _mm_cvtsi128_si64(_mm512_extracti32x4_epi32(value, 1));
                *t = (double)_mm_cvtsi128_si64(_mm512_extracti32x4_epi32(value, 2));
                rows += 1;
                at += r + 1;
                k += 1;
                continue;
            }
        }
        long after;
        if (!numeric_row(b, at, limit, end, width, 0, 1, time, s0, s1, users + rows, items + rows, t, &after)) break;
        rows += 1;
        at = after;
        k = count = 0;   // the window starts again after this row
    }
    *next = at;
    return rows;
}

// rows512 with the layout's constants (a copy per bundled layout), or −1 for any other layout.
__attribute__((target("avx512f,avx512bw,avx512vbmi,bmi,bmi2,popcnt")))
static long rows512_dispatch(const unsigned char *b, long start, long limit, long end, int width, int user, int item,
                             int time, unsigned char s0, int s1, long maxRows, int64_t *users, int64_t *items,
                             double *times, long *next) {
    if (user != 0 || item != 1 || !times) return -1;
    if (width == 4 && time == 3 && s1 >= 0) return rows512(b, start, limit, end, 4, s0, s1, maxRows, users, items, times, next);
    if (width == 4 && time == 3) return rows512(b, start, limit, end, 4, s0, -1, maxRows, users, items, times, next);
    if (width == 3 && time == 2 && s1 < 0) return rows512(b, start, limit, end, 3, s0, -1, maxRows, users, items, times, next);
    return -1;
}
#endif

long seqrec_numeric_rows(const unsigned char *b, long start, long limit, long end, int width, int user, int item,
                         int time, unsigned char s0, int s1, long maxRows, int64_t *users, int64_t *items,
                         double *times, long *next, int structural) {
#ifdef SEQREC_STRUCTURAL
    if (structural && __builtin_cpu_supports("avx512bw") && __builtin_cpu_supports("avx512vbmi") && __builtin_cpu_supports("bmi2")) {
        const long rows = rows512_dispatch(b, start, limit, end, width, user, item, time, s0, s1, maxRows, users, items,
                                           times, next);
        if (rows >= 0) return rows;
    }
    if (structural && __builtin_cpu_supports("avx2") && __builtin_cpu_supports("bmi"))
        return structural_dispatch(b, start, limit, end, width, user, item, time, s0, s1, maxRows, users, items, times, next);
#endif
    DISPATCH_LAYOUTS(numeric_rows);
}

// MARK: - Counting lines

#ifdef SEQREC_STRUCTURAL
__attribute__((target("avx2,popcnt")))
static long count_byte_avx2(const unsigned char *p, long n, unsigned char byte) {
    const __m256i v = _mm256_set1_epi8((char)byte);
    long count = 0, i = 0;
    for (; i + 64 <= n; i += 64) {
        uint32_t a = (uint32_t)_mm256_movemask_epi8(_mm256_cmpeq_epi8(_mm256_loadu_si256((const __m256i *)(p + i)), v));
        uint32_t b = (uint32_t)_mm256_movemask_epi8(_mm256_cmpeq_epi8(_mm256_loadu_si256((const __m256i *)(p + i + 32)), v));
        count += __builtin_popcountll((uint64_t)a | ((uint64_t)b << 32));
    }
    for (; i < n; i++) count += p[i] == byte;
    return count;
}
#endif

long seqrec_count_byte(const unsigned char *p, long n, unsigned char byte) {
#ifdef SEQREC_STRUCTURAL
    if (__builtin_cpu_supports("avx2") && __builtin_cpu_supports("popcnt")) return count_byte_avx2(p, n, byte);
#endif
    long count = 0;
    for (long i = 0; i < n; i++) count += p[i] == byte;
    return count;
}
