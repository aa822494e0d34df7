// Composing from http:// repos: metadata and packages over HTTP, failover to a second baseurl,
// and runs interrupted mid-download (SIGINT, SIGTERM, SIGKILL) leaving the output as it was.
import Fixtures
import Foundation
import Testing

@Suite("mox compose over HTTP")
struct ComposeHTTPTests {
    typealias W = ComposeWorld

    /// `os.repo` and `extra.repo` whose baseurls are `prefix` + the repo's folder under the world's repos/.
    func httpReposDir(in run: ComposeRun, baseURLs: (String) -> String) throws -> URL {
        let dir = run.directory.appendingPathComponent("http-repos.d")
        for id in ["os", "extra"] {
            try Fixtures.writeRepoFile(id: id, baseURL: baseURLs(id), in: dir)
        }
        return dir
    }

    func serveWorld(rpmDelay: Double = 0) throws -> FileServer {
        try FileServer(serving: try W.get().directory.appendingPathComponent("repos"), rpmDelay: rpmDelay)
    }

    @Test func composesFromAnHTTPRepoLikeFromALocalOne() throws {
        let server = try serveWorld()
        defer { server.stop() }
        let run = try ComposeRun("compose-http")
        let reposDir = try httpReposDir(in: run) { "\(server.baseURL)/\($0)" }
        let result = try run.compose(["--format", "json"], reposDir: reposDir)
        #expect(result.status == 0, "\(result.stdout)\n\(result.stderr)")
        #expect(files(under: run.output).filter { $0.hasSuffix(".rpm") } == W.expectedTree)
        let requested = server.requests
        #expect(requested.contains("/os/repodata/repomd.xml"), "\(requested)")
        #expect(requested.filter { $0.hasSuffix(".rpm") }.count == W.expectedTree.count, "each package downloaded once: \(requested)")
        let repos = try JSONDocument(result.stdout).root.at("provenance", "repos") as? [[String: Any]] ?? []
        #expect(repos.allSatisfy { ($0["baseurl"] as? String)?.hasPrefix(server.baseURL) == true }, "\(repos)")
    }

    /// https mirrors with a private CA: trusted through CURL_CA_BUNDLE, refused without it.
    @Test func composesFromAnHTTPSRepoWhoseCertificateIsTrusted() throws {
        let run = try ComposeRun("compose-https")
        let pem = try Fixtures.selfSignedCertificate(in: run.directory)
        let server = try FileServer(serving: try W.get().directory.appendingPathComponent("repos"), tls: pem)
        defer { server.stop() }
        #expect(server.baseURL.hasPrefix("https://"))
        let reposDir = try httpReposDir(in: run) { "\(server.baseURL)/\($0)" }

        let untrusted = try run.compose(reposDir: reposDir, environment: ["CURL_CA_BUNDLE": "", "SSL_CERT_FILE": ""])
        #expect(untrusted.status == 3, "an unknown certificate must be refused: \(untrusted.stderr)")
        #expect(!FileManager.default.fileExists(atPath: run.output.path))

        let trusted = try run.compose(reposDir: reposDir, environment: ["CURL_CA_BUNDLE": pem.path])
        #expect(trusted.status == 0, "\(trusted.stdout)\n\(trusted.stderr)")
        #expect(files(under: run.output).filter { $0.hasSuffix(".rpm") } == W.expectedTree)
        #expect(server.requests.contains("/os/repodata/repomd.xml"))
    }

    @Test func aDeadFirstBaseurlFailsOverToTheSecond() throws {
        let server = try serveWorld()
        defer { server.stop() }
        let dead = try FileServer.deadURL()
        let run = try ComposeRun("compose-failover")
        let reposDir = try httpReposDir(in: run) { "\(dead)/\($0),\(server.baseURL)/\($0)" }
        let result = try run.compose(["--retries", "1"], reposDir: reposDir)
        #expect(result.status == 0, "\(result.stdout)\n\(result.stderr)")
        #expect(files(under: run.output).filter { $0.hasSuffix(".rpm") } == W.expectedTree)
    }

