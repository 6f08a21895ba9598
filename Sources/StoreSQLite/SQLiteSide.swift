import TributaryCore

/// A trade's side as the SQLite tables store it: 0 for buy, 1 for sell — SQLite stores the
/// integers 0 and 1 in the row header alone, where `sell` as text took five bytes a row.
/// The views show the text again.
enum SQLiteSide {
    static func code(_ text: String) -> Int64? {
        switch Trade.Side(rawValue: text) {
        case .buy: 0
        case .sell: 1
        case nil: nil
        }
    }

    static func text(_ code: Int64) -> String? {
        switch code {
        case 0: Trade.Side.buy.rawValue
        case 1: Trade.Side.sell.rawValue
        default: nil
        }
    }

    /// The column as text, for a view.
    static func textSQL(_ column: String) -> String { "CASE \(column) WHEN 0 THEN 'buy' WHEN 1 THEN 'sell' ELSE \(column) END" }

    /// A text column of sides as codes, for moving a table written before the codes.
    static func codeSQL(_ column: String) -> String { "CASE \(column) WHEN 'buy' THEN 0 WHEN 'sell' THEN 1 ELSE \(column) END" }
}
