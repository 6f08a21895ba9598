/// Literals for building JSON by hand (tests, fixed answers): `"BTC-USD"` is a string and
/// `[["1", "2"]]` an array; numbers stay explicit (`.number("1.5")`) so their text is never guessed.
extension JSONValue: ExpressibleByStringLiteral, ExpressibleByArrayLiteral {
    public init(stringLiteral value: String) {
        self = .string(value)
    }

    public init(arrayLiteral elements: JSONValue...) {
        self = .array(elements)
    }
}
