import Foundation
import Hummingbird
import Pipeline
import TributaryCore

/// `GET /features/latest?symbol=BTC-USDT&set=bars`: the newest feature row of each (source,
/// window) of the set's newest version, values as exact decimal text.
enum FeaturesRoute {
    static func add(to router: Router<ServiceRequestContext>, context: ServiceContext) {
        router.get("features/latest") { request, _ -> Response in
            guard let symbol = request.uri.queryParameters["symbol"].map(String.init), !symbol.isEmpty,
                let set = request.uri.queryParameters["set"].map(String.init), !set.isEmpty
            else {
                return JSONResponse.problem(.badRequest, "missing query parameter 'symbol' or 'set'", fix: "e.g. /features/latest?symbol=BTC-USDT&set=bars")
            }
            guard let store = context.store else { return JSONResponse.problem(.serviceUnavailable, "no store is configured") }
            let rows: [StoredFeatureRow]
            do { rows = try await store.latestFeatures(set: set, symbol: symbol) } catch {
                return JSONResponse.problem(.serviceUnavailable, "the store cannot be read: \(error)")
            }
            return JSONResponse.make(
                .object(
                    JSONObject([
                        ("symbol", .string(symbol)), ("set", .string(set)), ("rows", .array(rows.map(\.json))),
                    ])))
        }
    }
}
