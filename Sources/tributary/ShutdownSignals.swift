import Connectors
import Engine
import Foundation
import Logging
import Service
import ServiceLifecycle
import TributaryCore
import UnixSignals

/// SIGTERM and SIGINT for `tributary run`: the first starts a graceful shutdown (not ready,
/// stop scheduling, drain), a second one exits at once, and a shutdown that overruns its
/// deadline by more than a grace period exits too — an operator's Ctrl-C always works.
struct ShutdownSignals: Sendable {
    let group: ServiceGroup
    let readiness: Readiness
    let deadline: Duration
    let buffer: NormalizationBuffer<Envelope>
    let logger: Logger
    /// After the deadline the group cancels in-flight work; this much later the process exits regardless.
    var grace: Duration = .seconds(5)

    func watch() async {
        var received = 0
        for await signal in await UnixSignalsSequence(trapping: .sigterm, .sigint) {
            received += 1
            if received == 1 {
                readiness.enter(.draining)
                logger.notice(
                    "shutting down: scheduling stopped, draining the buffer into the store",
                    metadata: [
                        "signal": "\(signal)", "deadline": "\(DurationText.format(deadline))", "buffered": "\(buffer.stats.depth)",
                    ])
                await group.triggerGracefulShutdown()
                let (deadline, grace, buffer, logger) = (deadline, grace, buffer, logger)
                Task.detached {
                    try? await Task.sleep(for: deadline + grace)
                    logger.critical("shutdown overran its deadline; exiting now", metadata: ["buffered": "\(buffer.stats.depth)"])
                    exit(1)
                }
            } else {
                logger.critical(
                    "second signal: exiting now without finishing the drain",
                    metadata: [
                        "signal": "\(signal)", "buffered": "\(buffer.stats.depth)",
                    ])
                exit(130)
            }
        }
    }
}
