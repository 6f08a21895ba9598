import TributaryCore

/// One window length of a feature set: tumbling (`1m`: every minute, one minute long) or
/// sliding (`5m every 1m`: five minutes long, one starting every minute).
///
/// Windows are aligned to the Unix epoch (a `1m` window starts on a whole minute, UTC), so
/// every process, every restart and every backfill cuts the same windows. A sliding window's
/// size is a whole multiple of its step: it is kept as panes one step long and each window is
/// the panes it covers, so an event is stored once however many windows it falls in.
public struct WindowSpec: Sendable, Hashable, Codable, CustomStringConvertible {
    /// Window length in nanoseconds.
    public let size: Int64
    /// Distance between window starts in nanoseconds (= size for tumbling windows).
    public let every: Int64

    /// The shortest window accepted (a millisecond) and the longest (a week).
    public static let shortest: Int64 = 1_000_000
    public static let longest: Int64 = 7 * 86_400_000_000_000
    /// At most this many panes in one sliding window (size / every): bounds the work per window.
    public static let maxPanes: Int64 = 1_440

    /// nil when the lengths are out of range or `size` is not a whole multiple of `every`.
    public init?(size: Int64, every: Int64? = nil) {
        let every = every ?? size
        guard size >= Self.shortest, size <= Self.longest, every >= Self.shortest, every <= size, size % every == 0,
            size / every <= Self.maxPanes
        else { return nil }
        self.size = size
        self.every = every
    }

    public var isTumbling: Bool { size == every }

    /// `1m` for a tumbling window, `5m/1m` for a sliding one: the `window` column of feature rows.
    public var description: String {
        let sizeText = DurationText.format(.nanoseconds(size))
        return isTumbling ? sizeText : sizeText + "/" + DurationText.format(.nanoseconds(every))
    }

    /// Reads `1m` or `5m/1m` (the form ``description`` writes).
    public init?(_ text: String) {
        let parts = text.split(separator: "/", omittingEmptySubsequences: false)
        guard parts.count <= 2, let size = DurationText.parse(String(parts[0])) else { return nil }
        var every: Duration?
        if parts.count == 2 {
            guard let step = DurationText.parse(String(parts[1])) else { return nil }
            every = step
        }
        self.init(size: size.nanosecondsCount, every: every?.nanosecondsCount)
    }

    /// The start of the pane (one `every` long) holding `time`, or nil at the ends of the time range.
    func pane(of time: Int64) -> Int64? {
        let start = time.floorDivided(by: every)
        let (product, overflow) = start.multipliedReportingOverflow(by: every)
        return overflow ? nil : product
    }

    /// Panes one window covers.
    var panesPerWindow: Int64 { size / every }
}
