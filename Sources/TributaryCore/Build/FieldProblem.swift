/// Why a pushed event or imported row is not a valid record: the field and the rule it broke.
///
/// `/ingest` answers 422 with these (per item in a batch), `import` writes them to the dead
/// letters with the file, line and column; both say exactly what to change.
public struct FieldProblem: Error, Sendable, Hashable, CustomStringConvertible {
    public var field: String
    public var rule: String

    public init(_ field: String, _ rule: String) {
        self.field = field
        self.rule = rule
    }

    public var description: String { "\(field): \(rule)" }
}

/// Every problem of one event or row.
public struct InvalidRecord: Error, Sendable, Hashable, CustomStringConvertible {
    public var problems: [FieldProblem]
    public init(problems: [FieldProblem]) { self.problems = problems }
    public var description: String { problems.map(\.description).joined(separator: "; ") }
}
