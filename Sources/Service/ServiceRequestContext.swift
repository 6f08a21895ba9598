import Hummingbird
import NIOCore

/// The request context of Tributary's HTTP surface: Hummingbird's basics plus the peer's
/// address, which the push path records on its tracing span (`source_ip`).
public struct ServiceRequestContext: RequestContext, RemoteAddressRequestContext {
    public var coreContext: CoreRequestContextStorage
    public let remoteAddress: SocketAddress?

    public init(source: ApplicationRequestContextSource) {
        coreContext = .init(source: source)
        remoteAddress = source.channel.remoteAddress
    }
}
