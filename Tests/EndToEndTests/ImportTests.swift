import Engine
import Foundation
import Pipeline
import StoreSQLite
import Testing
import TributaryCore
import TributaryTesting

/// `tributary import` on a million-row CSV: strict and permissive with a bad row near the end,
/// `kill -9` in the middle and a re-run, and re-importing the same file.
@Suite(.serialized, .timeLimit(.minutes(10))) struct ImportTests {
    static let rows = 1_000_000
    static let badLine = 999_990

    /// A trades CSV of `rows` rows; with `badAt`, that line's price is not a number.
    func writeCSV(_ path: String, badAt: Int? = nil) throws {
        _ = FileManager.default.createFile(atPath: path, contents: nil)
        let handle = try #require(FileHandle(forWritingAtPath: path))
        defer { try? handle.close() }
        var chunk = "time,symbol,price,size,trade_id,side\n"
        for i in 0..<Self.rows {
            let line = i + 2
            let price = line == badAt ? "n/a" : "\(95_000 + i % 1_000).\(i % 10)\(i % 7)"
            chunk += "\(1_700_000_000_000 + i),BTC-USD,\(price),0.\(i % 997 + 1),\(i),\(i % 2 == 0 ? "buy" : "sell")\n"
            if chunk.utf8.count > 1 << 20 {
                try handle.write(contentsOf: Data(chunk.utf8))
                chunk = ""
            }
        }
        try handle.write(contentsOf: Data(chunk.utf8))
    }

    func importArguments(_ csv: String, _ directory: String) throws -> [String] {
        try "kind: trade\n".write(toFile: directory + "/rules.yaml", atomically: true, encoding: .utf8)
        return ["import", csv, "--source", "tape", "--rules", directory + "/rules.yaml", "--store", directory + "/t.sqlite"]
    }

    @Test func anImportWhereEveryRowIsBadExitsNonZeroAndTheSampleIsCountedAsRead() throws {
        let directory = try temporaryDirectory("import-allbad")
        defer { try? FileManager.default.removeItem(atPath: directory) }
        let csv = directory + "/tape.csv"
        try "time,symbol,price,size,trade_id,side\n1700000000000,BTC-USD,n/a,0.1,1,buy\n1700000000001,BTC-USD,n/a,0.1,2,sell\n"
            .write(toFile: csv, atomically: true, encoding: .utf8)
        let run = try Tributary.run(try importArguments(csv, directory))
        #expect(run.status != 0)
        #expect(run.stdout.contains("schema (inferred from 2 rows)"), "\(run.stdout)")
        #expect(run.stdout.contains("2 rows → 0 stored, 0 already there, 2 bad"), "\(run.stdout)")
        #expect(run.stderr.contains("every row of \(csv) was bad"), "\(run.stderr)")
    }

    @Test func deadLettersLifecycleReimportResolveAndDelete() throws {
        let directory = try temporaryDirectory("import-dlq")
        defer { try? FileManager.default.removeItem(atPath: directory) }
        let csv = directory + "/tape.csv"
        let store = directory + "/t.sqlite"
        try
            "time,symbol,price,size,trade_id,side\n1700000000000,BTC-USD,n/a,0.1,1,buy\n1700000000001,BTC-USD,1.5,0.1,2,sell\n1700000000002,BTC-USD,?,0.1,3,buy\n"
            .write(toFile: csv, atomically: true, encoding: .utf8)
        #expect(try Tributary.run(try importArguments(csv, directory)).status == 0)
        let before = try Tributary.run(["dlq", "list", "--store", store])
        #expect(before.stdout.contains("2 shown; 2 pending of 2"), "\(before.stdout)")

        // The file corrected on line 2 only: that dead letter is resolved by the import itself.
        try
            "time,symbol,price,size,trade_id,side\n1700000000000,BTC-USD,1.4,0.1,1,buy\n1700000000001,BTC-USD,1.5,0.1,2,sell\n1700000000002,BTC-USD,?,0.1,3,buy\n"
            .write(toFile: csv, atomically: true, encoding: .utf8)
        let again = try Tributary.run(try importArguments(csv, directory))
        #expect(again.stdout.contains("earlier dead letters of this file resolved: 1 rows now imported, 1 failed again"), "\(again.stdout)")
        let pending = try Tributary.run(["dlq", "list", "--pending", "--store", store])
        #expect(pending.stdout.contains("1 shown; 1 pending of 3"), "\(pending.stdout)")
        let newest = try #require(pending.stdout.split(separator: "\n").dropFirst().first.flatMap { Int($0.prefix { $0 != " " }) })
        let resolvedRow = try #require(
            try Tributary.run(["dlq", "list", "--store", store]).stdout.split(separator: "\n").first { $0.contains(" resolved ") && $0.contains("line 2") })
        let fixedID = try #require(Int(resolvedRow.prefix { $0 != " " }))
        #expect(try Tributary.run(["dlq", "show", String(fixedID), "--store", store]).stdout.contains("re-imported from \(csv)"))

        // By hand: resolve the last one with a note; resolving it twice says so and fails.
        let resolve = try Tributary.run(["dlq", "resolve", String(newest), "--note", "vendor sends ? for halted", "--store", store])
        #expect(resolve.status == 0 && resolve.stdout.contains("resolved 1 of 1"), "\(resolve.stdout) \(resolve.stderr)")
        #expect(try Tributary.run(["dlq", "show", String(newest), "--store", store]).stdout.contains("vendor sends ? for halted"))
        #expect(try Tributary.run(["dlq", "resolve", String(newest), "--store", store]).status != 0)
        #expect(try Tributary.run(["dlq", "resolve", "--all", "--store", store]).stderr.contains("--all needs --source"))

        // Settled ones are deleted together; naming an id that is gone is an error.
        let delete = try Tributary.run(["dlq", "delete", "--settled", "--store", store])
        #expect(delete.stdout.contains("deleted 3 settled dead letter(s)"), "\(delete.stdout) \(delete.stderr)")
        #expect(try Tributary.run(["dlq", "list", "--store", store]).stdout.contains("no dead letters"))
        let gone = try Tributary.run(["dlq", "delete", String(newest), "--store", store])
        #expect(gone.status != 0 && gone.stderr.contains("named no dead letter"), "\(gone.stderr)")
    }

    @Test func aBadRowNearTheEndStrictAndPermissive() throws {
        let directory = try temporaryDirectory("import-bad")
        defer { try? FileManager.default.removeItem(atPath: directory) }
        let csv = directory + "/tape.csv"
        try writeCSV(csv, badAt: Self.badLine)
        let arguments = try importArguments(csv, directory)

        // --check converts every row as the import would, lists the bad one, and writes nothing.
        let check = try Tributary.run(arguments + ["--check"], binary: Tributary.releaseExecutable)
        #expect(check.status != 0)
        #expect(check.stdout.contains("line \(Self.badLine): column 3 (price)"), "\(check.stdout)")
        #expect(check.stdout.contains("checked \(Self.rows) rows → \(Self.rows - 1) valid records, 1 bad; nothing written"), "\(check.stdout)")
        #expect(check.stderr.contains("1 bad row(s)"), "\(check.stderr)")
        let checked = try SQLiteStore(path: directory + "/t.sqlite")
        #expect(try checked.recordCount() == 0)
        #expect(try checked.deadLetters(source: "tape").isEmpty)
        #expect(try checked.importProgress(fileSHA256: try CSVImport.digest(of: csv), source: "tape") == nil)
        #expect(try checked.importColumns(source: "tape").isEmpty)

        let strict = try Tributary.run(arguments + ["--strict"], binary: Tributary.releaseExecutable)
        #expect(strict.status != 0)
        #expect(strict.stderr.contains("line \(Self.badLine)"), "\(strict.stderr)")
        #expect(strict.stderr.contains("column 3"))
        #expect(strict.stderr.contains("nothing was imported"))
        #expect(try SQLiteStore(path: directory + "/t.sqlite").recordCount() == 0)

        let permissive = try Tributary.run(arguments, binary: Tributary.releaseExecutable)
        #expect(permissive.status == 0, "\(permissive.stderr)")
        #expect(permissive.stdout.contains("\(Self.rows) rows → \(Self.rows - 1) stored, 0 already there, 1 bad"), "\(permissive.stdout)")
        let store = try SQLiteStore(path: directory + "/t.sqlite")
        #expect(try store.recordCount() == Self.rows - 1)
        let letters = try store.deadLetters(source: "tape")
        #expect(letters.count == 1)
        #expect(letters.first?.reason.contains("line \(Self.badLine): column 3 (price)") == true)
        guard case .row(_, let line, let raw)? = letters.first?.payload else { Issue.record("not a row dead letter"); return }
        #expect(line == Self.badLine && String(decoding: raw, as: UTF8.self).contains(",n/a,"))
    }

    @Test func killNineMidImportThenResumeGivesTheExactCountAndReimportAddsNothing() async throws {
        let directory = try temporaryDirectory("import-kill")
        defer { try? FileManager.default.removeItem(atPath: directory) }
        let csv = directory + "/tape.csv"
        try writeCSV(csv)
        let arguments = try importArguments(csv, directory)

        // The import stops after its third batch commits (a test hook that says so on standard
        // error), so the kill lands at a known point — three batches in, the fourth converted —
        // on any machine speed, and the store is not opened while the import writes it.
        let importing = try RunProcess(
            Array(arguments.dropFirst()), command: "import", environment: ["TRIBUTARY_TEST_IMPORT_STALL_AFTER": "3"], binary: Tributary.releaseExecutable)
        let stalled = try await importing.waitForStandardError("stalled after batch 3")
        #expect(stalled, "the import ended before it could be killed: \(importing.stderr.text)")
        importing.signal(SIGKILL)
        _ = await importing.wait()
        let afterKill = try SQLiteStore(path: directory + "/t.sqlite").recordCount()
        // Batches are all-or-nothing: whole batches of 10,000 only.
        #expect(afterKill == 30_000, "\(afterKill) records after kill -9")

        let rerun = try Tributary.run(arguments, binary: Tributary.releaseExecutable)
        #expect(rerun.status == 0, "\(rerun.stderr)")
        #expect(rerun.stdout.contains("resumed after \(afterKill)"), "\(rerun.stdout)")
        #expect(try SQLiteStore(path: directory + "/t.sqlite").recordCount() == Self.rows)

        let again = try Tributary.run(arguments, binary: Tributary.releaseExecutable)
        #expect(again.stdout.contains("already imported"))
        let forced = try Tributary.run(arguments + ["--force"], binary: Tributary.releaseExecutable)
        #expect(forced.stdout.contains("→ 0 stored, \(Self.rows) already there"), "\(forced.stdout)")
        #expect(try SQLiteStore(path: directory + "/t.sqlite").recordCount() == Self.rows)
    }
}
