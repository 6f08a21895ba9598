import TributaryCore

/// Whether a write's rows all have different identities (source, symbol, key), so they may
/// share multi-row inserts (``SQLitePreparedRows/distinctKeys``).
///
/// Why not a `Set` of identities: hashing each key `String` with SipHash and the set's own
/// bookkeeping were ~2 % of a process taking NDJSON pushes (ids arrive out of text order, so every
/// batch of 5,000 needs the check). Here a table of row numbers is probed by a cheap hash of the
/// identity — a key's UTF-8 read eight bytes at a time, mixed with a seed drawn once per process so
/// ids cannot be chosen to collide — and equal hashes are settled by comparing the identities. A
/// probe sequence that grows long anyway falls back to the set, so the answer never depends on
/// the hash.
enum SQLiteDistinctIdentities {
    /// Random per process, as `Hasher`'s seed is.
    private static let seed = UInt64.random(in: .min ... .max)
    /// Past this many occupied slots on one probe sequence, the set decides.
    static let maxProbes = 32

    static func allDiffer(_ rows: [SQLitePreparedRows.Row]) -> Bool {
        guard rows.count > 1 else { return true }
        var capacity = 16
        while capacity < rows.count * 2 { capacity <<= 1 }
        let mask = capacity - 1
        // Row number + 1; 0 is an empty slot.
        var slots = [Int32](repeating: 0, count: capacity)
        // Rows read where they lie: a copy of a row retains its key's and texts' storage.
        let verdict = rows.withUnsafeBufferPointer { rows -> Bool? in
            for number in rows.indices {
                var slot = Int(truncatingIfNeeded: hash(rows[number])) & mask
                var probes = 0
                while slots[slot] != 0 {
                    let other = Int(slots[slot]) - 1
                    if rows[other].source == rows[number].source, rows[other].symbol == rows[number].symbol,
                        sameKey(rows[other].key, rows[number].key)
                    {
                        return false
                    }
                    probes += 1
                    if probes > maxProbes { return nil }
                    slot = (slot &+ 1) & mask
                }
                slots[slot] = Int32(number + 1)
            }
            return true
        }
        return verdict ?? allDifferBySet(rows)
    }

    /// Keys as SQLite compares them: texts by their bytes (`"é"` and `"e\u{301}"` are two keys).
    static func sameKey(_ a: SQLiteStoredKey, _ b: SQLiteStoredKey) -> Bool {
        switch (a, b) {
        case (.integer(let x), .integer(let y)): x == y
        case (.text(let x), .text(let y)): x.sameBytes(as: y)
        default: false
        }
    }

    /// What a long probe sequence falls back to: a `Set`, whose `String` equality is canonical,
    /// so it may call two byte-different keys one (then the rows are inserted one at a time,
    /// which is slower but never wrong).
    static func allDifferBySet(_ rows: [SQLitePreparedRows.Row]) -> Bool {
        struct Identity: Hashable {
            var source: Int32
            var symbol: Int32
            var key: SQLiteStoredKey
        }
        var seen = Set<Identity>(minimumCapacity: rows.count)
        for row in rows where !seen.insert(Identity(source: row.source, symbol: row.symbol, key: row.key)).inserted { return false }
        return true
    }

    static func hash(_ row: SQLitePreparedRows.Row) -> UInt64 {
        var state = seed ^ (UInt64(UInt32(bitPattern: row.source)) << 32 | UInt64(UInt32(bitPattern: row.symbol)))
        state = mix(state)
        switch row.key {
        case .integer(let number):
            state = mix(state ^ UInt64(bitPattern: number))
        case .text(let text):
            state = mix(state ^ 0xA5A5_A5A5_A5A5_A5A5)
            let hashed = text.utf8.withContiguousStorageIfAvailable { bytes in words(UnsafeRawBufferPointer(bytes), into: state) }
            if let hashed {
                state = hashed
            } else {
                let start = state
                state = Array(text.utf8).withUnsafeBytes { words($0, into: start) }
            }
        }
        return mix(state)
    }

    /// The bytes folded in eight at a time, then the rest and the length.
    private static func words(_ bytes: UnsafeRawBufferPointer, into start: UInt64) -> UInt64 {
        var state = start
        var offset = 0
        while offset + 8 <= bytes.count {
            state = mix(state ^ bytes.loadUnaligned(fromByteOffset: offset, as: UInt64.self))
            offset += 8
        }
        var tail: UInt64 = 0
        var shift: UInt64 = 0
        while offset < bytes.count {
            tail |= UInt64(bytes[offset]) << shift
            shift += 8
            offset += 1
        }
        return mix(state ^ tail ^ (UInt64(bytes.count) << 56))
    }

    /// A multiply and two xor-shifts (the finalizer of SplitMix64): every input bit reaches
    /// every output bit.
    private static func mix(_ value: UInt64) -> UInt64 {
        var z = value &+ 0x9E37_79B9_7F4A_7C15
        z = (z ^ (z >> 30)) &* 0xBF58_476D_1CE4_E5B9
        z = (z ^ (z >> 27)) &* 0x94D0_49BB_1331_11EB
        return z ^ (z >> 31)
    }
}
