import SeqRecCore
import CBLASShim

/// The one Swift layer over CBLAS. Row-major always; transposes are flags, never copies.
/// Sizes are checked with preconditions that name the routine.
public enum BLAS {
    /// C ← α·op(A)·op(B) + β·C with C `m×n`, op(A) `m×k`, op(B) `k×n` (row-major, leading
    /// dimensions in elements).
    @inlinable
    public static func sgemm(transposeA: Bool, transposeB: Bool, m: Int, n: Int, k: Int,
                             alpha: Float = 1, a: UnsafePointer<Float>, lda: Int,
                             b: UnsafePointer<Float>, ldb: Int,
                             beta: Float = 0, c: UnsafeMutablePointer<Float>, ldc: Int) {
        require(m >= 0 && n >= 0 && k >= 0, "sgemm: negative size m=\(m) n=\(n) k=\(k)")
        require(lda >= Swift.max(1, transposeA ? m : k) && ldb >= Swift.max(1, transposeB ? k : n)
                     && ldc >= Swift.max(1, n), "sgemm: leading dimensions too small")
        if m == 0 || n == 0 { return }
        cblas_sgemm(CblasRowMajor, transposeA ? CblasTrans : CblasNoTrans,
                    transposeB ? CblasTrans : CblasNoTrans, Int32(m), Int32(n), Int32(k),
                    alpha, a, Int32(lda), b, Int32(ldb), beta, c, Int32(ldc))
    }

    /// y ← α·op(A)·x + β·y with A `m×n` row-major.
    public static func sgemv(transpose: Bool, m: Int, n: Int, alpha: Float = 1,
                             a: UnsafePointer<Float>, lda: Int, x: UnsafePointer<Float>,
                             beta: Float = 0, y: UnsafeMutablePointer<Float>) {
        require(lda >= Swift.max(1, n), "sgemv: lda \(lda) < n \(n)")
        if m == 0 || n == 0 { return }
        cblas_sgemv(CblasRowMajor, transpose ? CblasTrans : CblasNoTrans, Int32(m), Int32(n),
                    alpha, a, Int32(lda), x, 1, beta, y, 1)
    }

    /// Σ xᵢyᵢ over `n` contiguous elements.
    public static func sdot(_ n: Int, _ x: UnsafePointer<Float>, _ y: UnsafePointer<Float>) -> Float {
        cblas_sdot(Int32(n), x, 1, y, 1)
    }

    /// y ← α·x + y over `n` contiguous elements.
    public static func saxpy(_ n: Int, alpha: Float, x: UnsafePointer<Float>, y: UnsafeMutablePointer<Float>) {
        cblas_saxpy(Int32(n), alpha, x, 1, y, 1)
    }
}
