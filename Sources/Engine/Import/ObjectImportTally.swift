import Foundation
import TributaryCore

/// Folds an ``ObjectImport``'s progress into what its terminal line shows: objects read of
/// those planned, rows, MB of the delta, MB/s and the time left.
///
/// A value fed events and asked for a line with the elapsed time given, so it is tested
/// without a clock. Bytes count what the importer has consumed of each object (a remote
/// object's download is quick beside its import and is shown as "reading"); while the listing
/// still has pages the plan, and so the ETA, covers only the objects listed so far.
public struct ObjectImportTally: Sendable {
    public private(set) var listed = 0
    public private(set) var plannedObjects = 0
    public private(set) var plannedBytes: Int64 = 0
    public private(set) var listingComplete = false
    /// The object being read (from 1; 0 before the first).
    public private(set) var current = 0
    private var currentSize: Int64 = 0
    private var currentRows = 0
    private var currentBytes: Int64 = 0
    private var downloading = false
    private var rowsBefore = 0
    private var bytesBefore: Int64 = 0

    public init() {}

    public var rows: Int { rowsBefore + currentRows }
    public var bytesDone: Int64 { bytesBefore + min(currentBytes, currentSize) }

    public mutating func record(_ progress: ObjectImport.Progress) {
        switch progress {
        case .listing(let objects):
            listed = objects
        case .planned(let objects, let bytes, let complete):
            plannedObjects = objects
            plannedBytes = bytes
            listingComplete = complete
        case .started(let number, _, let size):
            rowsBefore += currentRows
            bytesBefore += currentSize
            (current, currentSize, currentRows, currentBytes, downloading) = (number, size, 0, 0, false)
        case .downloading:
            downloading = true
        case .importing(_, let file):
            downloading = false
            currentRows = file.rows
            currentBytes = Int64(file.bytes)
        }
    }

    /// `[2/5 objects] 120000 rows, 12.0 of 40.0 MB, 5.1 MB/s [######..............] 30%, ETA 5 s`
    /// (no leading carriage return: the caller clears the line).
    public func line(elapsed: Duration) -> String {
        guard current > 0 else { return "\(listed) objects listed" }
        let megabyte = 1_048_576.0
        let seconds = max(0.001, elapsed.fractionalSeconds)
        let done = Double(bytesDone)
        let rate = done / seconds
        var line = String(
            format: "[%d/%d objects%@] %d rows, %.1f of %.1f MB, %.1f MB/s", current, plannedObjects, listingComplete ? "" : " listed so far", rows,
            done / megabyte, Double(plannedBytes) / megabyte, rate / megabyte)
        if downloading { line += " (reading object \(current))" }
        if plannedBytes > 0 {
            let fraction = min(1, done / Double(plannedBytes))
            let filled = Int(fraction * 20)
            line += " [" + String(repeating: "#", count: filled) + String(repeating: ".", count: 20 - filled) + "]"
            line += String(format: " %.0f%%", fraction * 100)
            if rate > 0 { line += String(format: ", ETA %.0f s", max(0, Double(plannedBytes) - done) / rate) }
        }
        return line
    }
}
