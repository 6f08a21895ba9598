import Pipeline
import Testing
import TributaryCore

/// Grouping a write by provenance, and the per-row steps a store keeps beside the batch's.
@Suite struct ProvenanceBatchTests {
    func envelope(_ id: String, line: Int, uri: String = "file:///t.csv", batch: String = "b-0") -> Envelope {
        let record = Record(
            source: "tape", endpoint: "import", symbol: "BTC-USD", venueSymbol: "BTC-USD",
            payload: .trade(Trade(tradeID: id, time: UTCTimestamp(nanosecondsSinceEpoch: 1), price: ExactDecimal(1), size: ExactDecimal(1), side: nil)))
        let now = UTCTimestamp(nanosecondsSinceEpoch: 5)
        return Envelope(
            record: record,
            provenance: Provenance(
                sourceID: "tape", sourceType: .file, sourceURI: uri, contentHash: ContentHash.of(record), ingestedAt: now, observedAt: now,
                parentID: "sha256:x", transformations: ["import:csv", "line:\(line)"], batchID: batch, requestID: batch))
    }

    @Test func consecutiveAndInterleavedEnvelopesGroupByTheirProvenance() {
        let batch = [envelope("1", line: 2), envelope("2", line: 3), envelope("3", line: 4, uri: "file:///u.csv"), envelope("4", line: 5)]
        let groups = ProvenanceBatch.group(batch)
        #expect(groups.map(\.members) == [[0, 1, 3], [2]])
        #expect(groups[0].transformations == ["import:csv"])
        #expect(groups[0].ownSteps(batch[1]) == .line(3))
    }

    @Test func onlyACanonicalLineStepBecomesAnInteger() {
        let group = ProvenanceBatch.group([envelope("1", line: 2), envelope("2", line: 3)])[0]
        func steps(_ own: [String]) -> ProvenanceBatch.OwnSteps {
            var e = envelope("9", line: 0)
            e.provenance.transformations = ["import:csv"] + own
            return group.ownSteps(e)
        }
        #expect(steps([]) == .none)
        #expect(steps(["line:0"]) == .line(0))
        #expect(steps(["line:123456789012345678"]) == .line(123_456_789_012_345_678))
        // Anything that would not read back byte for byte from an integer stays text.
        for odd in ["line:007", "line:", "line:-1", "line:1x", "line:1234567890123456789", "Line:1", "line:١"] {
            #expect(steps([odd]) == .other([odd]), "\(odd)")
        }
        #expect(steps(["line:1", "line:2"]) == .other(["line:1", "line:2"]))
        #expect(Provenance.lineStep(42) == "line:42")
    }
}
