import Foundation

/// Reads this process's memory use from `/proc/self/status`.
enum ProcessMemory {
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
