import TributaryCore
import Yams

/// Reads a pinned CSV schema (`tributary import --schema FILE`): the YAML `import` prints.
///
/// ```yaml
/// columns:
///   - { name: ts, type: timestamp, nullable: false }
///   - { name: px, type: decimal, nullable: false }
/// ```
public enum CSVSchemaLoader {
    public static func parse(_ text: String, file: String) -> (CSVSchema?, [ConfigProblem]) {
        var reader = NodeReader(file: file)
        do {
            guard let root = try Yams.compose(yaml: text), let top = reader.mapping(root, "the schema") else {
                return (nil, [ConfigProblem(file: file, line: 1, column: 1, message: "the schema is empty", fix: "start from what `tributary import` prints")])
            }
            reader.allowOnly(top, ["columns"], in: "the schema")
            guard let node = top["columns"], let list = reader.sequence(node, "columns") else {
                reader.report(root, "missing `columns:`", fix: "list the columns as `- { name: ts, type: timestamp, nullable: false }`")
                return (nil, reader.problems)
            }
            var columns: [CSVSchema.Column] = []
            for item in list {
                guard let column = reader.mapping(item, "a column") else { continue }
                reader.allowOnly(column, ["name", "type", "nullable"], in: "a column")
                guard let name = column["name"].flatMap({ reader.string($0, "name") }) else {
                    reader.report(item, "a column without `name`", fix: "add `name:`")
                    continue
                }
                let typeText = column["type"].flatMap { reader.string($0, "type") } ?? "string"
                guard let type = CSVSchema.ColumnType(rawValue: typeText) else {
                    reader.report(
                        column["type"] ?? item, "unknown type '\(typeText)' for column '\(name)'",
                        fix:
                            "one of \(CSVSchema.ColumnType.allCases.map(\.rawValue).joined(separator: ", "))\(reader.suggestion(typeText, CSVSchema.ColumnType.allCases.map(\.rawValue)))"
                    )
                    continue
                }
                let nullable = column["nullable"].flatMap { $0.bool } ?? true
                columns.append(CSVSchema.Column(name: name, type: type, nullable: nullable))
            }
            return (reader.problems.isEmpty ? CSVSchema(columns: columns) : nil, reader.problems)
        } catch let error as YamlError {
            return (nil, [reader.problem(from: error)])
        } catch {
            return (nil, [ConfigProblem(file: file, line: 1, column: 1, message: "not valid YAML: \(error)")])
        }
    }
}
