// swift-tools-version: 6.1
import PackageDescription

/// Settings every Tributary target shares: Swift 6 mode with strict concurrency
/// (the default in Swift 6) and the upcoming features Hummingbird enables.
let swiftSettings: [SwiftSetting] = [
    .enableUpcomingFeature("ExistentialAny"),
    .enableUpcomingFeature("MemberImportVisibility"),
]

let package = Package(
    name: "tributary",
    platforms: [.macOS(.v15)],
    products: [
        .executable(name: "tributary", targets: ["tributary"]),
        .library(name: "TributaryCore", targets: ["TributaryCore"]),
        .library(name: "Resilience", targets: ["Resilience"]),
        .library(name: "Transport", targets: ["Transport"]),
        .library(name: "Connectors", targets: ["Connectors"]),
        .library(name: "Pipeline", targets: ["Pipeline"]),
        .library(name: "StoreSQLite", targets: ["StoreSQLite"]),
        .library(name: "StorePostgres", targets: ["StorePostgres"]),
        .library(name: "BusNATS", targets: ["BusNATS"]),
        .library(name: "SourceS3", targets: ["SourceS3"]),
        .library(name: "Features", targets: ["Features"]),
        .library(name: "Engine", targets: ["Engine"]),
        .library(name: "Service", targets: ["Service"]),
        .library(name: "MockMarket", targets: ["MockMarket"]),
        .library(name: "TributaryTesting", targets: ["TributaryTesting"]),
    ],
    traits: [
        .trait(
            name: "OpenTelemetry",
            description:
                "Export spans over OTLP/HTTP (swift-otel) when OTEL_EXPORTER_OTLP_ENDPOINT is set. On by default; --disable-default-traits builds without it (saves about 40 s of a first debug build on 2 cores, see README)."
        ),
        .default(enabledTraits: ["OpenTelemetry"]),
    ],
    dependencies: [
        .package(url: "https://github.com/apple/swift-argument-parser", from: "1.8.2"),
        .package(url: "https://github.com/apple/swift-crypto", from: "3.12.3"),
        .package(url: "https://github.com/apple/swift-collections", from: "1.6.0"),
        .package(url: "https://github.com/apple/swift-metrics", from: "2.13.0"),
        .package(url: "https://github.com/HdrHistogram/hdrhistogram-swift", from: "0.2.0"),
        .package(url: "https://github.com/hummingbird-project/hummingbird", from: "2.28.1"),
        .package(url: "https://github.com/swift-server/swift-service-lifecycle", from: "2.13.0"),
        .package(url: "https://github.com/jpsim/Yams", from: "6.2.2"),
        .package(url: "https://github.com/apple/swift-configuration", from: "1.4.0", traits: [.defaults, "YAML"]),
        .package(url: "https://github.com/swift-server/swift-prometheus", from: "2.4.1"),
        .package(url: "https://github.com/apple/swift-distributed-tracing", from: "1.1.0"),
        .package(url: "https://github.com/apple/swift-http-types", from: "1.0.0"),
        .package(url: "https://github.com/apple/swift-nio", from: "2.80.0"),
        .package(url: "https://github.com/apple/swift-protobuf", from: "1.39.0"),
        .package(url: "https://github.com/apple/swift-log", from: "1.16.2"),
        .package(url: "https://github.com/groue/GRDB.swift", from: "7.10.0"),
        .package(url: "https://github.com/vapor/postgres-nio", from: "1.33.2"),
        .package(url: "https://github.com/apple/swift-nio-ssl", from: "2.37.6"),
        // OTLP/HTTP only: the gRPC exporter would add grpc-swift to every build.
        .package(url: "https://github.com/swift-otel/swift-otel", from: "1.6.0", traits: ["OTLPHTTP"]),
    ],
    targets: [
        // The NATS C client (Debian's libnats-dev) for the JetStream bus adapter.
        .systemLibrary(
            name: "CNATS",
            pkgConfig: "libnats",
            providers: [.apt(["libnats-dev"])]
        ),
        .systemLibrary(
            name: "CCurl",
            pkgConfig: "libcurl",
            providers: [.apt(["libcurl4-openssl-dev"])]
        ),
        // SHA-256 in one call without allocation (the content hash of every record).
        .target(name: "CSHA256"),
        .target(
            name: "TributaryCore",
            dependencies: ["CSHA256", .product(name: "Crypto", package: "swift-crypto")],
            swiftSettings: swiftSettings
        ),
        .target(
            name: "Resilience",
            dependencies: ["TributaryCore"],
            swiftSettings: swiftSettings
        ),
        .target(
            name: "Transport",
            dependencies: ["CCurl", "TributaryCore"],
            swiftSettings: swiftSettings
        ),
        .target(
            name: "Connectors",
            dependencies: ["TributaryCore", .product(name: "Yams", package: "Yams")],
            swiftSettings: swiftSettings
        ),
        // The storage ports and what crosses them; imports no database.
        .target(
            name: "Pipeline",
            dependencies: ["TributaryCore"],
            swiftSettings: swiftSettings
        ),
        // The embedded SQLite adapter (GRDB): the only target that links SQLite.
        .target(
            name: "StoreSQLite",
            dependencies: [
                "Pipeline", "TributaryCore", .product(name: "GRDB", package: "GRDB.swift"),
                .product(name: "GRDBSQLite", package: "GRDB.swift"),
            ],
            swiftSettings: swiftSettings
        ),
        // The PostgreSQL adapter (postgres-nio): the only target that speaks to PostgreSQL.
        .target(
            name: "StorePostgres",
            dependencies: [
                "Pipeline", "TributaryCore",
                .product(name: "PostgresNIO", package: "postgres-nio"),
                .product(name: "NIOSSL", package: "swift-nio-ssl"),
                .product(name: "NIOCore", package: "swift-nio"),
                .product(name: "Logging", package: "swift-log"),
            ],
            swiftSettings: swiftSettings
        ),
        // The NATS JetStream bus adapter (libnats): the only target that speaks to NATS.
        .target(
            name: "BusNATS",
            dependencies: ["CNATS", "Pipeline", "TributaryCore"],
            swiftSettings: swiftSettings
        ),
        // The S3 object-store adapter (SigV4 over the libcurl transport's port): the only target that speaks S3.
        .target(
            name: "SourceS3",
            dependencies: ["Pipeline", "TributaryCore", .product(name: "Crypto", package: "swift-crypto")],
            swiftSettings: swiftSettings
        ),
        // Windowed features: pure window state machines, watermarks, feature sets (Features.d).
        .target(
            name: "Features",
            dependencies: [
                "Pipeline", "TributaryCore", "Connectors", .product(name: "Yams", package: "Yams"),
                .product(name: "DequeModule", package: "swift-collections"), .product(name: "CoreMetrics", package: "swift-metrics"),
            ],
            swiftSettings: swiftSettings
        ),
        // The composition root: settings → adapters. The only target that names an adapter.
        .target(
            name: "App",
            dependencies: ["Pipeline", "StoreSQLite", "StorePostgres", "BusNATS", "SourceS3", "TributaryCore"],
            swiftSettings: swiftSettings
        ),
        .target(
            name: "Engine",
            dependencies: [
                "TributaryCore", "Transport", "Connectors", "Resilience", "Pipeline",
                .product(name: "Histogram", package: "hdrhistogram-swift"),
                .product(name: "CoreMetrics", package: "swift-metrics"),
                .product(name: "DequeModule", package: "swift-collections"),
                .product(name: "ServiceLifecycle", package: "swift-service-lifecycle"),
                .product(name: "Logging", package: "swift-log"),
                .product(name: "SwiftProtobuf", package: "swift-protobuf"),
                .product(name: "Tracing", package: "swift-distributed-tracing"),
            ],
            exclude: ["Push/Proto/event.proto"],
            swiftSettings: swiftSettings
        ),
        .target(
            name: "Service",
            dependencies: [
                "Engine", "Pipeline", "TributaryCore", "Connectors",
                .product(name: "Hummingbird", package: "hummingbird"),
                .product(name: "Configuration", package: "swift-configuration"),
                .product(name: "Prometheus", package: "swift-prometheus"),
                .product(name: "CoreMetrics", package: "swift-metrics"),
                .product(name: "Logging", package: "swift-log"),
                .product(name: "ServiceLifecycle", package: "swift-service-lifecycle"),
                .product(name: "Yams", package: "Yams"),
                .product(name: "Tracing", package: "swift-distributed-tracing"),
                .product(name: "HTTPTypes", package: "swift-http-types"),
                .product(name: "NIOCore", package: "swift-nio"),
            ],
            swiftSettings: swiftSettings
        ),
        .target(
            name: "MockMarket",
            dependencies: ["TributaryCore", .product(name: "Hummingbird", package: "hummingbird"), .product(name: "Logging", package: "swift-log")],
            swiftSettings: swiftSettings
        ),
        .target(
            name: "TributaryTesting",
            dependencies: [
                "TributaryCore", "Transport", "Pipeline", "StorePostgres",
                .product(name: "PostgresNIO", package: "postgres-nio"), .product(name: "Logging", package: "swift-log"),
            ],
            swiftSettings: swiftSettings
        ),
        .executableTarget(
            name: "tributary",
            dependencies: [
                "TributaryCore", "Transport", "Connectors", "Engine", "Service", "MockMarket", "Resilience", "Pipeline", "App", "Features",
                .product(name: "ArgumentParser", package: "swift-argument-parser"),
                .product(name: "Configuration", package: "swift-configuration"),
                .product(name: "ServiceLifecycle", package: "swift-service-lifecycle"),
                .product(name: "UnixSignals", package: "swift-service-lifecycle"),
                .product(name: "Hummingbird", package: "hummingbird"),
                .product(name: "Logging", package: "swift-log"),
                .product(name: "Tracing", package: "swift-distributed-tracing"),
                .product(name: "OTel", package: "swift-otel", condition: .when(traits: ["OpenTelemetry"])),
            ],
            swiftSettings: swiftSettings
        ),
        .testTarget(name: "TributaryCoreTests", dependencies: ["TributaryCore", "CSHA256"], swiftSettings: swiftSettings),
        .testTarget(name: "BusNATSTests", dependencies: ["BusNATS", "TributaryTesting"], swiftSettings: swiftSettings),
        .testTarget(
            name: "ResilienceTests",
            dependencies: ["Resilience", "TributaryTesting"],
            swiftSettings: swiftSettings
        ),
        .testTarget(
            name: "TransportTests",
            dependencies: ["Transport", "TributaryTesting"],
            swiftSettings: swiftSettings
        ),
        .testTarget(
            name: "ConnectorsTests",
            dependencies: ["Connectors", "TributaryTesting"],
            swiftSettings: swiftSettings
        ),
        .testTarget(
            name: "EngineTests",
            dependencies: [
                "Engine", "TributaryTesting", "Resilience", "Pipeline", "StoreSQLite", "Connectors", "Transport",
                .product(name: "SwiftProtobuf", package: "swift-protobuf"),
                .product(name: "MetricsTestKit", package: "swift-metrics"),
            ],
            swiftSettings: swiftSettings
        ),
        .testTarget(
            name: "FeaturesTests",
            dependencies: ["Features", "Connectors", "Pipeline", "TributaryCore", "TributaryTesting"],
            swiftSettings: swiftSettings
        ),
        .testTarget(
            name: "StoreTests",
            dependencies: [
                "Pipeline", "StoreSQLite", "StorePostgres", "App", "TributaryTesting", "TributaryCore",
                .product(name: "GRDB", package: "GRDB.swift"), .product(name: "PostgresNIO", package: "postgres-nio"),
            ],
            swiftSettings: swiftSettings
        ),
        .testTarget(
            name: "SourceS3Tests",
            dependencies: ["SourceS3", "Pipeline", "TributaryCore", "TributaryTesting"],
            swiftSettings: swiftSettings
        ),
        .testTarget(
            name: "ServiceTests",
            dependencies: ["Service", "Engine", "Pipeline", "TributaryTesting"],
            swiftSettings: swiftSettings
        ),
        .testTarget(
            name: "MockMarketTests",
            dependencies: [
                "MockMarket", "Transport", "Connectors", "Features", "Pipeline",
                .product(name: "ServiceLifecycle", package: "swift-service-lifecycle"),
            ],
            swiftSettings: swiftSettings
        ),
        .testTarget(
            name: "EndToEndTests",
            dependencies: ["tributary", "TributaryTesting", "Transport", "Engine", "Pipeline", "StoreSQLite", "App"],
            swiftSettings: swiftSettings
        ),
    ]
)

