import Testing
import TributaryCore

@Suite struct HTTPHeadersTests {
    let block = Array(
        "Server: nginx\r\nContent-Type: application/json\r\nX-MBX-USED-WEIGHT-1M:  7 \r\nSet-Cookie: a=1\r\nset-cookie: b=2\r\nbroken line\r\n\r\n".utf8)

    @Test func rawBlockLooksUpCaseInsensitivelyWithoutParsingEverything() {
        let headers = HTTPHeaders(parsingHeaderBlock: block)
        #expect(headers["content-type"] == "application/json")
        #expect(headers["x-mbx-used-weight-1m"] == "7")
        #expect(headers["Retry-After"] == nil)
        #expect(headers.values(for: "SET-COOKIE") == ["a=1", "b=2"])
        #expect(headers.count == 5)
        #expect(headers.fields.first! == ("Server", "nginx"))
    }

    @Test func rawAndParsedFormsAreEqualAndMutable() {
        var raw = HTTPHeaders(parsingHeaderBlock: block)
        let parsed = HTTPHeaders(raw.fields)
        #expect(raw == parsed)
        raw.replaceOrAdd(name: "set-cookie", value: "c=3")
        #expect(raw.values(for: "Set-Cookie") == ["c=3"])
        raw.add(name: "Retry-After", value: "53")
        #expect(raw["retry-after"] == "53")
        #expect(raw.count == 5)
    }
}
