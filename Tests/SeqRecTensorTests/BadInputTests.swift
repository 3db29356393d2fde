import SeqRecCore
import SeqRecTensor
import Testing

/// Programmer errors stop the process with a message naming the op and the shapes.
@Suite struct BadInputTests {
    func stderr(_ result: ExitTest.Result?) -> String {
        String(decoding: result?.standardErrorContent ?? [], as: UTF8.self)
    }

    @Test func broadcastMismatchNamesOpAndShapes() async {
        let r = await #expect(processExitsWith: .failure, observing: [\.standardErrorContent]) {
            _ = Tensor.zeros([2, 3]) + Tensor.zeros([4])
        }
        #expect(stderr(r).contains("add: shapes [2, 3] and [4] cannot be broadcast"))
    }

    @Test func matmulMismatchNamesShapes() async {
        let r = await #expect(processExitsWith: .failure, observing: [\.standardErrorContent]) {
            _ = Tensor.matmul(Tensor.zeros([2, 3]), Tensor.zeros([4, 5]))
        }
        #expect(stderr(r).contains("matmul: inner dimensions differ: [2, 3] · [4, 5]"))
    }

    @Test func gatherOutOfRangeNamesTheId() async {
        let r = await #expect(processExitsWith: .failure, observing: [\.standardErrorContent]) {
            _ = Tensor.zeros([3, 2]).gatherRows(IDTensor(shape: [2], [0, 7]))
        }
        #expect(stderr(r).contains("gatherRows: id 7 out of range 0..<3"))
    }

    @Test func dropoutRateOutsideRangeIsRejected() async {
        let r = await #expect(processExitsWith: .failure, observing: [\.standardErrorContent]) {
            _ = Tensor.zeros([3]).dropout(rate: 1.5, seed: 1)
        }
        #expect(stderr(r).contains("dropout: rate 1.5 outside the allowed range [0, 1)"))
    }
}
