import CBLASShim
import CSeqRecKernels
import Foundation
import SeqRecCore

/// The one Swift layer over CBLAS. Row-major always; transposes are flags, never copies.
/// Sizes are checked with preconditions that name the routine.
public enum BLAS {
    /// OpenBLAS is pinned to one thread once, before its first use; the engine parallelises.
    private static let pinned: Void = { openblas_set_num_threads(1) }()

    /// Applies the threading policy (idempotent, cheap); every BLAS/LAPACK entry calls it.
    @inline(__always) static func configure() { _ = pinned }

    /// Which code computes `sgemm` and `sgemmBatched`.
    public enum SgemmKernel: String, Sendable {
        /// SeqRec's AVX-512 kernel (`seqrec_sgemm` in CSeqRecKernels): Debian's OpenBLAS 0.3.21
        /// runs only its AVX2 kernels on current AMD CPUs.
        case seqrec
        case openBLAS = "openblas"
    }

    /// The sgemm in use: SeqRec's kernel where the CPU has AVX-512F, else OpenBLAS.
    /// `SEQREC_SGEMM=openblas` forces OpenBLAS (`auto` = the default). Read once, like the
    /// thread budget; recorded with results through `buildDescription`.
    public static let sgemmKernel: SgemmKernel = {
        switch ProcessInfo.processInfo.environment["SEQREC_SGEMM"] ?? "auto" {
        case "auto", "": return seqrec_sgemm_available() == 1 ? .seqrec : .openBLAS
        case "openblas": return .openBLAS
        case let other: fatalError("SEQREC_SGEMM=\(other): expected auto or openblas")
        }
    }()

    /// The OpenBLAS build string (core type, threading) and the sgemm in use, recorded with results.
    public static var buildDescription: String {
        configure()
        let gemm = sgemmKernel == .seqrec ? "; sgemm: SeqRec AVX-512 kernel" : ""
        guard let c = openblas_get_config() else { return "OpenBLAS (unknown build)" + gemm }
        return "OpenBLAS " + String(cString: c) + ", internal threads \(openblas_get_num_threads())" + gemm
    }

    /// C ← α·op(A)·op(B) + β·C with C `m×n`, op(A) `m×k`, op(B) `k×n` (row-major, leading
    /// dimensions in elements). With `bias` (`n` floats), C ← α·op(A)·op(B) + bias on every row
    /// instead (β unused): the same floats as C pre-loaded with the bias and β = 1.
    public static func sgemm(transposeA: Bool, transposeB: Bool, m: Int, n: Int, k: Int,
                             alpha: Float = 1, a: UnsafePointer<Float>, lda: Int,
                             b: UnsafePointer<Float>, ldb: Int,
                             beta: Float = 0, c: UnsafeMutablePointer<Float>, ldc: Int,
                             bias: UnsafePointer<Float>? = nil) {
        require(m >= 0 && n >= 0 && k >= 0, "sgemm: negative size m=\(m) n=\(n) k=\(k)")
        require(lda >= Swift.max(1, transposeA ? m : k) && ldb >= Swift.max(1, transposeB ? k : n)
                     && ldc >= Swift.max(1, n), "sgemm: leading dimensions too small")
        if m == 0 || n == 0 { return }
        configure()
        let threads = ThreadBudget.threads
        let work = Double(m) * Double(n) * Double(k)
        // Chosen on the whole product, so a thread's block runs the same code as the whole would.
        let kernel = kernel(transposeB, m, n, k)
        if threads == 1 || work < 4e6 || Parallel.isInsideRegion {
            run(kernel, transposeA, transposeB, m, n, k, alpha, a, lda, b, ldb, beta, c, ldc, bias: bias)
            return
        }
        // Split the larger output dimension into one block per thread (multiples of 16).
        if m >= n {
            let per = ((m + threads - 1) / threads + 15) / 16 * 16
            Parallel.for(threads, grain: 1) { r in
                for t in r {
                    let lo = t * per, hi = Swift.min(m, lo + per)
                    if lo >= hi { continue }
                    let aBlock = transposeA ? a + lo : a + lo * lda
                    run(kernel, transposeA, transposeB, hi - lo, n, k, alpha, aBlock, lda, b, ldb, beta, c + lo * ldc, ldc,
                        bias: bias)
                }
            }
        } else {
            let per = ((n + threads - 1) / threads + 15) / 16 * 16
            Parallel.for(threads, grain: 1) { r in
                for t in r {
                    let lo = t * per, hi = Swift.min(n, lo + per)
                    if lo >= hi { continue }
                    let bBlock = transposeB ? b + lo * ldb : b + lo
                    run(kernel, transposeA, transposeB, m, hi - lo, k, alpha, a, lda, bBlock, ldb, beta, c + lo, ldc,
                        bias: bias.map { $0 + lo })
                }
            }
        }
    }

