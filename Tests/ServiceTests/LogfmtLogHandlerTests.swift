import Logging
import Service
import Synchronization
import Testing

@Suite struct LogfmtLogHandlerTests {
    @Test func oneParseableLinePerEventWithQuotedValues() {
        let lines = Mutex<[String]>([])
        var logger = Logger(label: "t") { LogfmtLogHandler(label: $0, level: .info) { line in lines.withLock { $0.append(line) } } }
        logger[metadataKey: "source"] = "binance"
        logger.warning("fetch failed", metadata: ["request_id": "abc-1", "error": "HTTP 503: \"down\"\nretry"])
        logger.debug("not shown")
        let written = lines.withLock { $0 }
        #expect(written.count == 1)
        let line = written[0]
        #expect(line.hasSuffix("\n") && line.dropLast().contains("\n") == false)
        #expect(line.contains(#"level=warning logger=t msg="fetch failed""#))
        #expect(line.contains(#"error="HTTP 503: \"down\"\nretry""#))
        #expect(line.contains("request_id=abc-1 source=binance"))
        #expect(line.hasPrefix("ts=20"))
    }
}
