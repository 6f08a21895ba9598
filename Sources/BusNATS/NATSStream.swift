import CNATS
import Pipeline

#if canImport(Glibc)
    import Glibc
#endif

/// The JetStream stream that carries every record: subjects `tributary.>`, file storage.
public struct NATSStream: Sendable {
    public var name = "TRIBUTARY"
    /// Copies of each message in the cluster (1 on one server; 3 on a 3-node cluster survives one loss).
    public var replicas = 1
    /// How long the server remembers message ids to drop duplicates.
    public var duplicateWindow: Duration = .seconds(120)

    public init(name: String = "TRIBUTARY", replicas: Int = 1, duplicateWindow: Duration = .seconds(120)) {
        self.name = name
        self.replicas = replicas
        self.duplicateWindow = duplicateWindow
    }

    /// Creates the stream if it does not exist; an existing one is used as it is.
    public func ensure(on connection: NATSConnection) async throws {
        let (name, replicas, window) = (name, replicas, Int64(duplicateWindow / .milliseconds(1)) * 1_000_000)
        try await JetStreamSetup.retrying { try await Self.ensure(name, replicas: replicas, window: window, on: connection) }
    }

    /// One attempt of ``ensure(on:)``.
    private static func ensure(_ name: String, replicas: Int, window: Int64, on connection: NATSConnection) async throws {
        let jetStream = connection.jetStreamHandle
        try await connection.blocking { () throws(NATSError) in
            var info: UnsafeMutablePointer<jsStreamInfo>?
            var code = jsErrCode(rawValue: 0)
            let found = js_GetStreamInfo(&info, jetStream.pointer, name, nil, &code)
            if found == NATS_OK {
                jsStreamInfo_Destroy(info)
                return
            }
            guard found == NATS_NOT_FOUND else { throw NATSError("look up stream \(name)", found, jetStreamCode: code) }
            var config = jsStreamConfig()
            jsStreamConfig_Init(&config)
            let subject = strdup("tributary.>")
            defer { free(subject) }
            var subjects: [UnsafePointer<CChar>?] = [UnsafePointer(subject)]
            let created = name.withCString { namePointer in
                subjects.withUnsafeMutableBufferPointer { list in
                    config.Name = namePointer
                    config.Subjects = list.baseAddress
                    config.SubjectsLen = 1
                    config.Storage = js_FileStorage
                    config.Replicas = Int64(replicas)
                    config.Duplicates = window
                    return js_AddStream(&info, jetStream.pointer, &config, nil, &code)
                }
            }
            try check("create stream \(name) (replicas \(replicas))", created, code)
            jsStreamInfo_Destroy(info)
        }
    }

    /// Every durable consumer of the stream with its lag (for `tributary cluster status`).
    public func consumers(on connection: NATSConnection) async throws -> [(name: String, lag: BusLag)] {
        let (name, jetStream) = (name, connection.jetStreamHandle)
        return try await connection.blocking { () throws(NATSError) -> [(name: String, lag: BusLag)] in
            var list: UnsafeMutablePointer<jsConsumerInfoList>?
            var code = jsErrCode(rawValue: 0)
            let status = js_Consumers(&list, jetStream.pointer, name, nil, &code)
            if status == NATS_NOT_FOUND { return [] }
            try check("list the consumers of \(name)", status, code)
            defer { jsConsumerInfoList_Destroy(list) }
            guard let list else { return [] }
            return (0..<Int(list.pointee.Count)).compactMap { index in
                guard let info = list.pointee.List[index] else { return nil }
                let consumer = info.pointee.Name.map { String(cString: $0) } ?? "?"
                return (consumer, BusLag(pending: Int(info.pointee.NumPending), unacknowledged: Int(info.pointee.NumAckPending)))
            }
        }
    }
}
