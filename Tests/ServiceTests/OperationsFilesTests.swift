import Foundation
import Service
import Testing
import TributaryCore
import TributaryTesting

/// The shipped alert rules and Grafana dashboard: valid for the tools that load them, and
/// naming only metric families Tributary exports.
@Suite struct OperationsFilesTests {
    let prometheus = PackageRoot.url.appendingPathComponent("Docs/prometheus").path
    let dashboardPath = PackageRoot.url.appendingPathComponent("Docs/grafana/tributary.json").path

    @Test func alertRulesPassPromtoolCheckAndTheirUnitTests() throws {
        let check = try Promtool.run(["check", "rules", "alerts.yml"], in: prometheus)
        #expect(check.status == 0, "\(check.output)")
        #expect(check.output.contains("SUCCESS: 12 rules found"), "\(check.output)")
        let tests = try Promtool.run(["test", "rules", "alerts.test.yml"], in: prometheus)
        #expect(tests.status == 0, "\(tests.output)")
        #expect(tests.output.contains("SUCCESS"), "\(tests.output)")
    }

    @Test func everyAlertHasATestThatFiresIt() throws {
        let rules = try String(contentsOfFile: prometheus + "/alerts.yml", encoding: .utf8)
        let tests = try String(contentsOfFile: prometheus + "/alerts.test.yml", encoding: .utf8)
        let alerts = Self.matches(#"- alert: (\w+)"#, in: rules)
        #expect(alerts.count == 12)
        for alert in alerts {
            // A test with expected alerts (not only `exp_alerts: []`) names the alert right before them.
            #expect(tests.contains("alertname: \(alert)\n        exp_alerts:\n          - exp_labels"), "no firing test for \(alert)")
        }
    }

    @Test func alertsAndDashboardNameOnlyExportedFamilies() throws {
        let rules = try String(contentsOfFile: prometheus + "/alerts.yml", encoding: .utf8)
        let dashboard = try String(contentsOfFile: dashboardPath, encoding: .utf8)
        let named = Set(Self.matches(#"(ingestion_[a-z0-9_]+)"#, in: rules + dashboard).map(Self.family))
        #expect(named.count >= 20, "\(named.sorted())")
        for family in named.sorted() {
            #expect(!MetricCatalog.help(for: family).isEmpty, "\(family) is not a family /metrics exports (MetricCatalog)")
        }
    }

    @Test func dashboardIsGrafanaJSONWithATargetOnEveryPanel() throws {
        let json = try JSONParser.parse(Array(try Data(contentsOf: URL(fileURLWithPath: dashboardPath))))
        #expect(json["uid"] == .string("tributary"))
        #expect(json["__inputs"]?.arrayValue?.first?["name"] == .string("DS_PROMETHEUS"))
        let panels = try #require(json["panels"]?.arrayValue)
        var ids = Set<String>()
        for panel in panels {
            let id = try #require(panel["id"]?.decimalValue?.description)
            #expect(ids.insert(id).inserted, "panel id \(id) twice")
            guard panel["type"] != .string("row") else { continue }
            let targets = try #require(panel["targets"]?.arrayValue, "\(panel["title"] ?? .null)")
            #expect(!targets.isEmpty)
            for target in targets {
                #expect(target["expr"]?.stringValue?.contains("ingestion_") == true)
                #expect(target["datasource"]?["uid"] == .string("${DS_PROMETHEUS}"))
            }
        }
        #expect(panels.count >= 15)
    }

    /// A histogram's series name the family: `_bucket`, `_sum`, `_count` go.
    static func family(_ name: String) -> String {
        for suffix in ["_bucket", "_sum", "_count"] where name.hasSuffix(suffix) && MetricCatalog.help(for: name).isEmpty {
            return String(name.dropLast(suffix.count))
        }
        return name
    }

    static func matches(_ pattern: String, in text: String) -> [String] {
        let regex = try! NSRegularExpression(pattern: pattern)
        return regex.matches(in: text, range: NSRange(text.startIndex..., in: text)).compactMap { match in
            Range(match.range(at: 1), in: text).map { String(text[$0]) }
        }
    }
}
