/// One event — a JSON object as `POST /ingest` and `.ndjson` / `.json` imports carry it — into
/// a record: the rules first (rename, kind, defaults, symbols, scale, timezone, keep/drop), then
/// the record model. The push gateway and the file importer call this one function, so a line
/// of a file and the same event pushed become the same record or fail with the same problems.
public enum EventRecord {
    public static func build(_ item: JSONValue, rules: NormalizationRules?, builder: RecordBuilder) -> Result<
        (record: Record, identity: String?), InvalidRecord
    > {
        var fields = RecordFieldSlots()
        return build(item, rules: rules, builder: builder, fields: &fields)
    }

    /// The same, with `fields` as scratch reused from event to event (a request's batch, a
    /// file's lines). Members go straight to their field's slot: no dictionary of the event's
    /// members is built and no field is then looked up by hashing its name (a profile of NDJSON
    /// pushes spent ~9 % of the process in `Hasher` doing exactly that).
    ///
    /// A member named twice counts once, its first value; so does a name two members are
    /// renamed to (`rename`), the first in the event's order.
    public static func build(_ item: JSONValue, rules: NormalizationRules?, builder: RecordBuilder, fields: inout RecordFieldSlots) -> Result<
        (record: Record, identity: String?), InvalidRecord
    > {
        guard case .object(let object) = item else { return .failure(InvalidRecord(problems: [FieldProblem("(event)", "must be a JSON object")])) }
        fields.removeAll()
        if let rules {
            for (name, value) in object.members {
                guard let target = rules.target(ofColumn: name) else { continue }
                place(value, named: target, in: &fields)
            }
        } else {
            // Without rules, apart: `rules == nil` inside the loop copied the optional rules (a
            // large value) for every member of every event (0.8 % of an NDJSON push profile).
            for (name, value) in object.members { place(value, named: name, in: &fields) }
        }
        if let rules {
            let problems = rules.rewrite(&fields)
            guard problems.isEmpty else { return .failure(InvalidRecord(problems: problems)) }
        }
        return builder.build(fields).map { ($0, rules?.naturalKey(of: fields)) }
    }

    /// A member into its field's slot (or the unknown names'), unless that slot is already set.
    private static func place(_ value: JSONValue, named name: String, in fields: inout RecordFieldSlots) {
        if let field = RecordField.named(name) {
            if fields.value(field) == nil { fields.set(value, field) }
        } else if fields.value(named: name) == nil {
            fields.set(value, named: name)
        }
    }
}
