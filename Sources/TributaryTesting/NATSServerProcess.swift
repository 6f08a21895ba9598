import Foundation
import Synchronization
import Transport

#if canImport(Glibc)
    import Glibc
#endif

/// A real `nats-server` with JetStream on a loopback port, for the bus tests: started in a temp
/// directory of its own, stopped (or killed, or restarted on the same port and data) by PID.
public final class NATSServerProcess: Sendable {
    public let port: Int
    public let directory: String
    /// Arguments beyond the single server's (a cluster node's name, routes and monitoring port).
    private let extraArguments: [String]
    private let process: Mutex<Process?> = Mutex(nil)

    /// Debian's `nats-server` (or `NATS_SERVER`); nil when it is not installed.
    public static var executable: String? { ExternalTool.find(["nats-server"], override: "NATS_SERVER") }

    public struct Unavailable: Error, CustomStringConvertible {
        public var description: String
    }

    public var url: String { "nats://127.0.0.1:\(port)" }

    /// Starts a server and waits (bounded) until it accepts connections.
    public convenience init() throws {
        try self.init(port: try LoopbackPort.free(), extraArguments: [])
    }

    /// Starts a server on `port` with `extraArguments` (a cluster node's, see ``NATSClusterProcess``).
    init(port: Int, extraArguments: [String]) throws {
        guard Self.executable != nil else { throw Unavailable(description: "nats-server is not installed (make test installs it)") }
        self.port = port
        self.extraArguments = extraArguments
        directory = NSTemporaryDirectory() + "tributary-nats-\(UUID().uuidString)"
        try FileManager.default.createDirectory(atPath: directory, withIntermediateDirectories: true)
        try start()
    }

    /// Starts (again) on the same port and data directory.
    public func start() throws {
        let process = Process()
        process.executableURL = URL(fileURLWithPath: Self.executable ?? "nats-server")
        process.arguments = ["-js", "-a", "127.0.0.1", "-p", String(port), "-sd", directory + "/jetstream", "-l", directory + "/server.log"] + extraArguments
        process.standardOutput = FileHandle.nullDevice
        process.standardError = FileHandle.nullDevice
        try process.run()
        self.process.withLock { $0 = process }
        let deadline = Date().addingTimeInterval(30)
        while Date() < deadline {
            if Self.accepts(port) { return }
            guard process.isRunning else { break }
            Thread.sleep(forTimeInterval: 0.05)
        }
        throw Unavailable(description: "nats-server did not start on port \(port): \(log)")
    }

    /// The server's log (its start-up problems).
    public var log: String { (try? String(contentsOfFile: directory + "/server.log", encoding: .utf8)) ?? "" }

    /// Stops it gracefully (SIGTERM, then SIGKILL after 5 s).
    public func stop() {
        guard
            let process = process.withLock({ current -> Process? in
                defer { current = nil }; return current
            })
        else { return }
        kill(process.processIdentifier, SIGTERM)
        let deadline = Date().addingTimeInterval(5)
        while process.isRunning, Date() < deadline { Thread.sleep(forTimeInterval: 0.05) }
        if process.isRunning { kill(process.processIdentifier, SIGKILL) }
        process.waitUntilExit()
    }

    /// Stops it and removes its data.
    public func remove() {
        stop()
        try? FileManager.default.removeItem(atPath: directory)
    }

    private static func accepts(_ port: Int) -> Bool {
        guard let fd = LoopbackPort.connect(port) else { return false }
        close(fd)
        return true
    }
}
