import Testing

@testable import TributaryCore

/// The text writers written once for both outputs: a `[UInt8]` and the hasher's `PointerBytes`
/// must receive the same bytes, equal to the `String` forms the record model documents.
@Suite struct ByteOutputTests {
    /// Mantissas at the edges of 64 and 128 bits, zeros, and values with and without trailing zeros.
    static let decimals: [ExactDecimal] = {
        let mantissas: [Int128] = [
            0, 1, -1, 10, 100, -100, 5, 50, 1_500, 12_345_000, Int128(Int64.max), Int128(Int64.min), Int128(UInt64.max) * 10,
            Int128(UInt64.max) * 1000 + 7, Int128.max, Int128.min + 1, -Int128(UInt64.max) * 100,
        ]
        var values: [ExactDecimal] = []
        for mantissa in mantissas {
            for scale: UInt8 in [0, 1, 2, 3, 8, 18, 19, 20, 38] { values.append(ExactDecimal(mantissa: mantissa, scale: scale)) }
        }
        return values
    }()

    @Test func decimalsWithTrailingZerosDroppedMatchTheNormalizedText() {
        for value in Self.decimals {
            var array: [UInt8] = []
            value.write(to: &array, droppingTrailingZeros: true)
            #expect(String(decoding: array, as: UTF8.self) == value.normalized.description, "\(value)")
            var pointer = PointerBytes(capacity: 16)
            value.write(to: &pointer, droppingTrailingZeros: true)
            #expect(Array(pointer.bytes) == array, "\(value)")
        }
    }

    @Test func decimalsKeepTheirScaleOtherwise() throws {
        for value in Self.decimals {
            var pointer = PointerBytes(capacity: 16)
            value.write(to: &pointer)
            #expect(String(decoding: Array(pointer.bytes), as: UTF8.self) == value.description, "\(value)")
            #expect(try ExactDecimal(parsing: value.description) == value)
        }
        // The scale that was sent is printed back, zeros included.
        #expect(try ExactDecimal(parsing: "95000.12000000").description == "95000.12000000")
    }

    @Test(arguments: [Int64.min, Int64.min + 1, -1_000_000, -10, -9, -1, 0, 1, 9, 10, 99, 100, 123_456_789, Int64.max - 1, Int64.max])
    func integersAreWrittenAsStringWritesThem(value: Int64) {
        var pointer = PointerBytes(capacity: 16)
        pointer.appendInteger(value)
        #expect(String(decoding: Array(pointer.bytes), as: UTF8.self) == String(value))
        var array: [UInt8] = [UInt8(ascii: "x")]
        array.writeInteger(value)
        #expect(array == Array("x\(value)".utf8))
    }

    @Test func pointerBytesGrowAndKeepWhatWasWritten() {
        var pointer = PointerBytes(capacity: 16)
        var expected: [UInt8] = []
        for round in 0..<2_000 {
            let piece = Array("piece \(round);".utf8)
            piece.withUnsafeBufferPointer { pointer.append(contentsOf: $0) }
            pointer.append(UInt8(truncatingIfNeeded: round))
            expected += piece
            expected.append(UInt8(truncatingIfNeeded: round))
        }
        #expect(Array(pointer.bytes) == expected)
        pointer.removeAll()
        #expect(pointer.count == 0)
        pointer.append("after")
        #expect(Array(pointer.bytes) == Array("after".utf8))
    }

    @Test func timesAndEscapedStringsMatchTheirStringForms() throws {
        let times = [Int64.min, -1, 0, 1_700_000_000_123_456_789, Int64.max].map(UTCTimestamp.init(nanosecondsSinceEpoch:))
        for time in times {
            var pointer = PointerBytes(capacity: 16)
            time.writeRFC3339(to: &pointer)
            #expect(String(decoding: Array(pointer.bytes), as: UTF8.self) == time.rfc3339)
        }
        for text in ["plain", "quote \" and \\ back", "line\nfeed\r\t", "\u{01}\u{1F}", "ünï €", ""] {
            var pointer = PointerBytes(capacity: 16)
            JSONWriter.writeString(text, to: &pointer)
            #expect(Array(pointer.bytes) == JSONWriter.encode(.string(text)), "\(text)")
            #expect(try JSONParser.parse(Array(pointer.bytes)) == .string(text))
        }
    }
}
