/// The few element texts S3's XML answers carry, read with `XMLElementReader`: a
/// `ListBucketResult` page, or an `Error` body's code and message.
///
/// The answers are untrusted: a body that does not parse, or a listing entry with a missing
/// or malformed field, is an `invalidResponse` naming the field — never a crash.
enum S3XML {
    /// Elements as (path, text) pairs in document order, `Contents/Key` style paths below the root.
    static func elements(_ body: [UInt8]) -> [(path: String, text: String)]? {
        XMLElementReader.elements(body)
    }

    struct ListEntry {
        var key: String
        var size: Int64
        var etag: String
        var lastModified: String
    }

    /// A `ListBucketResult` page.
    struct Listing {
        var entries: [ListEntry] = []
        var truncated = false
        /// The next continuation token.
        var next: String?
        /// `CommonPrefixes/Prefix`: what a delimiter rolled up.
        var commonPrefixes: [String] = []
    }

    /// A `ListBucketResult`: its entries, whether it is truncated, the next continuation token
    /// and the common prefixes.
    static func listing(_ body: [UInt8]) throws(ListingProblem) -> Listing {
        guard let elements = elements(body) else { throw ListingProblem("the listing is not well-formed XML") }
        var listing = Listing()
        var current: [String: String]?
        func close() throws(ListingProblem) {
            guard let fields = current else { return }
            guard let key = fields["Key"], !key.isEmpty else { throw ListingProblem("an entry has no Key") }
            guard let sizeText = fields["Size"], let size = Int64(sizeText), size >= 0 else {
                throw ListingProblem("entry \(key): Size '\(fields["Size"] ?? "")' is not a byte count")
            }
            listing.entries.append(
                ListEntry(key: key, size: size, etag: unquoted(fields["ETag"] ?? ""), lastModified: fields["LastModified"] ?? ""))
            current = nil
        }
        for (path, text) in elements {
            if path == "Contents" {
                try close()
                current = [:]
            } else if path.hasPrefix("Contents/") {
                current?[String(path.dropFirst("Contents/".count))] = text
            } else if path == "IsTruncated" {
                listing.truncated = text == "true"
            } else if path == "NextContinuationToken" {
                listing.next = text
            } else if path == "CommonPrefixes/Prefix" {
                listing.commonPrefixes.append(text)
            }
        }
        try close()
        return listing
    }

    struct ListingProblem: Error {
        var detail: String
        init(_ detail: String) { self.detail = detail }
    }

    /// An error body's `Code` and `Message`, when it has them.
    static func error(_ body: [UInt8]) -> (code: String, message: String)? {
        guard !body.isEmpty, let elements = elements(body) else { return nil }
        let code = elements.first { $0.path == "Code" }?.text
        let message = elements.first { $0.path == "Message" }?.text ?? ""
        return code.map { ($0, message) }
    }

    /// An entity tag without its quotes (`"abc"` → `abc`; `W/` weak prefixes kept as they are).
    static func unquoted(_ etag: String) -> String {
        etag.count >= 2 && etag.hasPrefix("\"") && etag.hasSuffix("\"") ? String(etag.dropFirst().dropLast()) : etag
    }
}
