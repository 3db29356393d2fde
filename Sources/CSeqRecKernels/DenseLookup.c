// The interning of a batch of integer tokens (SeqRecData's TokenIndex, fed by the numeric row
// scan): ids of values already seen come from the direct table in one pass here; the first value
// not in it stops the pass so the caller can add it and go on.
#include "CSeqRecKernels.h"

long seqrec_dense_lookup(const int64_t *values, long n, const int32_t *dense, long denseCount, int32_t *out) {
    for (long i = 0; i < n; i++) {
        const int64_t v = values[i];
        if ((uint64_t)v >= (uint64_t)denseCount) return i;
        const int32_t id = dense[v];
        if (id == 0) return i;
        out[i] = id - 1;
    }
    return n;
}
