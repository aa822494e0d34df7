// mox against dnf on real CentOS Stream 9 metadata: the same request must give the same packages.
import Fixtures
import Foundation
import Testing

@Suite("mox check agrees with dnf on CentOS Stream 9")
struct CorpusDnfTests {
    static let request = ["usbguard", "sysstat", "krb5-workstation", "libkadm5"]

    @Test(.enabled(if: Fixtures.corpus != nil, "../shared/corpus is absent: comparison with dnf skipped"),
          .enabled(if: (try? Fixtures.run(["dnf", "--version"]))?.status == 0, "dnf is not installed: comparison skipped"))
    func emptyBaseInstallMatchesDnfTransaction() throws {
        let stream = try #require(Fixtures.corpus).appendingPathComponent("centos-stream-9")
        let yaml = "repos: [baseos, appstream]\nextensions:\n  tools:\n    packages: [\(Self.request.joined(separator: ", "))]\n"
        let run = try CheckRun("dnf-compare", yaml: yaml)
        for (id, folder) in [("baseos", "baseos-2022-02"), ("appstream", "appstream-2025-01")] {
            let text = "[\(id)]\nname=\(id)\nbaseurl=\(stream.appendingPathComponent(folder).absoluteString)\ngpgcheck=0\n"
            try text.write(to: run.directory.appendingPathComponent("\(id).repo"), atomically: true, encoding: .utf8)
        }
        let empty = run.directory.appendingPathComponent("empty-base.txt")
        try Data().write(to: empty)
        let result = try run.mox(["-q", "--format", "json", "--base-packages", empty.path])
        #expect(result.status == 0, "\(result.stdout)\n\(result.stderr)")
        let moxSet = try JSONDocument(result.stdout).nevras("tools")

        let root = run.directory.appendingPathComponent("dnf-root"), cache = run.directory.appendingPathComponent("dnf-cache")
        let dnf = try Fixtures.run([
            "dnf", "--installroot", root.path, "--setopt=reposdir=" + run.directory.path,
            "--setopt=cachedir=" + cache.path, "--releasever", "9", "--forcearch", "x86_64",
            "--disableplugin=*", "install", "--assumeno",
        ] + Self.request, allowFailure: true)
        let dnfSet = Self.transactionNEVRAs(dnf.stdout)
        #expect(!dnfSet.isEmpty, "no transaction table in dnf's output:\n\(dnf.stdout)\n\(dnf.stderr)")
        #expect(moxSet == dnfSet, """
            only mox: \(moxSet.subtracting(dnfSet).sorted())
            only dnf: \(dnfSet.subtracting(moxSet).sorted())
            """)
    }

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
