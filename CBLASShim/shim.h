// The only C surface SeqRec uses: OpenBLAS's CBLAS (plus its thread controls) and LAPACKE.
// Debian: libopenblas-dev + liblapacke-dev. Only Sources/SeqRecTensor/Backend imports this module.
#include <cblas.h>
#include <lapacke.h>
