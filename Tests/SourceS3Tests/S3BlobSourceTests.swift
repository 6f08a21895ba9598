import Foundation
import Pipeline
import SourceS3
import Testing
import TributaryCore
import TributaryTesting

/// The S3 adapter against scripted answers: what it sends (signed, addressed, ranged) and how
/// it reads listings, error bodies and broken answers.
@Suite struct S3BlobSourceTests {
    static let credentials = AWSCredentials(accessKeyID: "AKIDEXAMPLE", secretAccessKey: "wJalrXUtnFEMI/K7MDENG+bPxRfiCYEXAMPLEKEY")
    static let time = UTCTimestamp(secondsSinceEpoch: 1_764_720_000)!

    static func source(_ transport: FakeTransport, url: String = "s3://ticks/2026/", endpoint: String? = "http://127.0.0.1:9000") throws -> S3BlobSource {
        let location = try S3Location(url: url, region: "eu-west-1", endpointURL: endpoint)
        return S3BlobSource(location: location, credentials: credentials, transport: transport, now: { time })
    }

    static func listing(_ keys: [(String, Int, String)], truncated: Bool = false, next: String? = nil) -> [UInt8] {
        var xml = "<?xml version=\"1.0\" encoding=\"UTF-8\"?><ListBucketResult xmlns=\"http://s3.amazonaws.com/doc/2006-03-01/\"><Name>ticks</Name>"
        xml += "<IsTruncated>\(truncated)</IsTruncated>"
        if let next { xml += "<NextContinuationToken>\(next)</NextContinuationToken>" }
        for (key, size, etag) in keys {
            xml +=
                "<Contents><Key>\(key)</Key><LastModified>2026-12-01T10:00:00.000Z</LastModified><ETag>&quot;\(etag)&quot;</ETag><Size>\(size)</Size><StorageClass>STANDARD</StorageClass></Contents>"
        }
        return Array((xml + "</ListBucketResult>").utf8)
    }

