import Fixtures
import Foundation
import Solv
import Testing
import Lockfile

private func parse(_ text: String, file: String = "base.txt") throws(LockfileProblems) -> [BasePackageSpec] {
    try BasePackageList.parse(text: text, file: file)
}

@Test func textListKeepsOrderAndSkipsCommentsAndBlankLines() throws {
    let list = try parse("""
        # the base
        zlib-1.2.11-40.el9.x86_64

        bash-5.1.8-4.el9.x86_64.rpm
          NetworkManager-1:1.36.0-1.el9.x86_64
        glibc-0:2.34-28.el9.x86_64
        """)
    #expect(list.map(\.description) == [
        "zlib-1.2.11-40.el9.x86_64", "bash-5.1.8-4.el9.x86_64", "NetworkManager-1:1.36.0-1.el9.x86_64",
        "glibc-2.34-28.el9.x86_64",
    ])
    #expect(list[3].epoch == nil)
    #expect(list.allSatisfy { $0.arch != nil })
}

@Test(arguments: ["", "\n\n", "# nothing yet\n", "{\"packages\": {}}", "  {\"packages\": {}, \"metadata\": {}}"])
func emptyInputIsAnExplicitlyEmptyBase(text: String) throws {
    #expect(try parse(text) == [])
}

@Test(arguments: [
    ("bash\n", LockfileError.badLine(file: "base.txt", line: 1, entry: "bash")),
    ("a-1-1.x86_64\n\nbash 5.1-1.x86_64\n", .badLine(file: "base.txt", line: 3, entry: "bash 5.1-1.x86_64")),
    ("a-1-1.noarch\na-0:1-1.noarch\n", .duplicate(file: "base.txt", entry: "a-0:1-1.noarch", firstLine: 1, secondLine: 2)),
    ("{\"packages\": {}, \"locked\": {}}", .badLockEntry(file: "base.txt", line: 1, name: "locked", reason: "is not an rpm-ostree lockfile key (packages, metadata)")),
    ("{\"packages\": {\"a\": {\"evra\": \"1.x86_64\"}}}",
     .badLockEntry(file: "base.txt", line: 1, name: "a", reason: "\"evra\": \"1.x86_64\" is not [epoch:]version-release.arch")),
    ("{\"packages\": {\n\"a\": {\"evra\": \"1-1.noarch\", \"evr\": \"1-1\"}}}",
     .badLockEntry(file: "base.txt", line: 2, name: "a", reason: "has both \"evra\" and \"evr\"; keep one")),
    ("packages:\n  a:\n    evra: 1-1.noarch\n    sha: x\n",
     .badLockEntry(file: "base.txt", line: 4, name: "a", reason: "has an unknown key 'sha' (evra, evr, digest, metadata)")),
])
func malformedListsNameFileLineAndEntry(text: String, expected: LockfileError) {
    let error = #expect(throws: LockfileProblems.self) { try parse(text) }
    #expect(error?.problems == [expected])
}

@Test(arguments: ["{\"packages\": [", "{\n\"packages\": {\n\"a\": {\"evra\": \"1-1.noarch\"},\n\"a\": {\"evra\": \"1-1.noarch\"}}}"])
func brokenLockfileIsASyntaxErrorWithItsLine(text: String) {
    let error = #expect(throws: LockfileProblems.self) { try parse(text) }
    guard case .badSyntax(let file, let line, _) = error?.problems.first else {
        Issue.record("expected a syntax error, got \(String(describing: error))")
        return
    }
    #expect(file == "base.txt" && line > 0)
}

@Test func everyBadLineOfAListIsReported() {
    let error = #expect(throws: LockfileProblems.self) {
        try parse("bash\nzlib-1.2.11-40.el9.x86_64\nnot a nevra\nzlib-1.2.11-40.el9.x86_64\n")
    }
    #expect(error?.problems.map(\.line) == [1, 3, 4])
}

@Test func everyBadEntryOfALockfileIsReported() {
    let error = #expect(throws: LockfileProblems.self) {
        try parse("""
            {"packages": {
              "a": {"evra": "oops"},
              "b": {"evra": "1-1.noarch"},
              "c": {}
            }}
            """)
    }
    #expect(error?.problems.map(\.line) == [2, 4])
}

