// The image as its real consumers take it: the MCO daemon's exact steps with podman and dnf,
// koji's upload reading the flat extensions.json from the last layer, image-stream discovery's
// labels; and identity that depends on what is shipped, never on the builder or the other arches.
import Fixtures
import Foundation
import Testing

@Suite("the image's consumers: MCO, koji, stream discovery, other builders")
struct ConsumerTests {
    typealias W = CheckWorld

    static let streamClass = "rhel-9"

    /// One x86_64 image with a stream class, composed once for every consumer test.
    static let image: Result<ImageCompose, any Error> = Result {
        let run = try ImageCompose("consumer")
        let result = try run.compose(["--stream-class", streamClass, "--compression", "gzip"])
        guard result.status == 0 else { throw MoxTestError("compose failed (\(result.status)):\n\(result.stderr)") }
        return run
    }

    static let podmanAvailable = FileManager.default.isExecutableFile(atPath: "/usr/bin/podman")

    /// podman as root in a test: its own storage and run folders, nothing of the host's.
    struct Podman {
        let root: URL
        func run(_ arguments: [String]) throws -> String {
            let argv = ["timeout", "120", "podman", "--storage-driver", "vfs", "--root", root.appendingPathComponent("storage").path,
                        "--runroot", root.appendingPathComponent("run").path, "--cgroup-manager", "cgroupfs",
                        "--events-backend", "file"] + arguments
            return try Fixtures.run(argv).stdout.trimmingCharacters(in: .whitespacesAndNewlines)
        }
    }

    /// The daemon's steps on the image: pull (from the OCI layout), create with no command, cp the
    /// container's root out. Done once; returns the copied folder.
    static let copied: Result<URL, any Error> = Result {
        let run = try image.get()
        let podman = Podman(root: run.directory.appendingPathComponent("podman", isDirectory: true))
        // podman names an image pulled from a layout after its path, which must be lowercase.
        let link = URL(fileURLWithPath: NSTemporaryDirectory()).appendingPathComponent("mox-layout-\(UUID().uuidString.lowercased())")
        try FileManager.default.createSymbolicLink(at: link, withDestinationURL: run.layout)
        removeAtExit(link)
        let id = try podman.run(["pull", "-q", "oci:\(link.path):latest"])
        let container = try podman.run(["create", "--net=none", id])
        let copy = run.directory.appendingPathComponent("mco-extensions", isDirectory: true)
        try FileManager.default.createDirectory(at: copy, withIntermediateDirectories: true)
        _ = try podman.run(["cp", "\(container):/", copy.path])
        _ = try podman.run(["rm", container])
        return copy
    }

    @Test(.enabled(if: podmanAvailable, "podman is not installed (./build installs it)"))
    func podmanCreatesWithoutACommandAndCopiesOutExactlyTheTree() throws {
        let run = try Self.image.get()
        let copy = try Self.copied.get()
        let top = try FileManager.default.contentsOfDirectory(atPath: copy.appendingPathComponent("usr/share/rpm-ostree").path).sorted()
        #expect(top == ["extensions", "extensions.json"])
        #expect(try FileManager.default.contentsOfDirectory(atPath: copy.path) == ["usr"])
        let diff = try Fixtures.run(["diff", "-r", run.tree.path, copy.appendingPathComponent("usr/share/rpm-ostree/extensions").path],
                                    allowFailure: true)
        #expect(diff.status == 0, "the copied folder is the tree: \(diff.stdout)")
    }

