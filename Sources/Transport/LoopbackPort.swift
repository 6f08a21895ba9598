#if canImport(Glibc)
    import Glibc
#endif

/// A free TCP port on 127.0.0.1, for servers started on "any free port" that must be told it
/// before they listen (the demo's in-process mock market, test servers).
///
/// The port is bound, read and released, so another process could take it in between; callers
/// that can bind port 0 themselves and read the result should do that instead.
public enum LoopbackPort {
    public struct Unavailable: Error, CustomStringConvertible {
        public let errno: Int32
        public var description: String { "cannot bind a free port on 127.0.0.1 (errno \(errno))" }
    }

    public static func free() throws -> Int {
        let fd = socket(AF_INET, Int32(SOCK_STREAM.rawValue), 0)
        defer { close(fd) }
        var address = sockaddr_in()
        address.sin_family = sa_family_t(AF_INET)
        address.sin_addr.s_addr = inet_addr("127.0.0.1")
        let bound = withUnsafePointer(to: &address) {
            $0.withMemoryRebound(to: sockaddr.self, capacity: 1) { bind(fd, $0, socklen_t(MemoryLayout<sockaddr_in>.size)) }
        }
        guard bound == 0 else { throw Unavailable(errno: errno) }
        return port(of: fd)
    }

    /// Whether `port` on the IPv4 address `host` can be listened on now: bound with
    /// `SO_REUSEADDR` (as the server will) and released. Answers the errno when it cannot,
    /// `EADDRINUSE` when another process listens there. A host that is not a dotted IPv4
    /// address is not checked (the server reports it when it binds).
    public static func bindProblem(host: String, port: Int) -> Int32? {
        var address = sockaddr_in()
        address.sin_family = sa_family_t(AF_INET)
        address.sin_port = UInt16(truncatingIfNeeded: port).bigEndian
        guard inet_pton(AF_INET, host, &address.sin_addr) == 1 else { return nil }
        let fd = socket(AF_INET, Int32(SOCK_STREAM.rawValue), 0)
        guard fd >= 0 else { return errno }
        defer { close(fd) }
        var on: Int32 = 1
        _ = setsockopt(fd, SOL_SOCKET, SO_REUSEADDR, &on, socklen_t(MemoryLayout<Int32>.size))
        let bound = withUnsafePointer(to: &address) {
            $0.withMemoryRebound(to: sockaddr.self, capacity: 1) { bind(fd, $0, socklen_t(MemoryLayout<sockaddr_in>.size)) }
        }
        guard bound == 0 else { return errno }
        return listen(fd, 1) == 0 ? nil : errno
    }

    /// A blocking TCP connection to 127.0.0.1:`port`, or nil when it cannot be made (`errno`
    /// says why). The caller owns and closes the descriptor.
    public static func connect(_ port: Int) -> Int32? {
        let fd = socket(AF_INET, Int32(SOCK_STREAM.rawValue), 0)
        guard fd >= 0 else { return nil }
        var address = sockaddr_in()
        address.sin_family = sa_family_t(AF_INET)
        address.sin_port = in_port_t(UInt16(truncatingIfNeeded: port).bigEndian)
        address.sin_addr.s_addr = inet_addr("127.0.0.1")
        let connected = withUnsafePointer(to: &address) {
            $0.withMemoryRebound(to: sockaddr.self, capacity: 1) { Glibc.connect(fd, $0, socklen_t(MemoryLayout<sockaddr_in>.size)) }
        }
        guard connected == 0 else {
            let code = errno
            close(fd)
            errno = code
            return nil
        }
        return fd
    }

    /// The local port a socket is bound to.
    public static func port(of fd: Int32) -> Int {
        var actual = sockaddr_in()
        var length = socklen_t(MemoryLayout<sockaddr_in>.size)
        _ = withUnsafeMutablePointer(to: &actual) {
            $0.withMemoryRebound(to: sockaddr.self, capacity: 1) { getsockname(fd, $0, &length) }
        }
        return Int(UInt16(bigEndian: actual.sin_port))
    }
}
