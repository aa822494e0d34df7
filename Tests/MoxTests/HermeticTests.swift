// Hermetic builds: lockfiles written and read, composes offline from what hermeto prefetched,
// repos as the build system names them, SBOMs.
import Fixtures
import Foundation
import Testing

@Suite("hermetic builds")
struct HermeticTests {
    typealias W = ComposeWorld

    /// The world's repos over HTTP, as a build system's mirror.
    func serveWorld() throws -> FileServer {
        try FileServer(serving: try W.get().directory.appendingPathComponent("repos"))
    }

    /// Compose online from the build system's repos (ids `cdn-os`, `cdn-extra`, mapped to the
    /// manifest's), write rpms.lock.yaml, prefetch it as hermeto does, then compose offline from the
    /// prefetched repos with the lock: the same tree, image and SBOM, byte for byte, and not one request.
    @Test func aComposeFromTheLockOfflineFromHermetosPrefetchIsByteIdentical() throws {
        let server = try serveWorld()
        defer { server.stop() }
        let online = try ComposeRun("hermetic-online")
        let repos = try Hermetic.buildSystemRepos(in: online.directory.appendingPathComponent("build-repos"),
                                                  baseURL: server.baseURL, ids: ("cdn-os", "cdn-extra"))
        let lock = online.directory.appendingPathComponent("rpms.lock.yaml")
        let mapping = ["--map-repo", "os=cdn-os", "--map-repo", "extra=cdn-extra"]
        let first = try online.compose(mapping + [
            "--write-lockfile", lock.path, "--oci-layout", online.directory.appendingPathComponent("image").path,
            "--sbom", online.directory.appendingPathComponent("sbom").path,
        ], reposDir: repos)
        #expect(first.status == 0, "\(first.stdout)\n\(first.stderr)")

        // The index records the manifest's ids; the lock the build system's, with what hermeto needs.
        let recorded = try online.index().at("arches", "x86_64", "extensions") as? [String: [String: Any]] ?? [:]
        let repoOf = Dictionary(recorded.values.flatMap { $0["packages"] as? [[String: Any]] ?? [] }
            .map { ($0["name"] as? String ?? "", $0["repo"] as? String ?? "") }, uniquingKeysWith: { a, _ in a })
        #expect(repoOf["usbguard"] == "os" && repoOf["extratool"] == "extra", "\(repoOf)")
        let locked = try Hermetic.lockedPackages(lock)
        #expect(Set(locked.compactMap { $0["name"] as? String }) == Set(try online.flat().keys))
        for package in locked {
            let name = package["name"] as? String ?? ""
            let fileName = (package["url"] as? String ?? "").split(separator: "/").last.map(String.init)
            let file = try #require(try W.get().rpms.values.first { $0.lastPathComponent == fileName }, "\(package)")
            #expect(package["repoid"] as? String == (name.hasPrefix("extra") ? "cdn-extra" : "cdn-os"), "\(package)")
            #expect((package["url"] as? String)?.hasPrefix(server.baseURL + "/") == true, "\(package)")
            #expect(package["checksum"] as? String == "sha256:" + (try sha256(of: file)), "\(package)")
            #expect(package["size"] as? Int == (try FileManager.default.attributesOfItem(atPath: file.path)[.size] as? Int))
            #expect((package["sourcerpm"] as? String)?.hasSuffix(".src.rpm") == true, "\(package)")
        }

        // hermeto: fetch-deps rpm, then inject-files (its repo file checks signatures unless told not to).
        let prefetched = online.directory.appendingPathComponent("hermeto-output")
        try Hermeto.prefetch(lockfile: lock, into: prefetched,
                             dnfOptions: ["cdn-os": ["gpgcheck": "0"], "cdn-extra": ["gpgcheck": "0"]])
        let requestsBefore = server.requests.count

        let offline = try ComposeRun("hermetic-offline")
        let second = try offline.compose(mapping + [
            "--lockfile", lock.path, "--lockfile-strict", "--offline",
            "--oci-layout", offline.directory.appendingPathComponent("image").path,
            "--sbom", offline.directory.appendingPathComponent("sbom").path,
        ], reposDir: Hermeto.reposDirectory(prefetched, arch: "x86_64"))
        #expect(second.status == 0, "\(second.stdout)\n\(second.stderr)")
        #expect(server.requests.count == requestsBefore, "offline, yet the server was asked: \(server.requests.dropFirst(requestsBefore))")
        #expect(try Hermetic.contents(of: offline.output) == Hermetic.contents(of: online.output))
        for part in ["image", "sbom"] {
            let a = try Hermetic.contents(of: online.directory.appendingPathComponent(part))
            let b = try Hermetic.contents(of: offline.directory.appendingPathComponent(part))
            #expect(!a.isEmpty && a == b, "\(part)")
        }
    }

