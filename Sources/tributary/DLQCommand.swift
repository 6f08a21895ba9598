import App
import ArgumentParser
import Connectors
import Engine
import Foundation
import Pipeline
import Service
import TributaryCore

/// `tributary dlq list|show|replay|resolve|delete`: what could not be decoded or stored, putting
/// it back, and settling or clearing what is done with.
struct DLQCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "dlq",
        abstract: "Look at, replay, resolve and delete the dead letters of the store.",
        discussion: """
            A dead letter is pending until it is replayed (dlq replay), resolved — its row imported cleanly from a corrected \
            file, or by hand (dlq resolve) — and stays, settled, until deleted (dlq delete).
            """,
        subcommands: [List.self, Show.self, Replay.self, Resolve.self, Delete.self]
    )

    struct StoreOptions: ParsableArguments {
        @Option(
            help:
                "The store: sqlite:PATH or a file path (default: store.url / store.path from tributary.yaml or TRIBUTARY_STORE_URL / TRIBUTARY_STORE_PATH, else data/tributary.sqlite)."
        )
        var store: String?

        @Option(help: "Engine settings file (YAML).")
        var config: String?

        func open() async throws -> any RecordStore {
            try await ServiceSettings.load(config: config, store: store).openExistingStore()
        }
    }

    struct List: AsyncParsableCommand {
        static let configuration = CommandConfiguration(abstract: "List dead letters, newest first.")
        @OptionGroup var options: StoreOptions
        @Option(help: "Only this source.", completion: Completions.sources) var source: String?
        @Flag(help: "Leave out the ones already replayed or resolved.") var pending = false
        @Option(help: "At most this many.") var limit = 50

        func run() async throws {
            let store = try await options.open()
            let letters = try await store.deadLetters(limit: limit, source: source, pending: pending)
            guard !letters.isEmpty else { print("no dead letters\(source.map { " for \($0)" } ?? "") in \(store.location)"); return }
            var rows = [["ID", "CREATED", "SOURCE", "ENDPOINT", "HOLDS", "BYTES", "STATE", "REASON"]]
            for letter in letters {
                rows.append([
                    String(letter.id ?? 0), letter.createdAt.rfc3339, letter.source, letter.endpoint, letter.kindName, String(letter.size),
                    letter.state, letter.reason.replacingOccurrences(of: "\n", with: " "),
                ])
            }
            print(TextTable.render(rows), terminator: "")
            print(
                "\(letters.count) shown; \(try await store.deadLetterCount(pending: true)) pending of \(try await store.deadLetterCount()) in \(store.location)"
            )
        }
    }

    struct Show: AsyncParsableCommand {
        static let configuration = CommandConfiguration(abstract: "Show one dead letter with its raw body.")
        @OptionGroup var options: StoreOptions
        @Argument(help: "The dead letter's id (from `dlq list`).") var id: Int64

        func run() async throws {
            let store = try await options.open()
            guard let letter = try await store.deadLetter(id: id) else {
                throw CLIError("no dead letter \(id) in \(store.location) (see `tributary dlq list`)")
            }
            print("id:         \(id)")
            print("created:    \(letter.createdAt.rfc3339)")
            print("source:     \(letter.source)")
            print("endpoint:   \(letter.endpoint)")
            print("holds:      \(letter.kindName)")
            print("state:      \(letter.state)")
            if let replayed = letter.replayedAt { print("replayed:   \(replayed.rfc3339)") }
            if let resolved = letter.resolvedAt { print("resolved:   \(resolved.rfc3339): \(letter.resolution ?? "")") }
            print("reason:     \(letter.reason)")
            switch letter.payload {
            case .record(let row):
                print("identity:   \(row.kind) \(row.symbol) \(row.naturalKey) (\(row.contentHash))")
                print("record:")
                print(row.line)
            case .row(let file, let line, let raw):
                print("row:        \(file):\(line)")
                print(Self.printable(raw))
            case .response(let call, let status, let body):
                print(
                    "call:       \(call.endpoint) symbols=\(call.symbols.joined(separator: ",")) \(call.parameters.sorted { $0.key < $1.key }.map { "\($0.key)=\($0.value)" }.joined(separator: " "))"
                )
                print("status:     \(status)")
                print("body (\(body.count) bytes):")
                print(Self.printable(body))
            }
        }

        /// The body as text when it is UTF-8, else a hex dump of its start.
        static func printable(_ body: [UInt8]) -> String {
            if let text = String(validating: body, as: UTF8.self) { return text }
            return body.prefix(512).map { String(format: "%02x", $0) }.joined(separator: " ") + (body.count > 512 ? " …" : "") + "  (not UTF-8; hex)"
        }
    }

    struct Replay: AsyncParsableCommand {
        static let configuration = CommandConfiguration(
            abstract: "Replay dead letters into the store: records as kept, responses decoded again by the current connector.")
        @OptionGroup var options: StoreOptions
        @Argument(help: "Ids to replay; none with --all replays every pending one.") var ids: [Int64] = []
        @Flag(help: "Replay every pending dead letter (of --source, if given).") var all = false
        @Option(help: "With --all: only this source.", completion: Completions.sources) var source: String?
        @Flag(help: "Replay even if already replayed.") var force = false

        func validate() throws {
            if ids.isEmpty && !all { throw ValidationError("name dead-letter ids, or pass --all") }
            if !ids.isEmpty && all { throw ValidationError("pass either ids or --all, not both") }
        }

        func run() async throws {
            let store = try await options.open()
            let environment = try await RuntimeEnvironment.load()
            let catalog = SourceCatalog(directories: SourceDirectories.search(environment: environment))
            let replay = DeadLetterReplay(store: store) { source in try? catalog.connector(for: source, environment: environment) }
            var letters: [DeadLetter] = []
            if all {
                letters = try await store.deadLetters(limit: Int.max, source: source, pending: !force).reversed()
            } else {
                for id in ids {
                    guard let letter = try await store.deadLetter(id: id) else { throw CLIError("no dead letter \(id) in \(store.location)") }
                    letters.append(letter)
                }
            }
            var (stored, unchanged, failing, skipped) = (0, 0, 0, 0)
            for letter in letters {
                switch await replay.replay(letter, force: force) {
                case .stored(let result):
                    stored += result.inserted + result.updated
                    unchanged += result.unchanged
                    print("\(letter.id ?? 0): replayed (\(result.inserted) new, \(result.updated) changed, \(result.unchanged) already stored)")
                case .stillFailing(let reason):
                    failing += 1
                    print("\(letter.id ?? 0): still failing: \(reason)")
                case .alreadyReplayed:
                    skipped += 1
                    print("\(letter.id ?? 0): already replayed at \(letter.replayedAt?.rfc3339 ?? "?") (use --force to replay again)")
                }
            }
            print(
                "replayed \(letters.count - failing - skipped) of \(letters.count): \(stored) records stored, \(unchanged) already there, \(failing) still failing, \(skipped) skipped"
            )
            if failing > 0 { throw ExitCode(1) }
        }
    }

    struct Resolve: AsyncParsableCommand {
        static let configuration = CommandConfiguration(
            abstract: "Mark pending dead letters resolved (kept, with the note, until deleted): what a replay or re-import will not fix.")
        @OptionGroup var options: StoreOptions
        @Argument(help: "Ids to resolve; none with --all resolves every pending one of --source.") var ids: [Int64] = []
        @Flag(help: "Resolve every pending dead letter of --source.") var all = false
        @Option(help: "With --all: the source whose dead letters to resolve.", completion: Completions.sources) var source: String?
        @Option(help: "Why (kept with each dead letter).") var note = "resolved by hand"

        func validate() throws {
            if ids.isEmpty && !all { throw ValidationError("name dead-letter ids, or pass --all --source NAME") }
            if !ids.isEmpty && all { throw ValidationError("pass either ids or --all, not both") }
            if all && source == nil { throw ValidationError("--all needs --source NAME (one source at a time, so nothing is settled by accident)") }
        }

        func run() async throws {
            let store = try await options.open()
            var targets = ids
            if all { targets = try await store.deadLetters(limit: Int.max, source: source, pending: true).compactMap(\.id) }
            let resolved = try await store.resolveDeadLetters(targets.map { DeadLetterResolution(id: $0, note: note) }, at: .now())
            print("resolved \(resolved) of \(targets.count) dead letter(s) in \(store.location)")
            if resolved < targets.count {
                print("the others were already replayed or resolved, or do not exist (see `tributary dlq list`)")
                if !all { throw ExitCode(1) }
            }
        }
    }

    struct Delete: AsyncParsableCommand {
        static let configuration = CommandConfiguration(abstract: "Delete dead letters: by id, or every settled (replayed or resolved) one.")
        @OptionGroup var options: StoreOptions
        @Argument(help: "Ids to delete (pending ones too).") var ids: [Int64] = []
        @Flag(help: "Delete every replayed or resolved dead letter (of --source, if given); pending ones stay.") var settled = false
        @Option(help: "With --settled: only this source.", completion: Completions.sources) var source: String?

        func validate() throws {
            if ids.isEmpty && !settled { throw ValidationError("name dead-letter ids, or pass --settled") }
            if !ids.isEmpty && settled { throw ValidationError("pass either ids or --settled, not both") }
        }

        func run() async throws {
            let store = try await options.open()
            if settled {
                let deleted = try await store.deleteSettledDeadLetters(source: source)
                print("deleted \(deleted) settled dead letter(s)\(source.map { " of \($0)" } ?? "") from \(store.location)")
                return
            }
            let deleted = try await store.deleteDeadLetters(ids: ids)
            print("deleted \(deleted) of \(ids.count) dead letter(s) from \(store.location)")
            if deleted < ids.count { throw CLIError("\(ids.count - deleted) of the ids named no dead letter (see `tributary dlq list`)") }
        }
    }
}
