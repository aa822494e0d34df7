import Fixtures
import Foundation
import Lockfile
import Solv
import Testing

/// rpms.lock.yaml as rpm-lockfile-prototype writes it (its README and test data), trimmed.
private let prototypeLock = """
    ---
    lockfileVersion: 1
    lockfileVendor: redhat
    arches:
    - arch: x86_64
      packages:
      - url: http://mirror.example/os/Packages/a/apr-1.7.0-12.el9_3.x86_64.rpm
        repoid: ubi-9-appstream-rpms
        size: 129032
        checksum: sha256:7a8d216d45355f7b656777fcb874a0803d5e97a3e7575b8b58dc7bf608919459
        name: apr
        evr: 1.7.0-12.el9_3
        sourcerpm: apr-1.7.0-12.el9_3.src.rpm
      - url: http://mirror.example/os/Packages/b/bind-libs-9.16.23-14.el9.x86_64.rpm
        repoid: ubi-9-appstream-rpms
        name: bind-libs
        evr: 32:9.16.23-14.el9
      - url: http://mirror.example/os/Packages/t/tzdata-2024a-1.el9.noarch.rpm
      source: []
      module_metadata: []
    - arch: aarch64
      packages: []

    """

@Test func rpmsLockYAMLIsReadAsHermetoReadsIt() throws {
    let lock = try LockfileReader.parse(text: prototypeLock, file: "rpms.lock.yaml")
    #expect(lock.formats == [.rpmsLock])
    #expect(lock.arches == ["aarch64", "x86_64"])
    let packages = try #require(lock.packages(for: "x86_64"))
    #expect(packages.map(\.spec.description) == [
        "apr-1.7.0-12.el9_3.x86_64", "bind-libs-32:9.16.23-14.el9.x86_64", "tzdata-2024a-1.el9.noarch",
    ])
    #expect(packages[0].spec.digest == "sha256:7a8d216d45355f7b656777fcb874a0803d5e97a3e7575b8b58dc7bf608919459")
    #expect(packages[0].repoID == "ubi-9-appstream-rpms" && packages[0].size == 129032)
    #expect(packages[0].sourceRPM == "apr-1.7.0-12.el9_3.src.rpm")
    // Only `url` is required: the name and EVR come from its file name, as hermeto's model allows.
    #expect(packages[2].repoID == nil && packages[2].spec.digest == nil && packages[2].line == 18)
    #expect(try #require(lock.packages(for: "aarch64")).isEmpty)
    #expect(lock.packages(for: "s390x") == nil)
}

@Test(arguments: [
    ("lockfileVersion: 2\nlockfileVendor: redhat\narches: []\n", 1, "lockfileVersion", "must be 1"),
    ("lockfileVersion: 1\nlockfileVendor: acme\narches: []\n", 2, "lockfileVendor", "must be \"redhat\""),
    ("lockfileVersion: 1\nlockfileVendor: redhat\narches:\n- arch: x86_64\n  packages:\n  - repoid: a\n", 6,
     "arches[0].packages[0]", "has no \"url\""),
    ("lockfileVersion: 1\nlockfileVendor: redhat\narches:\n- arch: x86_64\n  packages:\n  - url: http://x/y/notanrpm\n", 6,
     "arches[0].packages[0]", "is not name-version-release.arch.rpm"),
    ("lockfileVersion: 1\nlockfileVendor: redhat\narches:\n- arch: x86_64\n  packages:\n  - url: http://x/a-1-1.noarch.rpm\n    checksum: abc\n",
     7, "arches[0].packages[0]", "\"algorithm:hex\""),
])
func aBrokenRpmsLockNamesLineAndEntry(text: String, line: Int, name: String, reason: String) {
    let error = #expect(throws: LockfileProblems.self) { try LockfileReader.parse(text: text, file: "rpms.lock.yaml") }
    guard case let .badLockEntry(file, foundLine, foundName, foundReason)? = error?.problems.first else {
        Issue.record("expected one bad entry, got \(String(describing: error))")
        return
    }
    #expect(file == "rpms.lock.yaml" && foundLine == line && foundName == name, "\(error!)")
    #expect(foundReason.contains(reason), "\(foundReason)")
}

