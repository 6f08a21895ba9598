import CNATS

/// A libnats call that failed: which, its status text, and JetStream's error code when it gave one.
public struct NATSError: Error, Sendable, CustomStringConvertible {
    public var operation: String
    public var status: String
    public var jetStreamCode: Int
    /// Whether asking again may succeed: the request timed out, nothing answered it yet, or
    /// JetStream said it is temporarily unavailable — what a cluster says while it elects a
    /// group's leader or is too busy to answer within the request wait.
    public var isTransient: Bool

    init(_ operation: String, _ status: natsStatus, jetStreamCode: jsErrCode = jsErrCode(rawValue: 0)) {
        self.operation = operation
        self.status = String(cString: natsStatus_GetText(status))
        self.jetStreamCode = Int(jetStreamCode.rawValue)
        self.isTransient = status == NATS_TIMEOUT || status == NATS_NO_RESPONDERS || jetStreamCode == JSClusterNotAvailErr
    }

    public var description: String {
        "\(operation): \(status)" + (jetStreamCode != 0 ? " (JetStream error \(jetStreamCode))" : "")
    }
}

/// Throws unless `status` is `NATS_OK`.
func check(_ operation: String, _ status: natsStatus, _ code: jsErrCode = jsErrCode(rawValue: 0)) throws(NATSError) {
    guard status == NATS_OK else { throw NATSError(operation, status, jetStreamCode: code) }
}
