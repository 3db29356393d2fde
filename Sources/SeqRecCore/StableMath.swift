#if canImport(Glibc)
import Glibc
#else
import Foundation
#endif

/// σ(x) without overflow for any finite x.
@inlinable @inline(__always)
public func stableSigmoid(_ x: Float) -> Float {
    if x >= 0 {
        return 1 / (1 + expf(-x))
    }
    let e = expf(x)
    return e / (1 + e)
}

/// log(1 + eˣ) without overflow: max(x, 0) + log1p(e^(−|x|)).
@inlinable @inline(__always)
public func stableSoftplus(_ x: Float) -> Float {
    (x > 0 ? x : 0) + log1pf(expf(-Swift.abs(x)))
}