    @Test func everyBaseurlDeadIsAnEnvironmentErrorNamingThem() throws {
        let dead = try FileServer.deadURL()
        let run = try ComposeRun("compose-dead")
        let reposDir = try httpReposDir(in: run) { "\(dead)/\($0)" }
        let result = try run.compose(["--retries", "0"], reposDir: reposDir)
        #expect(result.status == 3, "\(result.stdout)\n\(result.stderr)")
        #expect(result.stderr.contains(dead), "\(result.stderr)")
        #expect(!FileManager.default.fileExists(atPath: run.output.path))
    }

    enum Interruption: String, CaseIterable, Sendable {
        case sigint, sigterm, sigkill
        var signal: Int32 {
            switch self {
            case .sigint: SIGINT
            case .sigterm: SIGTERM
            case .sigkill: SIGKILL
            }
        }
    }

    @Test(arguments: Interruption.allCases)
    func aRunInterruptedMidDownloadLeavesThePreviousTree(_ interruption: Interruption) throws {
        let run = try ComposeRun("compose-interrupt-\(interruption.rawValue)")
        // The previous tree, of one extension, from the local repos with a cache of its own (the
        // same packages from a mirror would be "no change": where packages come from is not shipped).
        let previous = try ComposeRun("compose-interrupt-previous", yaml: "repos: [os]\nextensions:\n  usbguard:\n    packages: [usbguard]\n")
        #expect(try previous.compose(["--output", run.output.path]).status == 0)
        let before = try TreeSnapshot(run.output)

        let server = try serveWorld(rpmDelay: 1.5)
        defer { server.stop() }
        let reposDir = try httpReposDir(in: run) { "\(server.baseURL)/\($0)" }
        let process = Process()
        let argv = Fixtures.withSignalsUnblocked(
            [try Mox.binary.path, "compose"] + (try run.inputs(["--output", run.output.path], reposDir: reposDir)))
        process.executableURL = URL(fileURLWithPath: argv[0])
        process.arguments = Array(argv.dropFirst())
        let stderr = run.directory.appendingPathComponent("stderr")
        FileManager.default.createFile(atPath: stderr.path, contents: nil)
        process.standardOutput = FileHandle.nullDevice
        process.standardError = try FileHandle(forWritingTo: stderr)
        try process.run()
        defer { if process.isRunning { kill(process.processIdentifier, SIGKILL) } }
        // Mid-fetch: the first package has been asked for and is being held back by the server.
        try waitUntil(seconds: 60) { server.requests.contains { $0.hasSuffix(".rpm") } }
        Thread.sleep(forTimeInterval: 0.3)
        kill(process.processIdentifier, interruption.signal)
        try waitUntil(seconds: 30) { !process.isRunning }

        let log = (try? String(contentsOf: stderr, encoding: .utf8)) ?? ""
        if interruption == .sigkill {
            #expect(process.terminationReason == .uncaughtSignal)
        } else {
            #expect(process.terminationStatus == 128 + interruption.signal, "\(log)")
            #expect(log.contains("interrupted"), "\(log)")
            #expect(try stagingLeftovers(beside: run.output).isEmpty)
        }
        #expect(try TreeSnapshot(run.output) == before, "the previous tree, byte for byte")

        // The next run completes and leaves nothing beside the output.
        let next = try run.compose(reposDir: reposDir)
        #expect(next.status == 0, "\(next.stderr)")
        #expect(try stagingLeftovers(beside: run.output).isEmpty)
        #expect(try TreeSnapshot(run.output) != before)
    }
}

/// Polls `condition` every `interval` seconds; throws after `seconds`.
func waitUntil(seconds: Double, interval: Double = 0.05, _ condition: () -> Bool) throws {
    let deadline = Date().addingTimeInterval(seconds)
    while !condition() {
        guard Date() < deadline else { throw MoxTestError("timed out after \(seconds) s") }
        Thread.sleep(forTimeInterval: interval)
    }
}
