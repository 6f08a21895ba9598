import TributaryCore

/// A 1m bar of the mock market as the aggregate trades that make it, so bars computed from the
/// mock's trades agree with its klines (open, high, low, close and volume exactly).
///
/// Each trade stands for one venue trade (`f` = `l`), so a kline's `trades` count — drawn
/// independently, like a real venue's count of raw trades — is not the number of these.
enum MockAggTrades {
    static let perMinute = 20

    struct Trade {
        var id: Int64
        var time: Int64
        var price: ExactDecimal
        var quantity: ExactDecimal
        var buyerIsMaker: Bool

        var json: JSONValue {
            .object(
                JSONObject([
                    ("a", .number(String(id))), ("p", .string(price.description)), ("q", .string(quantity.description)), ("f", .number(String(id))),
                    ("l", .number(String(id))), ("T", .number(String(time))), ("m", .bool(buyerIsMaker)), ("M", .bool(true)),
                ]))
        }
    }

    static func trades(of bar: MockBar, openTime: Int64) -> [Trade] {
        let count = Int128(perMinute)
        let (low, high) = (bar.low.mantissa, bar.high.mantissa)
        let share = bar.volume.mantissa / count
        return (0..<perMinute).map { index in
            let price: Int128 =
                switch index {
                case 0: bar.open.mantissa
                case perMinute - 1: bar.close.mantissa
                case 5: high
                case 12: low
                default: low + (high - low) * Int128((index * 7) % perMinute) / count
                }
            // The shares add up to the bar's volume exactly: the last trade takes the remainder.
            let quantity = index == perMinute - 1 ? bar.volume.mantissa - share * (count - 1) : share
            return Trade(
                id: openTime / 60_000 * Int64(perMinute) + Int64(index), time: openTime + Int64(index) * 3_000,
                price: ExactDecimal(mantissa: price, scale: MockBar.scale), quantity: ExactDecimal(mantissa: quantity, scale: MockBar.scale),
                buyerIsMaker: index % 3 == 0)
        }
    }
}
