import Synchronization

/// A value handed to one task, which takes it out and so becomes its only holder.
///
/// Why: a task's closure keeps what it captures until the task is gone, so a chunk captured
/// directly is still held when its conversion is done, and its byte array, given back to its
/// pool then, would have to be copied to be emptied. Taken out of a handoff, the task holds the
/// one reference and can give the storage back whole.
final class Handoff<Value: Sendable>: Sendable {
    private let value: Mutex<Value?>

    init(_ value: sending Value) { self.value = Mutex(value) }

    /// The value; taken once (a second take is a programming error).
    func take() -> Value {
        guard let value = value.withLock({ $0.take() }) else { preconditionFailure("a handoff's value is taken once") }
        return value
    }
}
