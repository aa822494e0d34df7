// --base-image docker://: a real registry on 127.0.0.1 (the distribution registry), pushed to with
// skopeo; the base's manifest digest is its identity in the index, the state digest and the image.
import Fixtures
import Foundation
import Testing

@Suite("--base-image from a registry", .serialized)
struct RegistryBaseTests {
    typealias W = CheckWorld

    /// The registry with `base:multi` (amd64 + arm64 index), `base:single` (amd64) and `base:other`
    /// (the same rpmdb in another image), pushed once for the suite.
    struct Pushed: Sendable {
        let registry: Registry
        let layout: URL
        /// The amd64 manifest's digest in the index, and the other image's.
        let amd64: String
        let other: String
    }

    static let pushed: Result<Pushed, any Error> = Result {
        let roots = try BaseRoots.get()
        let dir = try Fixtures.temporaryDirectory("registry-images")
        removeAtExit(dir)
        let layout = dir.appendingPathComponent("layout")
        let amd64 = try OCIFixture.image(layers: [(roots.x86, .gzip)], architecture: "amd64", in: layout)
        let arm64 = try OCIFixture.image(layers: [(roots.arm, .gzip)], architecture: "arm64", in: layout)
        try OCIFixture.tag(try OCIFixture.index([("amd64", amd64), ("arm64", arm64)], in: layout), as: "multi", in: layout)
        let extra = dir.appendingPathComponent("extra")
        try FileManager.default.createDirectory(at: extra.appendingPathComponent("etc"), withIntermediateDirectories: true)
        try Data("another build\n".utf8).write(to: extra.appendingPathComponent("etc/motd"))
        let other = try OCIFixture.image(layers: [(roots.x86, .gzip), (extra, .gzip)], architecture: "amd64", in: layout)
        try OCIFixture.tag(other, as: "other", in: layout)
        let registry = try Registry()
        try registry.push("oci:\(layout.path):multi", as: "base:multi")
        try registry.push("oci:\(layout.path):other", as: "base:other")
        return Pushed(registry: registry, layout: layout, amd64: amd64.digest, other: other.digest)
    }

    static let yaml = "repos: [os]\nextensions:\n  tools:\n    packages: [\(W.archToolX86.name)]\n"

    func check(_ run: CheckRun, _ reference: String, _ arguments: [String]) throws -> CommandResult {
        try run.moxOnWorld(["-q", "--format", "json"] + arguments, base: ["--base-image", reference])
    }

    @Test func byTagAndByDigest() throws {
        let pushed = try Self.pushed.get()
        let run = try CheckRun("registry-check", yaml: Self.yaml)
        let host = pushed.registry.host
        let byTag = try check(run, "docker://\(host)/base:multi", ["--tls-verify=false", "--arch", "x86_64", "--arch", "aarch64"])
        #expect(byTag.status == 0, "\(byTag.stderr)")
        let json = try JSONDocument(byTag.stdout)
        #expect(json.basePackages(arch: "x86_64") == W.base.count + 1)
        #expect(json.basePackages(arch: "aarch64") == W.base.count + 1)
        let x86 = json.arches.first { $0["arch"] as? String == "x86_64" }?["baseImage"] as? [String: Any]
        #expect(x86?["digest"] as? String == pushed.amd64)
        #expect(x86?["name"] as? String == "\(host)/base:multi")

        let byDigest = try check(run, "docker://\(host)/base@\(pushed.amd64)", ["--tls-verify=false"])
        #expect(byDigest.status == 0, "\(byDigest.stderr)")
        #expect(try JSONDocument(byDigest.stdout).basePackages() == W.base.count + 1)

        // Without --tls-verify=false skopeo insists on TLS, which this registry does not speak.
        let verified = try run.moxOnWorld(["-q", "--cachedir", run.directory.appendingPathComponent("c2").path],
                                          base: ["--base-image", "docker://\(host)/base:multi"])
        #expect(verified.status == 3, "\(verified.stderr)")
        #expect(verified.stderr.contains("--tls-verify=false"), "\(verified.stderr)")

        let unknown = try run.moxOnWorld(["-q", "--tls-verify=false"], base: ["--base-image", "docker://\(host)/nothing:here"])
        #expect(unknown.status == 2, "\(unknown.stderr)")
    }

