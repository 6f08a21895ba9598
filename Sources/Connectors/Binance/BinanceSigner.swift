import TributaryCore

/// Binance's SIGNED-endpoint signature: hex HMAC-SHA256 of the exact query string (plus the
/// body, concatenated without a separator), keyed with the account's secret.
public enum BinanceSigner {
    public static func signature(of payload: String, secret: String) -> String {
        HMACSignature.sha256Hex(key: secret, message: payload)
    }
}
