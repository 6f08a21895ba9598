import Foundation
import Logging
import TributaryCore

/// One log line per event in logfmt (`ts=… level=warning msg="fetch failed" source=kraken
/// request_id=…`), to standard error: greppable by a person, parseable by Loki, Vector or
/// `jq -R`, with every metadata value quoted when it needs to be.
///
/// Values come from our own code (ids, sources, error descriptions); keys and secrets never
/// enter metadata, so nothing here redacts.
public struct LogfmtLogHandler: LogHandler {
    public var metadata: Logger.Metadata = [:]
    public var logLevel: Logger.Level
    public var metadataProvider: Logger.MetadataProvider?
    private let label: String
    private let write: @Sendable (String) -> Void

    public init(label: String, level: Logger.Level = .info, write: @escaping @Sendable (String) -> Void = LogfmtLogHandler.standardError) {
        self.label = label
        self.logLevel = level
        self.write = write
    }

    public static let standardError: @Sendable (String) -> Void = { line in
        FileHandle.standardError.write(Data(line.utf8))
    }

    public subscript(metadataKey key: String) -> Logger.Metadata.Value? {
        get { metadata[key] }
        set { metadata[key] = newValue }
    }

    public func log(event: LogEvent) {
        var merged = metadata
        if let provided = metadataProvider?.get() { merged.merge(provided) { $1 } }
        if let extra = event.metadata { merged.merge(extra) { $1 } }
        var line = "ts=\(Self.timestamp()) level=\(event.level) logger=\(label) msg=\(Self.quote(event.message.description))"
        for key in merged.keys.sorted() {
            line += " \(key)=\(Self.quote(Self.text(merged[key]!)))"
        }
        write(line + "\n")
    }

    static func text(_ value: Logger.Metadata.Value) -> String {
        switch value {
        case .string(let text): text
        case .stringConvertible(let value): value.description
        case .array(let items): items.map(text).joined(separator: ",")
        case .dictionary(let items): items.keys.sorted().map { "\($0):\(text(items[$0]!))" }.joined(separator: ",")
        }
    }

    /// Bare when safe, else double-quoted with `"` and `\` escaped and newlines as `\n`.
    static func quote(_ text: String) -> String {
        let needsQuotes = text.isEmpty || text.contains { $0 == " " || $0 == "=" || $0 == "\"" || $0 == "\\" || $0.isNewline }
        guard needsQuotes else { return text }
        var out = "\""
        for character in text {
            switch character {
            case "\"": out += "\\\""
            case "\\": out += "\\\\"
            case "\n": out += "\\n"
            case "\r": out += "\\r"
            default: out.append(character)
            }
        }
        return out + "\""
    }

    static func timestamp() -> String { UTCTimestamp.now().rfc3339 }
}