    /// Prefetched repos under ids neither the manifest nor the lock uses: packages are matched by
    /// checksum and NEVRA, and what the tree records comes from the lock, so nothing changes.
    @Test func prefetchedReposUnderOtherIdsAreMatchedByChecksumAndNEVRA() throws {
        let online = try ComposeRun("hermetic-renamed-online")
        let lock = online.directory.appendingPathComponent("rpms.lock.yaml")
        let first = try online.compose(["--write-lockfile", lock.path])
        #expect(first.status == 0, "\(first.stdout)\n\(first.stderr)")
        #expect(Set(try Hermetic.lockedPackages(lock).compactMap { $0["repoid"] as? String }) == ["os", "extra"])

        let prefetched = online.directory.appendingPathComponent("prefetched")
        try Hermeto.prefetch(lockfile: lock, into: prefetched, dnfOptions: ["p-1": ["gpgcheck": "0"], "p-2": ["gpgcheck": "0"]],
                             renaming: ["os": "p-1", "extra": "p-2"])
        let offline = try ComposeRun("hermetic-renamed-offline")
        let second = try offline.compose(["--lockfile", lock.path, "--offline", "--all-repos", "--map-repo", "extra=p-2"],
                                         reposDir: Hermeto.reposDirectory(prefetched, arch: "x86_64"))
        #expect(second.status == 0, "\(second.stdout)\n\(second.stderr)")
        #expect(try Hermetic.contents(of: offline.output) == Hermetic.contents(of: online.output))
    }

    /// `--offline` with an http repo: not one request reaches the server, and the error names the
    /// repo and URL to prefetch (exit 3); nothing is written.
    @Test func offlineOpensNoConnectionAndNamesTheReposToPrefetch() throws {
        let server = try serveWorld()
        defer { server.stop() }
        let run = try ComposeRun("hermetic-offline-http")
        let repos = try Hermetic.buildSystemRepos(in: run.directory.appendingPathComponent("repos"), baseURL: server.baseURL,
                                                  ids: ("os", "extra"))
        for command in ["compose", "check"] {
            let result = command == "compose" ? try run.compose(["--offline"], reposDir: repos)
                : try run.check(["--offline"], reposDir: repos)
            #expect(result.status == 3, "\(command): \(result.stdout)\n\(result.stderr)")
            #expect(result.stderr.contains("repo 'os'") && result.stderr.contains("\(server.baseURL)/os"), "\(result.stderr)")
            #expect(result.stderr.contains("prefetch"), "\(result.stderr)")
        }
        #expect(server.requests.isEmpty, "\(server.requests)")
        #expect(!FileManager.default.fileExists(atPath: run.output.path))
    }

    /// Offline, a base image in a registry is not read (nothing is contacted): exit 3, saying how to prefetch it.
    @Test func offlineReadsNoBaseImageFromARegistry() throws {
        let run = try ComposeRun("hermetic-offline-image")
        let reference = "docker://" + (try FileServer.deadURL()).dropFirst("http://".count) + "/node:4.19"
        let world = try W.get()
        let result = try Fixtures.run([try Mox.binary.path, "check", run.manifest.path, "--cachedir", run.cache.path,
                                       "--repos-dir", world.reposDirectory.path, "--base-image", reference,
                                       "--arch", "x86_64", "--offline"], allowFailure: true)
        #expect(result.status == 3, "\(result.stdout)\n\(result.stderr)")
        #expect(result.stderr.contains("--offline") && result.stderr.contains("oci-archive:"), "\(result.stderr)")
    }

