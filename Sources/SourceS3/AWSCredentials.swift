import Foundation

/// An access key pair (and a session token for temporary credentials). Its description never
/// shows the secret or the token, so it can be logged or put in an error as it is.
public struct AWSCredentials: Sendable, Hashable, CustomStringConvertible {
    public var accessKeyID: String
    public var secretAccessKey: String
    public var sessionToken: String?
    /// Where they came from (`environment`, `profile default in ~/.aws/credentials`), for messages.
    public var origin: String

    public init(accessKeyID: String, secretAccessKey: String, sessionToken: String? = nil, origin: String = "given") {
        self.accessKeyID = accessKeyID
        self.secretAccessKey = secretAccessKey
        self.sessionToken = sessionToken
        self.origin = origin
    }

    public var description: String {
        "access key \(accessKeyID.prefix(4))…\(sessionToken == nil ? "" : " with a session token") (from \(origin))"
    }
}

/// The standard credential chain, as the AWS CLI and SDKs resolve it: `AWS_ACCESS_KEY_ID` /
/// `AWS_SECRET_ACCESS_KEY` (/ `AWS_SESSION_TOKEN`) first, then the profile `AWS_PROFILE` (or
/// `default`) in the shared credentials file (`AWS_SHARED_CREDENTIALS_FILE`, else
/// `~/.aws/credentials`), then the same profile in the config file (`AWS_CONFIG_FILE`, else
/// `~/.aws/config`, where it is headed `[profile NAME]`). The region comes from `AWS_REGION`,
/// `AWS_DEFAULT_REGION`, or the profile's `region`.
public struct AWSCredentialChain: Sendable {
    public var environment: [String: String]
    /// Reads a file's text, or nil when it does not exist (injected for tests).
    public var readFile: @Sendable (String) -> String?

    public init(environment: [String: String], readFile: @escaping @Sendable (String) -> String?) {
        self.environment = environment
        self.readFile = readFile
    }

    public struct Missing: Error, Sendable, CustomStringConvertible {
        public var description: String
    }

    public var profileName: String { nonEmpty("AWS_PROFILE") ?? nonEmpty("AWS_DEFAULT_PROFILE") ?? "default" }

    public func resolve() throws -> AWSCredentials {
        if let key = nonEmpty("AWS_ACCESS_KEY_ID") {
            guard let secret = nonEmpty("AWS_SECRET_ACCESS_KEY") else {
                throw Missing(description: "AWS_ACCESS_KEY_ID is set but AWS_SECRET_ACCESS_KEY is not; set both (or neither, to use a profile)")
            }
            return AWSCredentials(accessKeyID: key, secretAccessKey: secret, sessionToken: nonEmpty("AWS_SESSION_TOKEN"), origin: "environment")
        }
        let profile = profileName
        for (path, section) in [(credentialsPath, profile), (configPath, profile == "default" ? "default" : "profile \(profile)")] {
            guard let text = readFile(path), let values = AWSProfileFile.parse(text)[section] else { continue }
            guard let key = values["aws_access_key_id"], let secret = values["aws_secret_access_key"] else { continue }
            return AWSCredentials(accessKeyID: key, secretAccessKey: secret, sessionToken: values["aws_session_token"], origin: "profile \(profile) in \(path)")
        }
        throw Missing(
            description:
                "no AWS credentials: set AWS_ACCESS_KEY_ID and AWS_SECRET_ACCESS_KEY, or put a [\(profile)] section with aws_access_key_id and aws_secret_access_key in \(credentialsPath)"
        )
    }

    /// The region to sign for, or nil when nothing names one.
    public func region() -> String? {
        if let region = nonEmpty("AWS_REGION") ?? nonEmpty("AWS_DEFAULT_REGION") { return region }
        let profile = profileName
        let section = profile == "default" ? "default" : "profile \(profile)"
        return readFile(configPath).flatMap { AWSProfileFile.parse($0)[section]?["region"] }
    }

    var credentialsPath: String { nonEmpty("AWS_SHARED_CREDENTIALS_FILE") ?? home + "/.aws/credentials" }
    var configPath: String { nonEmpty("AWS_CONFIG_FILE") ?? home + "/.aws/config" }
    private var home: String { nonEmpty("HOME") ?? "~" }

    private func nonEmpty(_ name: String) -> String? {
        guard let value = environment[name]?.trimmingCharacters(in: .whitespaces), !value.isEmpty else { return nil }
        return value
    }
}
