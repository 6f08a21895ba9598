import SourceS3
import Testing

/// The standard chain: environment first, then the profile in the credentials file, then in
/// the config file; a clear error naming what to set when there is nothing.
@Suite struct AWSCredentialChainTests {
    static let files: [String: String] = [
        "/home/u/.aws/credentials": """
        # comment
        [default]
        aws_access_key_id = AKIDDEFAULT
        aws_secret_access_key = secretdefault

        [trading]
        AWS_ACCESS_KEY_ID=AKIDTRADING
        aws_secret_access_key= secrettrading
        aws_session_token = tokentrading
        """,
        "/home/u/.aws/config": """
        [default]
        region = eu-central-1
        [profile research]
        region = ap-south-1
        aws_access_key_id = AKIDRESEARCH
        aws_secret_access_key = secretresearch
        """,
    ]

    static func chain(_ environment: [String: String]) -> AWSCredentialChain {
        AWSCredentialChain(environment: ["HOME": "/home/u"].merging(environment) { $1 }) { files[$0] }
    }

    @Test func theEnvironmentComesFirst() throws {
        let credentials = try Self.chain(["AWS_ACCESS_KEY_ID": "AKIDENV", "AWS_SECRET_ACCESS_KEY": "secretenv", "AWS_SESSION_TOKEN": "t"]).resolve()
        #expect(credentials.accessKeyID == "AKIDENV")
        #expect(credentials.sessionToken == "t")
        #expect(credentials.origin == "environment")
    }

    @Test func aKeyWithoutItsSecretIsNamed() {
        #expect(throws: AWSCredentialChain.Missing.self) { try Self.chain(["AWS_ACCESS_KEY_ID": "AKIDENV"]).resolve() }
    }

    @Test func theDefaultProfile() throws {
        let credentials = try Self.chain([:]).resolve()
        #expect(credentials.accessKeyID == "AKIDDEFAULT")
        #expect(credentials.secretAccessKey == "secretdefault")
        #expect(credentials.sessionToken == nil)
        #expect(Self.chain([:]).region() == "eu-central-1")
    }

    @Test func aNamedProfileWithKeysInAnyCase() throws {
        let credentials = try Self.chain(["AWS_PROFILE": "trading"]).resolve()
        #expect(credentials.accessKeyID == "AKIDTRADING")
        #expect(credentials.secretAccessKey == "secrettrading")
        #expect(credentials.sessionToken == "tokentrading")
        #expect(credentials.origin.contains("trading"))
    }

    @Test func aProfileOnlyInTheConfigFile() throws {
        let chain = Self.chain(["AWS_PROFILE": "research"])
        #expect(try chain.resolve().accessKeyID == "AKIDRESEARCH")
        #expect(chain.region() == "ap-south-1")
        #expect(Self.chain(["AWS_PROFILE": "research", "AWS_REGION": "us-west-2"]).region() == "us-west-2")
    }

    @Test func nothingAnywhere() {
        do {
            _ = try Self.chain(["AWS_PROFILE": "nobody"]).resolve()
            Issue.record("resolved")
        } catch {
            #expect("\(error)".contains("AWS_ACCESS_KEY_ID"))
            #expect("\(error)".contains("[nobody]"))
        }
    }

    @Test func otherFilesByEnvironment() throws {
        let chain = AWSCredentialChain(environment: ["AWS_SHARED_CREDENTIALS_FILE": "/etc/creds"]) {
            $0 == "/etc/creds" ? "[default]\naws_access_key_id=AKIDFILE\naws_secret_access_key=s\n" : nil
        }
        #expect(try chain.resolve().accessKeyID == "AKIDFILE")
    }
}
