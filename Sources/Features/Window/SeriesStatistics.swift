import DequeModule
import Foundation
import Pipeline
import TributaryCore

/// Statistics that follow a window series (one entity, one window length) from one window to
/// the next: EWMA of the close, log returns with their rolling mean, standard deviation and
/// z-score, and realized volatility.
///
/// These are not exact: a logarithm and a square root are irrational. They are computed in IEEE
/// 754 binary64, always in the same order (oldest return first, two passes for the variance),
/// and written as the shortest decimal that reads back as the double, rounded half to even to
/// ``significantDigits`` significant digits — so the same windows give byte-identical values on
/// every run and machine. The state advances once per window, when it is first emitted, in
/// window order; a later correction of a window does not recompute the windows after it (a
/// backfill does).
struct SeriesStatistics: Sendable, Codable {
    static var significantDigits: Int { 12 }

    private var previousClose: Double?
    private var previousStart: Int64?
    private var ewma: Double?
    /// The latest returns, oldest first, at most the longest lookback asked for.
    private var returns: Deque<Double> = []

    /// Advances over one newly emitted window and returns the statistics the set asks for.
    mutating func advance(close: ExactDecimal?, start: Int64, features: [FeatureSet.Feature]) -> [FeatureRow.Value] {
        // Bars alone follow no series.
        guard features.contains(where: { if case .ohlcv = $0 { false } else if case .mid = $0 { false } else if case .spread = $0 { false } else { true } })
        else { return [] }
        let maxLookback = features.reduce(0) { longest, feature in
            switch feature {
            case .returns(let lookback), .volatility(let lookback): max(longest, lookback)
            default: longest
            }
        }
        var latestReturn: Double?
        if let close {
            let price = close.approximateDouble
            if let previousClose, previousClose > 0, price > 0 {
                let value = log(price / previousClose)
                latestReturn = value
                if maxLookback > 0 {
                    returns.append(value)
                    if returns.count > maxLookback { returns.removeFirst(returns.count - maxLookback) }
                }
            }
            for feature in features {
                guard case .ewma(let halfLife) = feature else { continue }
                if let ewma, let previousStart {
                    // In Double: two window starts centuries apart would overflow Int64's difference.
                    let elapsed = (Double(start) - Double(previousStart)) / Double(halfLife)
                    let alpha = 1 - exp2(-elapsed)
                    self.ewma = ewma + alpha * (price - ewma)
                } else {
                    ewma = price
                }
            }
            previousClose = price
            previousStart = start
        }
        var values: [FeatureRow.Value] = []
        func decimal(_ value: Double?) -> ExactDecimal? {
            value.flatMap { ExactDecimal(approximating: $0, significantDigits: Self.significantDigits) }
        }
        for feature in features {
            switch feature {
            case .ewma: values.append(.init("ewma", decimal(ewma)))
            case .returns(let lookback):
                let window = returns.suffix(lookback)
                var mean: Double?, deviation: Double?, zscore: Double?
                if !window.isEmpty {
                    let average = window.reduce(0, +) / Double(window.count)
                    mean = average
                    if window.count >= 2 {
                        let variance = window.reduce(0) { $0 + ($1 - average) * ($1 - average) } / Double(window.count - 1)
                        let stdev = variance.squareRoot()
                        deviation = stdev
                        if stdev > 0, let latestReturn { zscore = (latestReturn - average) / stdev }
                    }
                }
                values += [
                    .init("return", decimal(latestReturn)), .init("return_mean", decimal(mean)), .init("return_stdev", decimal(deviation)),
                    .init("zscore", decimal(zscore)),
                ]
            case .volatility(let lookback):
                let window = returns.suffix(lookback)
                values.append(.init("volatility", window.isEmpty ? nil : decimal(window.reduce(0) { $0 + $1 * $1 }.squareRoot())))
            case .ohlcv, .mid, .spread: break
            }
        }
        return values
    }
}
