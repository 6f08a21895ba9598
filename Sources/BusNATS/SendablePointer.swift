/// A libnats object pointer carried into the connection's queue. libnats objects are safe to
/// use from any thread one call at a time; the connection's serial queue gives that.
struct SendablePointer: @unchecked Sendable {
    var pointer: OpaquePointer
}