    /// Many independent products of equal sizes (batched attention), spread over the thread
    /// budget, each a single-threaded sgemm. Operand i starts at `a + i·strideA` etc.
    public static func sgemmBatched(transposeA: Bool, transposeB: Bool, batch: Int, m: Int, n: Int, k: Int,
                                    a: UnsafePointer<Float>, lda: Int, strideA: Int,
                                    b: UnsafePointer<Float>, ldb: Int, strideB: Int,
                                    c: UnsafeMutablePointer<Float>, ldc: Int, strideC: Int) {
        require(lda >= Swift.max(1, transposeA ? m : k) && ldb >= Swift.max(1, transposeB ? k : n)
                && ldc >= Swift.max(1, n), "sgemmBatched: leading dimensions too small")
        if batch == 0 || m == 0 || n == 0 { return }
        configure()
        if batch == 1 {
            sgemm(transposeA: transposeA, transposeB: transposeB, m: m, n: n, k: k, a: a, lda: lda,
                  b: b, ldb: ldb, c: c, ldc: ldc)
            return
        }
        Parallel.for(batch, grain: 1) { r in
            for i in r {
                sgemmSerial(transposeA, transposeB, m, n, k, 1, a + i * strideA, lda, b + i * strideB, ldb,
                            0, c + i * strideC, ldc)
            }
        }
    }

    /// The kernel for an m × n × k product: SeqRec's where it is in use, except for tiny products
    /// (below 10⁴ multiply-adds), where packing does not pay.
    @inline(__always)
    static func kernel(_ tB: Bool, _ m: Int, _ n: Int, _ k: Int) -> SgemmKernel {
        sgemmKernel == .seqrec && Double(m) * Double(n) * Double(k) >= 1e4 ? .seqrec : .openBLAS
    }

    /// One product on the calling thread (the kernel chosen by its shape).
    @inline(__always)
    static func sgemmSerial(_ tA: Bool, _ tB: Bool, _ m: Int, _ n: Int, _ k: Int, _ alpha: Float,
                            _ a: UnsafePointer<Float>, _ lda: Int, _ b: UnsafePointer<Float>, _ ldb: Int,
                            _ beta: Float, _ c: UnsafeMutablePointer<Float>, _ ldc: Int) {
        run(kernel(tB, m, n, k), tA, tB, m, n, k, alpha, a, lda, b, ldb, beta, c, ldc)
    }

    @inline(__always)
    static func run(_ kernel: SgemmKernel, _ tA: Bool, _ tB: Bool, _ m: Int, _ n: Int, _ k: Int, _ alpha: Float,
                    _ a: UnsafePointer<Float>, _ lda: Int, _ b: UnsafePointer<Float>, _ ldb: Int,
                    _ beta: Float, _ c: UnsafeMutablePointer<Float>, _ ldc: Int, bias: UnsafePointer<Float>? = nil) {
        if kernel == .seqrec,
           seqrec_sgemm_bias(tA ? 1 : 0, tB ? 1 : 0, m, n, k, alpha, a, lda, b, ldb, beta, c, ldc, bias) != 0 { return }
        guard let bias else { return openBLASSgemm(tA, tB, m, n, k, alpha, a, lda, b, ldb, beta, c, ldc) }
        // OpenBLAS: the bias rows first, then accumulate onto them.
        for row in 0..<m { (c + row * ldc).update(from: bias, count: n) }
        openBLASSgemm(tA, tB, m, n, k, alpha, a, lda, b, ldb, 1, c, ldc)
    }

    /// OpenBLAS's sgemm on one thread, whatever `sgemmKernel` says (benchmarks and tests compare
    /// the two).
    public static func openBLASSgemm(_ tA: Bool, _ tB: Bool, _ m: Int, _ n: Int, _ k: Int, _ alpha: Float,
                                     _ a: UnsafePointer<Float>, _ lda: Int, _ b: UnsafePointer<Float>, _ ldb: Int,
                                     _ beta: Float, _ c: UnsafeMutablePointer<Float>, _ ldc: Int) {
        configure()
        cblas_sgemm(CblasRowMajor, tA ? CblasTrans : CblasNoTrans, tB ? CblasTrans : CblasNoTrans,
                    Int32(m), Int32(n), Int32(k), alpha, a, Int32(lda), b, Int32(ldb), beta, c, Int32(ldc))
    }

    /// y ← α·op(A)·x + β·y with A `m×n` row-major.
    public static func sgemv(transpose: Bool, m: Int, n: Int, alpha: Float = 1,
                             a: UnsafePointer<Float>, lda: Int, x: UnsafePointer<Float>,
                             beta: Float = 0, y: UnsafeMutablePointer<Float>) {
        require(lda >= Swift.max(1, n), "sgemv: lda \(lda) < n \(n)")
        if m == 0 || n == 0 { return }
        configure()
        cblas_sgemv(CblasRowMajor, transpose ? CblasTrans : CblasNoTrans, Int32(m), Int32(n),
                    alpha, a, Int32(lda), x, 1, beta, y, 1)
    }

    /// Σ xᵢyᵢ over `n` contiguous elements.
    public static func sdot(_ n: Int, _ x: UnsafePointer<Float>, _ y: UnsafePointer<Float>) -> Float {
        configure()
        return cblas_sdot(Int32(n), x, 1, y, 1)
    }

    /// y ← α·x + y over `n` contiguous elements.
    public static func saxpy(_ n: Int, alpha: Float, x: UnsafePointer<Float>, y: UnsafeMutablePointer<Float>) {
        configure()
        cblas_saxpy(Int32(n), alpha, x, 1, y, 1)
    }
}