    @Test func listsAPageSignedAndPathAddressed() async throws {
        let transport = FakeTransport(body: Self.listing([("2026/a.csv", 120, "abc"), ("2026/b c.csv.gz", 40, "def")], truncated: true, next: "tok/en="))
        let page = try await Self.source(transport).list(startAfter: nil, continuation: nil)
        #expect(page.objects.map(\.key) == ["2026/a.csv", "2026/b c.csv.gz"])
        #expect(page.objects.map(\.etag) == ["abc", "def"])
        #expect(page.objects.map(\.size) == [120, 40])
        #expect(page.objects[1].uri == "s3://ticks/2026/b c.csv.gz")
        #expect(page.objects[0].lastModified == UTCTimestamp(rfc3339: "2026-12-01T10:00:00Z"))
        #expect(page.continuation == "tok/en=")
        let request = try #require(transport.requests.first)
        #expect(request.url == "http://127.0.0.1:9000/ticks/?list-type=2&max-keys=1000&prefix=2026%2F")
        let authorization = request.headers["authorization"] ?? ""
        #expect(
            authorization.hasPrefix(
                "AWS4-HMAC-SHA256 Credential=AKIDEXAMPLE/20251203/eu-west-1/s3/aws4_request, SignedHeaders=host;x-amz-content-sha256;x-amz-date"))
        #expect(request.headers["x-amz-content-sha256"] == SigV4Signer.emptyPayloadHash)
        #expect(!(request.headers.fields.contains { $0.value.contains("wJalrXUtnFEMI") }))
    }

    @Test func theNextPageAsksWithTheContinuationToken() async throws {
        let transport = FakeTransport(body: Self.listing([]))
        _ = try await Self.source(transport).list(startAfter: "2026/a.csv", continuation: "tok/en=")
        let url = try #require(transport.requests.first?.url)
        #expect(url.contains("continuation-token=tok%2Fen%3D"))
        #expect(!url.contains("start-after"))
    }

    /// One level (`delimiter=/`), small pages and a start key below the prefix, as the import's
    /// --delimiter, --page-size and --start-after ask; rolled-up prefixes come back on the page.
    @Test func aDelimiterPageSizeAndStartKeyAreSentAndCommonPrefixesRead() async throws {
        var xml = String(decoding: Self.listing([("2026/c.csv", 10, "c")]), as: UTF8.self)
        xml = xml.replacingOccurrences(
            of: "</ListBucketResult>",
            with:
                "<CommonPrefixes><Prefix>2026/sub/</Prefix></CommonPrefixes><CommonPrefixes><Prefix>2026/x &amp; y/</Prefix></CommonPrefixes></ListBucketResult>"
        )
        let transport = FakeTransport(body: Array(xml.utf8))
        let location = try S3Location(url: "s3://ticks/2026/", region: "eu-west-1", endpointURL: "http://127.0.0.1:9000")
        let source = S3BlobSource(location: location, credentials: Self.credentials, transport: transport, pageSize: 2, delimiter: "/", now: { Self.time })
        let page = try await source.list(startAfter: "b.csv", continuation: nil)
        #expect(page.objects.map(\.key) == ["2026/c.csv"])
        #expect(page.commonPrefixes == ["2026/sub/", "2026/x & y/"])
        let url = try #require(transport.requests.first?.url)
        #expect(url.contains("max-keys=2") && url.contains("delimiter=%2F") && url.contains("start-after=2026%2Fb.csv"), "\(url)")
        #expect(S3BlobSource(location: location, credentials: Self.credentials, transport: transport, pageSize: 5_000).pageSize == 1_000)
    }

    @Test func virtualHostAddressingOnAWS() throws {
        let location = try S3Location(url: "s3://ticks/2026/", region: "eu-west-1", endpointURL: nil)
        #expect(location.addressing == .virtual)
        #expect(location.url(path: location.path(key: "2026/a b.csv"), query: []) == "https://ticks.s3.eu-west-1.amazonaws.com/2026/a%20b.csv")
        let dotted = try S3Location(url: "s3://my.ticks/x", region: "us-east-1", endpointURL: nil)
        #expect(dotted.addressing == .path)
        #expect(dotted.url(path: dotted.path(key: "x"), query: []) == "https://s3.us-east-1.amazonaws.com/my.ticks/x")
    }

    @Test(arguments: [
        ("s3://", "not a bucket name"), ("s3://Ticks/x", "not a bucket name"), ("s3://ab", "not a bucket name"), ("http://ticks/x", "not an s3:// URL"),
        ("s3://-ticks", "not a bucket name"), ("s3://ti..cks", "not a bucket name"),
    ])
    func refusesBadURLs(_ url: String, _ says: String) {
        #expect(throws: S3Location.Invalid.self) { try S3Location(url: url, region: nil, endpointURL: nil) }
        do { _ = try S3Location(url: url, region: nil, endpointURL: nil) } catch { #expect(error.description.contains(says)) }
    }

    @Test(arguments: ["127.0.0.1:9000", "ftp://host", "http://", "http://host/path", "http://host?x=1"])
    func refusesBadEndpoints(_ endpoint: String) {
        #expect(throws: S3Location.Invalid.self) { try S3Location(url: "s3://ticks/", region: nil, endpointURL: endpoint) }
    }

    @Test func readsARangeWithTheListedTag() async throws {
        let transport = FakeTransport(body: Array("b,c".utf8), status: 206)
        let object = BlobObject(key: "2026/a.csv", size: 100, etag: "abc", lastModified: nil, uri: "s3://ticks/2026/a.csv")
        let bytes = try await Self.source(transport).read(object, range: 10..<13)
        #expect(bytes == Array("b,c".utf8))
        let request = try #require(transport.requests.first)
        #expect(request.url == "http://127.0.0.1:9000/ticks/2026/a.csv")
        #expect(request.headers["range"] == "bytes=10-12")
        #expect(request.headers["if-match"] == "\"abc\"")
        #expect((request.headers["authorization"] ?? "").contains("SignedHeaders=host;if-match;range;x-amz-content-sha256;x-amz-date"))
    }

    @Test func aServerThatIgnoresRangeStillGivesThePartAskedFor() async throws {
        let transport = FakeTransport(body: Array("0123456789".utf8), status: 200)
        let object = BlobObject(key: "k.csv", size: 10, etag: "", lastModified: nil, uri: "s3://ticks/k.csv")
        #expect(try await Self.source(transport).read(object, range: 4..<7) == Array("456".utf8))
    }

    static func error(_ code: String, status: Int) -> [UInt8] {
        Array("<?xml version=\"1.0\" encoding=\"UTF-8\"?><Error><Code>\(code)</Code><Message>said \(code)</Message><RequestId>1</RequestId></Error>".utf8)
    }

    @Test(arguments: [
        ("NoSuchBucket", 404, BlobError.Code.noSuchBucket), ("NoSuchKey", 404, .noSuchKey), ("AccessDenied", 403, .accessDenied),
        ("ExpiredToken", 400, .expiredToken), ("InvalidAccessKeyId", 403, .invalidCredentials), ("SignatureDoesNotMatch", 403, .invalidCredentials),
        ("SlowDown", 503, .throttled), ("PreconditionFailed", 412, .changed), ("InternalError", 500, .unavailable), ("Weird", 400, .invalidResponse),
    ])
    func typesEachFailure(_ code: String, _ status: Int, _ expected: BlobError.Code) async throws {
        let transport = FakeTransport(body: Self.error(code, status: status), status: status, headers: ["Retry-After": "3"])
        do {
            _ = try await Self.source(transport).list(startAfter: nil, continuation: nil)
            Issue.record("no error")
        } catch let error as BlobError {
            #expect(error.code == expected)
            #expect(error.description.contains("said \(code)"))
            #expect(error.location == "s3://ticks/2026/")
            if expected == .throttled { #expect(error.retryAfterSeconds == 3) }
            #expect(error.isRetryable == (expected == .throttled || expected == .unavailable))
        }
    }

    @Test func aBodylessFailureIsTypedByItsStatus() async throws {
        for (status, expected) in [(404, BlobError.Code.noSuchKey), (403, .accessDenied), (429, .throttled), (503, .throttled), (502, .unavailable)] {
            let transport = FakeTransport(body: [], status: status)
            await #expect(throws: BlobError.self) {
                do { _ = try await Self.source(transport).list(startAfter: nil, continuation: nil) } catch let error as BlobError {
                    #expect(error.code == expected, "HTTP \(status)")
                    throw error
                }
            }
        }
    }

    /// Hostile or broken listings are an `invalidResponse` naming what is wrong, never a crash.
    @Test(arguments: [
        ("<ListBucketResult><Contents><Key>a</Key><Size>-1</Size></Contents></ListBucketResult>", "Size"),
        ("<ListBucketResult><Contents><Key>a</Key><Size>99999999999999999999</Size></Contents></ListBucketResult>", "Size"),
        ("<ListBucketResult><Contents><Size>1</Size></Contents></ListBucketResult>", "no Key"),
        ("<ListBucketResult><Contents><Key>a</Key><Size>1</Size><LastModified>yesterday</LastModified></Contents></ListBucketResult>", "LastModified"),
        ("<ListBucketResult><IsTruncated>true</IsTruncated></ListBucketResult>", "NextContinuationToken"),
        ("<ListBucketResult><Contents><Key>a", "well-formed"),
        ("not xml at all", "well-formed"),
        ("<!DOCTYPE x [<!ENTITY e SYSTEM \"file:///etc/passwd\">]><ListBucketResult><Contents><Key>&e;</Key><Size>1</Size></Contents></ListBucketResult>", ""),
    ])
    func brokenListingsAreInvalidResponses(_ body: String, _ says: String) async throws {
        let transport = FakeTransport(body: Array(body.utf8))
        do {
            let page = try await Self.source(transport).list(startAfter: nil, continuation: nil)
            // The external entity is never resolved: no file's text can appear in a key.
            #expect(!page.objects.contains { $0.key.contains("root:") })
            #expect(says.isEmpty)
        } catch let error as BlobError {
            #expect(error.code == .invalidResponse)
            #expect(says.isEmpty || error.description.contains(says))
        }
    }
}
