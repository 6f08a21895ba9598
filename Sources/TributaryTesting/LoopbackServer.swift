import Foundation
import Synchronization

#if canImport(Glibc)
    import Glibc
#endif

/// A small HTTP/1.1 server on 127.0.0.1 with scripted answers, for testing a real client.
///
/// Tests of the transport need a real peer, not a fake of the transport: one that counts
/// the TCP connections it accepts (to prove pooling), can stall, close in the middle of a
/// body or send more than a cap. Each connection gets a thread and blocking sockets, which
/// keeps the behaviour easy to reason about; it is meant for tests and demos, not load.
public final class LoopbackServer: Sendable {
    public typealias Handler = @Sendable (LoopbackRequest) -> LoopbackResponse

    public let port: Int
    private let listener: Int32
    private let handler: Handler
    private let state = Mutex(State())
    private let acceptedCount = Atomic<Int>(0)
    private let requestCount = Atomic<Int>(0)

    private struct State {
        var open: Set<Int32> = []
        var maxOpen = 0
        var stopped = false
    }

    /// Starts listening on 127.0.0.1 at `port` (0 picks a free one).
    public init(port: Int = 0, backlog: Int32 = 512, handler: @escaping Handler) throws {
        let fd = socket(AF_INET, Int32(SOCK_STREAM.rawValue), 0)
        guard fd >= 0 else { throw LoopbackServerError.socket(errno) }
        var one: Int32 = 1
        setsockopt(fd, SOL_SOCKET, SO_REUSEADDR, &one, socklen_t(MemoryLayout<Int32>.size))
        var address = sockaddr_in()
        address.sin_family = sa_family_t(AF_INET)
        address.sin_port = in_port_t(UInt16(port).bigEndian)
        address.sin_addr.s_addr = inet_addr("127.0.0.1")
        let bound = withUnsafePointer(to: &address) {
            $0.withMemoryRebound(to: sockaddr.self, capacity: 1) { bind(fd, $0, socklen_t(MemoryLayout<sockaddr_in>.size)) }
        }
        guard bound == 0, listen(fd, backlog) == 0 else {
            let code = errno
            close(fd)
            throw LoopbackServerError.bind(code)
        }
        var actual = sockaddr_in()
        var length = socklen_t(MemoryLayout<sockaddr_in>.size)
        _ = withUnsafeMutablePointer(to: &actual) {
            $0.withMemoryRebound(to: sockaddr.self, capacity: 1) { getsockname(fd, $0, &length) }
        }
        self.listener = fd
        self.port = Int(UInt16(bigEndian: actual.sin_port))
        self.handler = handler
        let thread = Thread { [self] in acceptLoop() }
        thread.name = "loopback-accept"
        thread.start()
    }

    /// `http://127.0.0.1:PORT`
    public var baseURL: String { "http://127.0.0.1:\(port)" }

    /// TCP connections accepted since start.
    public var acceptedConnections: Int { acceptedCount.load(ordering: .relaxed) }
    /// Requests read since start.
    public var requestsServed: Int { requestCount.load(ordering: .relaxed) }
    /// Connections open right now.
    public var openConnections: Int { state.withLock { $0.open.count } }
    /// The most connections that were open at the same time.
    public var maxOpenConnections: Int { state.withLock { $0.maxOpen } }

    /// Stops accepting and shuts every connection down.
    ///
    /// The listener is only shut down here; the accept thread closes it when it leaves its
    /// loop. Closing it here would free its descriptor number while that thread may still be
    /// between two `accept` calls: the next socket anyone in the process opens (often another
    /// test's listener) takes the number, and the old thread would accept that listener's
    /// connection, find itself stopped and close it unread — the client sees a reset.
    public func stop() {
        // Shut connections down under the lock: a connection thread removes its fd from
        // `open` (under the same lock) before closing it, so no fd here can have been reused.
        let first = state.withLock { state -> Bool in
            guard !state.stopped else { return false }
            state.stopped = true
            for fd in state.open { shutdown(fd, Int32(SHUT_RDWR)) }
            return true
        }
        guard first else { return }
        shutdown(listener, Int32(SHUT_RDWR))
    }

    deinit { stop() }

    private func acceptLoop() {
        defer { close(listener) }
        while true {
            let fd = accept(listener, nil, nil)
            if fd < 0 {
                if errno == EINTR { continue }
                return
            }
            let admitted = state.withLock { state -> Bool in
                guard !state.stopped else { return false }
                state.open.insert(fd)
                state.maxOpen = max(state.maxOpen, state.open.count)
                return true
            }
            guard admitted else {
                close(fd)
                return
            }
            acceptedCount.add(1, ordering: .relaxed)
            var one: Int32 = 1
            setsockopt(fd, Int32(IPPROTO_TCP), TCP_NODELAY, &one, socklen_t(MemoryLayout<Int32>.size))
            let thread = Thread { [self] in serve(fd) }
            thread.stackSize = 256 * 1024
            thread.start()
        }
    }

    private func serve(_ fd: Int32) {
        var reader = RequestReader(fd: fd)
        defer {
            state.withLock { _ = $0.open.remove(fd) }
            close(fd)
        }
        while let request = reader.next() {
            requestCount.add(1, ordering: .relaxed)
            let response = handler(request)
            if !response.write(to: fd) { return }
            if request.headers["connection"]?.lowercased() == "close" { return }
        }
    }
}

public enum LoopbackServerError: Error {
    case socket(Int32)
    case bind(Int32)
}