    /// Offline, a locked package the prefetched repos lack is named with where to get it (exit 3).
    @Test func offlineNamesLockedPackagesThePrefetchLacks() throws {
        let online = try ComposeRun("hermetic-incomplete")
        let lock = online.directory.appendingPathComponent("rpms.lock.yaml")
        #expect(try online.check(["--write-lockfile", lock.path]).status == 0)
        let prefetched = online.directory.appendingPathComponent("prefetched")
        try Hermeto.prefetch(lockfile: lock, into: prefetched, dnfOptions: ["os": ["gpgcheck": "0"], "extra": ["gpgcheck": "0"]])
        let osRepo = prefetched.appendingPathComponent("deps/rpm/x86_64/os")
        try FileManager.default.removeItem(at: osRepo.appendingPathComponent(W.libdeep.fileName))
        try Fixtures.createRepo(osRepo)
        let result = try online.compose(["--lockfile", lock.path, "--offline"], reposDir: Hermeto.reposDirectory(prefetched, arch: "x86_64"))
        #expect(result.status == 3, "\(result.stdout)\n\(result.stderr)")
        #expect(result.stderr.contains(W.libdeep.nevra) && result.stderr.contains("prefetch"), "\(result.stderr)")
        #expect(!FileManager.default.fileExists(atPath: online.output.path))
    }

    // MARK: Locks that pin, and locks that no longer close

    static let usbguardOnly = "repos: [os]\nextensions:\n  usbguard:\n    packages: [usbguard]\n"

    /// An os repo of the world's packages without `removed`, with `added`, under id `os`.
    static func movedRepo(_ run: ComposeRun, removing removed: [FixturePackage], adding added: [FixturePackage]) throws -> URL {
        let world = try W.get()
        let repo = run.directory.appendingPathComponent("moved/os")
        try FileManager.default.createDirectory(at: repo, withIntermediateDirectories: true)
        for package in W.osPackages where !removed.contains(package) {
            try FileManager.default.linkItem(at: world.osRepo.appendingPathComponent(package.fileName),
                                             to: repo.appendingPathComponent(package.fileName))
        }
        if !added.isEmpty {
            let built = try Fixtures.buildRPMs(added, into: run.directory.appendingPathComponent("rpms"))
            for (package, file) in zip(added, built) {
                try FileManager.default.copyItem(at: file, to: repo.appendingPathComponent(package.fileName))
            }
        }
        try Fixtures.createRepo(repo)
        let repos = run.directory.appendingPathComponent("moved-repos.d")
        try Fixtures.writeRepoFile(id: "os", baseURL: repo.path, in: repos)
        return repos
    }

    static let newerLibdeep = FixturePackage("libdeep", version: "1.1", files: ["/usr/share/libdeep/a"])

    /// A locked name can only be its locked build: the repos' newer build is not taken; without
    /// the lock it is. A repo that lost the locked build fails the arch, naming it and what the repos have.
    @Test func aLockPinsItsBuildsAndFailsWhenTheReposLackOne() throws {
        let run = try ComposeRun("hermetic-pin", yaml: Self.usbguardOnly)
        let lock = run.directory.appendingPathComponent("rpms.lock.yaml")
        #expect(try run.check(["--write-lockfile", lock.path]).status == 0)

        let both = try Self.movedRepo(run, removing: [], adding: [Self.newerLibdeep])
        let unlocked = try JSONDocument(try run.check(["--format", "json"], reposDir: both).stdout)
        #expect(try unlocked.nevras("usbguard").contains(Self.newerLibdeep.nevra))
        let pinned = try run.check(["--format", "json", "--lockfile", lock.path], reposDir: both)
        #expect(pinned.status == 0, "\(pinned.stdout)\n\(pinned.stderr)")
        #expect(try JSONDocument(pinned.stdout).nevras("usbguard").contains(W.libdeep.nevra))

        let run2 = try ComposeRun("hermetic-pin-lost", yaml: Self.usbguardOnly)
        let lost = try Self.movedRepo(run2, removing: [W.libdeep], adding: [Self.newerLibdeep])
        let failed = try run2.check(["--format", "json", "--lockfile", lock.path], reposDir: lost)
        #expect(failed.status == 1, "\(failed.stdout)\n\(failed.stderr)")
        let failures = try JSONDocument(failed.stdout).arches.first?["failures"] as? [[String: Any]] ?? []
        let message = failures.map { ($0["message"] as? String ?? "") + "\n" + (($0["details"] as? [String]) ?? []).joined(separator: "\n") }
            .joined(separator: "\n")
        #expect(failures.first?["kind"] as? String == "lock-mismatch", "\(failures)")
        #expect(message.contains("pins \(W.libdeep.nevra)") && message.contains("none of the repos has"), "\(message)")
        #expect(message.contains(Self.newerLibdeep.nevra), "what the repos have instead: \(message)")
        let text = try run2.check(["--lockfile", lock.path], reposDir: lost)
        #expect(text.status == 1 && text.stdout.contains("the lock disagrees"), "\(text.stdout)")
    }

