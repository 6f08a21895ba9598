import Foundation
import Testing
import Transport
import TributaryCore
import TributaryTesting

/// Callers that wait on the transport's `CompletionExecutor` are resumed by the loop thread
/// directly; the others through the completion pump. Both kinds, side by side on one client,
/// must get exactly their own responses, and the first kind must run on the executor's thread.
extension HTTPClientTests {
    @Test func callersOnTheCompletionExecutorAndOnThePoolEachGetTheirOwnResponses() async throws {
        let server = try LoopbackServer { request in .json(#"{"n":"\#(request.query["n"] ?? "")"}"#) }
        defer { server.stop() }
        let client = HTTPClient()
        let executor = try #require(client.callerExecutor)
        #expect(executor === CompletionExecutor.shared)
        let (wrong, offThread) = try await withThrowingTaskGroup(of: (wrong: Int, offThread: Int).self) { group in
            for caller in 0..<16 {
                let onExecutor = caller % 2 == 0
                group.addTask(executorPreference: onExecutor ? executor : nil) {
                    var wrong = 0
                    var offThread = 0
                    for round in 0..<50 {
                        let n = "\(caller)-\(round)"
                        let response = try await client.send(HTTPRequest(url: server.baseURL + "/echo?n=\(n)"))
                        if response.bodyText != #"{"n":"\#(n)"}"# { wrong += 1 }
                        // A pool task must never land on the executor's thread, and an executor task never off it.
                        if CompletionExecutor.shared.isCurrent != onExecutor { offThread += 1 }
                    }
                    return (wrong, offThread)
                }
            }
            return try await group.reduce((0, 0)) { ($0.0 + $1.wrong, $0.1 + $1.offThread) }
        }
        await client.shutdown()
        #expect(wrong == 0)
        #expect(offThread == 0)
        #expect(server.requestsServed == 800)
    }

    @Test func aCallerOnTheCompletionExecutorCanBeCancelledAndItsFailuresArriveThere() async throws {
        let server = try LoopbackServer { _ in .stall(declaring: Array(repeating: 0, count: 1_000)) }
        defer { server.stop() }
        let client = HTTPClient()
        let task = Task(executorPreference: CompletionExecutor.shared) { () -> Bool in
            do {
                _ = try await client.send(HTTPRequest(url: server.baseURL + "/stall", totalTimeout: .seconds(30)))
                return false
            } catch is CancellationError {
                return CompletionExecutor.shared.isCurrent
            }
        }
        while server.requestsServed == 0 { try await Task.sleep(for: .milliseconds(5)) }
        task.cancel()
        let cancelledThere = try await task.value
        #expect(cancelledThere)
        // A request refused before it reaches libcurl fails on the executor as well.
        let refused = await Task(executorPreference: CompletionExecutor.shared) { () -> Bool in
            do {
                _ = try await client.send(HTTPRequest(url: "ftp://127.0.0.1/"))
                return false
            } catch {
                return CompletionExecutor.shared.isCurrent && error is TransportError
            }
        }.value
        #expect(refused)
        await client.shutdown()
    }
}
