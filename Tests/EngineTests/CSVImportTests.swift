import Connectors
import Engine
import Foundation
import Pipeline
import StoreSQLite
import Testing
import TributaryCore

@Suite struct CSVImportTests {
    func directory() throws -> String {
        let path = NSTemporaryDirectory() + "tributary-import-\(UUID().uuidString)"
        try FileManager.default.createDirectory(atPath: path, withIntermediateDirectories: true)
        return path
    }

    func rules(_ yaml: String) throws -> NormalizationRules {
        let (rules, problems) = NormalizationRulesLoader.parse(yaml, file: "rules.yaml")
        #expect(problems.isEmpty, "\(problems)")
        return try #require(rules)
    }

    @Test func rulesRenameMapScaleAndReadLocalTimes() async throws {
        let rules = try rules(
            """
            kind: trade
            rename: { ts: time, ticker: symbol, px: price, qty: size, id: trade_id }
            drop: [note]
            symbols: { XBTUSD: BTC-USD }
            scale: { px: -2 }
            timezone: America/New_York
            """)
        let row: [String: JSONValue] = [
            "ts": .string("2024-07-01 09:30:00"), "ticker": .string("XBTUSD"), "px": .string("9500010"),
            "qty": .string("0.5"), "id": .string("7"), "note": .string("x"),
        ]
        let fields = try rules.apply(row).get()
        #expect(fields["note"] == nil)
        #expect(fields["price"] == .string("95000.10"))
        #expect(fields["symbol"] == .string("BTC-USD") && fields["venue_symbol"] == .string("XBTUSD"))
        #expect(fields["time"] == .string("2024-07-01T13:30:00.000Z"))  // EDT, UTC-4
        #expect(fields["kind"] == .string("trade"))
    }

    @Test func rulesFileMistakesAreLocated() async {
        let (rules, problems) = NormalizationRulesLoader.parse("kind: trades\nrename: { px: prise }\ntimezone: Mars/Olympus\nscal: {}\n", file: "r.yaml")
        #expect(rules == nil)
        let text = problems.map(\.description).joined(separator: "\n")
        #expect(text.contains("r.yaml:1") && text.contains("did you mean 'trade'?"))
        #expect(text.contains("'prise' is not a record field") && text.contains("did you mean 'price'?"))
        #expect(text.contains("unknown time zone 'Mars/Olympus'"))
        #expect(text.contains("unknown key 'scal'"))
    }

    @Test func schemaInference() async {
        let schema = CSVSchema.infer(
            header: ["time", "px", "n", "day", "flag", "who", "ts2"],
            sample: [
                ["1700000000123", "1.5", "3", "2024-01-02", "true", "a", "2024-01-02 09:30:00"],
                ["1700000000124", "2", "", "2024-01-03", "false", "b", "2024-01-02T09:30:01Z"],
            ])
        #expect(schema.columns.map(\.type) == [.timestamp, .decimal, .integer, .date, .boolean, .string, .timestamp])
        #expect(schema.columns.map(\.nullable) == [false, false, true, false, false, false, false])
        #expect(schema.problem("abc", column: 1) == "must be decimal; 'abc' is not")
        let (parsed, problems) = CSVSchemaLoader.parse(schema.yaml, file: "schema.yaml")
        #expect(problems.isEmpty && parsed == schema)
    }