@Test func laterLockfilesOverrideEarlierOnesByName() throws {
    var lock = try LockfileReader.parse(text: prototypeLock, file: "rpms.lock.yaml")
    let overrides = try LockfileReader.parse(text: """
        packages:
          apr:
            evra: 1.7.0-13.el9.x86_64
          zlib:
            evr: 1.2.11-40.el9
        """, file: "overrides.yaml")
    lock.merge(overrides)
    #expect(lock.files == ["rpms.lock.yaml", "overrides.yaml"])
    let x86 = try #require(lock.packages(for: "x86_64")).map(\.spec.description)
    #expect(x86 == ["bind-libs-32:9.16.23-14.el9.x86_64", "tzdata-2024a-1.el9.noarch", "apr-1.7.0-13.el9.x86_64", "zlib-1.2.11-40.el9"])
    #expect(try #require(lock.packages(for: "aarch64")).map(\.spec.name) == ["apr", "zlib"])
}

/// What the writer gives back through the reader, and through PyYAML (hermeto's loader): every
/// string stays a string, even ones YAML would read as numbers or booleans unquoted.
@Test func writtenLocksReadBackTheSame() throws {
    let packages = [
        LockedPackage(spec: BasePackageSpec(NEVRA(name: "true", epoch: 2, version: "1.10", release: "1", arch: "x86_64"),
                                            digest: "sha256:00ff"),
                      repoID: "1.10", url: "https://m/Packages/true-1.10-1.x86_64.rpm", size: 12, sourceRPM: "true-1.10-1.src.rpm"),
        LockedPackage(spec: BasePackageSpec(NEVRA(name: "a-b", version: "2", release: "3.fc40", arch: "noarch"), digest: "sha256:ab"),
                      repoID: "on", url: "https://m/a-b-2-3.fc40.noarch.rpm", size: 7),
    ]
    let arch = ArchLock(arch: "x86_64", packages: packages,
                        moduleMetadata: [LockedModuleMetadata(url: "https://m/repodata/x-modules.yaml.gz", repoID: "on",
                                                              size: 5, checksum: "sha256:cd")],
                        repos: [(id: "on", generated: 1_700_000_000)])
    let yaml = LockfileWriter.rpmsLock([arch])
    let read = try LockfileReader.parse(text: String(decoding: yaml, as: UTF8.self), file: "x.yaml")
    let back = try #require(read.packages(for: "x86_64"))
    #expect(back.map(\.spec) == packages.sorted { $0.url! < $1.url! }.map(\.spec))
    #expect(back.map(\.repoID) == ["1.10", "on"] || back.map(\.repoID) == ["on", "1.10"])

    let dir = try Fixtures.temporaryDirectory("lockfile-write")
    let file = dir.appendingPathComponent("rpms.lock.yaml")
    try yaml.write(to: file)
    let types = try Fixtures.run(["python3", "-c", """
        import sys, yaml
        lock = yaml.safe_load(open(sys.argv[1]))
        assert lock["lockfileVersion"] == 1 and lock["lockfileVendor"] == "redhat"
        for p in lock["arches"][0]["packages"]:
            for key in ("url", "repoid", "checksum", "name", "evr"):
                assert isinstance(p[key], str), (key, p[key])
            assert isinstance(p["size"], int)
        m = lock["arches"][0]["module_metadata"][0]
        assert isinstance(m["repoid"], str) and m["size"] == 5
        print(sorted(p["repoid"] for p in lock["arches"][0]["packages"]))
        """, file.path]).stdout
    #expect(types.contains("['1.10', 'on']"), "\(types)")

    let json = try LockfileWriter.rpmOstree(arch, generated: 1_700_000_000)
    let ostree = try LockfileReader.parse(text: String(decoding: json, as: UTF8.self), file: "lock.json")
    #expect(try #require(ostree.packages(for: "x86_64")).map(\.spec).sorted { $0.name < $1.name } == packages.map(\.spec).sorted { $0.name < $1.name })
    #expect(String(decoding: json, as: UTF8.self).contains("\"generated\" : \"2023-11-14T22:13:20Z\""))
}

@Test func anRPMOstreeLockHoldsOneBuildPerName() {
    let multilib = ["x86_64", "i686"].map {
        LockedPackage(spec: BasePackageSpec(NEVRA(name: "glibc", version: "2.34", release: "1", arch: $0)))
    }
    #expect(throws: LockfileWriteError.self) {
        try LockfileWriter.rpmOstree(ArchLock(arch: "x86_64", packages: multilib), generated: 0)
    }
    #expect(LockfileWriter.rpmsLock([ArchLock(arch: "x86_64", packages: multilib)]).count > 0)
}
