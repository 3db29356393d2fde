#include "CSeqRecKernels.h"
#include "Clones.h"
#include <math.h>
#include <stddef.h>

// Sums use 8 fixed lanes (element j goes to lane j mod 8 for the first 8·⌊d/8⌋ elements),
// combined in a fixed tree, then the tail in order: the same result under every clone.
#define LANES 8

static inline float combine(const float *acc) {
    return ((acc[0] + acc[4]) + (acc[2] + acc[6])) + ((acc[1] + acc[5]) + (acc[3] + acc[7]));
}

SEQREC_CLONES
void seqrec_layernorm_forward(const float *restrict x, float *restrict y, float *restrict stats,
                              const float *restrict gamma, const float *restrict beta,
                              long rows, long d, float epsilon) {
    const long body = d / LANES * LANES;
    const float invD = 1.0f / (float)d;
    for (long r = 0; r < rows; r++) {
        const float *xr = x + r * d;
        float *yr = y + r * d;
        float acc[LANES] = {0};
        for (long j = 0; j < body; j += LANES)
            for (int l = 0; l < LANES; l++) acc[l] += xr[j + l];
        float s = combine(acc);
        for (long j = body; j < d; j++) s += xr[j];
        const float mean = s * invD;
        float vacc[LANES] = {0};
        for (long j = 0; j < body; j += LANES)
            for (int l = 0; l < LANES; l++) { float c = xr[j + l] - mean; vacc[l] += c * c; }
        float v = combine(vacc);
        for (long j = body; j < d; j++) { float c = xr[j] - mean; v += c * c; }
        const float rstd = 1.0f / sqrtf(v * invD + epsilon);
        stats[2 * r] = mean;
        stats[2 * r + 1] = rstd;
        for (long j = 0; j < d; j++) yr[j] = (xr[j] - mean) * rstd * gamma[j] + beta[j];
    }
}

SEQREC_CLONES
void seqrec_layernorm_backward(const float *restrict x, const float *restrict g, const float *restrict stats,
                               const float *restrict gamma, float *restrict dx, float *restrict dgamma,
                               float *restrict dbeta, long rows, long d) {
    const long body = d / LANES * LANES;
    const float invD = 1.0f / (float)d;
    for (long r = 0; r < rows; r++) {
        const float *xr = x + r * d, *gr = g + r * d;
        const float mean = stats[2 * r], rstd = stats[2 * r + 1];
        float ag[LANES] = {0}, agx[LANES] = {0};
        for (long j = 0; j < body; j += LANES)
            for (int l = 0; l < LANES; l++) {
                const float xh = (xr[j + l] - mean) * rstd;
                const float gh = gr[j + l] * gamma[j + l];
                ag[l] += gh;
                agx[l] += gh * xh;
                dgamma[j + l] += gr[j + l] * xh;
                dbeta[j + l] += gr[j + l];
            }
        float sumG = combine(ag), sumGX = combine(agx);
        for (long j = body; j < d; j++) {
            const float xh = (xr[j] - mean) * rstd;
            const float gh = gr[j] * gamma[j];
            sumG += gh;
            sumGX += gh * xh;
            dgamma[j] += gr[j] * xh;
            dbeta[j] += gr[j];
        }
        if (dx != NULL) {
            float *dr = dx + r * d;
            const float a = invD * sumG, b = invD * sumGX;
            for (long j = 0; j < d; j++) {
                const float xh = (xr[j] - mean) * rstd;
                dr[j] = rstd * (gr[j] * gamma[j] - a - xh * b);
            }
        }
    }
}
