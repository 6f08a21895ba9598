import Foundation

#if canImport(Glibc)
    import Glibc
#endif

/// This process's memory: its use read from `/proc/self/status`, and how the allocator gives it back.
enum ProcessMemory {
    /// Fixes glibc's mmap threshold at 1 MiB, so a block of 1 MiB or more is mapped on its own
    /// and returned to the system when freed.
    ///
    /// Why: by default glibc raises the threshold to the largest mapped block freed (up to
    /// 32 MiB), so after the first 8 MiB ranged read of an object or a converted chunk is freed,
    /// later blocks of that size come from the heap, which fragments and keeps them: the peak
    /// resident set grew with an object's size (`import s3://…`: 107 → 140 MB from a 20 MB to a
    /// 200 MB object; with the fixed threshold 95 → 96 MB).
    static func returnLargeBlocksToTheSystem() {
        #if canImport(Glibc)
            // `mallopt` is in <malloc.h>, which the Glibc module does not include: found by name.
            typealias Mallopt = @convention(c) (Int32, Int32) -> Int32
            let mmapThreshold: Int32 = -3  // M_MMAP_THRESHOLD
            guard let symbol = dlsym(nil, "mallopt") else { return }
            _ = unsafeBitCast(symbol, to: Mallopt.self)(mmapThreshold, 1 << 20)
        #endif
    }

    /// Peak resident set (`VmHWM`) in MiB; 0 where `/proc` is not available.
    static func peakResidentMegabytes() -> Double {
        guard let status = try? String(contentsOfFile: "/proc/self/status", encoding: .utf8) else { return 0 }
        for line in status.split(separator: "\n") where line.hasPrefix("VmHWM:") {
            let kilobytes = line.split(separator: " ").compactMap { Double($0) }.first ?? 0
            return kilobytes / 1024
        }
        return 0
    }
}
