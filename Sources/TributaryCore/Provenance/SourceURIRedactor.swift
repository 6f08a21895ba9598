import Foundation

/// Removes credentials from a URL before it is stored, logged or printed.
///
/// Providers put keys in the query (`token=`, `apikey=`, `api_key=`) and Binance puts the
/// request signature there; none of that may reach provenance, logs or error messages.
public enum SourceURIRedactor {
    /// Query parameter names (lower-cased) whose values are replaced.
    public static let secretParameters: Set<String> = [
        "apikey", "api_key", "token", "access_token", "key", "secret", "signature", "password",
        "apitoken", "api_token", "auth", "authorization", "client_secret", "passphrase", "crumb",
    ]

    public static func redact(_ uri: String) -> String {
        var result = uri
        // user:password@ in the authority
        if let scheme = result.range(of: "://") {
            let rest = result[scheme.upperBound...]
            let authorityEnd = rest.firstIndex { $0 == "/" || $0 == "?" || $0 == "#" } ?? rest.endIndex
            if let at = rest[..<authorityEnd].lastIndex(of: "@") {
                result.replaceSubrange(scheme.upperBound...at, with: "REDACTED@")
            }
        }
        guard let question = result.firstIndex(of: "?") else { return result }
        let fragmentStart = result[question...].firstIndex(of: "#") ?? result.endIndex
        let query = result[result.index(after: question)..<fragmentStart]
        let redacted = query.split(separator: "&", omittingEmptySubsequences: false).map { pair -> String in
            guard let equals = pair.firstIndex(of: "=") else { return String(pair) }
            let name = pair[..<equals].lowercased()
            return secretParameters.contains(name) ? "\(pair[..<equals])=REDACTED" : String(pair)
        }.joined(separator: "&")
        return String(result[...question]) + redacted + String(result[fragmentStart...])
    }
}