    /// A base that now has a locked dependency: the lock was made for another base.
    @Test func aLockForABaseThatMovedFails() throws {
        let run = try ComposeRun("hermetic-base-moved", yaml: Self.usbguardOnly)
        let lock = run.directory.appendingPathComponent("rpms.lock.yaml")
        #expect(try run.check(["--write-lockfile", lock.path]).status == 0)
        let world = try W.get()
        let rootfs = run.directory.appendingPathComponent("rootfs")
        try Fixtures.makeRootfs((W.base + [W.libdeep]).map { world.osRepo.appendingPathComponent($0.fileName) }, at: rootfs)
        let result = try Fixtures.run([try Mox.binary.path, "check", run.manifest.path, "--cachedir", run.cache.path,
                                       "--repos-dir", world.reposDirectory.path, "--base-rootfs", rootfs.path,
                                       "--arch", "x86_64", "--lockfile", lock.path], allowFailure: true)
        #expect(result.status == 1, "\(result.stdout)\n\(result.stderr)")
        #expect(result.stdout.contains("pins \(W.libdeep.nevra)") && result.stdout.contains("the base moved"), "\(result.stdout)")
    }

    /// A relaxed lock resolves what it lacks as usual; a strict one fails naming each unlocked package.
    @Test func aStrictLockCatchesAnUnlockedPackage() throws {
        let run = try ComposeRun("hermetic-strict", yaml: Self.usbguardOnly)
        let lock = run.directory.appendingPathComponent("manifest-lock.{arch}.json")
        #expect(try run.check(["--write-lockfile", lock.path]).status == 0)
        let written = run.directory.appendingPathComponent("manifest-lock.x86_64.json")
        try run.write(yaml: Self.usbguardOnly + "  solo:\n    packages: [solo]\n")

        let relaxed = try run.check(["--format", "json", "--lockfile", written.path])
        #expect(relaxed.status == 0, "\(relaxed.stdout)\n\(relaxed.stderr)")
        let strict = try run.check(["--format", "json", "--lockfile", written.path, "--lockfile-strict"])
        #expect(strict.status == 1, "\(strict.stdout)\n\(strict.stderr)")
        let report = try JSONDocument(strict.stdout)
        #expect(try report.status("usbguard") == "resolved")
        #expect(try report.status("solo") == "failed")
        #expect(try report.failures("solo").map { $0["kind"] as? String } == ["not-in-lock"])
        #expect(try report.failureText("solo").contains(W.solo.nevra))
    }

