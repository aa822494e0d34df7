// `mox compose --oci-layout/--layer`: the extensions image as skopeo, umoci, tar and dnf see it.
import Fixtures
import Foundation
import Testing

@Suite("mox compose: the extensions image")
struct ComposeImageTests {
    typealias W = CheckWorld

    static let tag = "4.19-extensions"
    static let version = "419.96.202501011200-0"

    /// The image most tests read: x86_64, gzip, a tag, labels, a version and `--layer`.
    static let standard: Result<ImageCompose, any Error> = Result {
        let run = try ImageCompose("image")
        let result = try run.compose([
            "--tag", tag, "--layer", run.directory.appendingPathComponent("layer.tar.gz").path,
            "--label", "com.example.team=os", "--label", "com.example.stream=rhel-9.6",
            "--image-version", version,
        ])
        guard result.status == 0 else { throw MoxTestError("compose failed (\(result.status)):\n\(result.stderr)") }
        return run
    }

    /// The standard image's only manifest, with its layer and config.
    static func standardImage() throws -> (run: ImageCompose, manifest: [String: Any], layer: [String: Any], config: [String: Any]) {
        let run = try standard.get()
        let reader = LayoutReader(root: run.layout)
        let manifests = try reader.manifests(tag)
        let manifest = try #require(manifests["amd64"], "manifests: \(manifests.keys)")
        #expect(manifests.count == 1)
        return (run, manifest, try reader.layer(of: manifest), try reader.config(of: manifest))
    }

    // MARK: skopeo

