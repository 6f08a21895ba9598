import Foundation
import Transport

#if canImport(Glibc)
    import Glibc
#endif

/// A 127.0.0.1 listener that never accepts and whose queue is full, so connects to it hang.
///
/// This is how a connect timeout is tested without sending a packet off the machine: Linux
/// drops SYNs to a listener whose accept backlog is full.
public final class UnacceptingListener: @unchecked Sendable {
    public let port: Int
    private let listener: Int32
    private var fillers: [Int32] = []
    private var closed = false

    public init() throws {
        let listener = socket(AF_INET, Int32(SOCK_STREAM.rawValue), 0)
        self.listener = listener
        var address = sockaddr_in()
        address.sin_family = sa_family_t(AF_INET)
        address.sin_addr.s_addr = inet_addr("127.0.0.1")
        let bound = withUnsafePointer(to: &address) {
            $0.withMemoryRebound(to: sockaddr.self, capacity: 1) { bind(listener, $0, socklen_t(MemoryLayout<sockaddr_in>.size)) }
        }
        guard bound == 0, listen(listener, 0) == 0 else { throw LoopbackServerError.bind(errno) }
        port = Self.port(of: listener)
        // Fill the backlog with non-blocking connects that complete the handshake.
        for _ in 0..<4 {
            let fd = socket(AF_INET, Int32(SOCK_STREAM.rawValue) | Int32(SOCK_NONBLOCK.rawValue), 0)
            var target = address
            target.sin_port = in_port_t(UInt16(port).bigEndian)
            _ = withUnsafePointer(to: &target) {
                $0.withMemoryRebound(to: sockaddr.self, capacity: 1) { connect(fd, $0, socklen_t(MemoryLayout<sockaddr_in>.size)) }
            }
            fillers.append(fd)
        }
        usleep(50_000)
    }

    /// Closes the listener and its queued connections; a second call does nothing (closing a
    /// descriptor twice could close whatever reused its number).
    public func close() {
        guard !closed else { return }
        closed = true
        for fd in fillers { Glibc.close(fd) }
        fillers.removeAll()
        Glibc.close(listener)
    }

    /// A port on 127.0.0.1 that nothing listens on (bound, then released).
    public static func freePort() throws -> Int { try LoopbackPort.free() }

    static func port(of fd: Int32) -> Int { LoopbackPort.port(of: fd) }
}
