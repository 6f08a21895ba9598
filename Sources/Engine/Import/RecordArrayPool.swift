import Synchronization
import TributaryCore

/// Record arrays given back once their chunk was handed on, for the next chunks to fill.
///
/// Why: a chunk's records (10,000 envelopes, ~1.7 MB) were written into a fresh array every
/// time, whose pages are new to the process — the kernel faulted in and zeroed each of them,
/// 7 % of an import's conversion time. A spent array is emptied (its records released) with its
/// capacity kept, and the next chunk's conversion fills it. At most `limit` wait here (the
/// chunks in flight), so memory stays what the in-flight chunks need.
final class RecordArrayPool: Sendable {
    private let spare = Mutex<[[Envelope]]>([])
    private let limit: Int

    init(limit: Int) { self.limit = limit }

    /// An empty array with room for `capacity` records: a spent one when there is one.
    func take(capacity: Int) -> [Envelope] {
        var records = spare.withLock { $0.popLast() } ?? []
        records.reserveCapacity(capacity)
        return records
    }

    /// Takes `records` (leaving it empty), releases what it holds and keeps its storage.
    func give(_ records: inout [Envelope]) {
        var spent: [Envelope] = []
        swap(&spent, &records)
        // Only storage no one else holds is kept: emptying a shared array would allocate anew.
        spent.removeAll(keepingCapacity: true)
        guard spent.capacity > 0 else { return }
        spare.withLock { arrays in
            if arrays.count < limit { arrays.append(spent) }
        }
    }
}