    @Test func skopeoSeesLabelsArchitectureAndCreatedFromSourceDateEpoch() throws {
        let run = try Self.standard.get()
        let inspect = try skopeoJSON(["inspect", "oci:\(run.layout.path):\(Self.tag)"])
        #expect(inspect["Architecture"] as? String == "amd64")
        #expect(inspect["Os"] as? String == "linux")
        #expect(inspect["Created"] as? String == ImageCompose.epochRFC3339)
        #expect(inspect["Labels"] as? [String: String] == [
            "io.openshift.os.extensions": "true", "com.example.team": "os", "com.example.stream": "rhel-9.6",
        ])
        #expect((inspect["Layers"] as? [String])?.count == 1)
    }

    @Test func manifestAnnotationsNameTimeVersionTitleDescriptionAndBase() throws {
        let run = try Self.standard.get()
        let raw = try skopeoJSON(["inspect", "--raw", "oci:\(run.layout.path):\(Self.tag)"])
        #expect(raw["mediaType"] as? String == "application/vnd.oci.image.manifest.v1+json")
        let annotations = try #require(raw["annotations"] as? [String: String])
        #expect(annotations["org.opencontainers.image.created"] == ImageCompose.epochRFC3339)
        #expect(annotations["org.opencontainers.image.version"] == Self.version)
        // A base rootfs has no image identity (BaseImageTests cover --base-image).
        #expect(annotations["org.opencontainers.image.base.name"] == nil)
        #expect(annotations["org.opencontainers.image.base.digest"] == nil)
        #expect(annotations["org.opencontainers.image.title"]?.isEmpty == false)
        let description = try #require(annotations["org.opencontainers.image.description"])
        for name in ["apps", "single", "tools"] { #expect(description.contains(name), "\(description)") }
    }

    @Test func configHasOneHistoryEntryAndTheLayersDiffID() throws {
        let run = try Self.standard.get()
        let config = try skopeoJSON(["inspect", "--config", "--raw", "oci:\(run.layout.path):\(Self.tag)"])
        #expect(config["os"] as? String == "linux")
        #expect(config["architecture"] as? String == "amd64")
        #expect(config["created"] as? String == ImageCompose.epochRFC3339)
        let history = config["history"] as? [[String: Any]] ?? []
        #expect(history.count == 1)
        #expect(history.first?["created"] as? String == ImageCompose.epochRFC3339)
        let rootfs = try #require(config["rootfs"] as? [String: Any])
        #expect(rootfs["type"] as? String == "layers")
        let tar = run.directory.appendingPathComponent("layer.tar")
        try decompress(run.directory.appendingPathComponent("layer.tar.gz"),
                       mediaType: "application/vnd.oci.image.layer.v1.tar+gzip", to: tar)
        #expect(rootfs["diff_ids"] as? [String] == ["sha256:" + (try sha256(of: tar))])
    }

    @Test func skopeoCopiesTheImageIntoADockerArchive() throws {
        let run = try Self.standard.get()
        let archive = run.directory.appendingPathComponent("docker-\(UUID().uuidString.prefix(8)).tar")
        try Fixtures.run(["skopeo", "copy", "oci:\(run.layout.path):\(Self.tag)",
                          "docker-archive:\(archive.path):example.com/extensions:\(Self.tag)"])
        let listing = try Fixtures.run(["tar", "-tf", archive.path]).stdout
        #expect(listing.split(separator: "\n").contains("manifest.json"))
        let manifest = try Fixtures.run(["tar", "-xOf", archive.path, "manifest.json"]).stdout
        #expect(manifest.contains("example.com/extensions:\(Self.tag)"))
    }

    // MARK: umoci and dnf

    /// The standard image unpacked by umoci, once.
    static let unpacked: Result<URL, any Error> = Result {
        let run = try standard.get()
        let bundle = run.directory.appendingPathComponent("bundle", isDirectory: true)
        try Fixtures.run(["umoci", "unpack", "--image", "\(run.layout.path):\(tag)", bundle.path])
        return bundle.appendingPathComponent("rootfs", isDirectory: true)
    }

    @Test func umociUnpacksRepodataTheIndexAndEveryShippedRPMByteForByte() throws {
        let run = try Self.standard.get()
        let rootfs = try Self.unpacked.get()
        let tree = rootfs.appendingPathComponent("usr/share/rpm-ostree/extensions", isDirectory: true)
        #expect(FileManager.default.fileExists(atPath: tree.appendingPathComponent("repodata/repomd.xml").path))
        let index = rootfs.appendingPathComponent("usr/share/rpm-ostree/extensions.json")
        #expect(try Data(contentsOf: index) == Data(contentsOf: run.tree.appendingPathComponent("extensions.json")))
        #expect(try Data(contentsOf: tree.appendingPathComponent("mox-index.json"))
            == Data(contentsOf: run.tree.appendingPathComponent("mox-index.json")))
        let shipped = try run.shippedRPMs()
        #expect(shipped.count == 7, "appA, appB, libshared, libdeep, solo, archtool, archlib: \(shipped)")
        for path in shipped {
            let unpacked = tree.appendingPathComponent(path)
            #expect(FileManager.default.fileExists(atPath: unpacked.path), "\(path) is in the image")
            guard FileManager.default.fileExists(atPath: unpacked.path) else { continue }
            #expect(try Data(contentsOf: unpacked) == Data(contentsOf: run.tree.appendingPathComponent(path)), "\(path)")
        }
    }

    @Test(arguments: [W.appA.name, W.archToolX86.name])
    func dnfInstallsAnExtensionFromTheUnpackedImage(package: String) throws {
        let world = try CheckWorld.get()
        let rootfs = try Self.unpacked.get()
        let scratch = try Fixtures.temporaryDirectory("image-dnf")
        defer { try? FileManager.default.removeItem(at: scratch) }
        let root = scratch.appendingPathComponent("root", isDirectory: true)
        let reposdir = scratch.appendingPathComponent("no-repos", isDirectory: true)
        try FileManager.default.createDirectory(at: reposdir, withIntermediateDirectories: true)
        try Fixtures.run(["cp", "-a", world.rootfs.path, root.path])
        // Debian's dnf reads the rpmdb at root/.rpmdb; the base keeps it at usr/share/rpm.
        try FileManager.default.createDirectory(at: root.appendingPathComponent("root"), withIntermediateDirectories: true)
        try FileManager.default.createSymbolicLink(atPath: root.appendingPathComponent("root/.rpmdb").path,
                                                   withDestinationPath: "../usr/share/rpm")
        let repo = rootfs.appendingPathComponent("usr/share/rpm-ostree/extensions").path
        let result = try Fixtures.run([
            "dnf", "-q", "--installroot", root.path, "--setopt=reposdir=\(reposdir.path)",
            "--repofrompath=ext,\(repo)", "--setopt=ext.gpgcheck=0", "--releasever", "9",
            "--forcearch", "x86_64", "--disableplugin=*", "-y", "--setopt=tsflags=test", "install", package,
        ], allowFailure: true)
        #expect(result.status == 0, "dnf install \(package): \(result.stderr)\(result.stdout)")
    }

    // MARK: Blobs and the layer

    @Test func everyBlobIsNamedByItsSHA256() throws {
        let run = try Self.standard.get()
        let blobs = run.layout.appendingPathComponent("blobs/sha256", isDirectory: true)
        let names = try FileManager.default.contentsOfDirectory(atPath: blobs.path)
        #expect(names.count == 3, "manifest, config, layer: \(names)")
        for name in names {
            #expect(try sha256(of: blobs.appendingPathComponent(name)) == name)
        }
        #expect(FileManager.default.fileExists(atPath: run.layout.appendingPathComponent("oci-layout").path))
    }

    @Test func layerDecompressesToItsDiffIDAndLayerFileIsTheSameBlob() throws {
        let (run, _, layer, config) = try Self.standardImage()
        #expect(layer["mediaType"] as? String == "application/vnd.oci.image.layer.v1.tar+gzip")
        let blob = LayoutReader(root: run.layout).blob(try string(layer["digest"]))
        let zcat = try Fixtures.run(["/bin/sh", "-c", "zcat \(shellQuoted(blob.path)) | sha256sum"]).stdout
        let diffIDs = (config["rootfs"] as? [String: Any])?["diff_ids"] as? [String]
        #expect(diffIDs == ["sha256:" + zcat.prefix { !$0.isWhitespace }])
        let layerFile = run.directory.appendingPathComponent("layer.tar.gz")
        #expect(try Data(contentsOf: layerFile) == Data(contentsOf: blob))
        // gzip header: no name flag (FLG bit 3), MTIME zero.
        let header = [UInt8](try Data(contentsOf: layerFile).prefix(8))
        #expect(header[0] == 0x1f && header[1] == 0x8b)
        #expect(header[3] & 0x08 == 0, "no file name in the gzip header")
        #expect(header[4...7].allSatisfy { $0 == 0 }, "no time stamp in the gzip header")
    }

    @Test func layerIsASortedRootOwnedPosixTarWithFixedModesAndTime() throws {
        let (run, _, layer, _) = try Self.standardImage()
        let tar = run.directory.appendingPathComponent("layer-\(UUID().uuidString.prefix(8)).tar")
        try decompress(LayoutReader(root: run.layout).blob(try string(layer["digest"])),
                       mediaType: try string(layer["mediaType"]), to: tar)
        let bytes = [UInt8](try Data(contentsOf: tar).prefix(512))
        #expect(Array(bytes[257..<265]) == Array("ustar\u{0}00".utf8), "POSIX (ustar/pax) headers, not GNU")

        let listing = try Fixtures.run(["tar", "-tvf", tar.path, "--numeric-owner", "--full-time"],
                                       environment: ["TZ": "UTC"]).stdout
        let lines = listing.split(separator: "\n").map { $0.split(separator: " ", omittingEmptySubsequences: true) }
        let names = lines.map { String($0.last ?? "") }
        #expect(names == names.sorted { Array($0.utf8).lexicographicallyPrecedes(Array($1.utf8)) }, "sorted: \(names)")
        #expect(Array(names.prefix(3)) == ["usr/", "usr/share/", "usr/share/rpm-ostree/"], "parents come first")
        #expect(names.contains("usr/share/rpm-ostree/extensions.json"))
        #expect(names.contains("usr/share/rpm-ostree/extensions/repodata/repomd.xml"))
        for line in lines {
            let name = String(line.last ?? "")
            #expect(line[1] == "0/0", "\(name) is owned by 0:0")
            #expect(line[0] == (name.hasSuffix("/") ? "drwxr-xr-x" : "-rw-r--r--"), "\(name): \(line[0])")
            #expect("\(line[3]) \(line[4])" == "2023-11-14 22:13:20", "\(name) has the SOURCE_DATE_EPOCH mtime")
        }
    }

    // MARK: Reproducibility

    /// Two composes from scratch with the same inputs, each in its own folder, under another umask and TZ.
    func composeTwice(_ label: String, epoch: Int64?) throws -> (ImageCompose, ImageCompose) {
        let first = try ImageCompose(label + "-1")
        let second = try ImageCompose(label + "-2")
        let one = try first.compose(epoch: epoch)
        #expect(one.status == 0, "\(one.stderr)")
        // The same extensions file: its path as given is one of the inputs the index records.
        let two = try second.compose(manifest: first.manifest, epoch: epoch, umask: "077", tz: "Asia/Tokyo")
        #expect(two.status == 0, "\(two.stderr)")
        return (first, second)
    }

    @Test func sameInputsAndSourceDateEpochGiveByteIdenticalLayouts() throws {
        let (first, second) = try composeTwice("repro", epoch: ImageCompose.epoch)
        let one = try LayoutReader(root: first.layout).snapshot()
        let two = try LayoutReader(root: second.layout).snapshot()
        #expect(one.keys.sorted() == two.keys.sorted())
        for (path, bytes) in one { #expect(two[path] == bytes, "\(path) differs") }
        #expect(one.count == 5, "oci-layout, index.json and three blobs: \(one.keys.sorted())")
    }

    @Test func withoutSourceDateEpochTheTimeIsTheNewestBuildTimeAndRunsAgree() throws {
        let (first, second) = try composeTwice("repro-noepoch", epoch: nil)
        let one = try LayoutReader(root: first.layout).snapshot()
        let two = try LayoutReader(root: second.layout).snapshot()
        #expect(one.keys.sorted() == two.keys.sorted())
        for (path, bytes) in one { #expect(two[path] == bytes, "\(path) differs") }

        var newest: Int64 = 0
        for path in try first.shippedRPMs() {
            let text = try Fixtures.run(["rpm", "-qp", "--qf", "%{BUILDTIME}", first.tree.appendingPathComponent(path).path]).stdout
            newest = max(newest, try #require(Int64(text.trimmingCharacters(in: .whitespacesAndNewlines)), "\(text)"))
        }
        let inspect = try skopeoJSON(["inspect", "oci:\(first.layout.path):latest"])
        let date = Date(timeIntervalSince1970: TimeInterval(newest))
        let expected = ISO8601DateFormatter().string(from: date)
        #expect(inspect["Created"] as? String == expected)
    }

    // MARK: Several architectures

    /// x86_64 and aarch64 from one base, with a layer file per arch.
    static let multiArch: Result<ImageCompose, any Error> = Result {
        let run = try ImageCompose("image-multi")
        let result = try run.compose([
            "--arch", "x86_64", "--arch", "aarch64",
            "--layer", run.directory.appendingPathComponent("layer-{arch}.tar.gz").path,
        ])
        guard result.status == 0 else { throw MoxTestError("compose failed (\(result.status)):\n\(result.stderr)") }
        return run
    }

    @Test func severalArchesShareOneTagThroughAnIndexWithTheirPlatforms() throws {
        let run = try Self.multiArch.get()
        let reference = "oci:\(run.layout.path):latest"
        let raw = try skopeoJSON(["inspect", "--raw", reference])
        #expect(raw["mediaType"] as? String == "application/vnd.oci.image.index.v1+json")
        let manifests = raw["manifests"] as? [[String: Any]] ?? []
        let platforms = manifests.compactMap { $0["platform"] as? [String: String] }
        #expect(Set(platforms) == [["architecture": "amd64", "os": "linux"], ["architecture": "arm64", "os": "linux"]])
        #expect(manifests.allSatisfy { $0["mediaType"] as? String == "application/vnd.oci.image.manifest.v1+json" })

        for arch in ["arm64", "amd64"] {
            let inspect = try skopeoJSON(["--override-arch", arch, "inspect", reference])
            #expect(inspect["Architecture"] as? String == arch)
            #expect((inspect["Labels"] as? [String: String])?["io.openshift.os.extensions"] == "true")
        }
    }

    @Test(arguments: [("x86_64", "amd64", "aarch64"), ("aarch64", "arm64", "x86_64")])
    func eachArchImageHoldsOnlyItsPackagesWithItsOwnRepodataAndIndex(arch: String, oci: String, other: String) throws {
        let run = try Self.multiArch.get()
        let reader = LayoutReader(root: run.layout)
        let manifest = try #require(try reader.manifests("latest")[oci])
        let blob = reader.blob(try string(try reader.layer(of: manifest)["digest"]))
        let layerFile = run.directory.appendingPathComponent("layer-\(arch).tar.gz")
        #expect(try Data(contentsOf: layerFile) == Data(contentsOf: blob), "--layer with {arch} is the layout's blob")

        let rootfs = try extractLayer(blob, into: run.directory.appendingPathComponent("rootfs-\(arch)", isDirectory: true))
        let tree = rootfs.appendingPathComponent("usr/share/rpm-ostree/extensions", isDirectory: true)
        let rpms = (FileManager.default.enumerator(atPath: tree.path)?.allObjects as? [String] ?? [])
            .filter { $0.hasSuffix(".rpm") }
        #expect(!rpms.isEmpty)
        #expect(rpms.contains { $0.hasSuffix(".\(arch).rpm") }, "\(rpms)")
        #expect(!rpms.contains { $0.hasSuffix(".\(other).rpm") }, "no \(other) RPM in the \(arch) image: \(rpms)")

        // Its repodata lists what it holds, and nothing of the other arch.
        let repomd = try String(contentsOf: tree.appendingPathComponent("repodata/repomd.xml"), encoding: .utf8)
        let primaryHref = try #require(repomd.range(of: #"[^"]*primary\.xml\.gz"#, options: .regularExpression)
            .map { String(repomd[$0]) })
        let primary = try Fixtures.run(["zcat", tree.appendingPathComponent(primaryHref).path]).stdout
        #expect(primary.contains("<arch>\(arch)</arch>"))
        #expect(!primary.contains("<arch>\(other)</arch>"))
        #expect(primary.components(separatedBy: "<package ").count - 1 == rpms.count)

        // Its index speaks of this arch only, and so does its flat map.
        let index = try jsonObject(at: tree.appendingPathComponent("mox-index.json"))
        #expect((index["arches"] as? [String: Any])?.keys.sorted() == [arch])
        let packages = try jsonObject(at: rootfs.appendingPathComponent("usr/share/rpm-ostree/extensions.json")) as? [String: String] ?? [:]
        #expect(packages[W.archToolX86.name]?.hasSuffix(".\(arch)") == true, "\(packages)")
    }

    @Test func oneLayerFileForSeveralArchesIsInvalidInputAndWritesNothing() throws {
        let run = try ImageCompose("image-layer-arch")
        let layer = run.directory.appendingPathComponent("layer.tar.gz")
        let result = try run.compose(["--arch", "x86_64", "--arch", "aarch64", "--layer", layer.path])
        #expect(result.status == 2, "\(result.stderr)")
        #expect(result.stderr.contains("{arch}"), "\(result.stderr)")
        #expect(!FileManager.default.fileExists(atPath: layer.path))
        #expect(!FileManager.default.fileExists(atPath: run.layout.path))
        #expect(!FileManager.default.fileExists(atPath: run.tree.path), "invalid input is refused before composing")
    }

    @Test func layoutPathWithTrailingSlashIsWrittenThere() throws {
        let run = try ImageCompose("image-slash")
        let result = try run.compose(["--oci-layout", run.layout.path + "/"])
        #expect(result.status == 0, "\(result.stderr)")
        let inspect = try skopeoJSON(["inspect", "oci:\(run.layout.path):latest"])
        #expect(inspect["Architecture"] as? String == "amd64")
        let leftovers = try FileManager.default.contentsOfDirectory(atPath: run.layout.path)
            .filter { $0.contains("mox-image") }
        #expect(leftovers.isEmpty, "\(leftovers)")
    }

    // MARK: An existing layout

    @Test func composingAgainUnderAnotherTagKeepsTheFirstTag() throws {
        let run = try ImageCompose("image-tags")
        let first = try run.compose(["--tag", "one"])
        #expect(first.status == 0, "\(first.stderr)")
        let again = try run.compose(["--tag", "two", "--label", "second=yes"])
        #expect(again.status == 0, "\(again.stderr)")
        let one = try skopeoJSON(["inspect", "oci:\(run.layout.path):one"])
        let two = try skopeoJSON(["inspect", "oci:\(run.layout.path):two"])
        #expect((one["Labels"] as? [String: String])?["second"] == nil)
        #expect((two["Labels"] as? [String: String])?["second"] == "yes")
        #expect(one["Layers"] as? [String] == two["Layers"] as? [String], "same tree, same layer")
        let blobs = try FileManager.default.contentsOfDirectory(atPath: run.layout.appendingPathComponent("blobs/sha256").path)
        #expect(blobs.count == 5, "one shared layer, a config and a manifest per tag: \(blobs)")
    }

    @Test func composingAChangedManifestAgainReplacesTheTaggedImage() throws {
        let run = try ImageCompose("image-recompose")
        let first = try run.compose()
        #expect(first.status == 0, "\(first.stderr)")
        try """
            repos: [os]
            extensions:
              single:
                packages: [\(W.solo.name)]
            """.write(to: run.manifest, atomically: true, encoding: .utf8)
        let again = try run.compose()
        #expect(again.status == 0, "\(again.stderr)")
        let reader = LayoutReader(root: run.layout)
        let manifest = try #require(try reader.manifests("latest")["amd64"])
        let rootfs = try extractLayer(reader.blob(try string(try reader.layer(of: manifest)["digest"])),
                                      into: run.directory.appendingPathComponent("rootfs", isDirectory: true))
        let index = rootfs.appendingPathComponent("usr/share/rpm-ostree/extensions.json")
        #expect(try Data(contentsOf: index) == Data(contentsOf: run.tree.appendingPathComponent("extensions.json")))
        let rpms = FileManager.default.enumerator(atPath: rootfs.path)?.allObjects as? [String] ?? []
        #expect(rpms.filter { $0.hasSuffix(".rpm") }.map { URL(fileURLWithPath: $0).lastPathComponent } == [W.solo.fileName])
    }

    @Test func directoryThatIsNotALayoutIsNotReplaced() throws {
        let run = try ImageCompose("image-notlayout")
        try FileManager.default.createDirectory(at: run.layout, withIntermediateDirectories: true)
        let precious = run.layout.appendingPathComponent("notes.txt")
        try "keep me\n".write(to: precious, atomically: true, encoding: .utf8)
        let result = try run.compose()
        #expect(result.status != 0)
        #expect(result.stderr.contains(run.layout.path), "\(result.stderr)")
        #expect(try FileManager.default.contentsOfDirectory(atPath: run.layout.path) == ["notes.txt"])
        #expect(try String(contentsOf: precious, encoding: .utf8) == "keep me\n")
    }

    // MARK: Compression

    @Test(arguments: [
        ("zstd", "application/vnd.oci.image.layer.v1.tar+zstd"),
        ("none", "application/vnd.oci.image.layer.v1.tar"),
    ])
    func layerIsCompressedAsAskedUnderTheDefaultTag(compression: String, mediaType: String) throws {
        let run = try ImageCompose("image-\(compression)")
        let layerFile = run.directory.appendingPathComponent("layer")
        let result = try run.compose(["--compression", compression, "--layer", layerFile.path])
        #expect(result.status == 0, "\(result.stderr)")
        let reader = LayoutReader(root: run.layout)
        let manifest = try #require(try reader.manifests("latest")["amd64"])
        let layer = try reader.layer(of: manifest)
        #expect(layer["mediaType"] as? String == mediaType)
        let blob = reader.blob(try string(layer["digest"]))
        #expect(try Data(contentsOf: layerFile) == Data(contentsOf: blob))

        let tar = run.directory.appendingPathComponent("layer.tar")
        try decompress(blob, mediaType: mediaType, to: tar)
        let diffIDs = (try reader.config(of: manifest)["rootfs"] as? [String: Any])?["diff_ids"] as? [String]
        #expect(diffIDs == ["sha256:" + (try sha256(of: tar))])
        let names = try Fixtures.run(["tar", "-tf", tar.path]).stdout.split(separator: "\n")
        #expect(names.contains("usr/share/rpm-ostree/extensions/repodata/repomd.xml"))
        #expect(names.contains("usr/share/rpm-ostree/extensions.json"))

        let inspect = try skopeoJSON(["inspect", "oci:\(run.layout.path):latest"])
        #expect(inspect["Architecture"] as? String == "amd64")
    }

    // MARK: Failure

    @Test func failedComposeWritesNoImageAndLeavesThePreviousOneAsItWas() throws {
        let run = try ImageCompose("image-fail")
        let first = try run.compose()
        #expect(first.status == 0, "\(first.stderr)")
        let before = try LayoutReader(root: run.layout).snapshot()
        let inodeBefore = try FileManager.default.attributesOfItem(atPath: run.layout.path)[.systemFileNumber] as? Int

        // needsnewfoo would upgrade the base's libfoo: unresolvable.
        try """
            repos: [os]
            extensions:
              upgrader:
                packages: [\(W.needsNewFoo.name)]
            """.write(to: run.manifest, atomically: true, encoding: .utf8)
        let fresh = run.directory.appendingPathComponent("fresh-image", isDirectory: true)
        let layer = run.directory.appendingPathComponent("failed-layer.tar.gz")
        let failed = try run.compose(["--layer", layer.path])
        #expect(failed.status == 1, "\(failed.stderr)")
        #expect(try LayoutReader(root: run.layout).snapshot() == before)
        #expect(try FileManager.default.attributesOfItem(atPath: run.layout.path)[.systemFileNumber] as? Int == inodeBefore)
        #expect(!FileManager.default.fileExists(atPath: layer.path))

        let failedFresh = try run.compose(["--oci-layout", fresh.path])
        #expect(failedFresh.status == 1)
        #expect(!FileManager.default.fileExists(atPath: fresh.path))
        let leftovers = try FileManager.default.contentsOfDirectory(atPath: run.directory.path)
            .filter { $0.contains("mox-image") || $0.contains(".tmp-") || $0.contains("mox-tmp") || $0.contains("mox-lock") }
        #expect(leftovers.isEmpty, "\(leftovers)")
    }
}
