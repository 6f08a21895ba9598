import TributaryCore

/// Yahoo's error answers: `{"chart": {"result": null, "error": {"code": "Not Found",
/// "description": "No data found, symbol may be delisted"}}}` (or under `quoteResponse`), and a
/// bare 401 when the request lacks a browser session's crumb and cookie.
enum YahooErrorBody {
    /// `root` is the endpoint's top-level key: `chart` or `quoteResponse`.
    static func check(_ json: JSONValue, status: Int, source: SourceID, root: String) throws(ConnectorError) {
        if let error = json[root]?["error"], case .object = error {
            let code = error["code"]?.stringValue ?? "error"
            let text = error["description"]?.stringValue ?? ""
            throw ConnectorError(
                status == 404 ? .notFound : code == "Not Found" ? .noData : .upstream(status: status), source: source, "Yahoo \(code): \(text)")
        }
        if status == 401 {
            throw ConnectorError(
                .rejectedCredential, source: source,
                "Yahoo refused the request (401: a crumb and cookie from a browser session are needed; set YAHOO_CRUMB and YAHOO_COOKIE)")
        }
    }
}
