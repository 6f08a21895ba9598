import Foundation
import Pipeline
import TributaryCore

/// The engine's state as JSON, so a backfill checkpoint can resume exactly where it stopped:
/// the open windows' events, the watermarks and the statistics' history (doubles round-trip
/// exactly through their shortest decimal text).
extension FeatureEngine {
    struct Snapshot: Codable {
        var set: String
        var version: Int
        var states: [EntityState]
        var entitiesBySource: [SourceID: [Int]]
        var newest: [SourceID: Int64]
        var emittedStep: [SourceID: Int64]
        var counters: Counters
    }

    /// Why a saved state cannot be restored.
    public struct StateMismatch: Error, CustomStringConvertible {
        public var description: String
    }

    public func encodedState() throws -> [UInt8] {
        let snapshot = Snapshot(
            set: set.name, version: set.version, states: states, entitiesBySource: entitiesBySource, newest: newest, emittedStep: emittedStep,
            counters: counters)
        let encoder = JSONEncoder()
        encoder.outputFormatting = .sortedKeys
        return Array(try encoder.encode(snapshot))
    }

    /// The engine as it was when `state` was saved; throws when it belongs to another set or version.
    public init(set: FeatureSet, restoring state: [UInt8]) throws {
        let snapshot = try JSONDecoder().decode(Snapshot.self, from: Data(state))
        guard snapshot.set == set.name, snapshot.version == set.version else {
            throw StateMismatch(description: "the saved state is of \(snapshot.set) v\(snapshot.version), not \(set.name) v\(set.version)")
        }
        self.init(set: set)
        states = snapshot.states
        positions = Dictionary(uniqueKeysWithValues: snapshot.states.enumerated().map { ($0.element.entity, $0.offset) })
        entitiesBySource = snapshot.entitiesBySource
        newest = snapshot.newest
        emittedStep = snapshot.emittedStep
        counters = snapshot.counters
    }
}
