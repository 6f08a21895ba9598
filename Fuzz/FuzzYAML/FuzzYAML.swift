import Connectors
import Features

/// The YAML loaders — Sources.d, normalization rules, pinned CSV schemas, Features.d — on
/// arbitrary text: a definition or located problems, never a trap.
let known = ConnectorRegistry.knownConnectors

@_cdecl("LLVMFuzzerTestOneInput")
public func fuzzYAML(_ start: UnsafePointer<UInt8>, _ count: Int) -> CInt {
    let text = String(decoding: UnsafeBufferPointer(start: start, count: count), as: UTF8.self)
    _ = SourceDefinitionLoader.parse(text, file: "fuzz.yaml", knownConnectors: known)
    _ = NormalizationRulesLoader.parse(text, file: "rules.yaml")
    _ = CSVSchemaLoader.parse(text, file: "schema.yaml")
    _ = FeatureSetLoader.parse(text, file: "set.yaml")
    return 0
}
