import SeqRecCore
import CBLASShim

/// A LAPACK routine reported failure (`info ≠ 0`); thrown, never a crash.
public struct LinalgError: Error, CustomStringConvertible, Equatable, Sendable {
    /// The LAPACK routine, e.g. `sgesdd`.
    public let routine: String
    /// LAPACK's `info` code: negative = bad argument number, positive = no convergence.
    public let info: Int
    /// The problem size, for the message.
    public let context: String

    public var description: String {
        let why = info < 0 ? "argument \(-info) had an illegal value" : "did not converge (info \(info))"
        return "\(routine) failed for \(context): \(why)"
    }
}

/// The one Swift layer over LAPACKE (row-major).
public enum LAPACK {
    /// Thin SVD of the row-major `m×n` matrix in `a` (destroyed): A = U·diag(s)·Vᵀ with
    /// U `m×r`, s `r`, Vᵀ `r×n`, r = min(m, n), singular values descending (divide and conquer).
    public static func sgesdd(m: Int, n: Int, a: UnsafeMutablePointer<Float>,
                              s: UnsafeMutablePointer<Float>, u: UnsafeMutablePointer<Float>,
                              vt: UnsafeMutablePointer<Float>) throws {
        let r = Swift.min(m, n)
        require(m > 0 && n > 0, "sgesdd: empty matrix \(m)×\(n)")
        BLAS.configure()
        let info = LAPACKE_sgesdd(LAPACK_ROW_MAJOR, Int8(UInt8(ascii: "S")), Int32(m), Int32(n),
                                  a, Int32(n), s, u, Int32(r), vt, Int32(n))
        if info != 0 { throw LinalgError(routine: "sgesdd", info: Int(info), context: "\(m)×\(n)") }
    }

    /// Replaces the row-major `m×n` matrix `a` (m ≥ n) by the Q factor of its thin QR
    /// decomposition (orthonormal columns spanning the same space).
    public static func orthonormalize(m: Int, n: Int, a: UnsafeMutablePointer<Float>) throws {
        require(m >= n && n > 0, "orthonormalize: needs m ≥ n > 0, got \(m)×\(n)")
        BLAS.configure()
        var tau = [Float](repeating: 0, count: n)
        var info = LAPACKE_sgeqrf(LAPACK_ROW_MAJOR, Int32(m), Int32(n), a, Int32(n), &tau)
        if info != 0 { throw LinalgError(routine: "sgeqrf", info: Int(info), context: "\(m)×\(n)") }
        info = LAPACKE_sorgqr(LAPACK_ROW_MAJOR, Int32(m), Int32(n), Int32(n), a, Int32(n), &tau)
        if info != 0 { throw LinalgError(routine: "sorgqr", info: Int(info), context: "\(m)×\(n)") }
    }
}
