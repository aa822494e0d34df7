// mox against dnf on real CentOS Stream 9 metadata: the same request must give the same packages.
import Fixtures
import Foundation
import Testing

@Suite("mox check agrees with dnf on CentOS Stream 9", .serialized,
       .enabled(if: Fixtures.corpus != nil, "../shared/corpus is absent: comparison with dnf skipped"),
       .enabled(if: (try? Fixtures.run(["dnf", "--version"]))?.status == 0, "dnf is not installed: comparison skipped"))
struct CorpusDnfTests {
    static let request = ["usbguard", "sysstat", "krb5-workstation", "libkadm5"]

    @Test func emptyBaseInstallMatchesDnfTransaction() throws {
        let oracle = try DnfOracle.shared.get()
        let yaml = "repos: [baseos, appstream]\nextensions:\n  tools:\n    packages: [\(Self.request.joined(separator: ", "))]\n"
        let run = try CheckRun("dnf-compare", yaml: yaml)
        let empty = run.directory.appendingPathComponent("empty-base.txt")
        try Data().write(to: empty)
        let result = try run.mox(["-q", "--format", "json", "--repos-dir", oracle.reposDirectory.path,
                                  "--base-packages", empty.path])
        #expect(result.status == 0, "\(result.stdout)\n\(result.stderr)")
        let moxSet = try JSONDocument(result.stdout).nevras("tools")
        let dnfSet = try oracle.transaction(Self.request, root: "empty-root", best: true).installed
        #expect(!dnfSet.isEmpty)
        #expect(moxSet == dnfSet, "only mox: \(moxSet.subtracting(dnfSet).sorted())\nonly dnf: \(dnfSet.subtracting(moxSet).sorted())")
    }

    /// Extensions that exercise module filtering (no stream enabled), multilib, every spec form
    /// and weak dependencies, on a base given as a NEVRA list: each extension's packages must be
    /// what dnf adds to that base (dnf: weak deps on, not only the best candidate, as rpm-ostree).
    @Test(arguments: [
        ("modular-names", ["redis", "nodejs", "nginx"]),  // non-modular builds: no stream is enabled
        ("ruby", ["graphviz-ruby"]),                        // no mix of ruby 3.0 and a modular ruby 3.3
        ("multilib", ["libkadm5.i686"]),                    // i686 beside the base's x86_64 krb5-libs
        ("glob", ["wireguard-tool*"]),
        ("path", ["/usr/bin/sar"]),
        ("provides", ["webserver"]),
        ("nevra-epoch", ["tcpdump-14:4.99.0-7.el9.x86_64"]),
        ("nevra", ["nmap-ncat-7.91-10.el9.x86_64"]),
        ("nevr", ["jq-1.6-14.el9"]),
        ("nev", ["socat-1.7.4.1"]),
        ("weak-deps", ["cockpit", "tuned"]),
    ])
    func extensionOnANEVRABaseMatchesDnf(name: String, specs: [String]) throws {
        try compare(name: name, specs: specs, yamlModules: "", dnfRoot: "plain", dnfModules: [:])
    }

    /// With a stream enabled (top level) and a profile installed (per extension), dnf with the same
    /// stream enabled in its installroot gives the same packages.
    @Test(arguments: [
        ("enabled-stream", ["nodejs"], ""),
        ("profile", ["redis"], "    modules:\n      install: [nodejs:20/common]\n"),
    ])
    func enabledModuleStreamMatchesDnf(name: String, specs: [String], extensionModules: String) throws {
        let dnfSpecs = specs + (extensionModules.isEmpty ? [] : ["@nodejs:20/common"])
        try compare(name: name, specs: specs, yamlModules: "modules:\n  enable: [nodejs:20]\n", extensionModules: extensionModules,
                    dnfSpecs: dnfSpecs, dnfRoot: "nodejs-20", dnfModules: ["nodejs": "20"])
    }

    private func compare(name: String, specs: [String], yamlModules: String, extensionModules: String = "",
                         dnfSpecs: [String]? = nil, dnfRoot: String, dnfModules: [String: String]) throws {
        let oracle = try DnfOracle.shared.get()
        let quoted = specs.map { "\"\($0)\"" }.joined(separator: ", ")
        let yaml = "repos: [baseos, appstream]\n\(yamlModules)extensions:\n  \(name):\n    packages: [\(quoted)]\n"
            + extensionModules
        let run = try CheckRun("dnf-agree", yaml: yaml)
        let result = try run.mox(["-q", "--format", "json", "--repos-dir", oracle.reposDirectory.path,
                                  "--base-packages", oracle.baseFile.path, "--cachedir", oracle.moxCache.path])
        let report = try JSONDocument(result.stdout)
        let why = try report.failureText(name)
        #expect(try report.status(name) == "resolved", "\(why)\n\(result.stderr)")
        let moxSet = try report.nevras(name)
        let dnf = try oracle.transaction(oracle.base.sorted() + (dnfSpecs ?? specs), root: dnfRoot, modules: dnfModules)
        // dnf's base is locked: every base package is requested as it is, and nothing may change.
        #expect(dnf.installed.isSuperset(of: oracle.base), "dnf left out base packages")
        #expect(dnf.changedSections.isEmpty, "dnf would change the base: \(dnf.changedSections)")
        let dnfSet = dnf.installed.subtracting(oracle.base)
        #expect(!dnfSet.isEmpty)
        #expect(moxSet == dnfSet, "only mox: \(moxSet.subtracting(dnfSet).sorted())\nonly dnf: \(dnfSet.subtracting(moxSet).sorted())")
    }
}

