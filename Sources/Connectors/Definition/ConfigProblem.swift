/// A mistake in a configuration file: where it is, what is wrong, and how to fix it.
public struct ConfigProblem: Sendable, Hashable, CustomStringConvertible {
    public var file: String
    public var line: Int
    public var column: Int
    public var message: String
    public var fix: String?

    public init(file: String, line: Int, column: Int, message: String, fix: String? = nil) {
        self.file = file
        self.line = line
        self.column = column
        self.message = message
        self.fix = fix
    }

    /// `file:line:column: error: message (fix: …)`, the shape editors and CI logs link.
    public var description: String {
        "\(file):\(line):\(column): error: \(message)" + (fix.map { " (fix: \($0))" } ?? "")
    }
}
