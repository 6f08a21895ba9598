import Pipeline
import TributaryCore

/// A window's own values, gathered in one scan of its events in any order: the first and last
/// by ``Tick/precedes(_:)`` (open, close), extremes and exact sums. Exact decimals throughout —
/// OHLC are events' prices, volume and mid/spread are exact sums and halves, VWAP is the one
/// quotient, rounded half to even to ``vwapScale`` places.
enum WindowValues {
    /// Fractional digits of a VWAP (rounded half to even, then trailing zeros dropped).
    static let vwapScale: UInt8 = 10

    struct Scan {
        let wantsBars: Bool, wantsMid: Bool, wantsSpread: Bool
        private(set) var count = 0
        // Trades.
        private var trades = 0
        private var open: Tick?, close: Tick?
        private var high: ExactDecimal?, low: ExactDecimal?
        private var volume: ExactDecimal? = ExactDecimal(0), notional: ExactDecimal? = ExactDecimal(0)
        // Quotes with both sides.
        private var quotes = 0
        private var firstQuote: Tick?, lastQuote: Tick?
        private var midHigh: ExactDecimal?, midLow: ExactDecimal?, spreadMin: ExactDecimal?, spreadMax: ExactDecimal?
        /// The last event of any shape (a price for statistics when no bar or mid is asked for).
        private var last: Tick?

        init(features: [FeatureSet.Feature]) {
            wantsBars = features.contains(.ohlcv)
            wantsMid = features.contains(.mid)
            wantsSpread = features.contains(.spread)
        }

        mutating func add(_ tick: Tick) {
            count += 1
            if last.map({ $0.precedes(tick) }) ?? true { last = tick }
            switch tick.shape {
            case .trade:
                trades += 1
                if open.map({ tick.precedes($0) }) ?? true { open = tick }
                if close.map({ $0.precedes(tick) }) ?? true { close = tick }
                if high.map({ tick.first > $0 }) ?? true { high = tick.first }
                if low.map({ tick.first < $0 }) ?? true { low = tick.first }
                guard wantsBars else { return }
                volume = volume?.adding(tick.second)
                notional = tick.first.multiplying(tick.second).flatMap { notional?.adding($0) }
            case .quote:
                quotes += 1
                if firstQuote.map({ tick.precedes($0) }) ?? true { firstQuote = tick }
                if lastQuote.map({ $0.precedes(tick) }) ?? true { lastQuote = tick }
                guard wantsMid || wantsSpread, let mid = Self.mid(tick), let spread = tick.second.subtracting(tick.first) else { return }
                if midHigh.map({ mid > $0 }) ?? true { midHigh = mid }
                if midLow.map({ mid < $0 }) ?? true { midLow = mid }
                if spreadMax.map({ spread > $0 }) ?? true { spreadMax = spread }
                if spreadMin.map({ spread < $0 }) ?? true { spreadMin = spread }
            case .lastOnly, .empty:
                break
            }
        }

        static func mid(_ tick: Tick) -> ExactDecimal? { tick.first.adding(tick.second)?.halved }

        /// The values and the close the series statistics follow (nil when the window has none).
        func result() -> (values: [FeatureRow.Value], close: ExactDecimal?) {
            var values: [FeatureRow.Value] = []
            var closePrice: ExactDecimal?
            if wantsBars, let open, let close {
                let vwap = volume.flatMap { volume in notional?.divided(by: volume, scale: WindowValues.vwapScale) }
                values += [
                    .init("open", open.first), .init("high", high), .init("low", low), .init("close", close.first), .init("volume", volume),
                    .init("trades", ExactDecimal(trades)), .init("vwap", vwap),
                ]
                closePrice = close.first
            }
            if let firstQuote, let lastQuote {
                let lastMid = Self.mid(lastQuote)
                if wantsMid {
                    values += [.init("mid_open", Self.mid(firstQuote)), .init("mid_high", midHigh), .init("mid_low", midLow), .init("mid_close", lastMid)]
                }
                if wantsSpread {
                    values += [
                        .init("spread_close", lastQuote.second.subtracting(lastQuote.first)), .init("spread_min", spreadMin),
                        .init("spread_max", spreadMax), .init("quotes", ExactDecimal(quotes)),
                    ]
                }
                closePrice = closePrice ?? lastMid
            }
            if closePrice == nil, let last {
                // Statistics only: they follow the last price (or mid) of the window.
                switch last.shape {
                case .trade, .lastOnly: closePrice = last.first
                case .quote: closePrice = Self.mid(last)
                case .empty: break
                }
            }
            return (values, closePrice)
        }
    }
}
