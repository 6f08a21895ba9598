import CNATS
import Pipeline

#if canImport(Glibc)
    import Glibc
#endif

/// The poll-job lease bucket in NATS JetStream's key-value store (`TRIBUTARY_LEASES` unless
/// told otherwise): one revision per write, one history entry per key, and an age limit — a
/// lease or an instance's announcement not written again within the TTL is gone, which is how
/// a dead instance's jobs come free.
///
/// libnats's KV calls block; they run on the connection's queue like every other call. A
/// refused `create` or `update` (the key exists, the revision moved on) is told apart from a bus
/// that cannot be reached by reading the key back: only the first is an answer (nil).
public final class NATSLeaseStore: LeaseStore, @unchecked Sendable {
    // The bucket handle is used only on the connection's serial queue.
    private let bucket: SendablePointer
    private let connection: NATSConnection
    public let name: String
    public let ttl: Duration

    /// Binds the bucket, creating it (with `ttl` and `replicas`) when it does not exist; an
    /// existing bucket is used with the TTL it has.
    public static func open(
        on connection: NATSConnection, name: String = "TRIBUTARY_LEASES", ttl: Duration = .seconds(10), replicas: Int = 1
    ) async throws -> NATSLeaseStore {
        let (bucket, ttlNanoseconds) = try await JetStreamSetup.retrying { try await Self.bind(name, ttl: ttl, replicas: replicas, on: connection) }
        let actual = ttlNanoseconds > 0 ? Duration.nanoseconds(ttlNanoseconds) : ttl
        return NATSLeaseStore(bucket: bucket, connection: connection, name: name, ttl: actual)
    }

    /// One attempt of ``open(on:name:ttl:replicas:)``.
    private static func bind(_ name: String, ttl: Duration, replicas: Int, on connection: NATSConnection) async throws -> (SendablePointer, Int64) {
        let jetStream = connection.jetStreamHandle
        return try await connection.blocking { () throws(NATSError) -> (SendablePointer, Int64) in
            var handle: OpaquePointer?
            var found = js_KeyValue(&handle, jetStream.pointer, name)
            if found == NATS_NOT_FOUND {
                var config = kvConfig()
                kvConfig_Init(&config)
                found = name.withCString { bucketName in
                    config.Bucket = bucketName
                    config.History = 1
                    config.TTL = Int64(ttl / .milliseconds(1)) * 1_000_000  // nanoseconds (the stream's MaxAge)
                    config.Replicas = Int32(replicas)
                    return js_CreateKeyValue(&handle, jetStream.pointer, &config)
                }
            }
            try check("open key-value bucket \(name)", found)
            guard let handle else { throw NATSError("open key-value bucket \(name)", NATS_ERR) }
            var status: OpaquePointer?
            try check("read the status of bucket \(name)", kvStore_Status(&status, handle))
            defer { kvStatus_Destroy(status) }
            return (SendablePointer(pointer: handle), kvStatus_TTL(status))
        }
    }

    private init(bucket: SendablePointer, connection: NATSConnection, name: String, ttl: Duration) {
        self.bucket = bucket
        self.connection = connection
        self.name = name
        self.ttl = ttl
    }

    deinit { kvStore_Destroy(bucket.pointer) }

    public func entries() async throws -> [String: LeaseEntry] {
        let (bucket, name) = (bucket, name)
        return try await connection.blocking { () throws(NATSError) -> [String: LeaseEntry] in
            var list = kvKeysList()
            let listed = kvStore_Keys(&list, bucket.pointer, nil)
            if listed == NATS_NOT_FOUND { return [:] }
            try check("list the keys of bucket \(name)", listed)
            defer { kvKeysList_Destroy(&list) }
            var result: [String: LeaseEntry] = [:]
            for index in 0..<Int(list.Count) {
                guard let keyText = list.Keys[index] else { continue }
                let key = String(cString: keyText)
                if let entry = try Self.get(key, bucket) { result[key] = entry }
            }
            return result
        }
    }

    public func create(_ key: String, value: String) async throws -> UInt64? {
        let bucket = bucket
        return try await connection.blocking { () throws(NATSError) -> UInt64? in
            var revision: UInt64 = 0
            let status = kvStore_CreateString(&revision, bucket.pointer, key, value)
            if status == NATS_OK { return revision }
            // Refused because the key exists, or the answer was lost (the write may have landed),
            // or the bus is not answering: read the key back to tell.
            return try Self.settle(key, value, bucket) { NATSError("create \(key)", status) }
        }
    }

    public func update(_ key: String, value: String, revision: UInt64) async throws -> UInt64? {
        let bucket = bucket
        return try await connection.blocking { () throws(NATSError) -> UInt64? in
            var written: UInt64 = 0
            let status = kvStore_UpdateString(&written, bucket.pointer, key, value, revision)
            if status == NATS_OK { return written }
            // Gone (the lease lapsed): lost. Still at our revision: the write did not land, the bus
            // failed us. Moved on: ours if it holds our value (only the answer was lost), else lost.
            guard let now = try Self.get(key, bucket) else { return nil }
            guard now.revision != revision else { throw NATSError("update \(key) at revision \(revision)", status) }
            return now.value == value ? now.revision : nil
        }
    }

    public func put(_ key: String, value: String) async throws {
        let bucket = bucket
        try await connection.blocking { () throws(NATSError) in
            var revision: UInt64 = 0
            try check("put \(key)", kvStore_PutString(&revision, bucket.pointer, key, value))
        }
    }

    public func delete(_ key: String) async throws {
        let bucket = bucket
        try await connection.blocking { () throws(NATSError) in
            try check("delete \(key)", kvStore_Delete(bucket.pointer, key))
        }
    }

    /// After a write that did not answer OK: the key read back holds our value (the write landed
    /// and only its answer was lost, as under load past the request timeout) → its revision; it
    /// holds another value → nil (someone else's lease); it is absent → the bus failed us.
    private static func settle(
        _ key: String, _ value: String, _ bucket: SendablePointer, failure: () -> NATSError
    ) throws(NATSError) -> UInt64? {
        guard let entry = try get(key, bucket) else { throw failure() }
        return entry.value == value ? entry.revision : nil
    }

    /// The key's live entry, nil when it is absent or deleted.
    private static func get(_ key: String, _ bucket: SendablePointer) throws(NATSError) -> LeaseEntry? {
        var entry: OpaquePointer?
        let status = kvStore_Get(&entry, bucket.pointer, key)
        if status == NATS_NOT_FOUND { return nil }
        try check("read \(key)", status)
        defer { kvEntry_Destroy(entry) }
        let value = kvEntry_ValueString(entry).map { String(cString: $0) } ?? ""
        return LeaseEntry(value: value, revision: kvEntry_Revision(entry))
    }
}
