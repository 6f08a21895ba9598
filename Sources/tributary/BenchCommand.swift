import ArgumentParser

/// `tributary bench …`: throughput and latency of the real code paths, as one JSON object.
struct BenchCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "bench",
        abstract: "Measure Tributary's own paths; prints one JSON object on stdout.",
        subcommands: [BenchFetchCommand.self, BenchDecodeCommand.self, BenchRunCommand.self, BenchFeaturesCommand.self, BenchChunkCommand.self]
    )
}
