import Crypto
import Testing

@testable import TributaryCore

/// The content hash kept as 32 bytes must be indistinguishable from the `sha256:` text it
/// replaced: same text out, same equality and hashing of provenance, and text that is not a
/// canonical SHA-256 kept exactly as given.
@Suite struct ContentDigestTests {
    let record = Record(
        source: "acme", endpoint: "trades", symbol: "BTC-USD", venueSymbol: "BTCUSD",
        payload: .trade(
            Trade(
                tradeID: "42", time: UTCTimestamp(nanosecondsSinceEpoch: 1_700_000_000_000_000_000), price: try! ExactDecimal(parsing: "95000.10"),
                size: try! ExactDecimal(parsing: "0.5"), side: .buy)))

    @Test func theDigestsTextIsTheHashTextAndRoundTrips() throws {
        var hasher = ContentHasher()
        let digest = hasher.digest(record)
        #expect(digest.text == ContentHash.of(record))
        #expect(digest.text == ContentHash.of(bytes: ContentHash.canonicalBytes(of: record)))
        #expect(ContentDigest(text: digest.text) == digest)
        let bytes = digest.withUnsafeBytes { Array($0) }
        #expect(bytes == Array(SHA256.hash(data: ContentHash.canonicalBytes(of: record))))
        #expect(bytes.withUnsafeBytes { ContentDigest(bytes: $0) } == digest)
        #expect([UInt8](repeating: 1, count: 31).withUnsafeBytes { ContentDigest(bytes: $0) } == nil)
    }

    @Test func onlyCanonicalTextBecomesADigest() {
        let hex = String(repeating: "0123456789abcdef", count: 4)
        #expect(ContentDigest(text: "sha256:" + hex)?.text == "sha256:" + hex)
        for other in [
            "sha256:" + hex.uppercased(), "sha256:" + hex.dropLast(), "sha256:" + hex + "0", "md5:" + hex, "", "h1", "sha256:" + hex.dropLast() + "g",
        ] {
            #expect(ContentDigest(text: String(other)) == nil, "\(other)")
        }
    }

    @Test func provenanceFromTextAndFromADigestAreTheSame() {
        var hasher = ContentHasher()
        let digest = hasher.digest(record)
        let stamp = Provenance(
            sourceID: "acme", sourceType: .file, sourceURI: "file:///t.csv", contentHash: "", ingestedAt: UTCTimestamp(nanosecondsSinceEpoch: 1),
            observedAt: UTCTimestamp(nanosecondsSinceEpoch: 1), requestID: "r")
        let fromDigest = stamp.stamping(contentDigest: digest, transformations: ["import:csv"])
        let fromText = stamp.stamping(contentHash: digest.text, transformations: ["import:csv"])
        #expect(fromDigest == fromText)
        #expect(fromDigest.hashValue == fromText.hashValue)
        #expect(fromDigest.contentHash == digest.text && fromText.contentDigest == digest)
        // Text that is no canonical SHA-256 is kept as given, and is not equal to the digest's.
        let upperText = "sha256:" + digest.text.dropFirst(7).uppercased()
        var upper = fromText
        upper.contentHash = upperText
        #expect(upper.contentHash == upperText)
        #expect(upper.contentDigest == nil && upper != fromText)
        var empty = fromDigest
        empty.contentHash = ""
        #expect(empty.contentHash == "" && empty.contentDigest == nil)
    }
}