/// dnf as the oracle on the corpus: one repo set and one metadata cache per test run, and a base
/// of real packages that dnf itself chose (the closure of a few core packages).
struct DnfOracle: Sendable {
    let dnf: DnfRunner
    var reposDirectory: URL { dnf.reposDirectory }
    let moxCache: URL
    /// The base, as dnf installs it from `seed` (weak deps on), NEVRAs as dnf prints them.
    let base: Set<String>
    let baseFile: URL

    /// What makes the base: core packages an image-mode host has, krb5-libs among them (multilib).
    static let seed = ["bash", "coreutils", "glibc", "krb5-libs", "openssl-libs", "systemd", "util-linux",
                       "shadow-utils", "sudo", "rpm"]

    static let shared: Result<DnfOracle, any Error> = Result { try DnfOracle() }

    private init() throws {
        let stream = try #require(Fixtures.corpus).appendingPathComponent("centos-stream-9")
        let directory = try Fixtures.temporaryDirectory("dnf-oracle")
        removeAtExit(directory)
        dnf = try DnfRunner(directory: directory, repos: [
            "baseos": stream.appendingPathComponent("baseos-2022-02"),
            "appstream": stream.appendingPathComponent("appstream-2025-01"),
        ])
        moxCache = directory.appendingPathComponent("mox-cache", isDirectory: true)
        let closure = try dnf.transaction(Self.seed, root: "base").installed
        // The base must be closed under dnf's own choices: asking for it again adds nothing.
        let again = try dnf.transaction(Array(closure), root: "base").installed
        guard !closure.isEmpty, again == closure else {
            throw MoxTestError("dnf's base is not stable: \(closure.symmetricDifference(again).sorted())")
        }
        base = closure
        baseFile = directory.appendingPathComponent("base.txt")
        try (closure.sorted().joined(separator: "\n") + "\n").write(to: baseFile, atomically: true, encoding: .utf8)
    }

    func transaction(_ specs: [String], root: String, best: Bool = false, modules: [String: String] = [:])
        throws -> (installed: Set<String>, changedSections: [String]) {
        try dnf.transaction(specs, root: root, best: best, modules: modules)
    }
}

/// Runs `dnf install --assumeno` against fixed repos with one shared metadata cache.
struct DnfRunner: Sendable {
    let directory: URL
    let reposDirectory: URL
    let cache: URL

    init(directory: URL, repos: [String: URL]) throws {
        self.directory = directory
        reposDirectory = directory.appendingPathComponent("repos.d", isDirectory: true)
        cache = directory.appendingPathComponent("dnf-cache", isDirectory: true)
        try FileManager.default.createDirectory(at: reposDirectory, withIntermediateDirectories: true)
        for (id, folder) in repos {
            let text = "[\(id)]\nname=\(id)\nbaseurl=\(folder.absoluteString)\ngpgcheck=0\n"
            try text.write(to: reposDirectory.appendingPathComponent("\(id).repo"), atomically: true, encoding: .utf8)
        }
    }

    /// What `dnf install --assumeno specs` would do in a fresh installroot `root`, with module
    /// streams enabled there as `modules` says: the packages it installs, and the names of any
    /// sections that would change installed packages.
    func transaction(_ specs: [String], root name: String, best: Bool = false, modules: [String: String] = [:])
        throws -> (installed: Set<String>, changedSections: [String]) {
        let root = directory.appendingPathComponent("roots/\(name)", isDirectory: true)
        let modulesDir = root.appendingPathComponent("etc/dnf/modules.d", isDirectory: true)
        try FileManager.default.createDirectory(at: modulesDir, withIntermediateDirectories: true)
        for (module, stream) in modules {
            try "[\(module)]\nname=\(module)\nstream=\(stream)\nprofiles=\nstate=enabled\n"
                .write(to: modulesDir.appendingPathComponent("\(module).module"), atomically: true, encoding: .utf8)
        }
        let result = try Fixtures.run([
            "dnf", "--installroot", root.path, "--setopt=reposdir=" + reposDirectory.path,
            "--setopt=cachedir=" + cache.path, "--setopt=install_weak_deps=True", "--releasever", "9",
            "--forcearch", "x86_64", "--disableplugin=*", best ? "--best" : "--nobest", "install", "--assumeno",
        ] + specs, allowFailure: true)
        let installed = CorpusDnfTests.transactionNEVRAs(result.stdout)
        guard !installed.isEmpty else {
            throw MoxTestError("no transaction from dnf for \(specs.suffix(3)):\n\(result.stdout)\n\(result.stderr)")
        }
        let changed = ["Upgrading", "Downgrading", "Removing", "Reinstalling", "Obsoleting", "Replacing"]
            .filter { result.stdout.contains("\n\($0)") }
        return (installed, changed)
    }
}

extension CorpusDnfTests {
    /// The NEVRAs of dnf's "Installing..." sections. dnf wraps long names onto their own line, so
    /// the table is read as tokens: every arch token is preceded by a name and followed by [E:]V-R.
    static func transactionNEVRAs(_ output: String) -> Set<String> {
        guard let start = output.range(of: "\nInstalling"),
              let end = output.range(of: "\nTransaction Summary", range: start.upperBound..<output.endIndex) else { return [] }
        let table = output[start.lowerBound..<end.lowerBound].split(separator: "\n").filter { !$0.hasSuffix(":") }
        let tokens = table.flatMap { $0.split(whereSeparator: \.isWhitespace) }.map(String.init)
        let arches: Set<String> = ["x86_64", "noarch", "i686"]
        var nevras = Set<String>()
        for i in tokens.indices.dropFirst() where arches.contains(tokens[i]) && i + 1 < tokens.count {
            nevras.insert("\(tokens[i - 1])-\(tokens[i + 1]).\(tokens[i])")
        }
        return nevras
    }
}
