import Foundation
import TributaryCore

/// Option values the reading commands (`export`, `features backfill|export`) share.
enum CommandOptions {
    /// A `--from` / `--to` value (`-1h`, `now`, a date, RFC 3339, epoch) relative to `now`; a bad one names its option.
    static func time(_ text: String?, _ option: String, now: UTCTimestamp) throws -> UTCTimestamp? {
        guard let text else { return nil }
        guard let time = TimeText.parse(text, relativeTo: now) else { throw CLIError("\(option) '\(text)': use \(TimeText.relativeHelp)") }
        return time
    }

    /// Where `--output FILE` writes (created or emptied), or standard output without it.
    static func outputHandle(_ output: String?) throws -> FileHandle {
        guard let output else { return FileHandle.standardOutput }
        guard FileManager.default.createFile(atPath: output, contents: nil), let file = FileHandle(forWritingAtPath: output) else {
            throw CLIError("--output \(output): cannot create the file (check the folder exists and is writable)")
        }
        return file
    }
}
