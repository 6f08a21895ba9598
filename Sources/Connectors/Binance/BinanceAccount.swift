import TributaryCore

/// Reads `GET /api/v3/account` (SIGNED): one balance record per asset.
enum BinanceAccount {
    static func records(from json: JSONValue, source: SourceID) throws(ConnectorError) -> [Record] {
        let fields = FieldReader(json: json, source: source, context: "account")
        guard case .array(let balances) = try fields.value("balances") else {
            throw ConnectorError(.decode, source: source, "account: field 'balances' is not an array")
        }
        return try balances.map { (item) throws(ConnectorError) in
            let balance = FieldReader(json: item, source: source, context: "account.balances")
            let asset = try balance.string("asset")
            return Record(
                source: source, endpoint: "account", symbol: Instrument.canonicalAsset(asset), venueSymbol: asset,
                payload: .balance(Balance(asset: Instrument.canonicalAsset(asset), free: try balance.decimal("free"), locked: try balance.decimal("locked")))
            )
        }
    }
}
