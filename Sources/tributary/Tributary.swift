import ArgumentParser

@main
struct Tributary: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "tributary",
        abstract: "Market-data ingestion: pull, normalize and deliver quotes, bars, trades and more.",
        version: "0.1.0",
        subcommands: []
    )
}
