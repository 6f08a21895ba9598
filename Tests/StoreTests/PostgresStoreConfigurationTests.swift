import StorePostgres
import Testing

/// The PostgreSQL URL's parts and options, each wrong one named before anything is opened.
@Suite struct PostgresStoreConfigurationTests {
    @Test func optionsAreReadAndDefaultsAreLibpqs() throws {
        let plain = try PostgresStoreConfiguration(url: "postgres://team@db.internal/market", environment: [:])
        #expect(plain.port == 5432 && plain.tls == .prefer)
        #expect(plain.statementTimeout == .seconds(30) && plain.connectTimeout == .seconds(5) && plain.maxConnections == 8)
        let tuned = try PostgresStoreConfiguration(
            url: "postgres://team:pw@db.internal:6432/market?sslmode=require&statement_timeout=90&connect_timeout=45&pool=16", environment: [:])
        #expect(tuned.port == 6432 && tuned.tls == .require && tuned.password == "pw")
        #expect(tuned.statementTimeout == .seconds(90) && tuned.connectTimeout == .seconds(45) && tuned.maxConnections == 16)
        #expect(tuned.redacted == "postgres://team@db.internal:6432/market")
    }

    @Test(arguments: [
        ("connect_timeout=0", "connect_timeout"), ("connect_timeout=601", "connect_timeout"), ("connect_timeout=soon", "connect_timeout"),
        ("statement_timeout=0", "statement_timeout"), ("pool=0", "pool"), ("sslmode=verify-full", "sslmode"), ("timeout=5", "query"),
    ])
    func anOptionOutOfRangeIsNamed(query: String, part: String) {
        do {
            _ = try PostgresStoreConfiguration(url: "postgres://team@db.internal/market?\(query)", environment: [:])
            Issue.record("?\(query) was accepted")
        } catch {
            #expect(error.part == part, "\(error)")
        }
    }
}
