// Repos as dnf reads them, end to end: metalinks (stale mirrors skipped), mirrorlists, client
// certificates, basic auth, per-repo proxies, repo_gpgcheck, cost, skip_if_unavailable, and
// warnings for keys mox does not act on. Every server runs on 127.0.0.1 for the test alone.
import Fixtures
import Foundation
import Testing

@Suite("repos as dnf reads them")
struct RepoSourceTests {
    typealias W = CheckWorld

    static let yaml = "repos: [os]\nextensions:\n  single:\n    packages: [\(W.solo.name)]\n"

    /// No proxy from the test process's environment reaches mox: each test says what it wants.
    static let noProxy = ["http_proxy": "", "https_proxy": "", "HTTPS_PROXY": "", "all_proxy": "", "ALL_PROXY": "",
                          "no_proxy": "", "NO_PROXY": "", "CURL_CA_BUNDLE": "", "SSL_CERT_FILE": ""]

    /// A check run whose repos dir holds one file per entry of `repos` (id: extra lines after `[id]`).
    struct Run {
        let check: CheckRun
        let reposDir: URL

        init(_ label: String, yaml: String = RepoSourceTests.yaml, repos: [String: [String]]) throws {
            check = try CheckRun(label, yaml: yaml)
            reposDir = check.directory.appendingPathComponent("yum.repos.d")
            try FileManager.default.createDirectory(at: reposDir, withIntermediateDirectories: true)
            for (id, lines) in repos {
                try (["[\(id)]", "name=\(id)", "gpgcheck=0"] + lines).joined(separator: "\n")
                    .appending("\n").write(to: reposDir.appendingPathComponent("\(id).repo"), atomically: true, encoding: .utf8)
            }
        }

        func mox(_ extra: [String] = [], command: String = "check", environment: [String: String] = [:]) throws -> CommandResult {
            let argv = [try Mox.binary.path, command, check.manifest.path, "--cachedir", check.cache.path, "--arch", "x86_64",
                        "--repos-dir", reposDir.path, "--base-rootfs", try W.get().rootfs.path] + extra
            return try Fixtures.run(argv, environment: RepoSourceTests.noProxy.merging(environment) { $1 }, allowFailure: true)
        }
    }

    /// A folder to serve, with a repo of `packages` at each of `names`.
    func servedRepos(_ label: String, _ repos: [(String, [FixturePackage])]) throws -> URL {
        let root = try Fixtures.temporaryDirectory(label)
        removeAtExit(root)
        for (name, packages) in repos { try makeRepo(linking: packages, at: root.appendingPathComponent(name)) }
        return root
    }

    // MARK: Mirrors

    @Test func metalinkMirrorsAreTriedInPreferenceOrderAndAStaleOneIsSkipped() throws {
        let root = try servedRepos("metalink", [("good", [W.solo]), ("stale", [W.solo, W.appB])])
        let server = try FileServer(serving: root)
        defer { server.stop() }
        let current = try sha256(of: root.appendingPathComponent("good/repodata/repomd.xml"))
        // The stale mirror is preferred: only its repomd.xml, which the metalink does not list, keeps it out.
        let xml = metalinkXML(mirrors: [("\(server.baseURL)/good/", 50), ("\(server.baseURL)/stale/", 100)], sha256: current)
        try xml.write(to: root.appendingPathComponent("metalink.xml"), atomically: true, encoding: .utf8)
        let run = try Run("metalink", repos: ["os": ["metalink=\(server.baseURL)/metalink.xml"]])

        let result = try run.mox(["--format", "json"])
        #expect(result.status == 0, "\(result.stderr)")
        #expect(try JSONDocument(result.stdout).nevras("single") == [W.solo.nevra])
        #expect(result.stderr.contains("stale"), "\(result.stderr)")
        let asked = server.requests
        #expect(asked.firstIndex(of: "/stale/repodata/repomd.xml")! < asked.firstIndex(of: "/good/repodata/repomd.xml")!)
        #expect(!asked.contains { $0.hasPrefix("/stale/") && $0.contains("primary") }, "\(asked)")
        #expect(asked.contains { $0.hasPrefix("/good/") && $0.contains("primary") }, "\(asked)")

        // compose takes the packages from the mirror whose metadata it used.
        let output = run.check.directory.appendingPathComponent("out")
        let composed = try run.mox(["--output", output.path], command: "compose")
        #expect(composed.status == 0, "\(composed.stderr)")
        #expect(server.requests.contains("/good/\(W.solo.fileName)"), "\(server.requests)")
        #expect(!server.requests.contains { $0.hasPrefix("/stale/") && $0.hasSuffix(".rpm") })
    }