    /// The MCO writes a repo file pointing at the copied tree, gpgcheck=0, and installs the
    /// extensions; dnf on a copy of the base stands in for rpm-ostree.
    @Test(.enabled(if: podmanAvailable, "podman is not installed (./build installs it)"))
    func dnfInstallsEveryOSExtensionFromTheCopiedFolderAlone() throws {
        let world = try W.get()
        let copy = try Self.copied.get()
        let scratch = try Fixtures.temporaryDirectory("consumer-dnf")
        defer { try? FileManager.default.removeItem(at: scratch) }
        let root = scratch.appendingPathComponent("root", isDirectory: true)
        try Fixtures.run(["cp", "-a", world.rootfs.path, root.path])
        try FileManager.default.createDirectory(at: root.appendingPathComponent("root"), withIntermediateDirectories: true)
        try FileManager.default.createSymbolicLink(atPath: root.appendingPathComponent("root/.rpmdb").path,
                                                   withDestinationPath: "../usr/share/rpm")
        let reposdir = scratch.appendingPathComponent("yum.repos.d", isDirectory: true)
        try FileManager.default.createDirectory(at: reposdir, withIntermediateDirectories: true)
        try "[coreos-extensions]\nname=coreos-extensions\nbaseurl=file://\(copy.path)/usr/share/rpm-ostree/extensions/\ngpgcheck=0\n"
            .write(to: reposdir.appendingPathComponent("coreos-extensions.repo"), atomically: true, encoding: .utf8)
        let packages = [W.appA.name, W.appB.name, W.solo.name, W.archToolX86.name]
        let result = try Fixtures.run([
            "dnf", "-q", "--installroot", root.path, "--setopt=reposdir=\(reposdir.path)", "--releasever", "9",
            "--forcearch", "x86_64", "--disableplugin=*", "-y", "--setopt=tsflags=test", "install",
        ] + packages, allowFailure: true)
        #expect(result.status == 0, "dnf install \(packages): \(result.stderr)\(result.stdout)")
    }

