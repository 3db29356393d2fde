#include "CSeqRecKernels.h"
#include "Clones.h"

// √x without errno (x ≥ 0 here), so the loop vectorises; IEEE-exact like sqrtf.
#if defined(__has_builtin) && __has_builtin(__builtin_elementwise_sqrt)
#define ADAM_SQRT(x) __builtin_elementwise_sqrt(x)
#else
#define ADAM_SQRT(x) __builtin_sqrtf(x)
#endif

// The Adam update of SeqRecNN's `Adam.step`, the same operations in the same order as the Swift
// loop it replaces (no contraction: Clones.h), so weights are bit-identical; restrict-qualified
// so the four streams vectorise.
SEQREC_WIDE_CLONES
void seqrec_adam_update(float *restrict w, float *restrict m, float *restrict v, const float *restrict g, long n,
                        float beta1, float beta2, float c1, float c2, float epsilon, float lr, float decay) {
    const float a1 = 1.0f - beta1, a2 = 1.0f - beta2;
    for (long i = 0; i < n; i++) {
        const float gi = g[i];
        const float mi = beta1 * m[i] + a1 * gi;
        const float vi = beta2 * v[i] + a2 * gi * gi;
        m[i] = mi;
        v[i] = vi;
        const float update = (mi / c1) / (ADAM_SQRT(vi / c2) + epsilon);
        w[i] = w[i] * decay - lr * update;
    }
}
