import Crypto

/// HMAC-SHA256 signatures as providers and webhooks use them.
///
/// Binance signs the exact query string with the account's secret and sends the hex digest;
/// webhook schemes send base64 or `sha256=<hex>`. One implementation, tested against the
/// providers' published vectors, serves all of them.
public enum HMACSignature {
    public static func sha256(key: some Sequence<UInt8>, message: some Sequence<UInt8>) -> [UInt8] {
        let mac = HMAC<SHA256>.authenticationCode(for: Array(message), using: SymmetricKey(data: Array(key)))
        return Array(mac)
    }

    /// Lower-case hex of HMAC-SHA256(key, message).
    public static func sha256Hex(key: String, message: String) -> String {
        ContentHash.hex(sha256(key: key.utf8, message: message.utf8))
    }

    /// Compares two byte strings in time that depends only on their length, so a signature
    /// check does not tell an attacker how many leading bytes were right.
    public static func constantTimeEquals(_ a: some Collection<UInt8>, _ b: some Collection<UInt8>) -> Bool {
        guard a.count == b.count else { return false }
        var difference: UInt8 = 0
        for (x, y) in zip(a, b) { difference |= x ^ y }
        return difference == 0
    }
}