    /// koji's upload: `oc image extract IMG[-1] --file usr/share/rpm-ostree/extensions.json`, then
    /// `for name, vra in d.items(): vra.rsplit('.', 1)`.
    @Test func kojiReadsTheFlatMapFromTheLastLayer() throws {
        let run = try Self.image.get()
        let reader = LayoutReader(root: run.layout)
        let manifest = try #require(try reader.manifests("latest")["amd64"])
        let layers = try #require(manifest["layers"] as? [[String: Any]])
        let last = reader.blob(try string(layers.last?["digest"]))
        let script = #"""
            import json, subprocess, sys
            data = subprocess.run(['tar', '-xzOf', sys.argv[1], 'usr/share/rpm-ostree/extensions.json'],
                                  check=True, capture_output=True).stdout
            d = json.loads(data)
            for name, vra in d.items():
                evr, arch = vra.rsplit('.', 1)
                print(f'{name} {evr} {arch}')
            """#
        let out = try Fixtures.run(["python3", "-c", script, last.path]).stdout
        var expected: [String] = []
        for p in [W.appA, W.appB, W.libshared, W.libdeep, W.solo, W.archToolX86, W.archLibX86] {
            expected.append("\(p.name) \(p.evr) \(p.arch)")
        }
        #expect(out.split(separator: "\n").map(String.init).sorted() == expected.sorted())
    }

    /// Image-stream discovery keeps an image with both labels; the stream class may come from
    /// --stream-class or --label.
    @Test func theImageCarriesTheExtensionsAndStreamClassLabelsAndACommand() throws {
        let run = try Self.image.get()
        let config = try skopeoJSON(["inspect", "--config", "--raw", "oci:\(run.layout.path):latest"])
        let labels = (config["config"] as? [String: Any])?["Labels"] as? [String: String]
        #expect(labels?["io.openshift.os.extensions"] == "true")
        #expect(labels?["io.openshift.os.streamclass"] == Self.streamClass)
        #expect(((config["config"] as? [String: Any])?["Cmd"] as? [String])?.isEmpty == false)

        let other = try ImageCompose("consumer-label")
        let labelled = try other.compose(["--label", "io.openshift.os.streamclass=rhel-10"])
        #expect(labelled.status == 0)
        #expect(!labelled.stderr.contains("io.openshift.os.streamclass label"))
        let inspect = try skopeoJSON(["inspect", "oci:\(other.layout.path):latest"])
        #expect((inspect["Labels"] as? [String: String])?["io.openshift.os.streamclass"] == "rhel-10")
    }

    /// An image without a stream class is still written, but compose says discovery will skip it.
    @Test func composeWithoutStreamClassWarnsThatDiscoveryWillSkipTheImage() throws {
        let run = try ImageCompose("consumer-no-stream")
        let result = try run.compose([])
        #expect(result.status == 0, "\(result.stderr)")
        #expect(result.stderr.contains("no io.openshift.os.streamclass label"))
        #expect(result.stderr.contains("--stream-class"))
    }

    // MARK: Identity

    /// Two builders: different checkouts (paths), caches, path spellings, umasks and time zones,
    /// one of them reading the repos through plain paths instead of file:// URLs.
    @Test func twoBuildersWithDifferentCheckoutsProduceByteIdenticalLayouts() throws {
        let world = try W.get()
        let first = try ImageCompose("builder-one")
        let one = try first.compose(["--arch", "x86_64", "--arch", "aarch64"], epoch: nil)
        #expect(one.status == 0, "\(one.stderr)")

        // The second checkout: its own copy of the repos, base and extensions file, elsewhere.
        let checkout = try Fixtures.temporaryDirectory("builder-two-checkout")
        removeAtExit(checkout)
        try Fixtures.run(["cp", "-a", world.osRepo.path, checkout.appendingPathComponent("os").path])
        try Fixtures.run(["cp", "-a", world.rootfs.path, checkout.appendingPathComponent("base").path])
        try FileManager.default.copyItem(at: first.manifest, to: checkout.appendingPathComponent("ext.yaml"))
        let reposd = checkout.appendingPathComponent("repos.d")
        try FileManager.default.createDirectory(at: reposd, withIntermediateDirectories: true)
        try "[os]\nname=os\nbaseurl=\(checkout.appendingPathComponent("os").path)/\ngpgcheck=0\n"
            .write(to: reposd.appendingPathComponent("os.repo"), atomically: true, encoding: .utf8)
        let argv = [try Mox.binary.path, "compose", "./ext.yaml", "--cachedir", "./other-cache/", "--repos-dir", "repos.d/",
                    "--base-rootfs", "./base/../base", "--arch", "aarch64", "--arch", "x86_64",
                    "--output", "out/", "--oci-layout", "./img"]
        let two = try Fixtures.run(["/bin/sh", "-c", "cd \(shellQuoted(checkout.path)) && unset SOURCE_DATE_EPOCH && umask 027 && "
                                    + "TZ=Pacific/Kiritimati exec " + argv.map(shellQuoted).joined(separator: " ")], allowFailure: true)
        #expect(two.status == 0, "\(two.stderr)")

        let a = try LayoutReader(root: first.layout).snapshot()
        let b = try LayoutReader(root: checkout.appendingPathComponent("img")).snapshot()
        #expect(a.keys.sorted() == b.keys.sorted())
        for (path, bytes) in a { #expect(b[path] == bytes, "\(path) differs between the builders") }
        #expect(try Data(contentsOf: first.tree.appendingPathComponent("mox-index.json"))
            == Data(contentsOf: checkout.appendingPathComponent("out/mox-index.json")))
    }

    /// Each arch's image is the same whether composed alone or beside another, in either order;
    /// the index lists its manifests in one order.
    @Test func eachArchImageDependsOnlyOnItsOwnArch() throws {
        func layout(_ label: String, _ arches: [String]) throws -> ImageCompose {
            let run = try ImageCompose(label)
            let result = try run.compose(arches.flatMap { ["--arch", $0] }, epoch: nil)
            #expect(result.status == 0, "\(result.stderr)")
            return run
        }
        let x86 = try layout("alone-x86", ["x86_64"])
        let arm = try layout("alone-arm", ["aarch64"])
        let both = try layout("both", ["x86_64", "aarch64"])
        let reversed = try layout("both-reversed", ["aarch64", "x86_64"])

        let one = try LayoutReader(root: both.layout).snapshot(), two = try LayoutReader(root: reversed.layout).snapshot()
        #expect(one.keys.sorted() == two.keys.sorted())
        for (path, bytes) in one { #expect(two[path] == bytes, "\(path) depends on the order of --arch") }

        let reader = LayoutReader(root: both.layout)
        let index = try reader.json(try string(try reader.tagged("latest")["digest"]))
        let entries = index["manifests"] as? [[String: Any]] ?? []
        #expect(entries.compactMap { ($0["platform"] as? [String: Any])?["architecture"] as? String } == ["amd64", "arm64"])
        for (alone, oci) in [(x86, "amd64"), (arm, "arm64")] {
            let single = try LayoutReader(root: alone.layout).tagged("latest")["digest"] as? String
            let inIndex = entries.first { ($0["platform"] as? [String: Any])?["architecture"] as? String == oci }?["digest"] as? String
            #expect(single != nil && single == inIndex, "\(oci): the image alone is the image in the index")
        }
    }
}
