import Pipeline
import TributaryCore

/// A declared set of features (`Features.d/NAME.yaml`): which records feed it, which windows
/// cut them, what is computed per window, and how late data is treated.
///
/// A set's rows are keyed by (set, version, source, symbol, window, start); bumping `version`
/// starts a new series of rows beside the old ones instead of overwriting them, so a change in
/// what a feature means never silently rewrites history a model was trained on.
public struct FeatureSet: Sendable, Hashable {
    public var name: String
    public var version: Int
    public var input: Input
    public var windows: [WindowSpec]
    public var features: [Feature]
    /// How far behind the newest event time of a source its watermark trails: windows close
    /// once the watermark passes their end.
    public var watermark: Int64 = 5_000_000_000
    public var late: LatePolicy = .drop
    /// How long after its window closed a late event is still used (`hold` waits this long
    /// before emitting; `correct` re-emits within it). Beyond it every policy drops and counts.
    public var lateness: Int64 = 60_000_000_000
    /// Events with a sequence number (numeric trade ids) are checked for holes per entity,
    /// reported as gap rows.
    public var checkSequence = true

    public init(name: String, version: Int, input: Input, windows: [WindowSpec], features: [Feature]) {
        self.name = name
        self.version = version
        self.input = input
        self.windows = windows
        self.features = features
    }

    /// What feeds a set: one record kind, from some or all sources, for some or all symbols.
    public struct Input: Sendable, Hashable {
        public var kind: Kind
        /// nil: every source.
        public var sources: Set<SourceID>?
        /// nil: every symbol.
        public var symbols: Set<String>?

        public init(kind: Kind, sources: Set<SourceID>? = nil, symbols: Set<String>? = nil) {
            self.kind = kind
            self.sources = sources
            self.symbols = symbols
        }

        public enum Kind: String, Sendable, Hashable, CaseIterable {
            case trade, quote

            public var recordKind: Record.Kind { self == .trade ? .trade : .quote }
        }

        public func accepts(_ record: Record) -> Bool {
            record.kind == kind.recordKind && (sources?.contains(record.source) ?? true) && (symbols?.contains(record.symbol) ?? true)
        }
    }

    /// What happens to an event whose window has already been emitted.
    public enum LatePolicy: String, Sendable, Hashable, CaseIterable {
        /// Windows are emitted when the watermark passes their end; later events are counted and dropped.
        case drop
        /// Windows are held `lateness` past the watermark and emitted once, complete; events
        /// later than that are counted and dropped.
        case hold
        /// Windows are emitted when the watermark passes their end and re-emitted (a new
        /// revision, the correction in its provenance) for each late event within `lateness`.
        case correct
    }

    /// One feature computed per window.
    public enum Feature: Sendable, Hashable {
        /// From trades: open, high, low, close, volume, trades, vwap.
        case ohlcv
        /// From quotes: mid_open, mid_high, mid_low, mid_close (mid = (bid + ask) / 2, exact).
        case mid
        /// From quotes: spread_close, spread_min, spread_max (ask − bid, exact) and quotes.
        case spread
        /// Exponentially weighted mean of the window's close with this half-life (ns of event time).
        case ewma(halfLife: Int64)
        /// The log return of the close over the previous window's, and its rolling mean,
        /// sample standard deviation and z-score over the last `lookback` returns.
        case returns(lookback: Int)
        /// Realized volatility: the square root of the sum of squared log returns over `lookback` windows.
        case volatility(lookback: Int)

        public var name: String {
            switch self {
            case .ohlcv: "ohlcv"
            case .mid: "mid"
            case .spread: "spread"
            case .ewma: "ewma"
            case .returns: "returns"
            case .volatility: "volatility"
            }
        }

        /// The kinds of input the feature can be computed from.
        public var inputs: Set<Input.Kind> {
            switch self {
            case .ohlcv: [.trade]
            case .mid, .spread: [.quote]
            case .ewma, .returns, .volatility: [.trade, .quote]
            }
        }
    }

    /// The most windows and features one set may declare (each multiplies the state per symbol).
    public static let maxWindows = 16
    public static let maxLookback = 10_000
}
