import Foundation
import SourceS3
import Testing
import TributaryCore
import TributaryTesting

/// The signer against AWS's published SigV4 test suite (`Tests/Fixtures/sigv4`): for every
/// vector the canonical request, the string to sign and the signature must match byte for byte.
@Suite struct SigV4SignerTests {
    static let directory = PackageRoot.url.appendingPathComponent("Tests/Fixtures/sigv4")
    static let vectors: [String] = ((try? FileManager.default.contentsOfDirectory(atPath: directory.path)) ?? [])
        .filter { !$0.hasSuffix(".md") }.sorted()

    struct Context: Decodable {
        struct Credentials: Decodable {
            var accessKeyID: String
            var secretAccessKey: String
            var token: String?
            enum CodingKeys: String, CodingKey {
                case accessKeyID = "access_key_id"
                case secretAccessKey = "secret_access_key"
                case token
            }
        }
        var credentials: Credentials
        var normalize: Bool
        var region: String
        var service: String
        var signBody: Bool
        var timestamp: String
        enum CodingKeys: String, CodingKey {
            case credentials, normalize, region, service, timestamp
            case signBody = "sign_body"
        }
    }

    /// `request.txt`: the request line, `Name:value` header lines, an empty line, the body.
    static func parse(_ text: String) -> (
        method: String, path: String, query: [(name: String, value: String)], headers: [(name: String, value: String)], body: String
    ) {
        let parts = text.components(separatedBy: "\n\n")
        let head = parts[0].split(separator: "\n", omittingEmptySubsequences: false).map(String.init)
        let body = parts.dropFirst().joined(separator: "\n\n")
        let line = head[0]
        let method = String(line.prefix { $0 != " " })
        let target = String(line.dropFirst(method.count + 1).dropLast(" HTTP/1.1".count))
        let path = String(target.prefix { $0 != "?" })
        var query: [(name: String, value: String)] = []
        if let mark = target.firstIndex(of: "?") {
            for pair in target[target.index(after: mark)...].split(separator: "&") {
                let name = pair.prefix { $0 != "=" }
                let value = pair.dropFirst(name.count + 1)
                query.append((String(name).removingPercentEncoding ?? String(name), String(value).removingPercentEncoding ?? String(value)))
            }
        }
        let headers = head.dropFirst().filter { !$0.isEmpty }.map { line -> (name: String, value: String) in
            let name = line.prefix { $0 != ":" }
            return (String(name), String(line.dropFirst(name.count + 1)))
        }
        return (method, path, query, headers, body)
    }

    @Test func theSuiteIsThere() {
        #expect(Self.vectors.count >= 25)
    }

    @Test(arguments: vectors) func signsLikeTheSuite(_ name: String) throws {
        let folder = Self.directory.appendingPathComponent(name)
        func read(_ file: String) throws -> String { try String(contentsOf: folder.appendingPathComponent(file), encoding: .utf8) }
        let context = try JSONDecoder().decode(Context.self, from: Data(try read("context.json").utf8))
        let request = Self.parse(try read("request.txt"))
        var headers = request.headers
        var payloadHash = SigV4Signer.emptyPayloadHash
        if context.signBody {
            payloadHash = SigV4Signer.payloadHash(Array(request.body.utf8))
            headers.append(("x-amz-content-sha256", payloadHash))
        }
        let signer = SigV4Signer(
            credentials: AWSCredentials(
                accessKeyID: context.credentials.accessKeyID, secretAccessKey: context.credentials.secretAccessKey,
                sessionToken: context.credentials.token),
            region: context.region, service: context.service, normalizesPath: context.normalize)
        let time = try #require(UTCTimestamp(rfc3339: context.timestamp))
        let signed = signer.sign(
            SigV4Signer.Request(method: request.method, path: request.path, query: request.query, headers: headers, payloadHash: payloadHash), at: time)
        #expect(signed.canonicalRequest == (try read("header-canonical-request.txt")))
        #expect(signed.stringToSign == (try read("header-string-to-sign.txt")))
        #expect(signed.signature == (try read("header-signature.txt")).trimmingCharacters(in: .whitespacesAndNewlines))
        let authorization = signed.headers.first { $0.name == "authorization" }?.value ?? ""
        #expect(
            authorization.hasPrefix(
                "AWS4-HMAC-SHA256 Credential=\(context.credentials.accessKeyID)/20150830/\(context.region)/\(context.service)/aws4_request"))
    }

    /// S3 signs the path as sent: `..` and doubled slashes stay (an object key may hold them).
    @Test func s3KeepsThePathAsItIs() {
        let signer = SigV4Signer(credentials: AWSCredentials(accessKeyID: "AKID", secretAccessKey: "secret"), region: "us-east-1")
        let signed = signer.sign(
            SigV4Signer.Request(method: "GET", path: "/bucket/a//b/../c d.csv", headers: [("host", "s3.amazonaws.com")]),
            at: UTCTimestamp(secondsSinceEpoch: 1_440_938_160)!)
        #expect(signed.canonicalRequest.split(separator: "\n")[1] == "/bucket/a//b/../c%20d.csv")
    }

    @Test func credentialsNeverShowTheSecret() {
        let credentials = AWSCredentials(accessKeyID: "AKIDEXAMPLE", secretAccessKey: "wJalrXUtnFEMI", sessionToken: "tok3n", origin: "environment")
        #expect(!credentials.description.contains("wJalrXUtnFEMI"))
        #expect(!credentials.description.contains("tok3n"))
        #expect(!credentials.description.contains("AKIDEXAMPLE"))
    }
}