// Benchmarks join the package only when asked for, so a plain build stays fast (Hummingbird's habit):
//   ENABLE_TRIBUTARY_BENCHMARKS=1 swift package benchmark --target DecodeBenchmarks
if Context.environment["ENABLE_TRIBUTARY_BENCHMARKS"] != nil {
    package.dependencies.append(.package(url: "https://github.com/ordo-one/benchmark", from: "1.38.1", traits: ["MallocInterposer"]))
    package.targets.append(
        .executableTarget(
            name: "DecodeBenchmarks",
            dependencies: ["Connectors", "TributaryCore", .product(name: "Benchmark", package: "benchmark")],
            path: "Benchmarks/DecodeBenchmarks",
            swiftSettings: swiftSettings,
            plugins: [.plugin(name: "BenchmarkPlugin", package: "benchmark")]
        )
    )
}

// libFuzzer harnesses join the package only when asked for (scripts/fuzz.sh, `make fuzz`), built
// with `--sanitize fuzzer --sanitize address` into .build-fuzz so the main build is untouched.
if Context.environment["ENABLE_TRIBUTARY_FUZZ"] != nil {
    let harnesses: [(name: String, dependencies: [Target.Dependency])] = [
        ("FuzzDecimalTime", ["TributaryCore"]),
        ("FuzzRetryAfter", ["Resilience", "TributaryCore"]),
        ("FuzzJSON", ["Connectors", "TributaryCore"]),
        ("FuzzYAML", ["Connectors", "Features"]),
        ("FuzzCSV", ["Engine", "TributaryCore"]),
        ("FuzzPush", ["Engine", "TributaryCore"]),
        ("FuzzWebhook", ["Engine"]),
    ]
    for harness in harnesses {
        package.targets.append(
            .executableTarget(
                name: harness.name, dependencies: harness.dependencies, path: "Fuzz/\(harness.name)",
                swiftSettings: swiftSettings + [.unsafeFlags(["-parse-as-library"])]))
    }
}
