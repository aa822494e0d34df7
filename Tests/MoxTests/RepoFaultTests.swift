// Faults on the way to repo metadata (issue 8, items 9 and 10): errors name the repo and the URL,
// never a cache file; a dead mirror is probed once per run, not once per repo with backoff; a
// server that accepts and never answers is bounded by --timeout in check as in compose.
import Fixtures
import Foundation
import Testing

@Suite("repo metadata faults")
struct RepoFaultTests {
    typealias W = CheckWorld
    typealias Run = RepoSourceTests.Run

    static let yaml = RepoSourceTests.yaml

    func served(_ label: String, _ repos: [String]) throws -> URL {
        let root = try Fixtures.temporaryDirectory(label)
        removeAtExit(root)
        for name in repos { try makeRepo(linking: [W.solo], at: root.appendingPathComponent(name)) }
        return root
    }

    /// Cache files are named by digests; a person needs the repo and the URL.
    static func namesNoCacheFile(_ text: String) -> Bool {
        text.range(of: "[0-9a-f]{16}-repomd", options: .regularExpression) == nil && !text.contains("/metadata/")
    }

    @Test func aMissingRepomdIsNamedByRepoAndURL() throws {
        let root = try served("fault-404", ["os"])
        let server = try FileServer(serving: root)
        defer { server.stop() }
        let run = try Run("fault-404", repos: ["os": ["baseurl=\(server.baseURL)/missing/"]])
        let result = try run.mox()
        #expect(result.status == 3)
        #expect(result.stderr.contains("repo 'os'") && result.stderr.contains("\(server.baseURL)/missing/repodata/repomd.xml")
                    && result.stderr.contains("404"), "\(result.stderr)")
        #expect(Self.namesNoCacheFile(result.stderr), "\(result.stderr)")
    }

    @Test func aCorruptPrimaryOverHTTPIsNamedByRepoAndURL() throws {
        let root = try served("fault-primary", ["os"])
        let repodata = root.appendingPathComponent("os/repodata")
        let primary = try #require(try FileManager.default.contentsOfDirectory(atPath: repodata.path).first { $0.contains("primary.xml") })
        var bytes = try Data(contentsOf: repodata.appendingPathComponent(primary))
        bytes[bytes.count / 2] ^= 0xFF
        try bytes.write(to: repodata.appendingPathComponent(primary))
        let server = try FileServer(serving: root)
        defer { server.stop() }
        let run = try Run("fault-primary", repos: ["os": ["baseurl=\(server.baseURL)/os/"]])
        let result = try run.mox()
        #expect(result.status == 3)
        #expect(result.stderr.contains("repo 'os'") && result.stderr.contains("\(server.baseURL)/os/repodata/\(primary)"),
                "\(result.stderr)")
        #expect(Self.namesNoCacheFile(result.stderr), "\(result.stderr)")
    }

    @Test func aGpgkeyThatCannotBeFetchedIsNamedByRepoAndURL() throws {
        let root = try served("fault-gpgkey", ["os"])
        let server = try FileServer(serving: root)
        defer { server.stop() }
        let key = "\(server.baseURL)/keys/RPM-GPG-KEY-missing"
        let run = try Run("fault-gpgkey", repos: ["os": ["baseurl=\(server.baseURL)/os/", "gpgcheck=1", "gpgkey=\(key)"]])
        let result = try run.mox(["--output", run.check.directory.appendingPathComponent("out").path], command: "compose")
        #expect(result.status == 3)
        #expect(result.stderr.contains("repo 'os'") && result.stderr.contains(key) && result.stderr.contains("404"),
                "\(result.stderr)")
        #expect(Self.namesNoCacheFile(result.stderr) && !result.stderr.contains("-RPM-GPG-KEY-missing"), "\(result.stderr)")
    }

    /// Three repos on two arches, each with a dead first baseurl: the dead host is tried once in
    /// the run and then skipped, instead of costing every repo its retries and backoff in turn.
    @Test func aDeadFirstBaseurlIsProbedOnceAndCostsNoBackoff() throws {
        let ids = ["os", "extra", "third"]
        let root = try served("fault-dead-first", ids)
        let server = try FileServer(serving: root)
        defer { server.stop() }
        let dead = try FileServer.deadURL()
        var repos: [String: [String]] = [:]
        for id in ids { repos[id] = ["baseurl=\(dead)/\(id)/ \(server.baseURL)/\(id)/"] }
        let yaml = "repos: [os, extra, third]\nextensions:\n  single:\n    packages: [\(W.solo.name)]\n"
        let run = try Run("fault-dead-first", yaml: yaml, repos: repos)
        let empty = run.check.directory.appendingPathComponent("empty-base")
        try Data().write(to: empty)
        let argv = [try Mox.binary.path, "check", run.check.manifest.path, "--cachedir", run.check.cache.path,
                    "--repos-dir", run.reposDir.path, "--base-packages", empty.path, "--arch", "x86_64", "--arch", "aarch64"]
        let started = Date()
        let result = try Fixtures.run(argv, environment: RepoSourceTests.noProxy, allowFailure: true)
        let elapsed = Date().timeIntervalSince(started)
        #expect(result.status == 0, "\(result.stderr)")
        // Each of the 6 repo loads names the dead mirror it skipped: all but at most one (the probe)
        // without trying it.
        let tried = result.stderr.components(separatedBy: "repomd.xml: cannot connect to 127.0.0.1").count - 1
        let skipped = result.stderr.components(separatedBy: "failed earlier in this run").count - 1
        #expect(tried <= 1 && tried + skipped == 6, "one connection attempt to the dead host in the whole run: \(result.stderr)")
        // Retries with backoff for each of the 6 repo loads took over 20 s; one refused connection takes none.
        #expect(elapsed < 10, "took \(elapsed) s")
    }

    /// A server that accepts and never answers: check gives up after --timeout, retrying as often
    /// as --retries says, and says what happened.
    @Test(arguments: ["check", "compose"])
    func aServerThatNeverAnswersIsBoundedByTimeout(command: String) throws {
        let silent = try SilentServer()
        defer { silent.stop() }
        let run = try Run("fault-silent-\(command)", repos: ["os": ["baseurl=\(silent.url)/os/"]])
        var extra = ["--timeout", "2", "--retries", "1"]
        if command == "compose" { extra += ["--output", run.check.directory.appendingPathComponent("out").path] }
        let started = Date()
        let result = try run.mox(extra, command: command)
        let elapsed = Date().timeIntervalSince(started)
        #expect(result.status == 3, "\(result.stderr)")
        #expect(result.stderr.contains("repo 'os'") && result.stderr.contains("\(silent.url)/os/repodata/repomd.xml")
                    && result.stderr.contains("no answer for 2 s"), "\(result.stderr)")
        #expect(silent.connections == 2, "the first try and one retry")
        #expect(elapsed < 20, "took \(elapsed) s")
    }

    /// dnf's per-repo `timeout` (and `retries`) win over the run's --timeout and --retries.
    @Test func aRepoTimeoutWinsOverTheRunsTimeout() throws {
        let silent = try SilentServer()
        defer { silent.stop() }
        let run = try Run("fault-silent-repo-timeout", repos: ["os": ["baseurl=\(silent.url)/os/", "timeout=1", "retries=2"]])
        let started = Date()
        let result = try run.mox(["--timeout", "60", "--retries", "0"])
        let elapsed = Date().timeIntervalSince(started)
        #expect(result.status == 3, "\(result.stderr)")
        #expect(result.stderr.contains("no answer for 1 s"), "\(result.stderr)")
        #expect(silent.connections == 3, "the first try and the repo's two retries")
        #expect(elapsed < 30, "took \(elapsed) s")
    }
}
