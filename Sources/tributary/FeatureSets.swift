import Connectors
import Features
import Foundation

/// Where the feature sets are: `--features DIR` › `TRIBUTARY_FEATURES_DIR`; none otherwise.
///
/// Never found implicitly: computing features costs CPU and writes rows, so a run computes
/// them only when asked to (the shipped `Features.d` holds examples; `make demo` passes it).
enum FeatureSets {
    static func directory(_ option: String?, environment: [String: String] = ProcessInfo.processInfo.environment) -> String? {
        if let option { return option }
        if let variable = environment["TRIBUTARY_FEATURES_DIR"], !variable.isEmpty { return variable }
        return nil
    }

    /// Every set in the directory; any mistake stops the command with every problem listed.
    static func load(_ option: String?) throws -> [FeatureSet] {
        guard let directory = directory(option) else { return [] }
        var isDirectory: ObjCBool = false
        guard FileManager.default.fileExists(atPath: directory, isDirectory: &isDirectory), isDirectory.boolValue else {
            throw CLIError("--features \(directory): no such directory (it holds one NAME.yaml per feature set)")
        }
        let (sets, problems) = FeatureSetLoader.loadDirectory(directory)
        guard problems.isEmpty else { throw CLIError(problems.map(\.description).joined(separator: "\n")) }
        return sets
    }
}
