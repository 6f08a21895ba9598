import ArgumentParser
import TributaryCore

@main
struct Tributary: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "tributary",
        abstract: "Market-data ingestion: pull, normalize and deliver quotes, bars, trades and more.",
        version: TributaryVersion.current,
        subcommands: [
            RunCommand.self, FetchCommand.self, SourcesCommand.self, ImportCommand.self, ExportCommand.self, FeaturesCommand.self, DLQCommand.self,
            SettingsCommand.self,
            SinkCommand.self, ClusterCommand.self, BenchCommand.self, MockCommand.self,
        ]
    )

    static func main() async {
        ProcessMemory.returnLargeBlocksToTheSystem()
        await main(nil)
    }
}
