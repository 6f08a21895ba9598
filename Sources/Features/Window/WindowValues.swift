import Pipeline
import TributaryCore

/// A window's own values, from its events in applied order (``FeatureEvent/precedes(_:_:)``):
/// exact decimals throughout — OHLC are events' prices, volume and mid/spread are exact sums
/// and halves, VWAP is the one quotient, rounded half to even to ``vwapScale`` places.
enum WindowValues {
    /// Fractional digits of a VWAP (rounded half to even, then trailing zeros dropped).
    static let vwapScale: UInt8 = 10

    /// The values and the close the series statistics follow (nil when the window has none,
    /// e.g. quotes without both sides).
    static func compute(_ events: [FeatureEvent], features: [FeatureSet.Feature]) -> (values: [FeatureRow.Value], close: ExactDecimal?) {
        var values: [FeatureRow.Value] = []
        var close: ExactDecimal?
        if features.contains(.ohlcv) {
            let trades = events.compactMap { event -> (price: ExactDecimal, size: ExactDecimal)? in
                if case .trade(let price, let size) = event.values { (price, size) } else { nil }
            }
            if let first = trades.first, let last = trades.last {
                var high = first.price, low = first.price
                var volume: ExactDecimal? = ExactDecimal(0)
                var notional: ExactDecimal? = ExactDecimal(0)
                for trade in trades {
                    if trade.price > high { high = trade.price }
                    if trade.price < low { low = trade.price }
                    volume = volume?.adding(trade.size)
                    notional = trade.price.multiplying(trade.size).flatMap { notional?.adding($0) }
                }
                let vwap = volume.flatMap { volume in notional?.divided(by: volume, scale: vwapScale) }
                values += [
                    .init("open", first.price), .init("high", high), .init("low", low), .init("close", last.price), .init("volume", volume),
                    .init("trades", ExactDecimal(trades.count)), .init("vwap", vwap),
                ]
                close = last.price
            }
        }
        let wantsMid = features.contains(.mid), wantsSpread = features.contains(.spread)
        if wantsMid || wantsSpread {
            let sides = events.compactMap { event -> (mid: ExactDecimal, spread: ExactDecimal)? in
                guard case .quote(let bid?, let ask?, _) = event.values, let sum = bid.adding(ask), let mid = sum.halved,
                    let spread = ask.subtracting(bid)
                else { return nil }
                return (mid, spread)
            }
            if let first = sides.first, let last = sides.last {
                if wantsMid {
                    let mids = sides.map(\.mid)
                    values += [
                        .init("mid_open", first.mid), .init("mid_high", mids.max()), .init("mid_low", mids.min()), .init("mid_close", last.mid),
                    ]
                }
                if wantsSpread {
                    let spreads = sides.map(\.spread)
                    values += [
                        .init("spread_close", last.spread), .init("spread_min", spreads.min()), .init("spread_max", spreads.max()),
                        .init("quotes", ExactDecimal(sides.count)),
                    ]
                }
                close = close ?? last.mid
            }
        }
        if close == nil {
            // A set of statistics only (no OHLC or mid asked for): they follow the last price or mid.
            for event in events.reversed() {
                switch event.values {
                case .trade(let price, _): close = price
                case .quote(let bid, let ask, let last):
                    if let bid, let ask { close = bid.adding(ask)?.halved } else { close = last }
                }
                if close != nil { break }
            }
        }
        return (values, close)
    }
}
