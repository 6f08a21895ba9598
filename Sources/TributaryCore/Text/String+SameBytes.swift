#if canImport(Glibc)
    import Glibc
#elseif canImport(Darwin)
    import Darwin
#endif

extension String {
    /// Whether both strings are the same UTF-8 bytes.
    ///
    /// Identities (symbols, ids, keys, provenance fields) are compared this way, never with `==`:
    /// Swift's `==` is canonical equivalence, so `"é"` (one scalar) equals `"e\u{301}"` (two),
    /// which a store's natural key must keep apart. This is a length check and one `memcmp`
    /// (it runs per record on the write path), not an iteration over the UTF-8 view.
    public func sameBytes(as other: String) -> Bool {
        guard utf8.count == other.utf8.count else { return false }
        var a = self, b = other
        return a.withUTF8 { x in b.withUTF8 { y in x.count == 0 || memcmp(x.baseAddress!, y.baseAddress!, x.count) == 0 } }
    }

    /// Whether this string's UTF-8 bytes sort before `other`'s (byte order: SQLite's BINARY
    /// collation, S3's key order). One `memcmp` over the shorter length, then the lengths —
    /// not the generic walk of `utf8.lexicographicallyPrecedes`, which a store's writer paid
    /// once per row checking that a batch's keys ascend.
    public func precedesByBytes(_ other: String) -> Bool {
        var a = self, b = other
        return a.withUTF8 { x in
            b.withUTF8 { y in
                let shared = Swift.min(x.count, y.count)
                let order = shared == 0 ? 0 : memcmp(x.baseAddress!, y.baseAddress!, shared)
                return order != 0 ? order < 0 : x.count < y.count
            }
        }
    }
}
