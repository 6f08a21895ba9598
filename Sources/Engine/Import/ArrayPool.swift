import Synchronization

/// Arrays given back once their chunk was handed on, for the next chunks to fill: an import's
/// record arrays and the byte arrays its chunks are cut into.
///
/// Why: a chunk's records (10,000 envelopes, ~1.7 MB) and its bytes (~0.5 MB) were written into
/// fresh arrays every time, whose pages are new to the process — the kernel faulted in and
/// zeroed each of them (7 % of an import's conversion time for the records; two thirds of an
/// import's page faults for the bytes). A spent array is emptied (its elements released) with
/// its capacity kept, and the next chunk fills it. At most `limit` wait here (the chunks in
/// flight), so memory stays what the in-flight chunks need.
final class ArrayPool<Element: Sendable>: Sendable {
    private let spare = Mutex<[[Element]]>([])
    private let limit: Int

    init(limit: Int) { self.limit = limit }

    /// An empty array with room for `capacity` elements: a spent one when there is one.
    func take(capacity: Int) -> [Element] {
        var array = spare.withLock { $0.popLast() } ?? []
        array.reserveCapacity(capacity)
        return array
    }

    /// Takes `array` (leaving it empty), releases what it holds and keeps its storage.
    func give(_ array: inout [Element]) {
        var spent: [Element] = []
        swap(&spent, &array)
        // Only storage no one else holds is kept: emptying a shared array would allocate anew.
        spent.removeAll(keepingCapacity: true)
        guard spent.capacity > 0 else { return }
        spare.withLock { arrays in
            if arrays.count < limit { arrays.append(spent) }
        }
    }
}
