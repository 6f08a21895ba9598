import Testing
import TributaryCore

/// Waits until `condition` holds, asking every `every`. Bounded — a hang guard, not a speed
/// check, so generous: the whole suite shares two cores with blocking end-to-end tests. When it
/// never holds, records an issue naming `what` and throws.
func eventually(
    _ what: String, timeout: Duration = .seconds(180), every: Duration = .milliseconds(200), _ condition: () async throws -> Bool
) async throws {
    let deadline = ContinuousClock.now + timeout
    while ContinuousClock.now < deadline {
        if try await condition() { return }
        try await Task.sleep(for: every)
    }
    Issue.record("timed out waiting until \(what)")
    throw CancellationError()
}

/// A value of a process's `/metrics` (the first series of the family), nil while it does not answer.
func metric(_ base: String, _ family: String) async -> Double? {
    guard let response = try? await get(base + "/metrics"), response.status == 200 else { return nil }
    let line = response.bodyText.split(separator: "\n").first { $0.hasPrefix(family + " ") || $0.hasPrefix(family + "{") }
    return line.flatMap { $0.split(separator: " ").last }.flatMap { Double($0) }
}

/// Whether a `tributary sink` (its `/metrics` at `base`) has nothing left: no message pending in
/// its consumer and none delivered but unacknowledged.
func consumerDrained(_ base: String) async -> Bool {
    let lag = await metric(base, "ingestion_bus_lag_messages")
    let unacknowledged = await metric(base, "ingestion_bus_pending_acks")
    return lag == 0 && unacknowledged == 0
}
