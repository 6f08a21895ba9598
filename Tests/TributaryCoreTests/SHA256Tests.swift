import CSHA256
import Crypto
import Testing

@testable import TributaryCore

/// The content hash's own SHA-256 (`CSHA256`: one call, nothing allocated, the CPU's SHA
/// extensions when it has them) must give swift-crypto's digest for every input: every length
/// around the block and padding boundaries, both of its implementations, and the standard's
/// examples.
@Suite struct SHA256Tests {
    func ours(_ bytes: [UInt8], portable: Bool = false) -> [UInt8] {
        var digest = [UInt8](repeating: 0, count: 32)
        bytes.withUnsafeBufferPointer { input in
            digest.withUnsafeMutableBufferPointer { out in
                if portable {
                    tributary_sha256_portable(input.baseAddress, input.count, out.baseAddress!)
                } else {
                    tributary_sha256(input.baseAddress, input.count, out.baseAddress!)
                }
            }
        }
        return digest
    }

    func hex(_ bytes: [UInt8]) -> String { ContentHash.hex(bytes) }

    @Test func theStandardsExamples() {
        let abc = "ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad"
        let empty = "e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855"
        let twoBlocks = "248d6a61d20638b8e5c026930c3e6039a33ce45964ff2167f6ecedd419db06c1"
        for portable in [false, true] {
            #expect(hex(ours(Array("abc".utf8), portable: portable)) == abc)
            #expect(hex(ours([], portable: portable)) == empty)
            #expect(hex(ours(Array("abcdbcdecdefdefgefghfghighijhijkijkljklmklmnlmnomnopnopq".utf8), portable: portable)) == twoBlocks)
        }
    }

    @Test func everyLengthAroundTheBlockBoundariesMatchesSwiftCrypto() {
        var random = SplitMix64(seed: 7)
        for length in Array(0...300) + [1_000, 4_095, 4_096, 65_537] {
            let bytes = (0..<length).map { _ in UInt8.random(in: 0...255, using: &random) }
            let expected = Array(SHA256.hash(data: bytes))
            #expect(ours(bytes) == expected, "length \(length)")
            #expect(ours(bytes, portable: true) == expected, "portable, length \(length)")
        }
    }

    @Test func theContentDigestIsTheSHA256OfTheCanonicalBytes() {
        let bytes = Array("{\"kind\":\"trade\"}".utf8)
        let digest = bytes.withUnsafeBytes { ContentDigest(sha256Of: $0) }
        #expect(digest.withUnsafeBytes { Array($0) } == Array(SHA256.hash(data: bytes)))
        #expect(ContentHash.of(bytes: bytes) == "sha256:" + hex(Array(SHA256.hash(data: bytes))))
        #expect(ContentHash.of(bytes: bytes[2...]) == "sha256:" + hex(Array(SHA256.hash(data: Array(bytes[2...])))))
    }

    /// Says which implementation this machine's runs measured (x86 with SHA extensions: CPUID
    /// leaf 7, EBX bit 29); either gives the same digests above.
    @Test func theChoiceIsStable() {
        let first = tributary_sha256_uses_extensions()
        #expect(first == 0 || first == 1)
        #expect(tributary_sha256_uses_extensions() == first)
    }
}