    /// A decimal or time cell the builder parses is checked by that parse alone; a row that fails
    /// is still reported as the schema's problem at its first unfitting column, whichever the
    /// columns, and a value that fits the schema but not the record model as the builder's.
    @Test func cellsTheBuilderParsesAreReportedAsTheSchemaWould() async throws {
        let folder = try directory()
        defer { try? FileManager.default.removeItem(atPath: folder) }
        var options = CSVImport.Options(source: "tape")
        options.rules = try rules("kind: trade")
        options.schema = CSVSchema(columns: [
            .init(name: "time", type: .timestamp, nullable: false), .init(name: "symbol", type: .string, nullable: false),
            .init(name: "price", type: .decimal, nullable: false), .init(name: "size", type: .decimal, nullable: false),
            .init(name: "trade_id", type: .integer, nullable: false),
        ])
        let file = folder + "/t.csv"
        try """
        time,symbol,price,size,trade_id
        1700000000000,BTC-USD,1.5,1,1
        1700000000001,BTC-USD,cheap,1,x
        soon,BTC-USD,1.5,1,3
        1700000000003,BTC-USD,1.5,1,x
        1700000000004,BTC-USD,1.5,-1,5
        1700000000005,BTC-USD,,1,6

        """.write(toFile: file, atomically: true, encoding: .utf8)
        let report = try await CSVImport(store: try SQLiteStore(path: folder + "/t.sqlite"), options: options).check(path: file)
        #expect(report.valid == 1 && report.badRows == 5)
        let expected = [
            "line 3: column 3 (price): must be decimal; 'cheap' is not",
            "line 4: column 1 (time): must be timestamp; 'soon' is not",
            "line 5: column 5 (trade_id): must be integer; 'x' is not",
            "line 6: column 4 (size): size: must not be negative; got -1",
            "line 7: column 3 (price): may not be empty (the schema says it is required)",
        ]
        #expect(report.problems.count == expected.count)
        for (problem, reason) in zip(report.problems, expected) { #expect(problem.hasSuffix(reason), "\(problem)") }
    }

    @Test func newColumnsAreRecordedAndAChangedTypeRejectsTheRow() async throws {
        let folder = try directory()
        defer { try? FileManager.default.removeItem(atPath: folder) }
        let store = try SQLiteStore(path: folder + "/t.sqlite")
        var options = CSVImport.Options(source: "tape")
        options.rules = try rules("kind: trade")
        options.batchSize = 2
        let importer = CSVImport(store: store, options: options)
        try "time,symbol,price,size,trade_id\n1700000000000,BTC-USD,1.5,1,1\n1700000000001,BTC-USD,1.6,1,2\n1700000000002,BTC-USD,1.7,1,3\n"
            .write(toFile: folder + "/a.csv", atomically: true, encoding: .utf8)
        let first = try await importer.run(path: folder + "/a.csv")
        #expect(first.stored == 3 && first.batches == 2 && first.newColumns.isEmpty)
        // A later file adds a column (accepted and recorded) and has a price the first file's
        // type (decimal) does not allow: that row is rejected with its line and column.
        try "time,symbol,price,size,trade_id,side\n1700000000003,BTC-USD,1.8,1,4,buy\n1700000000004,BTC-USD,cheap,1,5,sell\n"
            .write(toFile: folder + "/b.csv", atomically: true, encoding: .utf8)
        let second = try await importer.run(path: folder + "/b.csv")
        #expect(second.newColumns == ["side"])
        #expect(second.stored == 1 && second.badRows == 1)
        #expect(try await store.deadLetters(source: "tape").first?.reason.contains("line 3: column 3 (price): must be decimal; 'cheap' is not") == true)
        #expect(try store.importColumns(source: "tape")["side"] == "string")
        // Importing the first file again: nothing to do; forced: nothing new.
        #expect(try await importer.run(path: folder + "/a.csv").alreadyImported)
        var forced = options
        forced.force = true
        #expect(try await CSVImport(store: store, options: forced).run(path: folder + "/a.csv").duplicates == 3)
    }

    @Test func configuredKeyFieldsDecideWhatIsADuplicate() async throws {
        let folder = try directory()
        defer { try? FileManager.default.removeItem(atPath: folder) }
        // A feed whose trade ids restart every file: identity is time + price + size instead.
        try "time,symbol,price,size,trade_id\n1700000000000,BTC-USD,1.5,1,1\n1700000000001,BTC-USD,1.5,1,2\n".write(
            toFile: folder + "/a.csv", atomically: true, encoding: .utf8)
        try "time,symbol,price,size,trade_id\n1700000000000,BTC-USD,1.5,1,1\n1700000000005,BTC-USD,1.5,1,1\n".write(
            toFile: folder + "/b.csv", atomically: true, encoding: .utf8)
        var options = CSVImport.Options(source: "tape")
        options.rules = try rules("kind: trade\nkey: [time, price, size]")
        let store = try SQLiteStore(path: folder + "/t.sqlite")
        let importer = CSVImport(store: store, options: options)
        #expect(try await importer.run(path: folder + "/a.csv").stored == 2)
        let second = try await importer.run(path: folder + "/b.csv")
        #expect(second.stored == 1 && second.duplicates == 1)
        #expect(try store.recordCount() == 3)
    }

    @Test func gzipFilesAreRead() async throws {
        let folder = try directory()
        defer { try? FileManager.default.removeItem(atPath: folder) }
        try "time,symbol,price,size,trade_id\n1700000000000,BTC-USD,1.5,1,1\n".write(toFile: folder + "/a.csv", atomically: true, encoding: .utf8)
        let gzip = Process()
        gzip.executableURL = URL(fileURLWithPath: "/usr/bin/env")
        gzip.arguments = ["gzip", folder + "/a.csv"]
        try gzip.run()
        gzip.waitUntilExit()
        var options = CSVImport.Options(source: "tape")
        options.rules = try rules("kind: trade")
        let report = try await CSVImport(store: try SQLiteStore(path: folder + "/t.sqlite"), options: options).run(path: folder + "/a.csv.gz")
        #expect(report.stored == 1)
    }

    @Test func aCorrectedFileResolvesItsRowsEarlierDeadLetters() async throws {
        let folder = try directory()
        defer { try? FileManager.default.removeItem(atPath: folder) }
        let path = folder + "/tape.csv"
        // Lines 3 and 4 are bad (a price that is not a number, a negative size); a small batch
        // size puts them in different batches.
        try "time,symbol,price,size,trade_id\n1700000000000,BTC-USD,1.5,1,1\n1700000000001,BTC-USD,one,1,2\n1700000000002,BTC-USD,1.5,-1,3\n"
            .write(toFile: path, atomically: true, encoding: .utf8)
        var options = CSVImport.Options(source: "tape")
        options.rules = try rules("kind: trade")
        options.batchSize = 2
        let store = try SQLiteStore(path: folder + "/t.sqlite")
        let first = try await CSVImport(store: store, options: options).run(path: path)
        #expect(first.stored == 1 && first.badRows == 2 && first.fixedRows == 0)
        #expect(try store.deadLetterCount(pending: true) == 2)

        // Line 3 corrected, line 4 still bad: one dead letter resolved, the other replaced.
        try "time,symbol,price,size,trade_id\n1700000000000,BTC-USD,1.5,1,1\n1700000000001,BTC-USD,1.6,1,2\n1700000000002,BTC-USD,1.5,-2,3\n"
            .write(toFile: path, atomically: true, encoding: .utf8)
        let second = try await CSVImport(store: store, options: options).run(path: path)
        #expect(second.stored == 1 && second.badRows == 1)
        #expect(second.fixedRows == 1 && second.failedAgainRows == 1)
        let letters = try store.deadLetters(limit: 10, source: "tape", pending: false)
        #expect(letters.map(\.state) == ["pending", "resolved", "resolved"])
        #expect(letters[1].resolution?.contains("failed again in \(path)") == true)
        #expect(letters[2].resolution?.hasPrefix("re-imported from \(path)") == true)
        #expect(letters[2].resolution?.hasSuffix("line 3") == true)
        #expect(try store.pendingRowDeadLetters(source: "tape", file: path) == [4: [try #require(letters[0].id)]])
    }
}
