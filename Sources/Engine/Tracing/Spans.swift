import Synchronization
import Tracing

/// Spans that cost nothing until a tracer is installed.
///
/// `withSpan` looks the process's tracer up on every call — a lock, a search of the installed
/// instruments, dynamic casts — and binds the span's context as a task-local, even when the
/// tracer is the no-op one. On the pull path that was ~3 % of a `bench fetch --decode`
/// process's CPU (one span per fetch), spent recording nothing. Until ``tracerInstalled()`` is
/// called the body gets a no-op span carrying the current context, which is what the no-op
/// tracer would have given it; afterwards every span goes through `withSpan` as before.
public enum Spans {
    private static let installed = Atomic<Bool>(false)

    /// Says that `InstrumentationSystem.bootstrap` installed a tracer: spans are made from now on.
    /// Call it right after the bootstrap (once per process, as the bootstrap itself).
    public static func tracerInstalled() { installed.store(true, ordering: .releasing) }

    /// Whether spans are being made.
    public static var areRecorded: Bool { installed.load(ordering: .acquiring) }

    /// `withSpan(name, ofKind:)` once a tracer is installed; the body with a no-op span before.
    public static func with<T>(
        _ name: @autoclosure () -> String, ofKind kind: SpanKind = .internal, isolation: isolated (any Actor)? = #isolation,
        function: String = #function, file fileID: String = #fileID, line: UInt = #line,
        _ body: (any Span) async throws -> T
    ) async rethrows -> T {
        guard areRecorded else { return try await body(NoOpTracer.NoOpSpan(context: .current ?? .topLevel)) }
        return try await withSpan(name(), ofKind: kind, isolation: isolation, function: function, file: fileID, line: line, body)
    }
}
