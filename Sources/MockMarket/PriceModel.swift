import Synchronization
import TributaryCore

/// Deterministic, moving prices for the mock market.
///
/// Each instrument starts at a plausible level and takes a small seeded random step on every
/// read, so a demo shows prices that move while a test with the same seed sees the same
/// sequence. Prices are exact decimals with the venue's usual 8 fractional digits.
public final class PriceModel: Sendable {
    private struct State {
        var generator: SplitMix64
        var prices: [String: Int128] = [:]
        var ticks: [String: Int64] = [:]
    }

    public static let scale: UInt8 = 8
    private let state: Mutex<State>

    public init(seed: UInt64) {
        state = Mutex(State(generator: SplitMix64(seed: seed)))
    }

    /// One step of the instrument's walk: the new last price and how many steps it has taken.
    public func step(_ symbol: String) -> (price: ExactDecimal, tick: Int64) {
        state.withLock { state in
            let start = state.prices[symbol] ?? Self.startingPrice(for: symbol)
            // ±0.05 % per step, never below one unit of the last place.
            let bound = Swift.max(Int128(1), start / 2_000)
            let range = UInt64(clamping: bound * 2 + 1)
            let move = Int128(state.generator.next() % range) - bound
            let next = Swift.max(Int128(1), start + move)
            state.prices[symbol] = next
            let tick = (state.ticks[symbol] ?? 0) + 1
            state.ticks[symbol] = tick
            return (ExactDecimal(mantissa: next, scale: Self.scale), tick)
        }
    }

    /// A plausible level for well-known bases; 10.0 for anything else.
    static func startingPrice(for symbol: String) -> Int128 {
        let units: Int128 =
            switch symbol.split(separator: "-").first.map(String.init) ?? symbol {
            case "BTC": 95_000
            case "ETH": 3_500
            case "BNB": 600
            case "SOL": 150
            case "XRP": 2
            case "DOGE": 1
            case "AAPL": 230
            case "MSFT": 420
            case "GOOGL": 175
            case "AMZN": 200
            case "NVDA": 140
            case "TSLA": 250
            case "META": 560
            case "SPY": 590
            default: 10
            }
        return units * 100_000_000
    }
}
