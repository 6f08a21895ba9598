import PostgresNIO

/// A bound parameter: text, a 64-bit integer, bytes, or NULL of one of them.
enum PGValue: Sendable {
    case text(String?)
    case int(Int64?)
    case bytes([UInt8]?)

    static func query(_ sql: String, _ values: [PGValue]) -> PostgresQuery {
        var bindings = PostgresBindings(capacity: values.count)
        for value in values {
            switch value {
            case .text(let text?): bindings.append(text)
            case .int(let number?): bindings.append(number)
            case .bytes(let bytes?): bindings.append(ByteBuffer(bytes: bytes))
            case .text(nil), .int(nil), .bytes(nil): bindings.appendNull()
            }
        }
        return PostgresQuery(unsafeSQL: sql, binds: bindings)
    }
}

extension PostgresConnection {
    /// Runs one statement with its parameters and collects its rows.
    @discardableResult
    func rows(_ sql: String, _ values: [PGValue] = [], logger: Logger) async throws -> [PostgresRandomAccessRow] {
        var result: [PostgresRandomAccessRow] = []
        for try await row in try await query(PGValue.query(sql, values), logger: logger) { result.append(row.makeRandomAccess()) }
        return result
    }
}

extension PostgresRandomAccessRow {
    func text(_ column: String) throws -> String? { try self[column].decode(String?.self) }
    func int(_ column: String) throws -> Int64? { try self[column].decode(Int64?.self) }
    func bytes(_ column: String) throws -> [UInt8]? { try self[column].decode(ByteBuffer?.self).map { Array($0.readableBytesView) } }
}