    @Test func aMetalinkWhoseMirrorsAreAllStaleFailsNamingEach() throws {
        let root = try servedRepos("metalink-stale", [("stale", [W.solo, W.appB])])
        let server = try FileServer(serving: root)
        defer { server.stop() }
        try metalinkXML(mirrors: [("\(server.baseURL)/stale/", 100)], sha256: String(repeating: "0", count: 64))
            .write(to: root.appendingPathComponent("metalink.xml"), atomically: true, encoding: .utf8)
        let run = try Run("metalink-all-stale", repos: ["os": ["metalink=\(server.baseURL)/metalink.xml"]])
        let result = try run.mox()
        #expect(result.status == 3)
        #expect(result.stderr.contains("repo 'os'") && result.stderr.contains("\(server.baseURL)/stale/repodata/repomd.xml"),
                "\(result.stderr)")
        #expect(result.stderr.contains("stale"), "\(result.stderr)")
    }

    @Test func mirrorlistMirrorsAreTriedInOrder() throws {
        let root = try servedRepos("mirrorlist", [("good", [W.solo])])
        let server = try FileServer(serving: root)
        defer { server.stop() }
        let dead = try FileServer.deadURL()
        try "# mirrors\n\(dead)/nowhere/\n\n\(server.baseURL)/good/\n".write(
            to: root.appendingPathComponent("mirrorlist"), atomically: true, encoding: .utf8)
        let run = try Run("mirrorlist", repos: ["os": ["mirrorlist=\(server.baseURL)/mirrorlist"]])
        let result = try run.mox(["--format", "json"])
        #expect(result.status == 0, "\(result.stderr)")
        #expect(try JSONDocument(result.stdout).nevras("single") == [W.solo.nevra])
        #expect(result.stderr.contains("\(dead)/nowhere/repodata/repomd.xml"), "the skipped mirror is named: \(result.stderr)")
    }

    // MARK: Client certificates, credentials, proxies

    @Test func aServerRequiringAClientCertificateIsReachedWithSslclientcert() throws {
        let root = try servedRepos("client-cert", [("os", [W.solo])])
        let ca = try TestCertificateAuthority(in: root)
        let serverCert = try ca.issue("server", commonName: "127.0.0.1", subjectAltName: "IP:127.0.0.1")
        let client = try ca.issue("client", commonName: "mox client")
        let server = try FileServer(serving: root, tls: serverCert.combined, clientCA: ca.certificate)
        defer { server.stop() }
        let base = ["baseurl=\(server.baseURL)/os/", "sslcacert=\(ca.certificate.path)"]

        let with = try Run("client-cert", repos: ["os": base + ["sslclientcert=\(client.certificate.path)",
                                                               "sslclientkey=\(client.key.path)"]])
        let ok = try with.mox()
        #expect(ok.status == 0, "\(ok.stderr)")

        let without = try Run("client-cert-missing", repos: ["os": base])
        let refused = try without.mox()
        #expect(refused.status == 3)
        #expect(refused.stderr.contains("repo 'os'") && refused.stderr.contains("client certificate")
                    && refused.stderr.contains("sslclientcert"), "\(refused.stderr)")
    }

    /// The server's certificate problems, each in words that say what to change.
    @Test(arguments: [("untrusted", "not trusted"), ("expired", "expired"), ("other-name", "not for '127.0.0.1'")])
    func serverCertificateProblemsAreExplained(problem: String, says: String) throws {
        let root = try servedRepos("tls-\(problem)", [("os", [W.solo])])
        let ca = try TestCertificateAuthority(in: root)
        let cert: TestCertificateAuthority.Issued
        switch problem {
        case "expired": cert = try ca.issue("server", commonName: "127.0.0.1", subjectAltName: "IP:127.0.0.1", days: -1)
        case "other-name": cert = try ca.issue("server", commonName: "localhost", subjectAltName: "DNS:localhost")
        default: cert = try ca.issue("server", commonName: "127.0.0.1", subjectAltName: "IP:127.0.0.1")
        }
        let server = try FileServer(serving: root, tls: cert.combined)
        defer { server.stop() }
        let trust = problem == "untrusted" ? [] : ["sslcacert=\(ca.certificate.path)"]
        let run = try Run("tls-\(problem)", repos: ["os": ["baseurl=\(server.baseURL)/os/"] + trust])
        let result = try run.mox()
        #expect(result.status == 3)
        #expect(result.stderr.contains("repo 'os'") && result.stderr.contains(says), "\(result.stderr)")
        #expect(result.stderr.contains("sslverify=0"), "the way out is named: \(result.stderr)")

        // sslverify=0 accepts it, as dnf does.
        let lax = try Run("tls-\(problem)-lax", repos: ["os": ["baseurl=\(server.baseURL)/os/", "sslverify=0"]])
        #expect(try lax.mox().status == 0)
    }

    @Test func basicAuthUsesUsernameAndPassword() throws {
        let root = try servedRepos("auth", [("os", [W.solo])])
        let server = try FileServer(serving: root, basicAuth: "builder:s3cret$1")
        defer { server.stop() }
        let url = "baseurl=\(server.baseURL)/os/"
        let good = try Run("auth", repos: ["os": [url, "username=builder", "password=s3cret$1"]])
        let ok = try good.mox()
        #expect(ok.status == 0, "\(ok.stderr)")

        let none = try Run("auth-none", repos: ["os": [url]])
        let refused = try none.mox()
        #expect(refused.status == 3)
        #expect(refused.stderr.contains("401") && refused.stderr.contains("set username and password"), "\(refused.stderr)")

        let wrong = try Run("auth-wrong", repos: ["os": [url, "username=builder", "password=guess"]])
        let denied = try wrong.mox()
        #expect(denied.status == 3)
        #expect(denied.stderr.contains("refused the repo's username 'builder'"), "\(denied.stderr)")
    }

    @Test func aRepoProxyCarriesThatRepoOnly() throws {
        let root = try servedRepos("proxy", [("os", [W.solo]), ("extra", [W.usbguard])])
        let server = try FileServer(serving: root)
        defer { server.stop() }
        let proxy = try ForwardProxy(credentials: "pu:pp")
        defer { proxy.stop() }
        let yaml = "repos: [os, extra]\nextensions:\n  single:\n    packages: [\(W.solo.name), \(W.usbguard.name)]\n"
        let run = try Run("proxy", yaml: yaml, repos: [
            "os": ["baseurl=\(server.baseURL)/os/", "proxy=\(proxy.url)", "proxy_username=pu", "proxy_password=pp"],
            "extra": ["baseurl=\(server.baseURL)/extra/"],
        ])
        let result = try run.mox()
        #expect(result.status == 0, "\(result.stderr)")
        #expect(proxy.requests.contains("\(server.baseURL)/os/repodata/repomd.xml"), "\(proxy.requests)")
        #expect(proxy.requests.allSatisfy { $0.hasPrefix("\(server.baseURL)/os/") }, "\(proxy.requests)")
        #expect(server.requests.contains("/extra/repodata/repomd.xml"), "extra goes direct: \(server.requests)")

        // Without the proxy's credentials: the proxy refuses, and the message says which keys to set.
        let bare = try Run("proxy-no-credentials", repos: ["os": ["baseurl=\(server.baseURL)/os/", "proxy=\(proxy.url)"]])
        let refused = try bare.mox()
        #expect(refused.status == 3)
        #expect(refused.stderr.contains("407") && refused.stderr.contains("proxy_username"), "\(refused.stderr)")
    }

    // MARK: repo_gpgcheck

    enum Signing: String, CaseIterable, Sendable {
        case signed, altered, missing, otherKey
    }

    /// repomd.xml must carry a valid signature by one of the repo's gpgkeys before anything in it is read.
    @Test(arguments: Signing.allCases)
    func repoGpgcheckVerifiesRepomdBeforeUsingIt(_ signing: Signing) throws {
        let root = try servedRepos("repo-gpg-\(signing.rawValue)", [("os", [W.solo])])
        let key = try SigningKey(in: root), other = try SigningKey(in: root, name: "someone else")
        defer { key.stop(); other.stop() }
        let repomd = root.appendingPathComponent("os/repodata/repomd.xml")
        switch signing {
        case .signed: try key.sign(repomd)
        case .altered:
            try key.sign(repomd)
            let text = try String(contentsOf: repomd, encoding: .utf8)
            try text.replacingOccurrences(of: "<revision>", with: "<revision>1").write(to: repomd, atomically: true, encoding: .utf8)
        case .missing: break
        case .otherKey: try other.sign(repomd)
        }
        let server = try FileServer(serving: root)
        defer { server.stop() }
        try FileManager.default.copyItem(at: key.publicKey, to: root.appendingPathComponent("key.asc"))
        let run = try Run("repo-gpg-\(signing.rawValue)", repos: ["os": [
            "baseurl=\(server.baseURL)/os/", "repo_gpgcheck=1", "gpgkey=\(server.baseURL)/key.asc",
        ]])
        let result = try run.mox()
        if signing == .signed {
            #expect(result.status == 0, "\(result.stderr)")
            #expect(server.requests.contains("/os/repodata/repomd.xml.asc"))
        } else {
            #expect(result.status == 3, "\(result.stderr)")
            #expect(result.stderr.contains("repo 'os'") && result.stderr.contains("signature"), "\(result.stderr)")
            #expect(!server.requests.contains { $0.contains("primary") }, "nothing listed in an unverified repomd.xml is fetched")
        }
    }

    @Test func repoGpgcheckCoversLocalReposToo() throws {
        let root = try servedRepos("repo-gpg-local", [("os", [W.solo])])
        let key = try SigningKey(in: root)
        defer { key.stop() }
        let lines = ["baseurl=\(root.appendingPathComponent("os").path)", "repo_gpgcheck=1", "gpgkey=file://\(key.publicKey.path)"]
        let unsigned = try Run("repo-gpg-local-unsigned", repos: ["os": lines])
        #expect(try unsigned.mox().status == 3)
        try key.sign(root.appendingPathComponent("os/repodata/repomd.xml"))
        let signed = try Run("repo-gpg-local-signed", repos: ["os": lines])
        let result = try signed.mox()
        #expect(result.status == 0, "\(result.stderr)")
    }

    // MARK: Repo choice and keys mox does not act on

    /// The same package in two repos of equal priority comes from the cheaper one (dnf's cost).
    @Test(arguments: [(100, 2000, "a"), (2000, 100, "b")])
    func theCheaperRepoSuppliesAPackageBothHave(costA: Int, costB: Int, expected: String) throws {
        let root = try servedRepos("cost", [("a", [W.solo]), ("b", [W.solo])])
        let yaml = "repos: [a, b]\nextensions:\n  single:\n    packages: [\(W.solo.name)]\n"
        let run = try Run("cost", yaml: yaml, repos: [
            "a": ["baseurl=\(root.appendingPathComponent("a").path)", "cost=\(costA)"],
            "b": ["baseurl=\(root.appendingPathComponent("b").path)", "cost=\(costB)"],
        ])
        let result = try run.mox(["--format", "json"])
        #expect(result.status == 0, "\(result.stderr)")
        let repos = try JSONDocument(result.stdout).packages("single").compactMap { $0["repo"] as? String }
        #expect(repos == [expected])
    }

    @Test func skipIfUnavailableLeavesAnUnreachableRepoOutWithAWarning() throws {
        let root = try servedRepos("skip", [("os", [W.solo])])
        let dead = try FileServer.deadURL()
        let yaml = "repos: [os, extra]\nextensions:\n  single:\n    packages: [\(W.solo.name)]\n"
        let lines = ["os": ["baseurl=\(root.appendingPathComponent("os").path)"], "extra": ["baseurl=\(dead)/extra/"]]
        let strict = try Run("skip-strict", yaml: yaml, repos: lines)
        #expect(try strict.mox().status == 3)

        var lenient = lines
        lenient["extra"]! += ["skip_if_unavailable=1"]
        let run = try Run("skip", yaml: yaml, repos: lenient)
        let result = try run.mox()
        #expect(result.status == 0, "\(result.stderr)")
        #expect(result.stderr.contains("repo 'extra' left out (skip_if_unavailable=1)"), "\(result.stderr)")
    }

    /// dnf leaves out a repo that "couldn't be synchronized for any reason": a primary that will
    /// not download counts as much as a repomd.xml.
    @Test func skipIfUnavailableCoversAPrimaryThatCannotBeFetched() throws {
        let root = try servedRepos("skip-primary", [("os", [W.solo]), ("extra", [W.usbguard])])
        let repodata = root.appendingPathComponent("extra/repodata")
        for name in try FileManager.default.contentsOfDirectory(atPath: repodata.path) where name.contains("primary") {
            try FileManager.default.removeItem(at: repodata.appendingPathComponent(name))
        }
        let server = try FileServer(serving: root)
        defer { server.stop() }
        let yaml = "repos: [os, extra]\nextensions:\n  single:\n    packages: [\(W.solo.name)]\n"
        let run = try Run("skip-primary", yaml: yaml, repos: [
            "os": ["baseurl=\(server.baseURL)/os/"], "extra": ["baseurl=\(server.baseURL)/extra/", "skip_if_unavailable=1"],
        ])
        let result = try run.mox()
        #expect(result.status == 0, "\(result.stderr)")
        #expect(result.stderr.contains("repo 'extra' left out (skip_if_unavailable=1)") && result.stderr.contains("404"),
                "\(result.stderr)")
    }

    @Test func keysMoxDoesNotActOnAreWarnedWithFileAndLine() throws {
        let root = try servedRepos("warn", [("os", [W.solo])])
        let run = try Run("warn", repos: ["os": ["baseurl=\(root.appendingPathComponent("os").path)", "countme=1", "pkg_gpgcheck=1"]])
        let result = try run.mox()
        #expect(result.status == 0, "\(result.stderr)")
        let file = run.reposDir.appendingPathComponent("os.repo").path
        #expect(result.stderr.contains("warning: \(file):5: 'countme=1'"), "\(result.stderr)")
        #expect(result.stderr.contains("warning: \(file):6: unknown key 'pkg_gpgcheck'"), "\(result.stderr)")
    }

    /// `--repo ID=URL` expands `$basearch` like a .repo file (it used to end up in the URL literally).
    @Test func repoOptionSubstitutesBasearch() throws {
        let run = try CheckRun("repo-option-basearch", yaml: "repos: [arch]\nextensions:\n  tool:\n    packages: [\(W.archToolX86.name)]\n")
        try makeRepo(linking: [W.archToolX86, W.archLibX86], at: run.directory.appendingPathComponent("repo-x86_64"))
        try makeRepo(linking: [W.archToolARM, W.archLibARM], at: run.directory.appendingPathComponent("repo-aarch64"))
        let empty = run.directory.appendingPathComponent("base.txt")
        try Data().write(to: empty)
        let result = try run.mox(["-q", "--format", "json", "--base-packages", empty.path, "--repos-dir", run.directory.path,
                                  "--repo", "arch=" + run.directory.path + "/repo-$basearch",
                                  "--arch", "x86_64", "--arch", "aarch64"])
        #expect(result.status == 0, "\(result.stderr)")
        let json = try JSONDocument(result.stdout)
        #expect(try json.nevras("tool", arch: "x86_64") == [W.archToolX86.nevra, W.archLibX86.nevra])
        #expect(try json.nevras("tool", arch: "aarch64") == [W.archToolARM.nevra, W.archLibARM.nevra])
    }
}
