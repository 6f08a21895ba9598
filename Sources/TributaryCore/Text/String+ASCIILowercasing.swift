extension String {
    /// `bytes` as text with `A`–`Z` lowered to `a`–`z` and every other byte kept as it is: the
    /// case folding of HTTP tokens (media types, parameter names), which must leave non-ASCII
    /// alone — `lowercased()` folds Unicode and walks the string by characters.
    public init<Bytes: Collection>(asciiLowercasing bytes: Bytes) where Bytes.Element == UInt8 {
        self.init(decoding: bytes.lazy.map { $0 >= 0x41 && $0 <= 0x5A ? $0 | 0x20 : $0 }, as: UTF8.self)
    }
}
