import Pipeline
import Testing
import TributaryCore
import TributaryTesting

@Suite struct RecordColumnsTests {
    @Test func everyKindRoundTripsThroughColumnValues() throws {
        for record in SampleRecords.records() {
            let columns = RecordColumns.of(record.kind)
            let values = RecordColumns.values(of: record.payload, key: record.naturalKey)
            #expect(values.count == columns.columns.count, "\(record.kind)")
            let byName = Dictionary(uniqueKeysWithValues: zip(columns.columns.map(\.name), values))
            let payload = try columns.payload(key: record.naturalKey) { byName[$0] ?? .null }
            #expect(
                Record(source: record.source, endpoint: record.endpoint, symbol: record.symbol, venueSymbol: record.venueSymbol, payload: payload) == record)
        }
    }
}