    /// The rpm-ostree lockfile has the shape rpm-ostree's reader accepts (its fields, nothing else)
    /// and pins what it lists when read back.
    @Test func theRPMOstreeLockfileIsWhatRPMOstreeReads() throws {
        let run = try ComposeRun("hermetic-rpm-ostree")
        let lock = run.directory.appendingPathComponent("lock.json")
        let result = try run.compose(["--write-lockfile", lock.path])
        #expect(result.status == 0, "\(result.stdout)\n\(result.stderr)")
        // rpm-ostree's LockfileConfig: deny_unknown_fields at every level, evra entries, RFC 3339 times.
        let check = """
            import json, sys, datetime
            lock = json.load(open(sys.argv[1]))
            assert set(lock) <= {"packages", "metadata"}, lock.keys()
            assert set(lock["metadata"]) <= {"generated", "rpmmd_repos"}
            datetime.datetime.fromisoformat(lock["metadata"]["generated"].replace("Z", "+00:00"))
            for repo, meta in lock["metadata"]["rpmmd_repos"].items():
                assert set(meta) == {"generated"}, meta
                datetime.datetime.fromisoformat(meta["generated"].replace("Z", "+00:00"))
            for name, entry in lock["packages"].items():
                assert set(entry) <= {"evra", "evr", "digest", "metadata"}, entry
                evr, arch = entry["evra"].rsplit(".", 1)
                assert entry["digest"].startswith("sha256:")
                print(f"{name}-{evr}.{arch}")
            """
        let listed = try Fixtures.run(["python3", "-c", check, lock.path]).stdout.split(separator: "\n").map(String.init)
        let flat = try run.flat()
        #expect(Set(listed) == Set(flat.map { "\($0.key)-\($0.value)" }))
        let again = try run.check(["--lockfile", lock.path, "--lockfile-strict"])
        #expect(again.status == 0, "\(again.stdout)\n\(again.stderr)")
    }

    /// Modular packages need their repo's module metadata in the prefetch: rpms.lock.yaml lists
    /// the file as rpm-lockfile-prototype does (its URL, size and sha256 as stored).
    @Test func aLockOfModularPackagesListsTheirModuleMetadata() throws {
        let world = try ModularWorld.get()
        let run = try ComposeRun("hermetic-modular", yaml: """
            repos: [os, appstream]
            extensions:
              node:
                packages: [nodejs]
                modules:
                  enable: [nodejs:12]

            """)
        let lock = run.directory.appendingPathComponent("rpms.lock.yaml")
        let result = try Fixtures.run([try Mox.binary.path, "check", run.manifest.path, "--cachedir", run.cache.path,
                                       "--repos-dir", world.reposDirectory.path, "--base-rootfs", world.rootfs.path,
                                       "--arch", "x86_64", "--write-lockfile", lock.path], allowFailure: true)
        #expect(result.status == 0, "\(result.stdout)\n\(result.stderr)")
        let arch = try #require((try Hermetic.yaml(lock)["arches"] as? [[String: Any]])?.first)
        #expect((arch["packages"] as? [[String: Any]])?.contains { $0["evr"] as? String == ModularWorld.nodejs12.evr } == true, "\(arch)")
        let modules = arch["module_metadata"] as? [[String: Any]] ?? []
        #expect(modules.count == 1, "\(arch)")
        let entry = try #require(modules.first)
        #expect(entry["repoid"] as? String == "appstream")
        let url = try #require(URL(string: entry["url"] as? String ?? ""))
        #expect(url.isFileURL && url.path.contains("/repodata/") && url.lastPathComponent.contains("modules"), "\(url)")
        #expect(entry["checksum"] as? String == "sha256:" + (try sha256(of: url)))
        #expect(entry["size"] as? Int == (try FileManager.default.attributesOfItem(atPath: url.path)[.size] as? Int))
    }

    // MARK: Repos as the build system names them

    @Test(arguments: [
        (["--map-repo", "nosuch=cdn-os"], "uses no repo 'nosuch'"),
        (["--map-repo", "os=undefined-repo"], "defines 'undefined-repo'"),
        (["--map-repo", "os"], "--map-repo 'os'"),
    ])
    func aMappingThatCannotWorkIsAnInputError(arguments: [String], expected: String) throws {
        let run = try ComposeRun("hermetic-map-error")
        let result = try run.check(arguments)
        #expect(result.status == 2, "\(result.stdout)\n\(result.stderr)")
        #expect(result.stderr.contains(expected), "\(result.stderr)")
    }

    // MARK: SBOM

