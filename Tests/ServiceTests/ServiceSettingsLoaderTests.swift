import Foundation
import Service
import Testing

@Suite struct ServiceSettingsLoaderTests {
    func file(_ text: String) throws -> String {
        let path = NSTemporaryDirectory() + "tributary-\(UUID().uuidString).yaml"
        try text.write(toFile: path, atomically: true, encoding: .utf8)
        return path
    }

    @Test func defaultsWithNoFileAndNoEnvironment() async throws {
        let settings = try await ServiceSettingsLoader(filePath: nil, environment: [:]).load()
        #expect(settings == ServiceSettings())
        #expect(settings.shutdownDeadline == .seconds(10))
        #expect(settings.storePath == "data/tributary.sqlite")
    }

    @Test func fileValuesAreRead() async throws {
        let path = try file(
            """
            store:
              path: /tmp/x.sqlite
              batch_size: 2000
              linger: 20ms
            buffer:
              capacity: 50000
            http:
              port: 9099
            shutdown:
              deadline: 3s
            freshness:
              outlier_percent: 0.5
            latency:
              p95_target: 750ms
            """)
        let settings = try await ServiceSettingsLoader(filePath: path, environment: [:]).load()
        #expect(settings.storePath == "/tmp/x.sqlite")
        #expect(settings.storeBatchSize == 2000)
        #expect(settings.storeLinger == .milliseconds(20))
        #expect(settings.bufferCapacity == 50_000)
        #expect(settings.httpPort == 9099)
        #expect(settings.shutdownDeadline == .seconds(3))
        #expect(settings.outlierPercent == 0.5)
        #expect(settings.p95Target == .milliseconds(750))
    }

    @Test func environmentOverridesTheFile() async throws {
        let path = try file("buffer:\n  capacity: 50000\nhttp:\n  port: 9099\n")
        let settings = try await ServiceSettingsLoader(
            filePath: path, environment: ["TRIBUTARY_BUFFER_CAPACITY": "777", "TRIBUTARY_SHUTDOWN_DEADLINE": "2m", "TRIBUTARY_LATENCY_P95_TARGET": "1500ms"]
        ).load()
        #expect(settings.bufferCapacity == 777)
        #expect(settings.httpPort == 9099)
        #expect(settings.shutdownDeadline == .seconds(120))
        #expect(settings.p95Target == .milliseconds(1500))
    }

    @Test func everySettingSaysWhereItsValueCameFrom() async throws {
        let path = try file("buffer:\n  capacity: 50000\nhttp:\n  port: 9099\n")
        let loader = ServiceSettingsLoader(
            filePath: path, environment: ["TRIBUTARY_HTTP_PORT": "9100", "TRIBUTARY_STORE_LINGER": "20ms", "TRIBUTARY_BUS_URL": "nats://10.0.0.5:4222"])
        let (settings, effective) = try await loader.loadWithOrigins()
        let byKey = Dictionary(uniqueKeysWithValues: effective.map { ($0.key, $0) })
        #expect(effective.count == 22)
        #expect(byKey["push.wait_for_room"]?.value == "250ms" && settings.pushWaitForRoom == .milliseconds(250))
        #expect(byKey["bus.lease_ttl"]?.value == "10s" && byKey["bus.instance"]?.value == "")
        #expect(byKey["bus.events_per_message"]?.value == "100" && settings.busEventsPerMessage == 100)
        #expect(byKey["bus.url"] == .init(key: "bus.url", value: "nats://10.0.0.5:4222", origin: "environment variable TRIBUTARY_BUS_URL"))
        #expect(settings.busURL == "nats://10.0.0.5:4222" && settings.busReplicas == 1)
        #expect(byKey["buffer.capacity"] == .init(key: "buffer.capacity", value: "50000", origin: path))
        #expect(byKey["http.port"] == .init(key: "http.port", value: "9100", origin: "environment variable TRIBUTARY_HTTP_PORT"))
        #expect(byKey["store.linger"]?.value == "20ms" && settings.storeLinger == .milliseconds(20))
        #expect(byKey["shutdown.deadline"] == .init(key: "shutdown.deadline", value: "10s", origin: "default"))
    }

    @Test func aMisspeltVariableIsNamedWithTheSettingItMeant() {
        let loader = ServiceSettingsLoader(
            filePath: nil,
            environment: [
                "TRIBUTARY_BUFER_CAPACITY": "3", "TRIBUTARY_BUFFER_CAPACITY": "16", "TRIBUTARY_SOURCES_DIR": "/x",
                "TRIBUTARY_BINANCE_BASE_URL": "http://h", "TRIBUTARY_TEST_POSTGRES_URL": "postgres://x", "PATH": "/bin",
            ])
        let unknown = loader.unknownVariables()
        #expect(unknown == ["TRIBUTARY_BUFER_CAPACITY is not a Tributary setting and is ignored; did you mean 'TRIBUTARY_BUFFER_CAPACITY'?"])
    }

    @Test func invalidValuesNameTheirKeyOriginAndRange() async throws {
        let path = try file("buffer:\n  capacity: 0\nshutdown:\n  deadline: soon\n")
        do {
            _ = try await ServiceSettingsLoader(filePath: path, environment: ["TRIBUTARY_HTTP_PORT": "70000"]).load()
            Issue.record("expected problems")
        } catch let error as ServiceSettingsLoader.Problems {
            let byKey = Dictionary(uniqueKeysWithValues: error.problems.map { ($0.key, $0) })
            #expect(byKey.count == 3)
            #expect(byKey["buffer.capacity"]?.origin == path)
            #expect(byKey["buffer.capacity"]?.message.contains("allowed: 16…10000000") == true)
            #expect(byKey["shutdown.deadline"]?.message.contains("'soon' is not a duration") == true)
            #expect(byKey["shutdown.deadline"]?.message.contains("allowed: 1s…1h") == true)
            #expect(byKey["http.port"]?.origin == "environment variable TRIBUTARY_HTTP_PORT")
            #expect(byKey["http.port"]?.message.contains("allowed: 0…65535") == true)
        }
    }

    @Test func unknownKeysAreReportedWithASuggestion() async throws {
        let path = try file("shutdown:\n  deadlin: 5s\n")
        do {
            _ = try await ServiceSettingsLoader(filePath: path, environment: [:]).load()
            Issue.record("expected a problem")
        } catch let error as ServiceSettingsLoader.Problems {
            #expect(error.problems.count == 1)
            #expect(error.problems.first?.key == "shutdown.deadlin")
            #expect(error.problems.first?.origin == "\(path):2")
            #expect(error.description.contains("did you mean 'shutdown.deadline'?"))
        }
    }

    @Test func aMissingNamedFileIsAnError() async throws {
        await #expect(throws: ServiceSettingsLoader.Problems.self) {
            _ = try await ServiceSettingsLoader(filePath: "/nonexistent/tributary.yaml", environment: [:]).load()
        }
    }
}
