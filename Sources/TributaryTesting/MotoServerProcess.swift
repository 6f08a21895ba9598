import Foundation
import Synchronization
import Transport

#if canImport(Glibc)
    import Glibc
#endif

/// A real S3-compatible server — moto's `moto_server`, from PyPI in the venv `make test`
/// makes (`.venv-s3`) — on a loopback port, for the bucket import tests; stopped by PID.
/// Objects are put and deleted with boto3 from the same venv, an S3 client independent of ours.
public final class MotoServerProcess: Sendable {
    public let port: Int
    private let process: Mutex<Process?> = Mutex(nil)
    private let bin: String

    public struct Unavailable: Error, CustomStringConvertible {
        public var description: String
    }

    /// `TRIBUTARY_MOTO_SERVER`, else the package's `.venv-s3/bin/moto_server`, else one on PATH.
    public static var executable: String? {
        let venv = PackageRoot.url.appendingPathComponent(".venv-s3/bin/moto_server").path
        if ProcessInfo.processInfo.environment["TRIBUTARY_MOTO_SERVER"] == nil, FileManager.default.isExecutableFile(atPath: venv) { return venv }
        return ExternalTool.find(["moto_server"], override: "TRIBUTARY_MOTO_SERVER")
    }

    public var endpoint: String { "http://127.0.0.1:\(port)" }

    /// Starts a server and waits (bounded) until it answers.
    public init() throws {
        guard let executable = Self.executable else {
            throw Unavailable(description: "moto_server is not installed (make test installs moto[server] into .venv-s3)")
        }
        bin = URL(fileURLWithPath: executable).deletingLastPathComponent().path
        port = try LoopbackPort.free()
        let process = Process()
        process.executableURL = URL(fileURLWithPath: executable)
        process.arguments = ["-H", "127.0.0.1", "-p", String(port)]
        process.standardOutput = FileHandle.nullDevice
        process.standardError = FileHandle.nullDevice
        try process.run()
        self.process.withLock { $0 = process }
        let deadline = Date().addingTimeInterval(60)
        while Date() < deadline {
            if (try? boto("list_buckets")) != nil { return }
            guard process.isRunning else { break }
            Thread.sleep(forTimeInterval: 0.2)
        }
        stop()
        throw Unavailable(description: "moto_server did not answer on port \(port)")
    }

    /// Runs one boto3 S3 call against the server: `op` with `arguments` as keyword arguments,
    /// `Body` read from the file named by `bodyFile`.
    @discardableResult
    public func boto(_ op: String, _ arguments: [String: String] = [:], bodyFile: String? = nil) throws -> String {
        let script = """
            import json, sys, boto3
            s3 = boto3.client("s3", endpoint_url=sys.argv[1], region_name="us-east-1", aws_access_key_id="test", aws_secret_access_key="test")
            kwargs = json.loads(sys.argv[3])
            if len(sys.argv) > 4:
                kwargs["Body"] = open(sys.argv[4], "rb").read()
            result = getattr(s3, sys.argv[2])(**kwargs)
            print(json.dumps(result.get("ETag", "")))
            """
        let json = String(decoding: try JSONSerialization.data(withJSONObject: arguments), as: UTF8.self)
        var argv = ["-c", script, endpoint, op, json]
        if let bodyFile { argv.append(bodyFile) }
        let (status, output) = try ExternalTool.run(bin + "/python3", argv)
        guard status == 0 else { throw Unavailable(description: "boto3 \(op) failed: \(output)") }
        return output
    }

    public func makeBucket(_ name: String) throws { try boto("create_bucket", ["Bucket": name]) }

    public func put(_ bucket: String, _ key: String, file: String) throws { try boto("put_object", ["Bucket": bucket, "Key": key], bodyFile: file) }

    public func delete(_ bucket: String, _ key: String) throws { try boto("delete_object", ["Bucket": bucket, "Key": key]) }

    /// Stops it (SIGTERM, then SIGKILL after 5 s).
    public func stop() {
        guard
            let process = process.withLock({ current -> Process? in
                defer { current = nil }
                return current
            })
        else { return }
        kill(process.processIdentifier, SIGTERM)
        let deadline = Date().addingTimeInterval(5)
        while process.isRunning, Date() < deadline { Thread.sleep(forTimeInterval: 0.05) }
        if process.isRunning { kill(process.processIdentifier, SIGKILL) }
        process.waitUntilExit()
    }

    deinit { stop() }
}
