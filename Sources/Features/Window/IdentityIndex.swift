import TributaryCore

/// Which events an entity has seen, by identity, for as long as a window may still hold them:
/// one lookup per event decides duplicate (same identity and content hash), replacement (same
/// identity, other content) or new — for all of the set's windows at once.
///
/// Kept in buckets of event time (a bucket is the set's smallest window step), so forgetting
/// what no window holds any more drops whole buckets instead of scanning every identity.
struct IdentityIndex: Sendable, Codable {
    let bucketSize: Int64
    /// Bucket start → identity → (content hash, event time).
    private(set) var buckets = TimeBuckets<[String: Seen]>()

    struct Seen: Sendable, Codable, Hashable {
        var hash: String
        var time: Int64
    }

    init(bucketSize: Int64) {
        self.bucketSize = bucketSize
    }

    enum Outcome: Equatable {
        case new
        case duplicate
        /// Seen before with another content hash, at `time`.
        case replaces(time: Int64)
    }

    /// Records the event and says what it is.
    mutating func record(key: String, hash: String, time: Int64) -> Outcome {
        let bucket = time.floorDivided(by: bucketSize)
        let hint = max(4, buckets.values.last?.count ?? 4)
        let previous = buckets.modify(bucket, default: [String: Seen](minimumCapacity: hint)) { $0.updateValue(Seen(hash: hash, time: time), forKey: key) }
        guard let previous else { return .new }
        return previous.hash == hash ? .duplicate : .replaces(time: previous.time)
    }

    /// Forgets events before `time` (no window holds them any more).
    mutating func forget(before time: Int64) {
        buckets.removeAll(before: time.floorDivided(by: bucketSize))
    }
}
