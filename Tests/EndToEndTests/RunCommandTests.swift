import Foundation
import Testing
import TributaryCore
import TributaryTesting

/// `tributary run --demo` as a real process: it polls, and on SIGTERM it drains and exits 0
/// with every pushed record in the store.
@Suite(.serialized, .timeLimit(.minutes(2))) struct RunCommandTests {
    @Test func sigtermDrainsEverythingIntoTheStore() throws {
        let directory = FileManager.default.temporaryDirectory.appendingPathComponent("tributary-run-\(UUID().uuidString)").path
        try FileManager.default.createDirectory(atPath: directory, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(atPath: directory) }
        let process = Process()
        process.executableURL = Tributary.executable
        process.arguments = ["run", "--demo", "--store", directory + "/t.sqlite", "--summary-every", "1", "--sink", "jsonl:" + directory + "/out.jsonl"]
        let output = Pipe()
        process.standardOutput = output
        process.standardError = FileHandle.nullDevice
        try process.run()
        Thread.sleep(forTimeInterval: 6)
        let signalled = Date()
        process.terminate()  // SIGTERM
        let text = String(decoding: output.fileHandleForReading.readDataToEndOfFile(), as: UTF8.self)
        process.waitUntilExit()
        #expect(Date().timeIntervalSince(signalled) < 10)
        #expect(process.terminationStatus == 0, "\(text)")
        let final = try #require(text.split(separator: "\n").last { $0.hasPrefix("tributary run: stopped") })
        func number(after label: String) -> Int? {
            guard let range = final.range(of: label) else { return nil }
            return Int(final[range.upperBound...].prefix { $0.isNumber })
        }
        let pushed = try #require(number(after: "records pushed "))
        let stored = try #require(number(after: "stored "))
        let duplicates = try #require(number(after: "duplicates "))
        let dead = try #require(number(after: "dead-lettered "))
        #expect(pushed > 0)
        #expect(stored + duplicates + dead == pushed, "\(final)")
        // Rows in the file: each stored record once (an update replaces its row).
        let rows = try #require(number(after: "holds "))
        #expect(rows > 0 && rows <= stored)
        // The JSON Lines sink got every record the store was given (stored or duplicate).
        let lines = try String(contentsOfFile: directory + "/out.jsonl", encoding: .utf8).split(separator: "\n").count
        #expect(lines == stored + duplicates)
    }
}