    @Test func baseDigestIsTheIdentityInIndexStateAndAnnotations() throws {
        let pushed = try Self.pushed.get()
        let host = pushed.registry.host
        let dir = try Fixtures.temporaryDirectory("registry-compose")
        removeAtExit(dir)
        let manifest = dir.appendingPathComponent("extensions.yaml")
        try Self.yaml.write(to: manifest, atomically: true, encoding: .utf8)
        let tree = dir.appendingPathComponent("tree"), layout = dir.appendingPathComponent("image")
        func compose(_ reference: String) throws -> CommandResult {
            try Fixtures.run([try Mox.binary.path, "compose", manifest.path, "-q", "--arch", "x86_64",
                              "--repos-dir", try CheckWorld.get().reposDirectory.path,
                              "--cachedir", dir.appendingPathComponent("cache").path, "--tls-verify=false",
                              "--base-image", reference, "--output", tree.path, "--oci-layout", layout.path],
                             environment: ["SOURCE_DATE_EPOCH": "1700000000"], allowFailure: true)
        }
        let first = try compose("docker://\(host)/base:multi")
        #expect(first.status == 0, "\(first.stderr)")
        let index = try Self.index(tree)
        let base = (index["arches"] as? [String: Any])?["x86_64"].flatMap { ($0 as? [String: Any])?["baseImage"] } as? [String: Any]
        #expect(base?["digest"] as? String == pushed.amd64)
        #expect(base?["name"] as? String == "\(host)/base:multi")

        let raw = try Fixtures.run(["skopeo", "inspect", "--raw", "oci:\(layout.path):latest"]).stdout
        let annotations = (try JSONSerialization.jsonObject(with: Data(raw.utf8)) as? [String: Any])?["annotations"] as? [String: String]
        #expect(annotations?["org.opencontainers.image.base.digest"] == pushed.amd64)
        #expect(annotations?["org.opencontainers.image.base.name"] == "\(host)/base:multi")

        // Another image with the same packages is another base: the tree is recomposed, not "no change".
        let same = try compose("docker://\(host)/base:multi")
        #expect(same.status == 0 && same.stdout.contains("no change"), "\(same.stdout)\(same.stderr)")
        let other = try compose("docker://\(host)/base:other")
        #expect(other.status == 0, "\(other.stderr)")
        #expect(!other.stdout.contains("no change"), "\(other.stdout)")
        #expect((try Self.index(tree)["stateDigest"] as? String) != (index["stateDigest"] as? String))
    }

    /// A registry with a certificate of a private CA: trusted through SSL_CERT_FILE, as skopeo
    /// (and Go) read it, and refused without it.
    @Test func privateCAThroughSSLCertFile() throws {
        let pushed = try Self.pushed.get()
        let dir = try Fixtures.temporaryDirectory("registry-tls")
        removeAtExit(dir)
        let ca = try TestCertificateAuthority(in: dir)
        let registry = try Registry(tls: try ca.issue("registry", commonName: "127.0.0.1", subjectAltName: "IP:127.0.0.1"))
        defer { registry.stop() }
        try registry.push("oci:\(pushed.layout.path):multi", as: "base:tls")
        let run = try CheckRun("registry-tls", yaml: Self.yaml)
        func check(_ environment: [String: String], cache: String) throws -> CommandResult {
            try Fixtures.run([try Mox.binary.path, "check", run.manifest.path, "-q", "--format", "json", "--arch", "x86_64",
                              "--repos-dir", try CheckWorld.get().reposDirectory.path,
                              "--cachedir", run.directory.appendingPathComponent(cache).path,
                              "--base-image", "docker://\(registry.host)/base:tls"],
                             environment: environment, allowFailure: true)
        }
        let trusted = try check(["SSL_CERT_FILE": ca.certificate.path], cache: "c1")
        #expect(trusted.status == 0, "\(trusted.stderr)")
        #expect(try JSONDocument(trusted.stdout).basePackages() == W.base.count + 1)
        let untrusted = try check([:], cache: "c2")
        #expect(untrusted.status == 3, "\(untrusted.stderr)")
        #expect(untrusted.stderr.contains("certs.d") && untrusted.stderr.contains("SSL_CERT_FILE"), "\(untrusted.stderr)")
    }

