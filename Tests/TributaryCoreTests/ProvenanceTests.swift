import Testing
import TributaryCore

@Suite struct ProvenanceTests {
    func quote(last: String) throws -> Record {
        Record(
            source: "binance", endpoint: "ticker", symbol: "BTC-USDT", venueSymbol: "BTCUSDT",
            payload: .quote(Quote(asOf: UTCTimestamp(millisecondsSinceEpoch: 1_700_000_000_000)!, last: try ExactDecimal(parsing: last)))
        )
    }

    @Test func contentHashIgnoresIngestionButNotContent() throws {
        let a = Envelope.rest(
            try quote(last: "4.00000200"), sourceURI: "http://x/a", observedAt: UTCTimestamp.init(secondsSinceEpoch: 1)!, requestID: "r1", transformations: [])
        let b = Envelope.rest(
            try quote(last: "4.000002"), sourceURI: "http://x/b", observedAt: UTCTimestamp.init(secondsSinceEpoch: 2)!, requestID: "r2", transformations: [])
        let c = Envelope.rest(
            try quote(last: "4.000003"), sourceURI: "http://x/a", observedAt: UTCTimestamp.init(secondsSinceEpoch: 1)!, requestID: "r1", transformations: [])
        #expect(a.provenance.contentHash == b.provenance.contentHash)
        #expect(a.provenance.contentHash != c.provenance.contentHash)
        #expect(a.provenance.contentHash.hasPrefix("sha256:"))
        #expect(a.provenance.contentHash.count == 7 + 64)
    }

