/// Where the text writers (decimals, times, JSON strings, integers) put their bytes.
///
/// Two kinds of output take them: a `[UInt8]` that the caller keeps (JSON Lines, exports, the
/// stores' row writers), and ``PointerBytes``, the content hasher's scratch. The writers are
/// written once, generic over this protocol, and specialized for each output inside the module.
protocol ByteOutput {
    mutating func append(_ byte: UInt8)
    mutating func append(contentsOf bytes: UnsafeBufferPointer<UInt8>)
}

extension ByteOutput {
    @inline(__always)
    mutating func append(_ text: StaticString) {
        append(contentsOf: UnsafeBufferPointer(start: text.utf8Start, count: text.utf8CodeUnitCount))
    }

    /// A whole number in decimal, without building a `String`.
    mutating func appendInteger(_ value: Int64) {
        // 20 digits and a sign hold every Int64; the digits are produced backwards.
        var digits: (UInt64, UInt64, UInt64) = (0, 0, 0)
        withUnsafeMutableBytes(of: &digits) { raw in
            let buffer = raw.bindMemory(to: UInt8.self)
            var position = buffer.count
            var magnitude = value.magnitude
            repeat {
                let (quotient, remainder) = magnitude.quotientAndRemainder(dividingBy: 10)
                position -= 1
                buffer[position] = 48 &+ UInt8(truncatingIfNeeded: remainder)
                magnitude = quotient
            } while magnitude > 0
            if value < 0 {
                position -= 1
                buffer[position] = UInt8(ascii: "-")
            }
            append(contentsOf: UnsafeBufferPointer(rebasing: buffer[position...]))
        }
    }

    /// The last `width` decimal digits of a non-negative `value`, zero-padded to `width`.
    @inline(__always)
    mutating func appendDigits(_ value: Int, width: Int) {
        var divisor = 1
        for _ in 1..<width { divisor &*= 10 }
        var v = value
        while divisor > 0 {
            append(UInt8(truncatingIfNeeded: 48 + v / divisor % 10))
            v %= divisor
            divisor /= 10
        }
    }
}

extension Array: ByteOutput where Element == UInt8 {}

extension [UInt8] {
    /// A whole number in decimal, for writers outside this module (the PostgreSQL COPY rows).
    public mutating func writeInteger(_ value: Int64) { appendInteger(value) }
}

/// A growable byte buffer written through a pointer: appending is a bounds check and a store.
///
/// `[UInt8].append` checks the array's uniqueness (a runtime call) on every byte; the content
/// hasher writes ~250 bytes for every record it hashes, so its scratch is this instead. Owned by
/// one writer at a time and reused from record to record; not shared between threads.
final class PointerBytes: ByteOutput {
    private(set) var start: UnsafeMutablePointer<UInt8>
    private(set) var count = 0
    private var capacity: Int

    init(capacity: Int = 512) {
        self.capacity = max(capacity, 16)
        start = .allocate(capacity: self.capacity)
    }

    deinit { start.deallocate() }

    /// The bytes written since the last ``removeAll()``; valid until the next write.
    var bytes: UnsafeBufferPointer<UInt8> { UnsafeBufferPointer(start: start, count: count) }

    func removeAll() { count = 0 }

    @inline(__always)
    func append(_ byte: UInt8) {
        if count == capacity { grow(toHold: 1) }
        start[count] = byte
        count &+= 1
    }

    @inline(__always)
    func append(contentsOf bytes: UnsafeBufferPointer<UInt8>) {
        guard let source = bytes.baseAddress else { return }
        if bytes.count > capacity &- count { grow(toHold: bytes.count) }
        (start + count).update(from: source, count: bytes.count)
        count &+= bytes.count
    }

    @inline(never)
    private func grow(toHold extra: Int) {
        let (needed, overflow) = count.addingReportingOverflow(extra)
        precondition(!overflow, "PointerBytes cannot hold \(extra) more bytes")
        var newCapacity = capacity
        while newCapacity < needed { newCapacity = newCapacity > Int.max / 2 ? needed : newCapacity * 2 }
        let grown = UnsafeMutablePointer<UInt8>.allocate(capacity: newCapacity)
        grown.update(from: start, count: count)
        start.deallocate()
        start = grown
        capacity = newCapacity
    }
}
