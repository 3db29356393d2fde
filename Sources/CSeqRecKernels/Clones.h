// Private to the kernels: compile a function for AVX2 and for the baseline target, chosen at
// load time (ELF ifunc). Elsewhere (other architectures, other object formats) one plain build.
#ifndef CSEQREC_CLONES_H
#define CSEQREC_CLONES_H

#pragma STDC FP_CONTRACT OFF

#if defined(__x86_64__) && defined(__clang__) && defined(__ELF__)
#define SEQREC_CLONES __attribute__((target_clones("avx2", "default")))
// Also an AVX-512 clone, for loops that gain from 16 lanes.
#define SEQREC_WIDE_CLONES __attribute__((target_clones("avx512f", "avx2", "default")))
// x86-64-v4 (AVX-512 with DQ: 64-bit lane multiplies), for integer loops.
#define SEQREC_V4_CLONES __attribute__((target_clones("arch=x86-64-v4", "avx2", "default")))
#else
#define SEQREC_CLONES
#define SEQREC_WIDE_CLONES
#define SEQREC_V4_CLONES
#endif

#endif
