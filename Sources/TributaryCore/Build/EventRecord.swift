/// One event — a JSON object as `POST /ingest` and `.ndjson` / `.json` imports carry it — into
/// a record: the rules first (rename, kind, defaults, symbols, scale, timezone, keep/drop), then
/// the record model. The push gateway and the file importer call this one function, so a line
/// of a file and the same event pushed become the same record or fail with the same problems.
public enum EventRecord {
    public static func build(_ item: JSONValue, rules: NormalizationRules?, builder: RecordBuilder) -> Result<
        (record: Record, identity: String?), InvalidRecord
    > {
        guard case .object(let object) = item else { return .failure(InvalidRecord(problems: [FieldProblem("(event)", "must be a JSON object")])) }
        var fields: [String: JSONValue] = [:]
        for (name, value) in object.members where fields[name] == nil { fields[name] = value }
        if let rules {
            switch rules.apply(fields) {
            case .success(let mapped): fields = mapped
            case .failure(let invalid): return .failure(invalid)
            }
        }
        return builder.build(fields).map { ($0, rules?.naturalKey(of: fields)) }
    }
}
