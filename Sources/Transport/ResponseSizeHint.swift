import Synchronization

/// How much room the caller reserves for a response's body and header block before handing
/// the transfer to the loop thread: the sizes of the last response completed, capped.
///
/// Why the caller: memory is allocated by one thread and freed by another otherwise. The loop
/// thread grew each body as libcurl delivered it and the decoding task freed it on a pool
/// thread — into the loop thread's malloc arena, under that arena's lock, which the loop
/// thread itself takes for every allocation. Under load that lock was contended on every
/// response (futex calls on both sides, ~0.4 per request) and the arena grew and shrank
/// (page faults). Reserved by the caller, the buffers are made and freed off the loop thread,
/// which only copies into room already there; a larger response still grows on the loop.
final class ResponseSizeHint: Sendable {
    /// Above this a body is left to grow as it arrives: reserving more for every request
    /// would hold memory for the rare large one.
    static let maxReservedBody = 64 * 1024
    static let maxReservedHeaders = 4 * 1024

    private let body = Atomic<Int>(0)
    private let headers = Atomic<Int>(1024)

    /// Room for the next request's body (never more than it may receive).
    func bodyCapacity(limit: Int) -> Int { min(body.load(ordering: .relaxed), Self.maxReservedBody, limit) }

    /// Room for the next request's header block.
    var headerCapacity: Int { min(headers.load(ordering: .relaxed), Self.maxReservedHeaders) }

    /// Called by the loop thread as a response completes.
    func observe(bodyBytes: Int, headerBytes: Int) {
        body.store(bodyBytes, ordering: .relaxed)
        headers.store(headerBytes, ordering: .relaxed)
    }
}
