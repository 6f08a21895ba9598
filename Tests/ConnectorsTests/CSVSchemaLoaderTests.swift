import Connectors
import Testing
import TributaryCore

/// A pinned schema (`import --schema FILE`) is edited by hand: each mistake is located and
/// says how to fix it, and a correct file reads back as the columns it lists.
@Suite struct CSVSchemaLoaderTests {
    @Test func aValidSchemaReadsBackItsColumns() throws {
        let (schema, problems) = CSVSchemaLoader.parse(
            "columns:\n  - { name: ts, type: timestamp, nullable: false }\n  - { name: px, type: decimal }\n", file: "s.yaml")
        #expect(problems.isEmpty, "\(problems)")
        let columns = try #require(schema).columns
        #expect(columns.map(\.name) == ["ts", "px"])
        #expect(columns.map(\.type) == [.timestamp, .decimal])
        #expect(columns.map(\.nullable) == [false, true])
    }

    @Test(arguments: [
        ("", "the schema is empty", 1),
        ("rows: []\n", "missing `columns:`", 1),
        ("columns:\n  - { type: decimal }\n", "a column without `name`", 2),
        ("columns:\n  - { name: px, type: decimel }\n", "unknown type 'decimel' for column 'px'", 2),
        ("columns: [\n", "not valid YAML", 1),
    ])
    func mistakesAreLocatedWithAFix(text: String, message: String, line: Int) {
        let (schema, problems) = CSVSchemaLoader.parse(text, file: "s.yaml")
        #expect(schema == nil)
        let problem = problems.first { $0.message.contains(message) }
        #expect(problem != nil, "\(problems)")
        #expect(problem?.file == "s.yaml")
        if message != "not valid YAML" { #expect(problem?.line == line, "\(problems)") }
    }

    @Test func anUnknownTypeSuggestsTheClosest() {
        let (_, problems) = CSVSchemaLoader.parse("columns:\n  - { name: px, type: decimel }\n", file: "s.yaml")
        #expect(problems.first?.fix?.contains("decimal") == true, "\(problems)")
    }
}
