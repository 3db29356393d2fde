/// Model inputs cut from sequences on demand.
public enum Padding {
    /// The last `length` items of `sequence`, left-padded with `paddingID` (thesis Fig. 2.10:
    /// the most recent item always sits at the rightmost position, index `length − 1`).
    @inlinable
    public static func leftPadded<C: Collection>(_ sequence: C, length: Int,
                                                 paddingID: Int32 = ItemVocabulary.paddingID) -> [Int32]
    where C.Element == Int32 {
        require(length > 0, "Padding.leftPadded: length must be positive, got \(length)")
        var out = [Int32](repeating: paddingID, count: length)
        let take = Swift.min(length, sequence.count)
        var k = length - take
        for v in sequence.suffix(take) {
            out[k] = v
            k += 1
        }
        return out
    }
}

import SeqRecCore
