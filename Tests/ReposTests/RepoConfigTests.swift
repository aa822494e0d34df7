import Testing
@testable import Repos

private let vars = ["basearch": "x86_64", "arch": "x86_64", "releasever": "9"]

private func parse(_ text: String) throws(RepoConfigError) -> [RepoDefinition] {
    try RepoConfig.parse(text: text, file: "t.repo", variables: vars).repos
}

@Test func fullSectionReadsEveryField() throws {
    let repos = try parse("""
        # CentOS
        [baseos]
        name=CentOS Stream $releasever - BaseOS
        baseurl=https://mirror.example/9-stream/BaseOS/$basearch/os/
                https://other.example/${basearch}/os/,file:///srv/baseos
        metalink=https://mirrors.example/metalink?repo=baseos&arch=$basearch
        enabled = yes
        gpgcheck=1
        gpgkey=file:///etc/pki/a.key file:///etc/pki/b.key
        exclude=kernel*, foo
        excludepkgs=bar
        includepkgs=a* b*
        priority=10
        skip_if_unavailable=False
        """)
    #expect(repos == [RepoDefinition(
        id: "baseos", name: "CentOS Stream 9 - BaseOS",
        baseURLs: ["https://mirror.example/9-stream/BaseOS/x86_64/os/", "https://other.example/x86_64/os/",
                   "file:///srv/baseos"],
        metalink: "https://mirrors.example/metalink?repo=baseos&arch=x86_64",
        enabled: true, gpgCheck: true, gpgKeys: ["file:///etc/pki/a.key", "file:///etc/pki/b.key"],
        excludes: ["kernel*", "foo", "bar"], includes: ["a*", "b*"], priority: 10, origin: "t.repo:2")])
}

@Test func defaultsFollowDnf() throws {
    let repos = try parse("[x]\nbaseurl=/srv/x\n")
    #expect(repos == [RepoDefinition(id: "x", name: "x", baseURLs: ["/srv/x"], enabled: true, gpgCheck: false,
                                     priority: 99, origin: "t.repo:1")])
}

@Test(arguments: [("1", true), ("0", false), ("True", true), ("false", false), ("YES", true), ("no", false),
                  ("on", true), ("off", false)])
func booleansAcceptDnfSpellings(value: String, expected: Bool) throws {
    let repos = try parse("[x]\nbaseurl=/srv/x\nenabled=1\ngpgcheck=\(value)\n")
    #expect(repos.first?.gpgCheck == expected)
}

@Test(arguments: [
    ("[x]\nbaseurl=/x\nenabled=maybe\n", RepoConfigError.badBoolean(file: "t.repo", line: 3, key: "enabled", value: "maybe")),
    ("[x]\nbaseurl=/x\npriority=high\n", .badInteger(file: "t.repo", line: 3, key: "priority", value: "high")),
    ("baseurl=/x\n", .lineOutsideSection(file: "t.repo", line: 1, text: "baseurl=/x")),
    ("[x]\nbaseurl /x\n", .missingEquals(file: "t.repo", line: 2, text: "baseurl /x")),
    ("[x y]\nbaseurl=/x\n", .badSection(file: "t.repo", line: 1, text: "[x y]")),
    ("[x\n", .badSection(file: "t.repo", line: 1, text: "[x")),
    ("[x]\nbaseurl=\n", .emptyValue(file: "t.repo", line: 2, key: "baseurl")),
    ("[x]\nbaseurl=http://h/$foo/os\n", .unknownVariable(file: "t.repo", line: 2, key: "baseurl", name: "foo")),
    ("[x]\nbaseurl=/a\n[x]\nbaseurl=/b\n", .duplicateRepo(id: "x", first: "t.repo:1", second: "t.repo:3")),
    ("[x]\nname=no url\n", .noBaseURL(id: "x", origin: "t.repo:1")),
])
func malformedFilesFailWithLocation(text: String, expected: RepoConfigError) {
    #expect(throws: expected) { try parse(text) }
}

@Test func errorMessagesSayWhereAndWhatToDo() {
    let error = RepoConfigError.emptyValue(file: "extensions.repo", line: 7, key: "baseurl")
    #expect(error.description == "extensions.repo:7: 'baseurl' has no value; give at least one URL or path")
    let unknown = RepoConfigError.unknownVariable(file: "a.repo", line: 3, key: "baseurl", name: "foo")
    #expect(unknown.description.hasPrefix("a.repo:3: unknown variable $foo in baseurl"))
}

@Test func disabledRepoWithOnlyMetalinkIsKept() throws {
    let repos = try parse("[updates]\nmetalink=https://m/?arch=$basearch\nenabled=0\n")
    #expect(repos.first?.enabled == false)
    #expect(repos.first?.baseURLs == [])
    #expect(repos.first?.metalink == "https://m/?arch=x86_64")
}

