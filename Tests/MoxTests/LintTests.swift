// `mox lint`: it passes the images mox writes (one arch, several, in every transport) and an image
// built without mox the way openshift/os builds one; each way of breaking the contract is caught
// with its own message; the installability check passes and fails as a node would.
import Fixtures
import Foundation
import Testing

@Suite("mox lint: any extensions image against what its consumers need")
struct LintTests {
    typealias W = CheckWorld

    /// One x86_64 image mox composed with a stream class: the good image the broken ones start from.
    static let good = Result { try ImageCompose.made("lint-good", ["--stream-class", "rhel-9"]) }

    /// The same extensions for x86_64 and aarch64, in one image index.
    static let multiArch = Result {
        try ImageCompose.made("lint-multi", ["--stream-class", "rhel-9", "--arch", "x86_64", "--arch", "aarch64"])
    }

    static let checks = ["labels", "command", "repodata", "packages", "flat-map", "installable"]

    // MARK: Passing

    @Test func moxsImagePassesEveryCheckAndIsInstallableOnItsBase() throws {
        let world = try W.get()
        let run = try Self.good.get()
        let plain = try LintResult(["oci:\(run.layout.path):latest"])
        #expect(plain.status == 0, "\(plain.stdout)\(plain.stderr)")
        #expect(plain.json["status"] as? String == "passed")
        for name in Self.checks.dropLast() { #expect(plain.status(of: name) == "passed", "\(name): \(plain.stdout)") }
        #expect(plain.status(of: "installable") == "skipped")

        let full = try LintResult(["oci:\(run.layout.path):latest", run.manifest.path, "--base-rootfs", world.rootfs.path,
                                   "--cachedir", run.cache.path])
        #expect(full.status == 0, "\(full.stdout)\(full.stderr)")
        for name in Self.checks { #expect(full.status(of: name) == "passed", "\(name): \(full.stdout)") }

        let text = try Fixtures.run([try Mox.binary.path, "lint", "-q", "oci:\(run.layout.path):latest"], allowFailure: true)
        #expect(text.status == 0)
        #expect(text.stdout.contains("passed: the image meets the contract on x86_64"))
    }

    @Test func everyArchOfAMultiArchImageIsChecked() throws {
        let world = try W.get()
        let run = try Self.multiArch.get()
        let result = try LintResult(["oci:\(run.layout.path):latest", run.manifest.path, "--base-rootfs", world.rootfs.path,
                                     "--cachedir", run.cache.path])
        #expect(result.status == 0, "\(result.stdout)\(result.stderr)")
        #expect(result.arches.compactMap { $0["arch"] as? String } == ["x86_64", "aarch64"])
        for arch in ["x86_64", "aarch64"] {
            for name in Self.checks { #expect(result.status(of: name, arch: arch) == "passed", "\(arch) \(name): \(result.stdout)") }
        }
        let one = try LintResult(["oci:\(run.layout.path):latest", "--arch", "aarch64"])
        #expect(one.status == 0)
        #expect(one.arches.compactMap { $0["arch"] as? String } == ["aarch64"])
    }

    /// The transports skopeo reads: an archive, and a registry (each arch copied by digest).
    @Test func imagesAreReadFromArchivesAndRegistries() throws {
        let run = try Self.multiArch.get()
        let dir = try Fixtures.temporaryDirectory("lint-transports")
        defer { try? FileManager.default.removeItem(at: dir) }
        let archive = dir.appendingPathComponent("image.tar")
        try Fixtures.run(["skopeo", "copy", "--quiet", "--all", "oci:\(run.layout.path):latest", "oci-archive:\(archive.path)"])
        let fromArchive = try LintResult(["oci-archive:\(archive.path)"])
        #expect(fromArchive.status == 0, "\(fromArchive.stdout)\(fromArchive.stderr)")
        #expect(fromArchive.arches.count == 2)
        // docker save's format: a Docker schema 2 manifest, one arch.
        let docker = dir.appendingPathComponent("docker.tar")
        try Fixtures.run(["skopeo", "copy", "--quiet", "oci:\(try Self.good.get().layout.path):latest",
                          "docker-archive:\(docker.path):extensions:latest"])
        let fromDocker = try LintResult(["docker-archive:\(docker.path)"])
        #expect(fromDocker.status == 0, "\(fromDocker.stdout)\(fromDocker.stderr)")

        let registry = try Registry()
        defer { registry.stop() }
        try registry.push("oci:\(run.layout.path):latest", as: "extensions:4.16")
        let fromRegistry = try LintResult(["docker://\(registry.host)/extensions:4.16", "--tls-verify=false"])
        #expect(fromRegistry.status == 0, "\(fromRegistry.stdout)\(fromRegistry.stderr)")
        #expect(fromRegistry.arches.count == 2)
        let digest = try LayoutReader(root: run.layout).tagged("latest")["digest"] as? String
        #expect(fromRegistry.json["digest"] as? String == digest)
    }

    /// A registry that asks for credentials: the image and the base are read with `--authfile`
    /// (written by `skopeo login`); without credentials the error says how to give them (exit 3).
    @Test func imagesAreReadFromARegistryThatAsksForCredentials() throws {
        let world = try W.get()
        let run = try Self.good.get()
        let dir = try Fixtures.temporaryDirectory("lint-auth")
        defer { try? FileManager.default.removeItem(at: dir) }
        let baseLayout = dir.appendingPathComponent("base")
        try OCIFixture.tag(try OCIFixture.image(layers: [(world.rootfs, .gzip)], architecture: "amd64", in: baseLayout),
                           as: "latest", in: baseLayout)
        let registry = try Registry(credentials: .init(user: "ci", password: "pull-only"))
        defer { registry.stop() }
        try registry.push("oci:\(run.layout.path):latest", as: "extensions:4.16")
        try registry.push("oci:\(baseLayout.path):latest", as: "node:4.16")
        let authFile = dir.appendingPathComponent("auth.json"), empty = dir.appendingPathComponent("empty.json")
        try registry.login(authFile: authFile)
        try Data(#"{"auths": {}}"#.utf8).write(to: empty)
        let image = "docker://\(registry.host)/extensions:4.16"
        let isolated = ["REGISTRY_AUTH_FILE": empty.path]

        let withOption = try LintResult([image, run.manifest.path, "--base-image", "docker://\(registry.host)/node:4.16",
                                         "--tls-verify=false", "--authfile", authFile.path,
                                         "--cachedir", dir.appendingPathComponent("cache").path], environment: isolated)
        #expect(withOption.status == 0, "\(withOption.stdout)\(withOption.stderr)")
        for name in Self.checks { #expect(withOption.status(of: name) == "passed", "\(name): \(withOption.stdout)") }

        let refused = try LintResult([image, "--tls-verify=false"], environment: isolated)
        #expect(refused.status == 3, "\(refused.stdout)\(refused.stderr)")
        #expect(refused.stderr.contains("wants credentials for \(registry.host)")
                && refused.stderr.contains("--authfile"), "\(refused.stderr)")
    }

    /// Built without mox, as openshift/os builds it: createrepo_c over the RPMs, the flat map from
    /// `dnf repoquery --queryformat '"%{name}": "%{evr}.%{arch}"'`, labels and a command set with umoci.
    @Test func anImageBuiltWithoutMoxPasses() throws {
        let run = try Self.good.get()
        let dir = try Fixtures.temporaryDirectory("lint-elsewhere")
        defer { try? FileManager.default.removeItem(at: dir) }
        let layout = dir.appendingPathComponent("image"), bundle = dir.appendingPathComponent("bundle")
        try Fixtures.run(["umoci", "init", "--layout", layout.path])
        try Fixtures.run(["umoci", "new", "--image", "\(layout.path):latest"])
        try Fixtures.run(["umoci", "unpack", "--image", "\(layout.path):latest", bundle.path])
        let tree = treeIn(bundle.appendingPathComponent("rootfs"))
        try FileManager.default.createDirectory(at: tree, withIntermediateDirectories: true)
        for rpm in try run.shippedRPMs() {
            try FileManager.default.copyItem(at: run.tree.appendingPathComponent(rpm),
                                             to: tree.appendingPathComponent(URL(fileURLWithPath: rpm).lastPathComponent))
        }
        try Fixtures.createRepo(tree)
        let query = try Fixtures.run(["dnf", "-q", "repoquery", "--disableplugin=*", "--setopt=reposdir=/dev/null",
                                      "--repofrompath=ext,\(tree.path)", "--repo=ext", "--forcearch", "x86_64",
                                      "--queryformat", #""%{name}": "%{evr}.%{arch}""#])
        let lines = query.stdout.split(separator: "\n").filter { !$0.isEmpty }
        try ("{" + lines.joined(separator: ", ") + "}").write(
            to: tree.deletingLastPathComponent().appendingPathComponent("extensions.json"), atomically: true, encoding: .utf8)
        try Fixtures.run(["umoci", "repack", "--image", "\(layout.path):latest", bundle.path])
        try Fixtures.run(["umoci", "config", "--image", "\(layout.path):latest", "--config.cmd", "/bin/false",
                          "--config.label", "io.openshift.os.extensions=true", "--config.label", "io.openshift.os.streamclass=rhel-9",
                          "--architecture", "amd64", "--os", "linux"])
        let result = try LintResult(["oci:\(layout.path):latest", run.manifest.path, "--base-rootfs", try W.get().rootfs.path,
                                     "--cachedir", run.cache.path])
        #expect(result.status == 0, "\(result.stdout)\(result.stderr)")
        for name in Self.checks { #expect(result.status(of: name) == "passed", "\(name): \(result.stdout)") }
        #expect(result.warnings.isEmpty, "only the tree: \(result.stdout)")
    }

    /// An image built on an OS base still works, but every node copies that base into memory: lint
    /// passes it and warns, with the size and where it lies (umoci puts the files in a new layer;
    /// one file of a lower layer is whited out and must not count).
    @Test func filesOutsideTheTreeAreAWarningWithTheirSize() throws {
        let image = try BrokenImage("lint-not-minimal", from: try Self.good.get().layout)
        try image.repack { root in
            let bin = root.appendingPathComponent("usr/bin"), etc = root.appendingPathComponent("etc")
            try FileManager.default.createDirectory(at: bin, withIntermediateDirectories: true)
            try FileManager.default.createDirectory(at: etc, withIntermediateDirectories: true)
            try Data(repeating: 7, count: 3 * 1_048_576).write(to: bin.appendingPathComponent("server"))
            try Data("ID=fedora\n".utf8).write(to: etc.appendingPathComponent("os-release"))
        }
        let withBase = try BrokenImage("lint-not-minimal-2", from: image.layout)
        try Fixtures.run(["umoci", "tag", "--image", "\(withBase.layout.path):broken", "latest"])
        try withBase.repack(keepingFlatMapOnTop: false) { root in
            try FileManager.default.removeItem(at: root.appendingPathComponent("etc/os-release"))
            // The flat map written again (a new mtime) so that it stays in the last layer.
            let flat = root.appendingPathComponent("usr/share/rpm-ostree/extensions.json")
            try FileManager.default.setAttributes([.modificationDate: Date(timeIntervalSince1970: 2)], ofItemAtPath: flat.path)
        }
        let result = try LintResult([withBase.reference()])
        #expect(result.status == 0, "a warning fails nothing: \(result.stdout)\(result.stderr)")
        let warning = try #require(result.warnings.first, "\(result.stdout)")
        #expect(result.warnings.count == 1)
        #expect(warning["code"] as? String == "not-minimal")
        #expect((warning["message"] as? String ?? "").contains("1 file (3.0 MiB) outside /usr/share/rpm-ostree/"), "\(warning)")
        #expect(warning["details"] as? [String] == ["/usr/bin: 1 file, 3.0 MiB"], "\(warning)")

        let text = try Fixtures.run([try Mox.binary.path, "lint", "-q", withBase.reference()], allowFailure: true)
        #expect(text.status == 0)
        #expect(text.stdout.contains("warn not-minimal"), "\(text.stdout)")
        let good = try LintResult(["oci:\(try Self.good.get().layout.path):latest"])
        #expect(good.warnings.isEmpty, "mox's image holds the tree only: \(good.stdout)")
    }

    // MARK: Each violation

    @Test func anImageWithoutTheLabelsIsCaught() throws {
        let image = try BrokenImage("lint-no-labels", from: try Self.good.get().layout)
        try image.config(["--clear=config.labels"])
        let result = try LintResult([image.reference()])
        #expect(result.status == 1)
        #expect(result.codes == ["label-extensions-missing", "label-streamclass-missing"])
        #expect(result.text(of: "label-streamclass-missing").contains("--stream-class"))
        #expect(result.status(of: "repodata") == "passed")

        let other = try BrokenImage("lint-label-value", from: try Self.good.get().layout)
        try other.config(["--config.label", "io.openshift.os.extensions=yes"])
        let wrong = try LintResult([other.reference()])
        #expect(wrong.status == 1)
        #expect(wrong.codes == ["label-extensions-not-true"])
    }

    @Test func anImageWithoutACommandIsCaught() throws {
        let image = try BrokenImage("lint-no-command", from: try Self.good.get().layout)
        try image.config(["--clear=config.cmd"])
        let result = try LintResult([image.reference()])
        #expect(result.status == 1)
        #expect(result.codes == ["no-command"])
        #expect(result.text(of: "no-command").contains("podman create"))
    }

    /// mox 0.2 wrote its full index as extensions.json: koji's upload crashes on its nested objects.
    @Test func theOldNestedIndexAsTheFlatMapIsCaught() throws {
        let run = try Self.good.get()
        let image = try BrokenImage("lint-nested", from: run.layout)
        try image.repack { root in
            let flat = root.appendingPathComponent("usr/share/rpm-ostree/extensions.json")
            try FileManager.default.removeItem(at: flat)
            try FileManager.default.copyItem(at: run.tree.appendingPathComponent("mox-index.json"), to: flat)
        }
        let result = try LintResult([image.reference()])
        #expect(result.status == 1)
        #expect(result.codes == ["flat-map-not-flat"])
        #expect(result.text(of: "flat-map-not-flat").contains("full index"))

        // Flat, but a value koji's vra.rsplit('.', 1) would split into nonsense: no release, no arch.
        let bare = try BrokenImage("lint-bare-values", from: run.layout)
        try bare.repack { root in
            try #"{"\#(W.appA.name)": "1.0"}"#.write(to: root.appendingPathComponent("usr/share/rpm-ostree/extensions.json"),
                                                    atomically: true, encoding: .utf8)
        }
        let values = try LintResult([bare.reference()])
        #expect(values.codes == ["flat-map-not-flat"])
        #expect(values.text(of: "flat-map-not-flat").contains(#"\#(W.appA.name): "1.0""#))
    }

    @Test func anRPMWhoseBytesDifferFromTheRepodataIsCaught() throws {
        let run = try Self.good.get()
        let image = try BrokenImage("lint-rpm-bytes", from: run.layout)
        let victim = try #require(try run.shippedRPMs().first { $0.contains("/appA-") })
        try image.repack { root in
            let file = treeIn(root).appendingPathComponent(victim)
            // Another real RPM's bytes under the name: what a bad copy or a re-signing in place leaves.
            try FileManager.default.removeItem(at: file)
            try FileManager.default.copyItem(at: try W.get().osRepo.appendingPathComponent(W.right.fileName), to: file)
        }
        let result = try LintResult([image.reference()])
        #expect(result.status == 1)
        #expect(result.codes == ["rpm-checksum-mismatch"])
        #expect(result.text(of: "rpm-checksum-mismatch").contains(victim))
    }

    @Test func repodataAtTheWrongPathIsCaught() throws {
        let image = try BrokenImage("lint-repodata-path", from: try Self.good.get().layout)
        try image.repack { root in
            try FileManager.default.moveItem(at: treeIn(root).appendingPathComponent("repodata"),
                                             to: root.appendingPathComponent("usr/share/rpm-ostree/repodata"))
        }
        let result = try LintResult([image.reference()])
        #expect(result.status == 1)
        #expect(result.codes == ["repodata-misplaced"])
        #expect(result.text(of: "repodata-misplaced").contains("/usr/share/rpm-ostree/repodata"))
        #expect(result.status(of: "packages") == "skipped")
    }

    @Test func anRPMTheRepodataDoesNotListIsCaught() throws {
        let image = try BrokenImage("lint-unlisted", from: try Self.good.get().layout)
        try image.repack { root in
            try FileManager.default.copyItem(at: try W.get().osRepo.appendingPathComponent(W.right.fileName),
                                             to: treeIn(root).appendingPathComponent("dependencies/\(W.right.fileName)"))
        }
        let result = try LintResult([image.reference()])
        #expect(result.status == 1)
        #expect(result.codes == ["rpm-unlisted"])
        #expect(result.text(of: "rpm-unlisted").contains("dependencies/\(W.right.fileName)"))
    }

    /// koji's upload reads the last layer only: a later layer without the flat map hides it.
    @Test func aFlatMapOnlyInALowerLayerIsCaught() throws {
        let image = try BrokenImage("lint-lower-layer", from: try Self.good.get().layout)
        try image.repack(keepingFlatMapOnTop: false) { root in
            try FileManager.default.createDirectory(at: root.appendingPathComponent("etc"), withIntermediateDirectories: true)
            try "x\n".write(to: root.appendingPathComponent("etc/later-step"), atomically: true, encoding: .utf8)
        }
        let result = try LintResult([image.reference()])
        #expect(result.status == 1)
        #expect(result.codes == ["flat-map-not-in-last-layer"])
        #expect(result.text(of: "flat-map-not-in-last-layer").contains("not in its last one (layer 2)"))
    }

    @Test func aFlatMapThatDisagreesWithTheRepodataIsCaught() throws {
        let image = try BrokenImage("lint-flat-mismatch", from: try Self.good.get().layout)
        try image.repack { root in
            let flat = root.appendingPathComponent("usr/share/rpm-ostree/extensions.json")
            var map = try #require(try JSONSerialization.jsonObject(with: Data(contentsOf: flat)) as? [String: String])
            map[W.appA.name] = nil
            map["ghost"] = "1.0-1.noarch"
            map[W.solo.name] = "9:9.9-9.noarch"
            try JSONSerialization.data(withJSONObject: map).write(to: flat)
        }
        let result = try LintResult([image.reference()])
        #expect(result.status == 1)
        #expect(result.codes == ["flat-map-mismatch"])
        let text = result.text(of: "flat-map-mismatch")
        #expect(text.contains("missing: \(W.appA.name)"))
        #expect(text.contains("extra: ghost"))
        #expect(text.contains("differs: \(W.solo.name) is 9:9.9-9.noarch"))
    }

    // MARK: Installability

    /// An extension the image does not ship, an os-extension whose dependency the base lacks (the
    /// image was composed against another base), a development extension without its package.
    @Test func installabilityFailsAsANodeWould() throws {
        let world = try W.get()
        let run = try Self.good.get()
        let dir = try Fixtures.temporaryDirectory("lint-installable")
        defer { try? FileManager.default.removeItem(at: dir) }
        let yaml = dir.appendingPathComponent("extensions.yaml")
        try (ImageCompose.yaml + """

              missing:
                packages: [\(W.usbguard.name)]
              devel:
                kind: development
                packages: [\(W.kernelDevelBase.name)]
              shipped-devel:
                kind: development
                packages: [\(W.libdeep.name)]
            """).write(to: yaml, atomically: true, encoding: .utf8)
        let result = try LintResult(["oci:\(run.layout.path):latest", yaml.path, "--base-rootfs", world.rootfs.path,
                                     "--cachedir", dir.appendingPathComponent("cache").path])
        #expect(result.status == 1, "\(result.stdout)\(result.stderr)")
        #expect(result.codes == ["not-installable", "development-package-missing"])
        #expect(result.text(of: "not-installable").contains("'missing'"))
        #expect(result.text(of: "development-package-missing").contains("'devel'"))
        #expect(result.status(of: "packages") == "passed")
        #expect((result.check("installable")?["note"] as? String)?.contains("1 development extension present") == true)

        // A base without glibc, which appA needs and the image rightly does not ship.
        let thin = dir.appendingPathComponent("thin-base")
        try Fixtures.makeRootfs(world.baseRPMs.filter { !$0.lastPathComponent.hasPrefix("glibc-") }, at: thin)
        let other = try LintResult(["oci:\(run.layout.path):latest", run.manifest.path, "--base-rootfs", thin.path,
                                    "--cachedir", dir.appendingPathComponent("cache").path])
        #expect(other.status == 1)
        #expect(other.codes == ["not-installable"])
        #expect(other.text(of: "not-installable").contains("'apps'"))
        #expect(other.text(of: "not-installable").contains("glibc"))
    }

    /// A base given as a package list is looked up in the extensions file's repos, which stay
    /// invisible to the extensions: they see the image's repo alone.
    @Test func aPackageListBaseIsLookedUpInTheReposOnly() throws {
        let world = try W.get()
        let run = try Self.good.get()
        let dir = try Fixtures.temporaryDirectory("lint-base-list")
        defer { try? FileManager.default.removeItem(at: dir) }
        let list = dir.appendingPathComponent("base.txt")
        try W.base.map(\.nevra).joined(separator: "\n").write(to: list, atomically: true, encoding: .utf8)
        let args = [run.manifest.path, "--base-packages", list.path, "--repos-dir", world.reposDirectory.path,
                    "--cachedir", dir.appendingPathComponent("cache").path]
        let result = try LintResult(["oci:\(run.layout.path):latest"] + args)
        #expect(result.status == 0, "\(result.stdout)\(result.stderr)")
        #expect(result.status(of: "installable") == "passed")

        // The os repo has every package, but only the image's repo counts: a dependency it lacks fails.
        let image = try BrokenImage("lint-base-list-broken", from: run.layout)
        try image.repack { root in
            let tree = treeIn(root)
            try FileManager.default.removeItem(at: tree.appendingPathComponent("dependencies/\(W.libdeep.fileName)"))
            try FileManager.default.removeItem(at: tree.appendingPathComponent("repodata"))
            try Fixtures.createRepo(tree)
        }
        let broken = try LintResult([image.reference()] + args)
        #expect(broken.status == 1)
        #expect(broken.codes.contains("not-installable"))
        #expect(broken.text(of: "not-installable").contains(W.libdeep.name))
    }

    // MARK: Input and reports

    @Test func inputMistakesAreExitTwoWithADocument() throws {
        let run = try Self.good.get()
        let missing = try LintResult(["oci:/nonexistent/layout:latest"])
        #expect(missing.status == 2)
        #expect(missing.json["status"] as? String == "invalid-input")
        #expect(!(missing.json["errors"] as? [String] ?? []).isEmpty)

        let arch = try LintResult(["oci:\(run.layout.path):latest", "--arch", "aarch64"])
        #expect(arch.status == 2)
        #expect((arch.json["errors"] as? [String] ?? []).joined().contains("has no image for aarch64"))

        let unreachable = try LintResult(["docker://127.0.0.1:1/extensions:latest", "--tls-verify=false"])
        #expect(unreachable.status == 3)
        #expect(unreachable.json["status"] as? String == "environment-error")

        let noBase = try Fixtures.run([try Mox.binary.path, "lint", "oci:\(run.layout.path):latest", run.manifest.path],
                                      allowFailure: true)
        #expect(noBase.status == 2)
        #expect(noBase.stderr.contains("--base-rootfs"))
    }

    @Test func junitHasOneCasePerCheckAndArch() throws {
        let image = try BrokenImage("lint-junit", from: try Self.good.get().layout)
        try image.config(["--clear=config.cmd"])
        let junit = image.directory.appendingPathComponent("lint.xml")
        _ = try LintResult([image.reference(), "--junit", junit.path])
        let cases = try JUnitReader.read(junit)
        #expect(cases.count == Self.checks.count)
        #expect(cases.first { $0.name == "command" }?.outcome == "failure")
        #expect(cases.first { $0.name == "labels" }?.outcome == nil)
        #expect(cases.first { $0.name == "installable" }?.outcome == "skipped")
    }

    /// Interrupted while it reads the image, lint leaves nothing behind in $TMPDIR (its working
    /// directory holds what it copied and read of the image, as large as the image). The run is
    /// held mid-read by a layer whose blob is a FIFO nobody writes to.
    @Test(arguments: [SIGINT, SIGTERM])
    func anInterruptedLintLeavesNoWorkingFiles(_ signal: Int32) throws {
        let image = try BrokenImage("lint-interrupt-\(signal)", from: try Self.good.get().layout)
        let index = try JSONSerialization.jsonObject(with: Data(contentsOf: image.layout.appendingPathComponent("index.json"))) as? [String: Any]
        let manifestDigest = try #require(((index?["manifests"] as? [[String: Any]])?.first?["digest"] as? String))
        func blob(_ digest: String) -> URL {
            image.layout.appendingPathComponent("blobs/sha256").appendingPathComponent(String(digest.dropFirst("sha256:".count)))
        }
        let manifest = try JSONSerialization.jsonObject(with: Data(contentsOf: blob(manifestDigest))) as? [String: Any]
        let layer = blob(try #require((manifest?["layers"] as? [[String: Any]])?.last?["digest"] as? String))
        try FileManager.default.removeItem(at: layer)
        #expect(mkfifo(layer.path, 0o600) == 0)

        let tmp = image.directory.appendingPathComponent("tmp")
        try FileManager.default.createDirectory(at: tmp, withIntermediateDirectories: true)
        let argv = Fixtures.withSignalsUnblocked([try Mox.binary.path, "lint", "-q", "oci:\(image.layout.path):latest"])
        let process = Process()
        process.executableURL = URL(fileURLWithPath: argv[0])
        process.arguments = Array(argv.dropFirst())
        process.environment = ProcessInfo.processInfo.environment.merging(["TMPDIR": tmp.path]) { $1 }
        let stderr = image.directory.appendingPathComponent("stderr")
        FileManager.default.createFile(atPath: stderr.path, contents: nil)
        process.standardOutput = FileHandle.nullDevice
        process.standardError = try FileHandle(forWritingTo: stderr)
        try process.run()
        var writer: Int32 = -1
        defer {
            if process.isRunning { kill(process.processIdentifier, SIGKILL) }
            if writer >= 0 { close(writer) }
        }
        // Opening the FIFO for writing without blocking succeeds once lint has it open for reading;
        // kept open and never written to, it holds lint inside its read.
        try waitUntil(seconds: 60, interval: 0.01) {
            writer = open(layer.path, O_WRONLY | O_NONBLOCK)
            return writer >= 0 || !process.isRunning
        }
        try #require(process.isRunning, "lint ended before reading the layer: \((try? String(contentsOf: stderr, encoding: .utf8)) ?? "")")
        #expect(try FileManager.default.contentsOfDirectory(atPath: tmp.path).count == 1, "lint's working directory")
        kill(process.processIdentifier, signal)
        try waitUntil(seconds: 30) { !process.isRunning }

        let log = (try? String(contentsOf: stderr, encoding: .utf8)) ?? ""
        #expect(process.terminationStatus == 128 + signal, "\(log)")
        #expect(log.contains("interrupted"), "\(log)")
        #expect(try FileManager.default.contentsOfDirectory(atPath: tmp.path).isEmpty, "left in $TMPDIR")
    }
}
