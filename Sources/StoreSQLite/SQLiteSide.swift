import TributaryCore

/// A trade's side as the SQLite tables store it: 0 for buy, 1 for sell — SQLite stores the
/// integers 0 and 1 in the row header alone, where `sell` as text took five bytes a row.
/// The views show the text again.
enum SQLiteSide {
    /// Compared as strings, not through `Trade.Side(rawValue:)`: its generated switch searches a
    /// table of cases for every stored trade, where two short strings compare as two words.
    static func code(_ text: String) -> Int64? {
        if text == Trade.Side.buy.rawValue { return 0 }
        if text == Trade.Side.sell.rawValue { return 1 }
        return nil
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