    /// Every RPM of every arch's image, with its purl (repository_id, the vendor's namespace), its
    /// sha256 and source RPM; the image CONTAINS each; extensions DEPEND_ON what they list or pulled
    /// in. spdx-tools validates each document; a second compose writes the same bytes.
    @Test func sbomsNameEveryShippedRPMAndValidate() throws {
        let run = try ComposeRun("hermetic-sbom", yaml: """
            repos: [os]
            extensions:
              usbguard:
                packages: [usbguard]
                architectures: [x86_64]
              tools:
                packages: [toolbox, archtool]

            """)
        let sbom = run.directory.appendingPathComponent("sbom")
        // aarch64 gets a base of its own: the world's rpmdb is x86_64 (nothing here needs a base package).
        let armBase = run.directory.appendingPathComponent("arm-base")
        try Fixtures.makeRootfs([], at: armBase)
        let arches = ["--arch", "x86_64", "--arch", "aarch64", "--base-rootfs", "aarch64=\(armBase.path)"]
        let result = try run.compose(arches + ["--sbom", sbom.path])
        #expect(result.status == 0, "\(result.stdout)\n\(result.stderr)")
        #expect(files(under: sbom) == ["aarch64.spdx.json", "index.spdx.json", "x86_64.spdx.json"])
        for file in files(under: sbom) {
            let validated = try Fixtures.run([try Hermetic.pyspdxtools.path, "-i", sbom.appendingPathComponent(file).path],
                                             allowFailure: true)
            // pyspdxtools exits 0 either way: an invalid document is reported on stderr.
            #expect(validated.status == 0 && !validated.stderr.contains("invalid") && !validated.stderr.contains("ERROR"),
                    "\(file): \(validated.stdout)\n\(validated.stderr)")
        }

        let document = try jsonObject(at: sbom.appendingPathComponent("x86_64.spdx.json"))
        #expect(document["spdxVersion"] as? String == "SPDX-2.3")
        let packages = document["packages"] as? [[String: Any]] ?? []
        let rpms = packages.filter { ($0["SPDXID"] as? String ?? "").hasPrefix("SPDXRef-RPM-") }
        let byName = Dictionary(rpms.map { ($0["name"] as? String ?? "", $0) }, uniquingKeysWith: { a, _ in a })
        let usbguardExtension = packages.first { $0["name"] as? String == "usbguard" && $0["primaryPackagePurpose"] as? String == "OTHER" }
        let index = try run.index().at("arches", "x86_64", "extensions") as? [String: [String: Any]] ?? [:]
        let shipped = index.values.flatMap { $0["packages"] as? [[String: Any]] ?? [] }
        let relationships = document["relationships"] as? [[String: Any]] ?? []
        #expect(Set(rpms.compactMap { $0["name"] as? String }) == Set(shipped.compactMap { $0["name"] as? String }))
        for package in shipped {
            let name = package["name"] as? String ?? ""
            let entry = try #require(byName[name], "\(name) missing from the SBOM")
            let purl = (entry["externalRefs"] as? [[String: Any]])?.first?["referenceLocator"] as? String ?? ""
            let namespace = name == "usbguard" ? "redhat/" : ""
            #expect(purl.hasPrefix("pkg:rpm/\(namespace)\(name)@\(package["version"] ?? "")-\(package["release"] ?? "")?arch=\(package["arch"] ?? "")"), "\(purl)")
            #expect(purl.hasSuffix("repository_id=os"), "\(purl)")
            let checksum = (entry["checksums"] as? [[String: Any]])?.first?["checksumValue"] as? String
            #expect(checksum == package["sha256"] as? String)
            #expect((entry["sourceInfo"] as? String)?.contains("\(name)-") == true, "\(entry)")
            let id = entry["SPDXID"] as? String ?? ""
            #expect(relationships.contains { $0["relationshipType"] as? String == "CONTAINS" && $0["relatedSpdxElement"] as? String == id
                && ($0["spdxElementId"] as? String ?? "").hasPrefix("SPDXRef-Image-") }, "\(name) not contained")
        }
        #expect(relationships.contains { $0["relationshipType"] as? String == "DEPENDS_ON"
            && $0["spdxElementId"] as? String == usbguardExtension?["SPDXID"] as? String
            && ($0["comment"] as? String ?? "").contains("pulled in") })
        let arm = try jsonObject(at: sbom.appendingPathComponent("aarch64.spdx.json"))
        #expect(!((arm["packages"] as? [[String: Any]] ?? []).contains { $0["name"] as? String == "usbguard" }))

        let before = try Hermetic.contents(of: sbom)
        let again = try run.compose(arches + ["--sbom", sbom.path, "--output", run.directory.appendingPathComponent("out2").path])
        #expect(again.status == 0)
        #expect(try Hermetic.contents(of: sbom) == before)
    }
}
