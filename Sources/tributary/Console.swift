import Foundation

/// Lines for standard output written at once, unbuffered: `run`'s summaries reach a pipe
/// (`tee`, a log collector) as they happen rather than when a stdio buffer fills.
enum Console {
    static func line(_ text: String, terminator: String = "\n") {
        FileHandle.standardOutput.write(Data((text + terminator).utf8))
    }
}
