import Foundation

/// Where Sources.d files are looked for, in order (later ones override earlier by id).
///
/// 1. the shipped `Sources.d` — next to the working directory, or found from the executable
///    (`.build/release/tributary` → the checkout's `Sources.d`), or `/etc/tributary/Sources.d`;
/// 2. `TRIBUTARY_SOURCES_DIR`, the user's own files (adding sources, or overriding shipped ones).
public enum SourceDirectories {
    public static func search(environment: [String: String] = ProcessInfo.processInfo.environment) -> [String] {
        var directories: [String] = []
        if let shipped = shipped() { directories.append(shipped) }
        if let user = environment["TRIBUTARY_SOURCES_DIR"], !user.isEmpty { directories.append(user) }
        return directories
    }

    /// The first shipped `Sources.d` that exists.
    public static func shipped() -> String? {
        let fileManager = FileManager.default
        var candidates = [fileManager.currentDirectoryPath + "/Sources.d"]
        let executable = URL(fileURLWithPath: CommandLine.arguments.first ?? "").resolvingSymlinksInPath()
        var directory = executable.deletingLastPathComponent()
        for _ in 0..<4 {
            candidates.append(directory.appendingPathComponent("Sources.d").path)
            directory = directory.deletingLastPathComponent()
        }
        candidates.append("/etc/tributary/Sources.d")
        var isDirectory: ObjCBool = false
        return candidates.first { fileManager.fileExists(atPath: $0, isDirectory: &isDirectory) && isDirectory.boolValue }
    }
}
