// MARK: - Vectorised exp for the softmax kernels.

/// e^x on 8 lanes by the Cephes `expf` method: x = n·ln 2 + r with |r| ≤ ½ ln 2, a degree-6
/// polynomial for e^r, and 2ⁿ written into the exponent bits (n found with the 1.5·2²³
/// rounding trick, so no conversion calls). Relative error ≤ 2 ulp on [−87.3, 88.7]; below that
/// the result is exactly 0 (so −∞ gives 0, as softmax masks need), above it +∞, NaN stays NaN.
/// Compiles to packed SSE/AVX arithmetic with no calls; Glibc's `expf` is one call per element.
@inline(__always)
func vexp(_ x: SIMD8<Float>) -> SIMD8<Float> {
    let lo = SIMD8<Float>(repeating: -87.33654), hi = SIMD8<Float>(repeating: 88.72283)
    var xc = x
    xc.replace(with: lo, where: x .< lo)
    xc.replace(with: hi, where: x .> hi)
    let magic = SIMD8<Float>(repeating: 12_582_912)
    let t = xc * 1.442_695_04 + magic
    let fn = t - magic
    let n = unsafeBitCast(t, to: SIMD8<Int32>.self) &- 0x4B40_0000
    var r = xc - fn * 0.693_359_375
    r = r - fn * -2.121_944_4e-4
    let z = r * r
    var y = SIMD8<Float>(repeating: 1.987_569_15e-4)
    y = y * r + 1.398_199_95e-3
    y = y * r + 8.333_451_9e-3
    y = y * r + 4.166_579_59e-2
    y = y * r + 1.666_666_55e-1
    y = y * r + 5.000_000_12e-1
    y = y * z + r + 1
    let half = n &>> 1
    let p1 = unsafeBitCast((half &+ 127) &<< 23, to: SIMD8<Float>.self)
    let p2 = unsafeBitCast((n &- half &+ 127) &<< 23, to: SIMD8<Float>.self)
    var v = y * p1 * p2
    v.replace(with: SIMD8<Float>(repeating: 0), where: x .< lo)
    v.replace(with: SIMD8<Float>(repeating: .infinity), where: x .> hi)
    v.replace(with: x, where: x .!= x)
    return v
}

/// e^x for one value by the same method (row tails).
@inline(__always)
func fastExp(_ x: Float) -> Float { vexp(SIMD8<Float>(repeating: x))[0] }

/// out[i] = e^(p[i] − shift) · scale.
@inline(__always)
func expScaled(_ p: UnsafePointer<Float>, _ out: UnsafeMutablePointer<Float>, _ n: Int, shift: Float, scale: Float) {
    let sh = SIMD8<Float>(repeating: shift), sc = SIMD8<Float>(repeating: scale)
    var i = 0
    let raw = UnsafeRawPointer(p), rawOut = UnsafeMutableRawPointer(out)
    while i + 8 <= n {
        rawOut.storeBytes(of: vexp(raw.loadUnaligned(fromByteOffset: i * 4, as: SIMD8<Float>.self) - sh) * sc,
                          toByteOffset: i * 4, as: SIMD8<Float>.self)
        i += 8
    }
    while i < n { out[i] = fastExp(p[i] - shift) * scale; i += 1 }
}

/// Σ p[i], lanes summed in a fixed order.
@inline(__always)
func rowSum(_ p: UnsafePointer<Float>, _ n: Int) -> Float {
    var acc = SIMD8<Float>(repeating: 0)
    var i = 0
    let raw = UnsafeRawPointer(p)
    while i + 8 <= n { acc += raw.loadUnaligned(fromByteOffset: i * 4, as: SIMD8<Float>.self); i += 8 }
    var s = acc.sum()
    while i < n { s += p[i]; i += 1 }
    return s
}
