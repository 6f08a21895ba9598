import Pipeline
import PostgresNIO
import Testing
import TributaryTesting

@testable import StorePostgres

/// What PostgreSQL answers decides a batch's fate: a transaction rolled back by a deadlock or a
/// serialization failure is tried again (held, like an outage), a refusal of the data is dead-lettered.
/// The errors are real: raised by the server with their SQLSTATE.
@Suite(.enabled(if: TestPostgres.url != nil, "needs the PostgreSQL server make test starts"))
struct PostgresRefusalTests {
    /// The error the server answers for `RAISE … USING ERRCODE = code`.
    static func serverError(_ code: String) async throws -> any Error {
        let store = try await PostgresStore(try await TestPostgres.freshDatabase())
        defer { store.shutdown() }
        do {
            _ = try await store.client.query(
                PostgresQuery(unsafeSQL: "DO $$ BEGIN RAISE EXCEPTION USING ERRCODE = '\(code)', MESSAGE = 'raised by the test'; END $$"), logger: store.logger)
        } catch {
            return error
        }
        Issue.record("the server did not raise \(code)")
        return CancellationError()
    }

    @Test(arguments: ["40P01", "40001", "55P03"])
    func aRolledBackTransactionIsTriedAgain(code: String) async throws {
        let error = try await Self.serverError(code)
        let unavailable = PostgresStore.classify(error, location: "postgres://test")
        #expect(unavailable != nil, "\(code) would dead-letter a batch that goes in on the next try")
        #expect(unavailable?.reason.contains(code) == true, "\(String(describing: unavailable))")
    }

    /// Inside a transaction postgres-nio wraps every error in `PostgresTransactionError`: the
    /// store's own transactions must still tell a rollback from a refusal (a deadlock between two
    /// sinks arrived so, unclassified, and would have dead-lettered its batch).
    @Test(arguments: ["40P01", "40001", "55P03", "23505"])
    func anErrorInsideTheStoresTransactionIsJudgedByItsCause(code: String) async throws {
        let retried = code.hasPrefix("40") || code == "55P03"
        let store = try await PostgresStore(try await TestPostgres.freshDatabase())
        defer { store.shutdown() }
        do {
            _ = try await store.transaction { connection in
                try await connection.query(
                    PostgresQuery(unsafeSQL: "DO $$ BEGIN RAISE EXCEPTION USING ERRCODE = '\(code)', MESSAGE = 'raised by the test'; END $$"),
                    logger: store.logger)
            }
            Issue.record("the server did not raise \(code)")
        } catch let unavailable as StoreUnavailable {
            #expect(retried, "\(code) would be retried forever: \(unavailable)")
            #expect(unavailable.reason.contains(code), "\(unavailable)")
        } catch {
            #expect(!retried, "\(code) would dead-letter a batch that goes in on the next try: \(error)")
            #expect("\(error)".contains("SQLSTATE \(code)"), "the refusal should name the server's SQLSTATE: \(error)")
        }
    }

    @Test(arguments: ["23505", "22P02", "23502"])
    func aRefusalOfTheDataIsNotRetried(code: String) async throws {
        let error = try await Self.serverError(code)
        #expect(PostgresStore.classify(error, location: "postgres://test") == nil, "\(code) would be retried forever")
    }
}
