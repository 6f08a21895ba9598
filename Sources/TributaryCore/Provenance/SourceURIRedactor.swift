/// Removes credentials from a URL before it is stored, logged or printed.
///
/// Providers put keys in the query (`token=`, `apikey=`, `api_key=`) and Binance puts the
/// request signature there; none of that may reach provenance, logs or error messages.
/// Runs once per request on the hot path, so a URL with nothing to hide is returned as is
/// after one scan of its bytes, without allocating.
public enum SourceURIRedactor {
    /// Query parameter names (compared case-insensitively) whose values are replaced.
    public static let secretParameters: Set<String> = [
        "apikey", "api_key", "token", "access_token", "key", "secret", "signature", "password",
        "apitoken", "api_token", "auth", "authorization", "client_secret", "passphrase", "crumb",
    ]

    public static let placeholder = "REDACTED"

    public static func redact(_ uri: String) -> String {
        // Most URLs carry nothing secret: decide that by scanning in place, without a copy.
        if let clean = uri.utf8.withContiguousStorageIfAvailable({ !mayNeedRedaction($0) }), clean { return uri }
        var utf8 = Array(uri.utf8)
        guard redactInPlace(&utf8) else { return uri }
        return String(decoding: utf8, as: UTF8.self)
    }

    /// Rewrites `bytes` when something must be hidden; false (and untouched) otherwise.
    static func redactInPlace(_ bytes: inout [UInt8]) -> Bool {
        var changed = false
        // user:password@ in the authority
        if let schemeEnd = find(bytes, [0x3A, 0x2F, 0x2F], from: 0) {
            let authorityStart = schemeEnd + 3
            var authorityEnd = authorityStart
            while authorityEnd < bytes.count, ![0x2F, 0x3F, 0x23].contains(bytes[authorityEnd]) { authorityEnd += 1 }
            if let at = bytes[authorityStart..<authorityEnd].lastIndex(of: 0x40) {
                let replacement = Array(placeholder.utf8)
                if Array(bytes[authorityStart..<at]) != replacement {
                    bytes.replaceSubrange(authorityStart..<at, with: replacement)
                    changed = true
                }
            }
        }
        guard let question = bytes.firstIndex(of: 0x3F) else { return changed }
        let queryEnd = bytes[question...].firstIndex(of: 0x23) ?? bytes.count
        var output: [UInt8] = []
        var pairStart = question + 1
        var rewrote = false
        var index = pairStart
        while pairStart <= queryEnd {
            while index < queryEnd, bytes[index] != 0x26 { index += 1 }
            let pair = bytes[pairStart..<index]
            if let equals = pair.firstIndex(of: 0x3D), isSecret(bytes[pairStart..<equals]),
                !bytes[(equals + 1)..<index].elementsEqual(placeholder.utf8)
            {
                if !rewrote {
                    output = Array(bytes[..<pairStart])
                    rewrote = true
                }
                output.append(contentsOf: bytes[pairStart...equals])
                output.append(contentsOf: placeholder.utf8)
            } else if rewrote {
                output.append(contentsOf: pair)
            }
            if index < queryEnd, rewrote { output.append(0x26) }
            index += 1
            pairStart = index
        }
        guard rewrote else { return changed }
        output.append(contentsOf: bytes[queryEnd...])
        bytes = output
        return true
    }

    /// False only when the URL has neither credentials in its authority nor a secret query parameter.
    static func mayNeedRedaction(_ bytes: UnsafeBufferPointer<UInt8>) -> Bool {
        guard let question = bytes.firstIndex(of: 0x3F) else { return bytes.contains(0x40) }
        if bytes[..<question].contains(0x40) { return true }
        var pairStart = question + 1
        while pairStart < bytes.count {
            var end = pairStart
            while end < bytes.count, bytes[end] != 0x26, bytes[end] != 0x23 { end += 1 }
            if let equals = bytes[pairStart..<end].firstIndex(of: 0x3D), isSecret(ArraySlice(bytes[pairStart..<equals])) { return true }
            if end < bytes.count, bytes[end] == 0x23 { return false }
            pairStart = end + 1
        }
        return false
    }

    /// Compared as bytes, ASCII case folded: lowercasing each name into a `String` and hashing
    /// it into the set cost ~1 µs per pulled response (its URL's query is checked every time).
    private static func isSecret(_ name: ArraySlice<UInt8>) -> Bool {
        guard name.count <= longestSecretName, !name.isEmpty else { return false }
        return secretNameBytes.contains { secret in
            secret.count == name.count
                && zip(secret, name).allSatisfy { wanted, byte in wanted == (byte >= 0x41 && byte <= 0x5A ? byte | 0x20 : byte) }
        }
    }

    private static let secretNameBytes: [[UInt8]] = secretParameters.map { Array($0.utf8) }
    private static let longestSecretName = secretNameBytes.map(\.count).max() ?? 0

    private static func find(_ bytes: [UInt8], _ needle: [UInt8], from start: Int) -> Int? {
        guard bytes.count >= needle.count else { return nil }
        var i = start
        while i + needle.count <= bytes.count {
            if bytes[i] == needle[0], bytes[i..<(i + needle.count)].elementsEqual(needle) { return i }
            i += 1
        }
        return nil
    }
}
