import Foundation
import Testing
import TributaryTesting

/// The Dockerfile's runtime stage has every shared library the binary loads. Docker cannot run
/// here, so the check is the next best thing: `ldd` on the built binary, each library's Debian
/// package (`dpkg -S`), and that package installed by the runtime stage's `apt-get install`
/// line or pulled in by one of its packages (`apt-cache depends --recurse`).
@Suite struct ContainerImageTests {
    let dockerfile = PackageRoot.url.appendingPathComponent("Dockerfile").path

    /// The packages the runtime stage installs, and the build stage's `swift build` line.
    func stages() throws -> (runtimePackages: [String], build: String, runtime: String) {
        let text = try String(contentsOfFile: dockerfile, encoding: .utf8).replacingOccurrences(of: "\\\n", with: " ")
        let parts = text.components(separatedBy: "\nFROM ")
        let build = try #require(parts.first { $0.contains("AS build") })
        let runtime = try #require(parts.first { $0.contains("AS runtime") })
        let install = try #require(runtime.split(separator: "\n").first { $0.contains("apt-get install") })
        let words = install.split(separator: " ").map(String.init)
        let start = try #require(words.firstIndex(of: "install"))
        let packages = words[(start + 1)...].prefix { $0 != "&&" }.filter { !$0.hasPrefix("-") }
        return (Array(packages), build, runtime)
    }

    @Test func theRuntimeStageIsSlimNonRootAndChecksHealth() throws {
        let (_, build, runtime) = try stages()
        #expect(build.contains("--static-swift-stdlib"), "the runtime stage has no Swift runtime: link it in")
        #expect(runtime.hasPrefix("debian:bookworm-slim"))
        #expect(runtime.contains("USER tributary") && !runtime.contains("USER root"))
        #expect(runtime.contains("HEALTHCHECK") && runtime.contains("http://127.0.0.1:8080/health"))
        #expect(runtime.contains(#"VOLUME ["/data"]"#))
        #expect(runtime.contains("TRIBUTARY_HTTP_HOST=0.0.0.0"))
    }

    @Test func everyLibraryTheBinaryLoadsIsInstalledByTheRuntimeStage() throws {
        let (listed, _, _) = try stages()
        #expect(listed.contains("libcurl4") && listed.contains("libsqlite3-0"))
        let ldd = try ExternalTool.run("/usr/bin/ldd", [Tributary.executable.path])
        #expect(ldd.status == 0, "\(ldd.output)")
        var libraries: [String] = []
        for line in ldd.output.split(separator: "\n") {
            // `libcurl.so.4 => /lib/x86_64-linux-gnu/libcurl.so.4 (0x…)`, or the loader's own line.
            let fields = line.split(separator: " ").map(String.init)
            guard let arrow = fields.firstIndex(of: "=>"), arrow + 1 < fields.count, fields[arrow + 1].hasPrefix("/") else { continue }
            let path = fields[arrow + 1]
            // The Swift runtime and Foundation are linked in by --static-swift-stdlib.
            if path.contains("/swift/linux/") { continue }
            libraries.append(path)
        }
        #expect(libraries.count >= 10, "\(ldd.output)")
        let depends = try ExternalTool.run(
            "/usr/bin/apt-cache",
            [
                "depends", "--recurse", "--no-recommends", "--no-suggests", "--no-conflicts",
                "--no-breaks", "--no-replaces", "--no-enhances",
            ] + listed)
        #expect(depends.status == 0, "\(depends.output)")
        let installed = Set(
            listed
                + depends.output.split(separator: "\n").filter { !$0.hasPrefix(" ") && !$0.hasPrefix("<") }
                .map { String($0).components(separatedBy: ":").first ?? String($0) })
        for library in libraries {
            let package = try Self.package(owning: library)
            #expect(package.map(installed.contains) == true, "\(library) (\(package ?? "no package")) is not installed by the runtime stage")
        }
    }

    /// The Debian package that holds `path` (tried as given, resolved, and under /usr for merged /lib).
    static func package(owning path: String) throws -> String? {
        let resolved = URL(fileURLWithPath: path).resolvingSymlinksInPath().path
        for candidate in [path, resolved, "/usr" + path, "/usr" + resolved] {
            let found = try ExternalTool.run("/usr/bin/dpkg", ["-S", candidate])
            if found.status == 0, let line = found.output.split(separator: "\n").first, let name = line.split(separator: ":").first {
                return String(name)
            }
        }
        return nil
    }
}
