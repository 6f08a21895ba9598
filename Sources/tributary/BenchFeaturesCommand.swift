import ArgumentParser
import Features
import Foundation
import Pipeline
import TributaryCore

/// `tributary bench features`: trades per second through the feature engine (the code `run`
/// and `features backfill` use), partitioned by symbol over the cores.
struct BenchFeaturesCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "features",
        abstract: "Time generated trades through the feature engine (OHLCV bars per window), on every core.",
        discussion: """
            Prints {"trades","symbols","windows","workers","seconds","trades_per_second","rows"}. The trades are made in
            memory first (not timed): SYMBOLS symbols, ten trades per symbol per second of event time, in time order;
            every window is emitted, the last ones too (as pandas' resample computes them).
            --csv also writes them (time_ns,symbol,price,size) for the pandas reference of Benchmarks/features.sh.
            """
    )

    @Option(help: "Trades to generate.") var trades = 2_000_000
    @Option(help: "Symbols they are spread over.") var symbols = 1_000
    @Option(help: "Tumbling windows, comma-separated.") var windows = "1s,5s,1m"
    @Option(help: "Engines run in parallel, each owning a share of the symbols (default: one per core).") var workers: Int?
    @Option(help: "Also write the trades to this CSV file.") var csv: String?

    func validate() throws {
        guard trades > 0, symbols > 0 else { throw ValidationError("--trades and --symbols must be at least 1") }
        guard windows.split(separator: ",").allSatisfy({ WindowSpec(String($0)) != nil }) else {
            throw ValidationError("--windows '\(windows)': durations such as 1s,5s,1m")
        }
    }

    func run() async throws {
        let specs = windows.split(separator: ",").compactMap { WindowSpec(String($0)) }
        var set = FeatureSet(name: "bench", version: 1, input: .init(kind: .trade), windows: specs, features: [.ohlcv])
        set.watermark = 1_000_000_000
        let workerCount = max(1, workers ?? ProcessInfo.processInfo.activeProcessorCount)
        let names = (0..<symbols).map { "S\($0)-USD" }
        // Ten trades per symbol per second of event time; prices walk by whole cents.
        let step = Int64(100_000_000 / symbols)
        let t0: Int64 = 1_700_000_000_000_000_000
        var generator = SplitMix64(seed: 42)
        var prices = [Int128](repeating: 10_000_00, count: symbols)
        // Each symbol numbers its trades without holes, as venues do (a hole would be a gap row).
        var sequences = [Int64](repeating: 0, count: symbols)
        var partitions = [[FeatureEvent]](repeating: [], count: workerCount)
        for index in 0..<workerCount { partitions[index].reserveCapacity(trades / workerCount + 1) }
        var csvText = csv == nil ? nil : "time_ns,symbol,price,size\n"
        for index in 0..<trades {
            let symbol = index % symbols
            prices[symbol] = max(1, prices[symbol] + Int128(generator.next() % 21) - 10)
            let price = ExactDecimal(mantissa: prices[symbol], scale: 2)
            let size = ExactDecimal(mantissa: Int128(1 + generator.next() % 10_000), scale: 4)
            let time = t0 + Int64(index) * max(1, step)
            sequences[symbol] += 1
            partitions[symbol % workerCount].append(
                FeatureEvent(
                    source: "bench", symbol: names[symbol], time: time, key: String(sequences[symbol]), contentHash: "sha256:\(index)",
                    sequence: sequences[symbol], values: .trade(price: price, size: size)))
            csvText?.append("\(time),\(names[symbol]),\(price),\(size)\n")
        }
        if let csv, let csvText { try csvText.write(toFile: csv, atomically: true, encoding: .utf8) }

        let clock = ContinuousClock()
        // (Partitions and the set are copied into each task: nothing is shared while they run.)
        let started = clock.now
        let (shares, chosen) = (partitions, set)
        let rows = await withTaskGroup(of: Int.self) { group in
            for partition in shares {
                let set = chosen
                group.addTask {
                    var engine = FeatureEngine(set: set)
                    var rows = 0
                    for event in partition { rows += engine.ingest(event).rows.count }
                    // The last windows too (as a backfill with --to does), so every trade is in a bar.
                    if let last = partition.last { rows += engine.close(through: last.time + WindowSpec.longest).rows.count }
                    return rows
                }
            }
            return await group.reduce(0, +)
        }
        let elapsed = clock.now - started
        let seconds = elapsed.fractionalSeconds
        print(
            #"{"trades":\#(trades),"symbols":\#(symbols),"windows":"\#(windows)","workers":\#(workerCount),"seconds":\#(String(format: "%.3f", seconds)),"trades_per_second":\#(Int(Double(trades) / seconds)),"rows":\#(rows)}"#
        )
    }
}
