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
}
