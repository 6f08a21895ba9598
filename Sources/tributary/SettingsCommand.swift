import App
import ArgumentParser
import Foundation
import Service

/// `tributary settings`: every setting's effective value and where it came from (the default,
/// tributary.yaml, or a `TRIBUTARY_…` variable), and the variables that set nothing.
struct SettingsCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "settings",
        abstract: "Print the effective settings, each with where its value came from.",
        discussion:
            "Values come from TRIBUTARY_… variables over tributary.yaml (--config, TRIBUTARY_CONFIG, ./tributary.yaml) over the defaults. A store URL's password is never printed."
    )

    @Option(help: "Engine settings file (YAML). Default: TRIBUTARY_CONFIG, else ./tributary.yaml if it exists.", completion: Completions.yamlFiles) var config:
        String?

    func run() async throws {
        let loader = ServiceSettingsLoader(filePath: config, environment: ProcessInfo.processInfo.environment)
        let effective: [ServiceSettingsLoader.Effective]
        do { effective = try await loader.loadWithOrigins().effective } catch let problems as ServiceSettingsLoader.Problems {
            throw CLIError(problems.description)
        }
        var rows = [["SETTING", "VALUE", "FROM", "VARIABLE"]]
        for setting in effective {
            let value = setting.key == "store.url" ? StoreURL.redacting(setting.value) : setting.value
            rows.append([
                setting.key, value.isEmpty ? "-" : value, setting.origin.replacingOccurrences(of: "environment variable ", with: "env "),
                ServiceSettingsLoader.environmentName(setting.key),
            ])
        }
        print(TextTable.render(rows), terminator: "")
        print("file: \(loader.filePath ?? "none (no --config, TRIBUTARY_CONFIG or ./tributary.yaml)")")
        for unknown in loader.unknownVariables() { print("warning: \(unknown)") }
    }
}
