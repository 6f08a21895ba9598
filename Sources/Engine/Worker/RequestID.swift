import Synchronization

/// Short unique ids that tie a log line, a provenance record and a request together.
///
/// A random per-process prefix plus a counter: unique without a syscall per request.
public enum RequestID {
    private static let prefix: String = {
        var generator = SystemRandomNumberGenerator()
        let value = generator.next() & 0xFFFF_FFFF
        let hex = String(value, radix: 16)
        return String(repeating: "0", count: 8 - hex.count) + hex
    }()
    private static let counter = Atomic<UInt64>(0)

    public static func next() -> String {
        let n = counter.add(1, ordering: .relaxed).newValue
        return "\(prefix)-\(String(n, radix: 16))"
    }
}