/// rpm-ostree lockfiles may give `evr` without an arch: the arch is left to the repos.
@Test func evrEntryHasNoArch() throws {
    let list = try parse(#"{"packages": {"bash": {"evr": "5.1.8-4.el9"}, "kernel": {"evr": "1:5.14-1", "digest": "sha256:ab"}}}"#)
    #expect(list == [
        BasePackageSpec(name: "bash", version: "5.1.8", release: "4.el9", arch: nil),
        BasePackageSpec(name: "kernel", epoch: 1, version: "5.14", release: "1", arch: nil, digest: "sha256:ab"),
    ])
    #expect(list[0].description == "bash-5.1.8-4.el9")
}

/// rpm-ostree reads YAML lockfiles too; the file name or the first line tells the form.
@Test(arguments: ["base.yaml", "base.txt"])
func yamlLockfileReadsLikeTheJSONOne(file: String) throws {
    let list = try parse("""
        # a YAML lockfile
        packages:
          zsh:
            evra: 5.9-1.fc40.x86_64
          NetworkManager:
            evra: "1:1.46.2-1.fc40.x86_64"
            digest: sha256:00
        metadata:
          generated: 2024-10-23T00:00:00Z
        """, file: file)
    #expect(list.map(\.description) == ["zsh-5.9-1.fc40.x86_64", "NetworkManager-1:1.46.2-1.fc40.x86_64"])
    #expect(list[1].digest == "sha256:00")
}

@Test func lockfileKeepsFileOrderAndEpochs() throws {
    let list = try parse("""
        {"packages": {
          "zsh": {"evra": "5.9-1.fc40.x86_64", "digest": "sha256:00"},
          "NetworkManager": {"evra": "1:1.46.2-1.fc40.x86_64"},
          "a-b-c": {"evra": "0:2.0-3.fc40.noarch", "metadata": {"sourcerpm": "x"}}
        }, "metadata": {"generated": "2024-10-23T00:00:00Z"}}
        """)
    #expect(list == [
        BasePackageSpec(NEVRA(name: "zsh", version: "5.9", release: "1.fc40", arch: "x86_64"), digest: "sha256:00"),
        BasePackageSpec(NEVRA(name: "NetworkManager", epoch: 1, version: "1.46.2", release: "1.fc40", arch: "x86_64")),
        BasePackageSpec(NEVRA(name: "a-b-c", version: "2.0", release: "3.fc40", arch: "noarch")),
    ])
}

@Test func missingFileIsNamed() {
    #expect(throws: LockfileProblems([.unreadable(file: "/nonexistent/base.json", reason: "no such file")])) {
        try BasePackageList.load(file: "/nonexistent/base.json", arch: "x86_64")
    }
}

@Test(.enabled(if: Fixtures.corpus != nil, "../shared/corpus (real lockfiles) is absent next to the package root; skipped"))
func realFedoraCoreOSLockfileLoadsInFileOrder() throws {
    let path = try #require(Fixtures.corpus?.appendingPathComponent("base/fedora-coreos-40.manifest-lock.x86_64.json").path)
    let list = try BasePackageList.load(file: path, arch: "x86_64")
    // Expected values come from the file's own text: each `"name": {` line under packages, then its "evra".
    let lines = try String(contentsOfFile: path, encoding: .utf8).split(separator: "\n").map(String.init)
    var expected: [String] = []
    for (index, line) in lines.enumerated() where line.hasPrefix("    \"") && line.hasSuffix("\": {") {
        let name = line.trimmingCharacters(in: .whitespaces).dropFirst().prefix(while: { $0 != "\"" })
        let evraLine = lines[index + 1].trimmingCharacters(in: .whitespaces)
        guard evraLine.hasPrefix("\"evra\": \"") else { continue }
        let evra = evraLine.dropFirst("\"evra\": \"".count).prefix(while: { $0 != "\"" })
        expected.append("\(name)-\(evra)")
    }
    #expect(list.count == 439)
    #expect(list.count == expected.count)
    #expect(list.map(\.description) == expected.map { $0.replacingOccurrences(of: "-0:", with: "-") })
    let networkManager = try #require(list.first { $0.name == "NetworkManager" })
    #expect(networkManager.epoch == 1 && networkManager.version == "1.46.2" && networkManager.arch == "x86_64")
    #expect(list.first?.name == "NetworkManager")
    #expect(list.last?.name == "zstd")
}
