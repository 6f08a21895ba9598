import Testing
import TributaryCore

@testable import SourceS3

/// The XML reader S3 answers go through: what it reads from real-shaped answers, what it
/// refuses, and that no byte sequence — cut short or mutated — makes it trap.
@Suite struct XMLElementReaderTests {
    static let listing = """
        <?xml version="1.0" encoding="UTF-8"?>
        <!-- a comment before the root -->
        <ListBucketResult xmlns="http://s3.amazonaws.com/doc/2006-03-01/">
          <Name>ticks</Name>
          <IsTruncated>true</IsTruncated>
          <NextContinuationToken>1/a+b=</NextContinuationToken>
          <Contents>
            <Key>2026/a &amp; b &lt;1&gt; &#233;&#x20AC;.csv</Key>
            <ETag>&quot;abc&quot;</ETag>
            <Size>120</Size>
            <Owner><ID>o1</ID></Owner>
            <StorageClass/>
          </Contents>
          <Contents><s3:Key a='x/>y' b="&gt;">2026/<![CDATA[<raw> & ]]>.csv</s3:Key><Size>0</Size></Contents>
        </ListBucketResult>
        """

    @Test func readsElementTextsUnderTheirPaths() throws {
        let elements = try #require(XMLElementReader.elements(Array(Self.listing.utf8)))
        let pairs = elements.map { "\($0.path)=\($0.text)" }
        #expect(pairs.contains("Name=ticks"))
        #expect(pairs.contains("IsTruncated=true"))
        #expect(pairs.contains("NextContinuationToken=1/a+b="))
        #expect(pairs.contains("Contents/Key=2026/a & b <1> é€.csv"))
        #expect(pairs.contains("Contents/ETag=\"abc\""))
        #expect(pairs.contains("Contents/Owner/ID=o1"))
        #expect(pairs.contains("Contents/StorageClass="))
        #expect(pairs.contains("Contents/Key=2026/<raw> & .csv"))
        // Each group opens where it starts, so entries are told apart.
        #expect(elements.filter { $0.path == "Contents" }.count == 2)
        let listing = try S3XML.listing(Array(Self.listing.utf8))
        #expect(listing.entries.map(\.key) == ["2026/a & b <1> é€.csv", "2026/<raw> & .csv"])
        #expect(listing.entries.map(\.etag) == ["abc", ""])
        #expect(listing.truncated && listing.next == "1/a+b=")
    }

    @Test func readsAnErrorBody() throws {
        let body = "<?xml version=\"1.0\"?>\n<Error><Code>NoSuchKey</Code><Message>The key &apos;x&apos; does not exist</Message></Error>\n"
        let error = try #require(S3XML.error(Array(body.utf8)))
        #expect(error.code == "NoSuchKey" && error.message == "The key 'x' does not exist")
        #expect(XMLElementReader.elements(Array("\u{FEFF}<Error/>".utf8))?.isEmpty == true)
    }

    @Test(arguments: [
        "",
        "   ",
        "plain text",
        "<a>",
        "<a><b></a></b>",
        "<a></b>",
        "<a>x</a><b/>",
        "<a/>trailing",
        "x<a/>",
        "<a><b>&e;</b></a>",
        "<a><b>&amp</b></a>",
        "<a><b>&#xD800;</b></a>",
        "<a><b>&#0;</b></a>",
        "<a><b>&#+65;</b></a>",
        "<a><b>&#x110000;</b></a>",
        "<!DOCTYPE a [<!ENTITY e \"boom\">]><a><b>&e;</b></a>",
        "<a><b><!-- never closed </b></a>",
        "<a><b><![CDATA[ open </b></a>",
        "<?xml version='1.0'",
        "<a b=\"unterminated></a>",
        "<a b=\"<\"></a>",
        "< a></a>",
        "<a/ >",
        "<a><b>\u{FFFD}</b></a>x",
    ])
    func refusesWhatIsNotAWellFormedDocument(_ text: String) {
        #expect(XMLElementReader.elements(Array(text.utf8)) == nil)
    }

    @Test func refusesInvalidUTF8AndDeepNesting() {
        #expect(XMLElementReader.elements(Array("<a><b>".utf8) + [0xFF, 0xFE] + Array("</b></a>".utf8)) == nil)
        let depth = XMLElementReader.maximumDepth
        let deep = String(repeating: "<a>", count: depth + 1) + String(repeating: "</a>", count: depth + 1)
        #expect(XMLElementReader.elements(Array(deep.utf8)) == nil)
        let allowed = String(repeating: "<a>", count: depth) + String(repeating: "</a>", count: depth)
        #expect(XMLElementReader.elements(Array(allowed.utf8)) != nil)
    }

    /// Every prefix of a real answer, and thousands of seeded mutations of it, are read or
    /// refused — the process survives all of them, and a cut-short answer is never accepted.
    @Test func noPrefixOrMutationTraps() {
        let bytes = Array(Self.listing.utf8)
        let closing = bytes.count - "</ListBucketResult>".utf8.count
        for end in 0..<bytes.count {
            let read = XMLElementReader.elements(Array(bytes[..<end]))
            if end < closing { #expect(read == nil, "a prefix of \(end) bytes was accepted") }
        }
        var generator = SplitMix64(seed: 0x5EED)
        let alphabet = Array("<>/&;#x!-[]?'\"=: \n".utf8) + [0x00, 0xC3, 0xFF]
        for _ in 0..<5000 {
            var mutated = bytes
            for _ in 0..<Int(generator.next() % 4 + 1) {
                let at = Int(generator.next() % UInt64(mutated.count))
                switch generator.next() % 3 {
                case 0: mutated[at] = alphabet[Int(generator.next() % UInt64(alphabet.count))]
                case 1: mutated.remove(at: at)
                default: mutated.insert(alphabet[Int(generator.next() % UInt64(alphabet.count))], at: at)
                }
            }
            _ = XMLElementReader.elements(mutated)
        }
    }
}