    @Test func contentHashIsStableAcrossRuns() throws {
        // The canonical form is fixed, so this digest may only change with a deliberate model change.
        let record = try quote(last: "4.00000200")
        #expect(
            ContentHash.of(record)
                == ContentHash.of(
                    bytes: Array(
                        #"{"as_of":"2023-11-14T22:13:20.000Z","endpoint":"ticker","kind":"quote","last":"4.000002","source":"binance","symbol":"BTC-USDT","venue_symbol":"BTCUSDT"}"#
                            .utf8)))
    }

    @Test(arguments: [
        ("https://finnhub.io/api/v1/quote?symbol=AAPL&token=abc123", "https://finnhub.io/api/v1/quote?symbol=AAPL&token=REDACTED"),
        ("https://api.binance.com/api/v3/account?timestamp=1&signature=deadbeef", "https://api.binance.com/api/v3/account?timestamp=1&signature=REDACTED"),
        ("https://user:pw@example.com/x?apikey=k#frag", "https://REDACTED@example.com/x?apikey=REDACTED#frag"),
        ("http://127.0.0.1:8080/api/v3/ticker/24hr?symbol=BTCUSDT", "http://127.0.0.1:8080/api/v3/ticker/24hr?symbol=BTCUSDT"),
        // Names compared ASCII-case-insensitively and whole: a longer or shorter name is another parameter.
        (
            "https://x.test/q?APIKey=k&Client_Secret=c&tokens=t&toke=t&KEY=z",
            "https://x.test/q?APIKey=REDACTED&Client_Secret=REDACTED&tokens=t&toke=t&KEY=REDACTED"
        ),
        ("https://x.test/q?t\u{00F8}ken=t&token=s", "https://x.test/q?t\u{00F8}ken=t&token=REDACTED"),
    ])
    func sourceURIsNeverCarrySecrets(raw: String, redacted: String) {
        #expect(SourceURIRedactor.redact(raw) == redacted)
    }

    @Test func jsonLineHasRecordThenProvenance() throws {
        let envelope = Envelope.rest(
            try quote(last: "1.5"), sourceURI: "http://x/?token=s3cret", observedAt: UTCTimestamp.init(secondsSinceEpoch: 1)!, requestID: "r1",
            transformations: ["decode"])
        let line = envelope.jsonLine
        #expect(
            line.hasPrefix(
                #"{"kind":"quote","source":"binance","endpoint":"ticker","symbol":"BTC-USDT","venue_symbol":"BTCUSDT","as_of":"2023-11-14T22:13:20.000Z","last":"1.5","provenance":{"#
            ))
        #expect(!line.contains("s3cret"))
        let parsed = try JSONParser.parse(Array(line.utf8))
        #expect(parsed["provenance"]?["request_id"] == .string("r1"))
        #expect(parsed["provenance"]?["observed_at"] == .string("1970-01-01T00:00:01.000Z"))
    }

    @Test func instrumentsCanonicalize() {
        #expect(Instrument.pair(fromConcatenated: "BTCUSDT") == "BTC-USDT")
        #expect(Instrument.pair(fromConcatenated: "XBTUSD") == "BTC-USD")
        #expect(Instrument.pair(fromConcatenated: "ETHBTC") == "ETH-BTC")
        #expect(Instrument.pair(fromConcatenated: "BNBFDUSD") == "BNB-FDUSD")
        #expect(Instrument.pair(fromConcatenated: "OPUSDT") == "OP-USDT")
        #expect(Instrument.pair(fromConcatenated: "AAPL") == nil)
        #expect(Instrument.pair(fromConcatenated: "tBTCUSD") == "BTC-USD")
        #expect(Instrument.pair(fromConcatenated: "tDOGE:USD") == "DOGE-USD")
        #expect(Instrument.pair(fromConcatenated: "tXBTUSD") == "BTC-USD")
        #expect(Instrument.pair(fromConcatenated: "XXBTZUSD") == "BTC-USD")
        #expect(Instrument.pair(fromConcatenated: "XETHZEUR") == "ETH-EUR")
        #expect(Instrument.pair(fromConcatenated: "XXBTXUSD") == "BTC-USD" && Instrument.pair(fromConcatenated: "XXBTYUSD") == "XXBTY-USD")
        // Eight characters that are not eight bytes are still read by character.
        #expect(Instrument.pair(fromConcatenated: "XÉTHZEUR") == "ÉTH-EUR")
        #expect(Instrument.pair(fromConcatenated: "XE\u{301}THZEUR") == "E\u{301}TH-EUR")
        #expect(Instrument.pair(fromConcatenated: "XXBTZUS") == nil && Instrument.pair(fromConcatenated: "XXBT ZUSD") == "XXBT Z-USD")
        #expect(Instrument.ticker(ofCoinGeckoID: "bitcoin") == "BTC" && Instrument.coinGeckoIDs["DOGE"] == "dogecoin")
        #expect(Instrument.split("btc/usdt")! == ("BTC", "USDT"))
    }

    /// A final canonical `line:N` is held as a number: whichever way the steps were given
    /// (set as a list, or stamped with the number), they read back as the same list, and equal
    /// lists make equal, equally hashed provenance.
    @Test func aFinalLineStepIsHeldAsItsNumberAndReadsBackTheSame() throws {
        let stamp = Provenance(
            sourceID: "tape", sourceType: .file, sourceURI: "file:///t.csv", contentHash: "", ingestedAt: UTCTimestamp(nanosecondsSinceEpoch: 1),
            observedAt: UTCTimestamp(nanosecondsSinceEpoch: 1), requestID: "r")
        var hasher = ContentHasher()
        let digest = hasher.digest(try quote(last: "1"))
        let stamped = stamp.stamping(contentDigest: digest, transformations: ["import:csv"], line: 42)
        let listed = stamp.stamping(contentDigest: digest, transformations: ["import:csv", "line:42"])
        #expect(stamped.transformations == ["import:csv", "line:42"])
        #expect(stamped.leadingTransformations == ["import:csv"] && stamped.transformationLine == 42)
        #expect(listed.leadingTransformations == ["import:csv"] && listed.transformationLine == 42)
        #expect(stamped == listed && stamped.hashValue == listed.hashValue)
        #expect(stamped != stamp.stamping(contentDigest: digest, transformations: ["import:csv"], line: 43))
        // Only the last step, and only a canonical one, is split off.
        for steps in [["line:007"], ["line:-1"], ["line:1", "import:csv"], ["line:1234567890123456789"], [], ["line:"]] {
            var p = stamp
            p.transformations = steps
            #expect(p.transformations == steps, "\(steps)")
            #expect(p.transformationLine == nil, "\(steps)")
        }
        var twice = stamp
        twice.transformations = ["line:1", "line:2"]
        #expect(twice.leadingTransformations == ["line:1"] && twice.transformationLine == 2)
        #expect(stamp.stamping(contentDigest: digest, transformations: [], line: -3).transformations == ["line:-3"])
    }
}
