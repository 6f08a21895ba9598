import Testing
import TributaryCore

@testable import StoreSQLite

/// The check that lets a write's rows share multi-row inserts: it must say "all differ" exactly
/// when no identity (source, symbol, key) repeats, whatever the keys look like.
@Suite struct SQLiteDistinctIdentitiesTests {
    private static func row(_ source: Int32, _ symbol: Int32, _ key: SQLiteStoredKey) -> SQLitePreparedRows.Row {
        SQLitePreparedRows.Row(
            kind: .trade, source: source, symbol: symbol, group: 0, key: key, venueSymbol: nil, hash: 0, line: nil, extra: nil, time: nil, cells: 0)
    }

    @Test func aRepeatIsFoundWhereverTheKeysDiffer() {
        let long = String(repeating: "x", count: 40)
        let keys: [SQLiteStoredKey] = [
            .integer(0), .integer(7), .integer(-1), .integer(.max), .text(""), .text("007"), .text("a"), .text("abcdefgh"),
            .text("abcdefgi"), .text("abcdefghi"), .text(long), .text(long + "y"), .text(String(long.dropLast()) + "z"), .text("é"),
            .text("e\u{301}"), .text("nul\u{0}one"), .text("nul\u{0}two"),
        ]
        // Every key once, under two sources and two symbols: all differ (keys by their bytes, as
        // SQLite compares them: "é" and "e" + U+0301 are two keys).
        var rows: [SQLitePreparedRows.Row] = []
        for source: Int32 in 0...1 {
            for symbol: Int32 in 0...1 { rows += keys.map { Self.row(source, symbol, $0) } }
        }
        #expect(SQLiteDistinctIdentities.allDiffer(rows))
        // Any one of them again, anywhere: a repeat.
        for (index, original) in rows.enumerated() {
            var twice = rows
            twice.insert(original, at: index % 5)
            #expect(!SQLiteDistinctIdentities.allDiffer(twice), "\(original.key) at \(index)")
        }
        // Same key, other source or symbol: still distinct.
        #expect(SQLiteDistinctIdentities.allDiffer([Self.row(0, 0, .text("k")), Self.row(1, 0, .text("k")), Self.row(0, 1, .text("k"))]))
    }

    /// Thousands of generated ids (the shapes trade ids take), with and without planted repeats:
    /// the same answer as a `Set`.
    @Test func itAgreesWithASetOnGeneratedIds() {
        var generator = SystemRandomNumberGenerator()
        for round in 0..<20 {
            let count = 1 + Int.random(in: 0..<5_000, using: &generator)
            var rows = (0..<count).map { number -> SQLitePreparedRows.Row in
                let key: SQLiteStoredKey =
                    number % 3 == 0 ? .integer(Int64(number) * 7_919) : .text("\(round)-\(number * 31)-\(String(repeating: "q", count: number % 17))")
                return Self.row(Int32(number % 2), Int32(number % 3), key)
            }
            #expect(SQLiteDistinctIdentities.allDiffer(rows) && SQLiteDistinctIdentities.allDifferBySet(rows))
            let victim = rows[Int.random(in: 0..<count, using: &generator)]
            rows.append(victim)
            rows.shuffle(using: &generator)
            #expect(!SQLiteDistinctIdentities.allDiffer(rows) && !SQLiteDistinctIdentities.allDifferBySet(rows))
        }
    }
}
