/// The identifier of a data source, as named by its Sources.d file (`binance`, `finnhub`).
///
/// A distinct type rather than a bare `String`, so a source id cannot be passed where a
/// symbol or an endpoint is expected.
public struct SourceID: RawRepresentable, Hashable, Comparable, Sendable, ExpressibleByStringLiteral, CustomStringConvertible {
    public let rawValue: String

    public init(rawValue: String) { self.rawValue = rawValue }
    public init(_ rawValue: String) { self.rawValue = rawValue }
    public init(stringLiteral value: String) { self.rawValue = value }

    public var description: String { rawValue }

    public static func < (lhs: SourceID, rhs: SourceID) -> Bool { lhs.rawValue < rhs.rawValue }
}
