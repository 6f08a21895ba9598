import NIOCore
import Pipeline
import PostgresNIO

extension PostgresStore {
    /// Classifies an error as the database being unavailable (unreachable, full, read-only,
    /// shutting down, a statement timed out, the transaction rolled back by a deadlock or a
    /// serialization failure) — the sink then holds the batch and retries — or
    /// nil when it is about the data (a constraint, a bad value), which dead-letters the batch.
    static func classify(_ error: any Error, location: String) -> StoreUnavailable? {
        // Everything that fails inside `withTransaction` arrives wrapped: judged by what failed.
        if let wrapped = error as? PostgresTransactionError, let cause = wrapped.cause { return classify(cause, location: location) }
        if let error = error as? PSQLError {
            switch error.code {
            case .connectionError, .serverClosedConnection, .clientClosedConnection, .poolClosed, .uncleanShutdown, .sslUnsupported,
                .failedToAddSSLHandler:
                return StoreUnavailable(location: location, reason: "cannot reach PostgreSQL (\(error.code)); is the server running and the URL right?")
            case .queryCancelled:
                return StoreUnavailable(location: location, reason: "a statement was cancelled (statement timeout); the server is overloaded or locked")
            case .unsupportedAuthMechanism, .authMechanismRequiresPassword, .saslError:
                return StoreUnavailable(location: location, reason: "PostgreSQL refused the login (\(error.code)); check the user and PGPASSWORD")
            case .server:
                let state = error.serverInfo?[.sqlState] ?? ""
                let message = error.serverInfo?[.message] ?? "server error"
                switch state.prefix(2) {
                case "08": return StoreUnavailable(location: location, reason: "connection failure \(state): \(message)")
                case "53": return StoreUnavailable(location: location, reason: "insufficient resources \(state) (disk full or out of memory): \(message)")
                case "57": return StoreUnavailable(location: location, reason: "the server is shutting down or cancelled the statement \(state): \(message)")
                case "28":
                    return StoreUnavailable(location: location, reason: "PostgreSQL refused the login \(state): \(message); check the user and PGPASSWORD")
                // A deadlock or serialization failure rolls one transaction back; the same
                // batch goes in on the next try (two sinks upserting overlapping bars can meet
                // so). A lock wait cut short by lock_timeout is the same.
                case "40":
                    return StoreUnavailable(location: location, reason: "the transaction was rolled back \(state) (\(message)); trying the batch again")
                case "55" where state == "55P03":
                    return StoreUnavailable(location: location, reason: "a lock was not available \(state) (\(message)); trying the batch again")
                case "3D":
                    return StoreUnavailable(location: location, reason: "the database does not exist \(state): \(message); create it (createdb) or fix the URL")
                case "25" where state == "25006": return StoreUnavailable(location: location, reason: "the database is read-only (a standby?): \(message)")
                default: return nil
                }
            default:
                return nil
            }
        }
        if let error = error as? StoreUnavailable { return error }
        if error is IOError || error is ChannelError { return StoreUnavailable(location: location, reason: "cannot reach PostgreSQL: \(error)") }
        // The pool's own errors (its module is internal): no connection could be made.
        if String(reflecting: type(of: error)).contains("ConnectionPoolError") {
            return StoreUnavailable(
                location: location, reason: "cannot reach PostgreSQL (no connection could be opened); is the server running and the URL right?")
        }
        return nil
    }

    /// A data error in words: the server's message and SQLSTATE, not postgres-nio's redacted default.
    static func described(_ error: any Error) -> any Error {
        if let wrapped = error as? PostgresTransactionError, let cause = wrapped.cause { return described(cause) }
        guard let error = error as? PSQLError, let info = error.serverInfo else { return error }
        return PostgresStoreError(
            "PostgreSQL refused the statement: \(info[.message] ?? "error") (SQLSTATE \(info[.sqlState] ?? "?"))\(info[.detail].map { ": \($0)" } ?? "")")
    }
}

extension PostgresTransactionError {
    /// The error that ended the transaction: its `BEGIN`, its body or its `COMMIT` (a failed
    /// rollback only follows one of them).
    var cause: (any Error)? { beginError ?? closureError ?? commitError ?? rollbackError }
}
