import Foundation

/// Reads provider samples (real responses) from `Tests/Fixtures/payloads`, copied into the
/// repository so a clone alone runs every test.
public enum PayloadLoader {
    /// The payloads folder: `TRIBUTARY_PAYLOADS_DIR`, else `Tests/Fixtures/payloads` of the package.
    public static var directory: URL {
        if let override = ProcessInfo.processInfo.environment["TRIBUTARY_PAYLOADS_DIR"] {
            return URL(fileURLWithPath: override)
        }
        return PackageRoot.url.appendingPathComponent("Tests/Fixtures/payloads")
    }

    /// The bytes of `provider/file`, e.g. `load("binance/ticker_24hr.json")`.
    public static func load(_ relativePath: String) throws -> [UInt8] {
        let url = directory.appendingPathComponent(relativePath)
        guard let data = FileManager.default.contents(atPath: url.path) else {
            throw PayloadMissing(path: url.path)
        }
        return Array(data)
    }
}

public struct PayloadMissing: Error, CustomStringConvertible {
    public let path: String
    public var description: String { "payload sample not found at \(path); set TRIBUTARY_PAYLOADS_DIR or restore Tests/Fixtures/payloads" }
}

/// The package's root folder, found from this source file's location at build time.
public enum PackageRoot {
    public static var url: URL {
        // Sources/TributaryTesting/PayloadLoader.swift → package root
        URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent().deletingLastPathComponent()
    }
}
