import ArgumentParser
import Connectors
import Engine
import Foundation
import Resilience
import Transport
import TributaryCore

/// `tributary fetch SOURCE ENDPOINT`: one fetch through transport → connector → normalize → buffer → stdout.
struct FetchCommand: AsyncParsableCommand {
    /// The endpoints come from the Sources.d files in effect, so they are listed only when help
    /// is asked for: the parser reads every subcommand's configuration on every invocation, and
    /// loading the catalog here cost each `import` or `export` about 0.05 s before its work began.
    static var configuration: CommandConfiguration {
        CommandConfiguration(
            commandName: "fetch",
            abstract: "Fetch one endpoint of one source and print the normalized records.",
            discussion: """
                Example: tributary fetch binance ticker --symbol BTCUSDT --symbol ETH-USDT
                Base URL: --base-url, else TRIBUTARY_<SOURCE>_BASE_URL, else the base_url of its Sources.d file. \
                Keys come from the environment or .env (see .env.example).

                """ + (helpAsked(CommandLine.arguments) ? endpointList() : "")
        )
    }

    /// True when `arguments` ask for help in any of the parser's ways (`-h`, `--help`, a `help`
    /// subcommand, or the full dump completion scripts and documentation tools read).
    static func helpAsked(_ arguments: [String]) -> Bool {
        arguments.dropFirst().contains { ["-h", "--help", "help", "--experimental-dump-help"].contains($0) }
    }

    /// Every source's endpoints with what each returns, whether it needs --symbol, and its
    /// parameters (`name=default`, or `name` alone when it has no default).
    static func endpointList() -> String {
        let catalog = SourceCatalog(directories: SourceDirectories.search())
        var lines = ["Endpoints (kind, whether --symbol is needed; --param key=value: name=default, or a name alone when it has no default):"]
        for id in catalog.sourceIDs {
            guard let connector = try? catalog.connector(for: id.rawValue, environment: [:]) else { continue }
            lines.append("  \(id.rawValue)")
            for endpoint in connector.endpoints {
                let parameters = endpoint.parameters.sorted { $0.key < $1.key }.map { $0.value.isEmpty ? $0.key : "\($0.key)=\($0.value)" }
                lines.append(
                    "    \(endpoint.name) (\(endpoint.kind.rawValue)\(endpoint.needsSymbol ? ", --symbol" : ""))"
                        + (parameters.isEmpty ? "" : ": " + parameters.joined(separator: " ")))
            }
        }
        return lines.joined(separator: "\n")
    }

    @Argument(help: "Source id, e.g. binance.", completion: Completions.sources)
    var source: String

    @Argument(help: "Endpoint of that source, e.g. ticker.", completion: Completions.endpoints)
    var endpoint: String

    @Option(name: .customLong("symbol"), help: "Instrument, as the venue writes it or canonical (BTCUSDT or BTC-USDT). Repeatable.")
    var symbols: [String] = []

    @Option(name: .customLong("param"), help: "An endpoint parameter as key=value, e.g. --param interval=1h. Repeatable.")
    var parameters: [String] = []

    @Flag(help: "Print JSON Lines (one record with provenance per line) instead of a table (same as --format jsonl).")
    var json = false

    @Option(help: "table (aligned columns), jsonl (records with provenance) or csv (a header per kind, as `export` writes).")
    var format: String = "table"

    @Option(help: "Send requests to this base URL instead (a mock, a proxy, a testnet).")
    var baseURL: String?

    func validate() throws {
        for parameter in parameters where !parameter.contains("=") {
            throw ValidationError("--param takes key=value, got '\(parameter)'")
        }
        guard ["table", "jsonl", "json", "csv"].contains(format) else { throw ValidationError("--format '\(format)': use table, jsonl or csv") }
    }

    /// `--param` values as a dictionary.
    var call: EndpointCall {
        var values: [String: String] = [:]
        for parameter in parameters {
            let parts = parameter.split(separator: "=", maxSplits: 1).map(String.init)
            values[parts[0]] = parts.count > 1 ? parts[1] : ""
        }
        return EndpointCall(endpoint, symbols: symbols, parameters: values)
    }

    func run() async throws {
        let environment = try await RuntimeEnvironment.load()
        let catalog = SourceCatalog(directories: SourceDirectories.search(environment: environment))
        let connector: any Connector
        do {
            connector = try catalog.connector(for: source, baseURL: baseURL, environment: environment)
        } catch {
            throw CLIError(error.description)
        }
        let definition = catalog.definitions[connector.id]
        let client = HTTPClient()
        let envelopes: [Envelope]
        do {
            envelopes = try await fetch(using: connector, definition: definition, client: client)
        } catch {
            await client.shutdown()
            throw error
        }
        switch json ? "jsonl" : format {
        case "jsonl", "json":
            for envelope in envelopes { print(envelope.jsonLine) }
        case "csv":
            var kind: Record.Kind?
            for envelope in envelopes {
                if envelope.record.kind != kind {
                    kind = envelope.record.kind
                    print(RecordExport.header(envelope.record.kind).joined(separator: ","))
                }
                print(RecordExport.csvLine(envelope), terminator: "")
            }
        default:
            print(RecordTable.render(envelopes.map(\.record)), terminator: "")
        }
        await client.shutdown()
    }

    /// Fetches through the source's resilience layer into a buffer and drains it, so the
    /// printed records are the ones a sink would get.
    private func fetch<C: Connector>(using connector: C, definition: SourceDefinition?, client: HTTPClient) async throws -> [Envelope] {
        let buffer = NormalizationBuffer<Envelope>()
        let worker = SourceWorker(connector: connector, transport: client, buffer: buffer, latency: LatencyRecorder())
        let settings = ResilienceSettings(definition: definition, source: connector.id)
        let guardian = SourceGuard(source: connector.id.rawValue, settings: settings, clock: ContinuousClock())
        let resilient = ResilientWorker(worker: worker, guardian: guardian, clock: ContinuousClock())
        do {
            try await resilient.fetch(call, cost: ResilienceSettings.cost(of: call, source: connector.id, definition: definition))
        } catch let error as ConnectorError {
            throw CLIError(error.description)
        } catch let error as ResilienceError {
            throw CLIError(error.description)
        } catch let error as TransportError {
            throw CLIError("\(connector.id): \(error)")
        }
        buffer.finish()
        var drained: [Envelope] = []
        while let batch = await buffer.next(max: 1_000) { drained.append(contentsOf: batch) }
        return drained
    }
}

/// A failure the user can act on: printed as one line to stderr, exit status 1.
struct CLIError: Error, CustomStringConvertible {
    let description: String
    init(_ description: String) { self.description = description }
}
