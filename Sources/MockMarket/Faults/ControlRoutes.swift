import Foundation
import Hummingbird
import TributaryCore

/// `/control/faults`: list (GET), add (POST, one spec per line), clear (DELETE) the mock's faults
/// while it runs, so a test or a user can break and heal a source on demand.
struct ControlRoutes {
    let injector: FaultInjector

    func register(on router: Router<BasicRequestContext>) {
        router.get("control/faults") { _, _ in list() }
        router.post("control/faults") { request, _ in
            let body = try await request.body.collect(upTo: 64 * 1024)
            let text = String(buffer: body)
            var added: [MockFault] = []
            for line in text.split(whereSeparator: \.isNewline).map({ $0.trimmingCharacters(in: .whitespaces) }) where !line.isEmpty {
                do {
                    added.append(try MockFault(spec: line))
                } catch {
                    return MockJSON.response(.object(JSONObject([("error", .string("\(error)"))])), status: .badRequest)
                }
            }
            for fault in added { injector.add(fault) }
            return list()
        }
        router.delete("control/faults") { _, _ in
            injector.clear()
            return list()
        }
    }

    private func list() -> Response {
        MockJSON.response(
            .object(
                JSONObject([
                    ("faults", .array(injector.faults.map { .string($0.description) })),
                    ("fired", .object(JSONObject(injector.firedCounts.sorted { $0.key < $1.key }.map { ($0.key, .number(String($0.value))) }))),
                ])))
    }
}
