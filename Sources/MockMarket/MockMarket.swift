import Hummingbird
import Logging
import TributaryCore

/// A local stand-in for the providers' REST APIs, speaking their exact response shapes.
///
/// With it, every part of Tributary can be tried and tested with no keys and no internet:
/// point a source's base URL at the mock's prefix for it (`http://127.0.0.1:P/binance` via
/// `--base-url` or `TRIBUTARY_BINANCE_BASE_URL`) and it answers as the provider would, at the
/// provider's own paths. Prices come from a seeded ``PriceModel``.
///
/// ```swift
/// let market = MockMarket(seed: 42)
/// try await market.application(port: 8090).runService()
/// ```
public struct MockMarket: Sendable {
    public let seed: UInt64
    public let prices: PriceModel
    /// What the mock reports as "now"; injectable so a test can pin response times.
    public let clock: @Sendable () -> UTCTimestamp
    /// The key and secret the mock's signed Binance endpoints accept; nil refuses every signed call.
    public let binanceCredentials: MockCredentials?
    /// The faults injected into answers; change them while running through `/control/faults`.
    public let faults: FaultInjector

    public init(
        seed: UInt64 = 42, binanceCredentials: MockCredentials? = MockCredentials.demo, faults: [MockFault] = [],
        clock: @escaping @Sendable () -> UTCTimestamp = { .now() }
    ) {
        self.seed = seed
        prices = PriceModel(seed: seed)
        self.binanceCredentials = binanceCredentials
        self.faults = FaultInjector(faults: faults, seed: seed)
        self.clock = clock
    }

    /// The providers the mock answers for, by source id (each under `/<id>/…`): the demo points
    /// these at the mock and leaves every other source at its own base URL.
    public static let providers: Set<String> = [
        "binance", "coinbase", "kraken", "coingecko", "finnhub", "fred", "polygon", "alphavantage", "twelvedata", "fmp", "tiingo", "newsapi", "yahoo",
    ]

    /// The router with every provider's routes.
    public func router() -> Router<BasicRequestContext> {
        let router = Router()
        router.add(middleware: FaultMiddleware(injector: faults))
        router.get("/health") { _, _ in "ok" }
        ControlRoutes(injector: faults).register(on: router)
        BinanceRoutes(market: self).register(on: router)
        CoinbaseRoutes(market: self).register(on: router)
        KrakenRoutes(market: self).register(on: router)
        CoinGeckoRoutes(market: self).register(on: router)
        FinnhubRoutes(market: self).register(on: router)
        FREDRoutes(market: self).register(on: router)
        PolygonRoutes(market: self).register(on: router)
        AlphaVantageRoutes(market: self).register(on: router)
        TwelveDataRoutes(market: self).register(on: router)
        FMPRoutes(market: self).register(on: router)
        TiingoRoutes(market: self).register(on: router)
        NewsAPIRoutes(market: self).register(on: router)
        YahooRoutes(market: self).register(on: router)
        return router
    }

    /// An HTTP server on 127.0.0.1 (port 0 picks a free one; `onListening` receives the real one).
    public func application(
        host: String = "127.0.0.1", port: Int, logLevel: Logger.Level = .info, onListening: @escaping @Sendable (Int) async -> Void = { _ in }
    ) -> some ApplicationProtocol {
        var logger = Logger(label: "tributary-mock")
        logger.logLevel = logLevel
        return Application(
            router: router(),
            configuration: .init(address: .hostname(host, port: port), serverName: "tributary-mock"),
            onServerRunning: { channel in await onListening(channel.localAddress?.port ?? port) },
            logger: logger
        )
    }
}

/// A key and secret a mock provider accepts for signed calls.
public struct MockCredentials: Sendable, Hashable {
    public let apiKey: String
    public let secret: String

    public init(apiKey: String, secret: String) {
        self.apiKey = apiKey
        self.secret = secret
    }

    /// What `tributary run --demo` and the demo script use (not a real key).
    public static let demo = MockCredentials(apiKey: "tributary-demo-key", secret: "tributary-demo-secret")
}

/// Builds JSON response bodies the way the provider writes them.
enum MockJSON {
    static func response(_ value: JSONValue, status: HTTPResponse.Status = .ok, headers: HTTPFields = [:]) -> Response {
        var fields = headers
        fields[.contentType] = "application/json"
        let bytes = JSONWriter.encode(value)
        return Response(status: status, headers: fields, body: .init(byteBuffer: ByteBuffer(bytes: bytes)))
    }
}