    /// A registry that asks for credentials (htpasswd): refused without them, with the way to give
    /// them in the error; read with the auth file `skopeo login` writes, given by `--authfile` or
    /// through REGISTRY_AUTH_FILE in the environment, which mox hands to skopeo unchanged.
    @Test func registryThatAsksForCredentials() throws {
        let pushed = try Self.pushed.get()
        let dir = try Fixtures.temporaryDirectory("registry-auth")
        removeAtExit(dir)
        let registry = try Registry(credentials: .init(user: "builder", password: "s3cret-pass"))
        defer { registry.stop() }
        try registry.push("oci:\(pushed.layout.path):multi", as: "base:auth")
        let authFile = dir.appendingPathComponent("auth.json")
        try registry.login(authFile: authFile)
        // Stands in for the machine's own auth.json, which might know any registry.
        let empty = dir.appendingPathComponent("empty-auth.json")
        try Data(#"{"auths": {}}"#.utf8).write(to: empty)
        let run = try CheckRun("registry-auth", yaml: Self.yaml)
        func check(_ arguments: [String], environment: [String: String], cache: String) throws -> CommandResult {
            try Fixtures.run([try Mox.binary.path, "check", run.manifest.path, "-q", "--format", "json", "--arch", "x86_64",
                              "--repos-dir", try CheckWorld.get().reposDirectory.path, "--tls-verify=false",
                              "--cachedir", run.directory.appendingPathComponent(cache).path,
                              "--base-image", "docker://\(registry.host)/base:auth"] + arguments,
                             environment: environment, allowFailure: true)
        }

        let refused = try check([], environment: ["REGISTRY_AUTH_FILE": empty.path], cache: "c1")
        #expect(refused.status == 3, "\(refused.stderr)")
        #expect(refused.stderr.contains("wants credentials for \(registry.host)"), "\(refused.stderr)")
        #expect(refused.stderr.contains("skopeo login \(registry.host)") && refused.stderr.contains("REGISTRY_AUTH_FILE")
                && refused.stderr.contains("--authfile"), "\(refused.stderr)")

        let withOption = try check(["--authfile", authFile.path], environment: ["REGISTRY_AUTH_FILE": empty.path], cache: "c2")
        #expect(withOption.status == 0, "\(withOption.stderr)")
        #expect(try JSONDocument(withOption.stdout).basePackages() == W.base.count + 1)

        let fromEnvironment = try check([], environment: ["REGISTRY_AUTH_FILE": authFile.path], cache: "c3")
        #expect(fromEnvironment.status == 0, "\(fromEnvironment.stderr)")
        #expect(try JSONDocument(fromEnvironment.stdout).basePackages() == W.base.count + 1)

        // An auth file without this registry's credentials is named in the error.
        let wrongFile = try check(["--authfile", empty.path], environment: [:], cache: "c4")
        #expect(wrongFile.status == 3, "\(wrongFile.stderr)")
        #expect(wrongFile.stderr.contains("what \(empty.path) holds for \(registry.host)") && wrongFile.stderr.contains("skopeo login --authfile"),
                "\(wrongFile.stderr)")

        // A missing auth file is refused before anything is read (the registry is not asked).
        registry.stop()
        let missing = dir.appendingPathComponent("no-such-auth.json")
        let notThere = try check(["--authfile", missing.path], environment: [:], cache: "c5")
        #expect(notThere.status == 2, "\(notThere.stderr)")
        #expect(notThere.stderr.contains("--authfile \(missing.path): no such file"), "\(notThere.stderr)")
        let directory = try check(["--authfile", dir.path], environment: [:], cache: "c5")
        #expect(directory.status == 2, "\(directory.stderr)")
        let notJSON = dir.appendingPathComponent("auth.txt")
        try Data("builder:s3cret-pass\n".utf8).write(to: notJSON)
        let garbled = try check(["--authfile", notJSON.path], environment: [:], cache: "c5")
        #expect(garbled.status == 2 && garbled.stderr.contains("not a JSON object"), "\(garbled.stderr)")
    }

    /// The tree's index (mox-index.json), read as JSON.
    static func index(_ tree: URL) throws -> [String: Any] {
        try JSONSerialization.jsonObject(with: Data(contentsOf: tree.appendingPathComponent("mox-index.json"))) as? [String: Any] ?? [:]
    }

    /// A local layout is not shipped: no base.name, but the digest.
    @Test func localLayoutHasADigestButNoName() throws {
        let pushed = try Self.pushed.get()
        let run = try CheckRun("layout-name", yaml: Self.yaml)
        let tree = run.directory.appendingPathComponent("tree")
        let result = try Fixtures.run([try Mox.binary.path, "compose", run.manifest.path, "-q", "--arch", "x86_64",
                                       "--repos-dir", try CheckWorld.get().reposDirectory.path, "--cachedir", run.cache.path,
                                       "--base-image", "oci:\(pushed.layout.path):multi", "--output", tree.path],
                                      allowFailure: true)
        #expect(result.status == 0, "\(result.stderr)")
        let base = (try Self.index(tree)["arches"] as? [String: Any])?["x86_64"].flatMap { ($0 as? [String: Any])?["baseImage"] } as? [String: Any]
        #expect(base?["digest"] as? String == pushed.amd64)
        #expect(base != nil && base?["name"] == nil)
    }
}