@Test func unknownKeysWarnButDoNotFail() throws {
    let result = try RepoConfig.parse(
        text: "[x]\nbaseurl=/x\nfrobnicate=1\nsslverify=0\nbaseurl=/y\n", file: "t.repo", variables: vars)
    #expect(result.repos.first?.baseURLs == ["/y"])
    #expect(result.warnings.count == 2)
    #expect(result.warnings.contains { $0.hasPrefix("t.repo:3:") && $0.contains("frobnicate") })
    #expect(result.warnings.contains { $0.hasPrefix("t.repo:5:") && $0.contains("line 2") })
}

@Test func commentsBlankLinesAndCRLFAreSkipped() throws {
    let repos = try parse("; top\r\n\r\n[x]\r\n# c\r\nbaseurl=/x\r\n  ; indented comment\r\n")
    #expect(repos.map(\.baseURLs) == [["/x"]])
}

@Test(arguments: [
    ("$basearch", "x86_64"), ("${releasever}", "9"), ("a$arch-b", "ax86_64-b"), ("cost$", "cost$"),
    ("${missing:-fallback}", "fallback"), ("${basearch:+set}", "set"), ("${missing:+set}", ""),
    ("${missing:-${basearch}}", "x86_64"), ("$$", "$$"),
])
func variablesExpandLikeDnf(text: String, expected: String) throws {
    #expect(try RepoVariables.substitute(text, vars) == expected)
}

@Test func directoryIsReadInNameOrderAndDuplicatesAcrossFilesFail() throws {
    let dir = try TemporaryDirectory()
    try dir.write("b.repo", "[two]\nbaseurl=/two\n")
    try dir.write("a.repo", "[one]\nbaseurl=/one\n")
    try dir.write("notes.txt", "[ignored]\n")
    let loaded = try RepoConfig.loadDirectory(dir.path, variables: vars)
    #expect(loaded.repos.map(\.id) == ["one", "two"])
    #expect(loaded.repos.first?.origin == dir.path + "/a.repo:1")

    try dir.write("c.repo", "\n[one]\nbaseurl=/again\n")
    #expect(throws: RepoConfigError.duplicateRepo(id: "one", first: dir.path + "/a.repo:1", second: dir.path + "/c.repo:2")) {
        try RepoConfig.loadDirectory(dir.path, variables: vars)
    }
}

@Test func missingDirectoryIsNamed() {
    #expect(throws: RepoConfigError.directoryMissing(path: "/nonexistent/yum.repos.d")) {
        try RepoConfig.loadDirectory("/nonexistent/yum.repos.d", variables: [:])
    }
}

@Test func overrideReplacesTheMetalinkAndMirrorlistToo() throws {
    let dir = try TemporaryDirectory()
    try dir.write("fedora.repo", "[fedora]\nmetalink=https://m/\n[updates]\nmirrorlist=https://l/\nbaseurl=/b\n")
    let plain = try RepoConfig.loadDirectory(dir.path, variables: vars)
    #expect(plain.repos.map(\.metalink) == ["https://m/", nil])
    let loaded = try RepoConfig.loadDirectory(dir.path, variables: vars,
                                              overrides: ["fedora=/mirror/fedora", "updates=/mirror/updates"])
    #expect(loaded.repos.map(\.baseURLs) == [["/mirror/fedora"], ["/mirror/updates"]])
    #expect(loaded.repos.allSatisfy { $0.metalink == nil && $0.mirrorList == nil })
}

/// `--repo ID=URL` expands `$basearch`, `$arch` and `$releasever` as a .repo file would.
@Test func overrideSubstitutesVariables() throws {
    var repos: [RepoDefinition] = []
    try RepoConfig.applyOverride("os=https://m/$releasever/${basearch}/os-$arch", to: &repos, variables: vars)
    #expect(repos.first?.baseURLs == ["https://m/9/x86_64/os-x86_64"])
    #expect(throws: RepoConfigError.self) { try RepoConfig.applyOverride("x=https://m/$nope/", to: &repos, variables: vars) }
}

@Test func overrideReplacesAndEnablesOrAdds() throws {
    var repos = [RepoDefinition(id: "baseos", baseURLs: ["/old"], enabled: false, origin: "a.repo:1")]
    try RepoConfig.applyOverride("baseos=https://new.example/baseos/", to: &repos)
    try RepoConfig.applyOverride("extra=/srv/extra", to: &repos)
    #expect(repos.map(\.baseURLs) == [["https://new.example/baseos/"], ["/srv/extra"]])
    #expect(repos.map(\.enabled) == [true, true])
    #expect(repos.map(\.origin) == ["a.repo:1 (baseurl from --repo)", "--repo"])
}

@Test(arguments: ["baseos", "=https://x/", "baseos=", "bad id=/x"])
func malformedOverridesFail(spec: String) {
    var repos: [RepoDefinition] = []
    #expect(throws: RepoConfigError.self) { try RepoConfig.applyOverride(spec, to: &repos) }
}
