import Foundation
import Pipeline
import Synchronization
import TributaryCore

/// Appends each record as one JSON line (record + provenance) to a file, or to standard output.
public final class JSONLinesSink: RecordSink {
    private let handle: FileHandle
    private let lock = Mutex(())

    /// `path` "-" means standard output; otherwise the file is created or appended to.
    public init(path: String) throws {
        if path == "-" {
            handle = FileHandle.standardOutput
        } else {
            if !FileManager.default.fileExists(atPath: path) {
                guard FileManager.default.createFile(atPath: path, contents: nil) else {
                    throw CocoaError(.fileWriteNoPermission, userInfo: [NSFilePathErrorKey: path])
                }
            }
            handle = try FileHandle(forWritingTo: URL(fileURLWithPath: path))
            try handle.seekToEnd()
        }
    }

    public func write(_ batch: [Envelope]) throws -> SinkWriteResult {
        var bytes: [UInt8] = []
        for envelope in batch {
            bytes.append(contentsOf: JSONWriter.encode(.object(envelope.jsonObject)))
            bytes.append(0x0A)
        }
        try lock.withLock { _ in try handle.write(contentsOf: bytes) }
        return SinkWriteResult(stored: batch.count)
    }
}
