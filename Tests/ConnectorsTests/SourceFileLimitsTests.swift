import Connectors
import Foundation
import Testing
import TributaryCore

/// Sources.d files are bounded and read in linear time: large ones are refused with the limit
/// they broke, paths cannot climb out of the base URL, and a base URL needs a host.
@Suite struct SourceFileLimitsTests {
    let known = ConnectorRegistry.knownConnectors

    /// A declarative file with `endpoints` endpoints and a poll entry for each of the first `polls`.
    func file(endpoints: Int, polls: Int) -> String {
        var text = "id: bigx\nconnector: declarative\nbase_url: http://127.0.0.1:9\nendpoints:\n"
        for i in 0..<endpoints {
            text += "  e\(i): { path: /v1/t\(i), kind: quote, time_field: ts, time_format: epoch_ms, fields: { last: price } }\n"
        }
        text += "poll:\n"
        for i in 0..<polls { text += "  - { endpoint: e\(i % max(endpoints, 1)), symbols: [A], every: 5s }\n" }
        return text
    }

    @Test func aFileAtTheLimitsLoadsAndItsPollsAreChecked() throws {
        let (definition, problems) = SourceDefinitionLoader.parse(
            file(endpoints: SourceDefinitionLoader.maxEndpoints, polls: SourceDefinitionLoader.maxPollEntries), file: "bigx.yaml", knownConnectors: known)
        #expect(problems.isEmpty, "\(problems.prefix(3))")
        let loaded = try #require(definition)
        #expect(loaded.declarativeEndpoints.count == 1_000 && loaded.poll.count == 1_000)
        let connector = DeclarativeConnector(definition: loaded, baseURL: "http://127.0.0.1:9", apiKey: nil)
        #expect(connector.endpoints.count == 1_000)
        #expect(try connector.request(for: "e999", symbols: [], at: .now()).url == "http://127.0.0.1:9/v1/t999")
        #expect(throws: ConnectorError.self) { try connector.request(for: "nope", symbols: [], at: .now()) }
    }

    @Test func onePastEachLimitIsRefusedWithTheLimit() {
        let endpoints = SourceDefinitionLoader.parse(file(endpoints: 1_001, polls: 1), file: "x.yaml", knownConnectors: known).1
        #expect(endpoints.contains { $0.message == "1001 endpoints; a Sources.d file may hold at most 1000" }, "\(endpoints.prefix(3))")
        let polls = SourceDefinitionLoader.parse(file(endpoints: 2, polls: 1_001), file: "x.yaml", knownConnectors: known).1
        #expect(polls.contains { $0.message == "1001 poll entries; a Sources.d file may hold at most 1000" }, "\(polls.prefix(3))")
    }

    @Test func anOversizeFileIsRefusedBeforeItIsParsed() throws {
        let directory = FileManager.default.temporaryDirectory.appendingPathComponent("limits-\(UUID().uuidString)").path
        try FileManager.default.createDirectory(atPath: directory, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(atPath: directory) }
        let text = file(endpoints: 12_000, polls: 0)
        #expect(text.utf8.count > SourceDefinitionLoader.maxFileBytes)
        try text.write(toFile: directory + "/bigx.yaml", atomically: true, encoding: .utf8)
        let result = SourceDefinitionLoader.load(directories: [directory], knownConnectors: known)
        #expect(result.definitions.isEmpty)
        #expect(result.problems.map(\.message) == ["the file is \(text.utf8.count) bytes; a Sources.d file may hold at most 1048576 bytes"])
    }

    @Test func aDirectoryThatCannotBeListedIsAProblemAndAMissingOneIsNot() throws {
        let root = FileManager.default.temporaryDirectory.appendingPathComponent("listing-\(UUID().uuidString)").path
        try FileManager.default.createDirectory(atPath: root, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(atPath: root) }
        // A file where a directory belongs cannot be listed, whoever runs the test (root reads any directory).
        try "id: x\n".write(toFile: root + "/not-a-directory", atomically: true, encoding: .utf8)
        let result = SourceDefinitionLoader.load(directories: [root + "/missing", root + "/not-a-directory"], knownConnectors: known)
        #expect(result.definitions.isEmpty)
        let problem = try #require(result.problems.first)
        #expect(result.problems.count == 1)
        #expect(problem.file == root + "/not-a-directory")
        #expect(problem.message.hasPrefix("cannot list this Sources.d directory"))
        #expect(problem.fix?.contains("folder of *.yaml files") == true)
    }

    @Test(arguments: ["/v1/../admin", "/v1/./t", "/%2e%2e/x", "/v1/%2E%2E"])
    func dotSegmentsInPathsAreRefused(_ path: String) {
        let text =
            "id: x\nconnector: declarative\nbase_url: http://h\nendpoints:\n  t: { path: \"\(path)\", kind: quote, time_field: ts, fields: { last: p } }\n"
        let problems = SourceDefinitionLoader.parse(text, file: "x.yaml", knownConnectors: known).1
        #expect(problems.contains { $0.message.contains("'.' or '..' segment") }, "\(problems)")
    }

    @Test(arguments: ["http://", "https:///v1", "http://:80/x"])
    func aBaseURLWithoutAHostIsRefused(_ url: String) {
        let problems = SourceDefinitionLoader.parse("id: binance\nbase_url: \"\(url)\"\n", file: "x.yaml", knownConnectors: known).1
        #expect(problems.contains { $0.message.contains("has no host") }, "\(problems)")
    }
}
