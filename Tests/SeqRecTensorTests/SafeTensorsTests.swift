import Foundation
import SeqRecTensor
import Testing

@Suite struct SafeTensorsTests {
    /// The file format, byte by byte, as PyTorch's and NumPy's safetensors readers expect it.
    @Test func layoutIsTheSafetensorsFormatByteByByte() throws {
        let a = Tensor(shape: [2, 2], scalars: [1, -2, 0.5, 3])
        let b = Tensor(shape: [3], scalars: [7, 8, 9])
        let data = try SafeTensors.encode([("w", a), ("b", b)], metadata: ["k": "v"])
        let n = data.prefix(8).enumerated().reduce(UInt64(0)) { $0 | UInt64($1.element) << (8 * UInt64($1.offset)) }
        #expect(n % 8 == 0)
        #expect(data.count == 8 + Int(n) + 7 * 4)
        let headerText = String(decoding: data[8..<(8 + Int(n))], as: UTF8.self)
        let header = try JSONSerialization.jsonObject(with: Data(headerText.utf8)) as! [String: Any]
        let w = header["w"] as! [String: Any], bb = header["b"] as! [String: Any]
        #expect(w["dtype"] as! String == "F32" && w["shape"] as! [Int] == [2, 2] && w["data_offsets"] as! [Int] == [0, 16])
        #expect(bb["shape"] as! [Int] == [3] && bb["data_offsets"] as! [Int] == [16, 28])
        #expect(header["__metadata__"] as! [String: String] == ["k": "v"])
        // Padding after the JSON is spaces only; tensor bytes are little-endian IEEE 754 floats.
        let close = headerText.lastIndex(of: "}")!
        #expect(headerText[headerText.index(after: close)...].allSatisfy { $0 == " " })
        let body = data.suffix(28)
        let floats = stride(from: 0, to: 28, by: 4).map { i -> Float in
            let s = body.startIndex + i
            let bits = UInt32(body[s]) | UInt32(body[s + 1]) << 8 | UInt32(body[s + 2]) << 16 | UInt32(body[s + 3]) << 24
            return Float(bitPattern: bits)
        }
        #expect(floats == [1, -2, 0.5, 3, 7, 8, 9])
        #expect(Array(body.prefix(4)) == [0x00, 0x00, 0x80, 0x3F])   // 1.0f, little-endian
    }

    @Test func roundTripKeepsNamesOrderShapesValuesAndMetadata() throws {
        let t = [("x", Tensor(shape: [2, 3, 1], scalars: [1, 2, 3, 4, 5, 6])), ("empty", Tensor(shape: [0, 4], scalars: []))]
        let (back, meta) = try SafeTensors.decode(try SafeTensors.encode(t, metadata: ["a": "1"]), file: "mem")
        #expect(back.map(\.name) == ["x", "empty"])
        #expect(back[0].tensor.shape == [2, 3, 1] && back[0].tensor.scalars == [1, 2, 3, 4, 5, 6])
        #expect(back[1].tensor.shape == [0, 4] && meta == ["a": "1"])
    }

    /// U8 tensors (RecJPQ codebooks): one byte per element after the F32 tensors, dtype "U8".
    @Test func byteTensorsAreU8EntriesAfterTheFloats() throws {
        let codes = SafeTensors.ByteTensor(shape: [3, 2], bytes: [0, 255, 7, 8, 9, 10])
        let data = try SafeTensors.encode([("w", Tensor(shape: [2], scalars: [1, 2]))], bytes: [("codes", codes)])
        let n = Int(data.prefix(8).enumerated().reduce(UInt64(0)) { $0 | UInt64($1.element) << (8 * UInt64($1.offset)) })
        let header = try JSONSerialization.jsonObject(with: data[8..<(8 + n)]) as! [String: Any]
        let c = header["codes"] as! [String: Any]
        #expect(c["dtype"] as! String == "U8" && c["shape"] as! [Int] == [3, 2] && c["data_offsets"] as! [Int] == [8, 14])
        #expect(data.count == 8 + n + 8 + 6)
        #expect(Array(data.suffix(6)) == [0, 255, 7, 8, 9, 10])
        let back = try SafeTensors.decodeContents(data, file: "mem")
        #expect(back.tensors.map(\.name) == ["w"] && back.bytes.map(\.name) == ["codes"] && back.bytes[0].tensor == codes)
        #expect(try SafeTensors.decode(data, file: "mem").tensors.map(\.name) == ["w"])
    }

    @Test func malformedFilesAreErrorsNamingTheFile() throws {
        let good = try SafeTensors.encode([("w", Tensor(shape: [4], scalars: [1, 2, 3, 4]))])
        func message(_ data: Data) -> String {
            do { _ = try SafeTensors.decode(data, file: "ckpt.safetensors"); return "no error" } catch { return "\(error)" }
        }
        #expect(message(Data([1, 2, 3])).contains("ckpt.safetensors: too short"))
        #expect(message(good.prefix(20)).contains("exceeds the file"))
        #expect(message(good.dropLast(4)).contains("needs more bytes than the"))
        // Bytes after the last tensor are rejected, as the reference reader does.
        #expect(message(good + Data([0, 0, 0, 0])).contains("4 bytes after the last tensor's data"))
        var bad = good
        let range = bad.range(of: Data("F32".utf8))!
        bad.replaceSubrange(range, with: Data("F16".utf8))
        #expect(message(bad).contains("dtype F16 is not supported"))
        var notJSON = good
        notJSON[8] = UInt8(ascii: "x")
        #expect(message(notJSON).contains("not a JSON object"))
        #expect(throws: SafeTensorsError.self) { _ = try SafeTensors.read(path: "/nonexistent/model.safetensors") }
    }
}
