import Fixtures
import Foundation
import Image
import Testing

/// Writes the tree as one layer per architecture and an image layout over them; returns the top digest.
@discardableResult
private func writeImage(
    _ tree: Tree, arches: [String] = ["x86_64"], compression: LayerCompression = .gzip,
    to layout: String, tag: String = "latest", scratch: URL, created: Int64 = 1_700_000_000
) throws -> String {
    var images: [(spec: ImageSpec, layer: LayerBlob)] = []
    for arch in arches {
        let layer = try Layer.write(
            tree.sources, to: scratch.path + "/layer-\(arch)", compression: compression, mtime: created)
        let spec = ImageSpec(
            arch: arch, created: created, version: "4.16.0", title: "extensions", description: "RHCOS extensions",
            baseName: "quay.io/openshift-release-dev/ocp-v4.0-art-dev:rhel-coreos",
            baseDigest: "sha256:" + String(repeating: "ab", count: 32), labels: ["vendor": "mox tests"],
            comment: "extensions for \(arch)")
        images.append((spec, layer))
    }
    return try OCILayout.write(images: images, to: layout, tag: tag)
}

private func makeScratch() throws -> (URL, Tree) {
    let dir = try Fixtures.temporaryDirectory("layout")
    return (dir, try Tree.make(at: dir.appendingPathComponent("tree")))
}

@Test func skopeoSeesLabelsArchitectureAndCreated() throws {
    let (dir, tree) = try makeScratch()
    defer { try? FileManager.default.removeItem(at: dir) }
    let layout = dir.path + "/img"
    try writeImage(tree, to: layout, tag: "4.16", scratch: dir)

    let inspect = try jsonObject(try shell(#"skopeo inspect "oci:$1:4.16""#, layout))
    let labels = inspect["Labels"] as? [String: String]
    #expect(labels == ["io.openshift.os.extensions": "true", "vendor": "mox tests"])
    #expect(inspect["Architecture"] as? String == "amd64")
    #expect(inspect["Os"] as? String == "linux")
    #expect(inspect["Created"] as? String == "2023-11-14T22:13:20Z")
    #expect((inspect["Layers"] as? [String])?.count == 1)

    let manifest = try jsonObject(try shell(#"skopeo inspect --raw "oci:$1:4.16""#, layout))
    let annotations = manifest["annotations"] as? [String: String] ?? [:]
    #expect(annotations["org.opencontainers.image.created"] == "2023-11-14T22:13:20Z")
    #expect(annotations["org.opencontainers.image.version"] == "4.16.0")
    #expect(annotations["org.opencontainers.image.title"] == "extensions")
    #expect(annotations["org.opencontainers.image.description"] == "RHCOS extensions")
    #expect(annotations["org.opencontainers.image.base.name"]?.hasPrefix("quay.io/") == true)
    #expect(annotations["org.opencontainers.image.base.digest"]?.hasPrefix("sha256:abab") == true)

    let config = try jsonObject(try shell(#"skopeo inspect --config "oci:$1:4.16""#, layout))
    let history = config["history"] as? [[String: Any]]
    #expect(history?.count == 1)
    #expect(history?.first?["comment"] as? String == "extensions for x86_64")
}

@Test(arguments: [LayerCompression.gzip, .none])
func skopeoCopiesTheImageToADockerArchive(_ compression: LayerCompression) throws {
    let (dir, tree) = try makeScratch()
    defer { try? FileManager.default.removeItem(at: dir) }
    let layout = dir.path + "/img"
    try writeImage(tree, compression: compression, to: layout, scratch: dir)
    try shell(#"skopeo copy --quiet "oci:$1:latest" "docker-archive:$2""#, layout, dir.path + "/docker.tar")
    #expect(FileManager.default.fileExists(atPath: dir.path + "/docker.tar"))
}

/// Docker's format has no zstd layers (skopeo refuses the conversion), so a zstd image is copied as OCI.
@Test func skopeoCopiesAZstdImageToAnOCIArchive() throws {
    let (dir, tree) = try makeScratch()
    defer { try? FileManager.default.removeItem(at: dir) }
    let layout = dir.path + "/img"
    try writeImage(tree, compression: .zstd, to: layout, scratch: dir)
    try shell(#"skopeo copy --quiet "oci:$1:latest" "oci-archive:$2:latest""#, layout, dir.path + "/oci.tar")
    #expect(FileManager.default.fileExists(atPath: dir.path + "/oci.tar"))
}

/// umoci 0.4.7 (Debian 12) does not know zstd layers; `zstdLayerUnpacksWithTarToTheSameFiles` covers those.
@Test(arguments: [LayerCompression.gzip, .none])
func umociUnpacksEveryFileWithTheSameBytes(_ compression: LayerCompression) throws {
    let (dir, tree) = try makeScratch()
    defer { try? FileManager.default.removeItem(at: dir) }
    let layout = dir.path + "/img"
    try writeImage(tree, compression: compression, to: layout, scratch: dir)
    let bundle = dir.path + "/bundle"
    try shell(#"umoci unpack --rootless --image "$1:latest" "$2" 2>&1"#, layout, bundle)

    let unpacked = bundle + "/rootfs/usr/share/rpm-ostree"
    // diff -r compares every file's bytes and reports anything missing or extra on either side.
    try shell(#"diff -r "$1/extensions" "$2/extensions" && cmp "$1/extensions.json" "$2/extensions.json""#,
        tree.root.path, unpacked)
    let modes = try shell(#"cd "$1" && find . -mindepth 1 -printf '%y %m\n' | sort -u"#, unpacked)
    #expect(modes == "d 755\nf 644\n")
}

@Test func zstdLayerUnpacksWithTarToTheSameFiles() throws {
    let (dir, tree) = try makeScratch()
    defer { try? FileManager.default.removeItem(at: dir) }
    let layer = try Layer.write(tree.sources, to: dir.path + "/layer.tar.zst", compression: .zstd, mtime: 0)
    try FileManager.default.createDirectory(atPath: dir.path + "/rootfs", withIntermediateDirectories: true)
    try shell(#"zstd -qdc "$1" | tar -x -C "$2""#, layer.file, dir.path + "/rootfs")
    let unpacked = dir.path + "/rootfs/usr/share/rpm-ostree"
    try shell(#"diff -r "$1/extensions" "$2/extensions" && cmp "$1/extensions.json" "$2/extensions.json""#,
        tree.root.path, unpacked)
}

@Test func everyBlobIsNamedByItsSha256() throws {
    let (dir, tree) = try makeScratch()
    defer { try? FileManager.default.removeItem(at: dir) }
    let layout = dir.path + "/img"
    try writeImage(tree, arches: ["x86_64", "aarch64"], to: layout, scratch: dir)
    let blobs = try FileManager.default.contentsOfDirectory(atPath: layout + "/blobs/sha256")
    #expect(blobs.count == 1 + 2 * 2 + 1, "one layer (the same bytes for both), a config and a manifest per arch, the index")
    for name in blobs {
        #expect(try sha256sum(layout + "/blobs/sha256/" + name) == "sha256:" + name)
    }
    #expect(try String(contentsOfFile: layout + "/oci-layout", encoding: .utf8) == #"{"imageLayoutVersion":"1.0.0"}"#)
}

@Test func sameInputsGiveTheSameLayoutWhateverTheFileTimesAndModesOnDisk() throws {
    let (dir, tree) = try makeScratch()
    defer { try? FileManager.default.removeItem(at: dir) }
    // The copy: made under another umask (so other modes on disk), with other mtimes.
    let copy = dir.appendingPathComponent("copy")
    try shell(
        #"umask 077 && cp -r "$1" "$2" && find "$2" -exec touch -d '2001-02-03 04:05:06' {} +"#,
        tree.root.path, copy.path)
    try shell(#"chmod -R go-rwx "$1" && touch -d '1999-12-31 23:59:59' "$1/extensions.json""#, copy.path)
    let first = try writeImage(tree, arches: ["x86_64", "aarch64"], to: dir.path + "/one", scratch: dir)

    // TZ is not varied here: setenv races with the other tests' child processes reading the
    // environment. Nothing in the writer reads the local time zone (rfc3339 is arithmetic, tar mtimes integers).
    let scratch = dir.appendingPathComponent("scratch2")
    try FileManager.default.createDirectory(at: scratch, withIntermediateDirectories: true)
    let second = try writeImage(Tree(root: copy), arches: ["x86_64", "aarch64"], to: dir.path + "/two", scratch: scratch)

    #expect(first == second)
    // diff -r: the same file names with the same bytes, nothing more on either side.
    try shell(#"diff -r "$1" "$2""#, dir.path + "/one", dir.path + "/two")
}

@Test func severalArchitecturesShareOneTagThroughAnIndex() throws {
    let (dir, tree) = try makeScratch()
    defer { try? FileManager.default.removeItem(at: dir) }
    let layout = dir.path + "/img"
    let digest = try writeImage(tree, arches: ["x86_64", "aarch64"], to: layout, scratch: dir)

    let raw = try jsonObject(try shell(#"skopeo inspect --raw "oci:$1:latest""#, layout))
    #expect(raw["mediaType"] as? String == "application/vnd.oci.image.index.v1+json")
    let platforms = (raw["manifests"] as? [[String: Any]] ?? []).compactMap { $0["platform"] as? [String: String] }
    #expect(platforms == [["architecture": "amd64", "os": "linux"], ["architecture": "arm64", "os": "linux"]])

    for arch in ["arm64", "amd64"] {
        let inspect = try jsonObject(
            try shell(#"skopeo inspect --override-arch "$2" --override-os linux "oci:$1:latest""#, layout, arch))
        #expect(inspect["Architecture"] as? String == arch)
    }
    let top = try jsonObject(file: layout + "/index.json")
    let entry = (top["manifests"] as? [[String: Any]])?.first
    #expect(entry?["digest"] as? String == digest)
    #expect((entry?["annotations"] as? [String: String])?["org.opencontainers.image.ref.name"] == "latest")
}

@Test func retaggingKeepsOtherTagsAndDropsBlobsNoLongerUsed() throws {
    let (dir, tree) = try makeScratch()
    defer { try? FileManager.default.removeItem(at: dir) }
    let layout = dir.path + "/img"
    try writeImage(tree, to: layout, tag: "a", scratch: dir, created: 1)
    try writeImage(tree, to: layout, tag: "b", scratch: dir, created: 2)
    try writeImage(tree, to: layout, tag: "a", scratch: dir, created: 3)

    let entries = try jsonObject(file: layout + "/index.json")["manifests"] as? [[String: Any]] ?? []
    let tags = entries.compactMap { ($0["annotations"] as? [String: String])?["org.opencontainers.image.ref.name"] }
    #expect(tags == ["b", "a"])
    for tag in ["a", "b"] {
        let inspect = try jsonObject(try shell(#"skopeo inspect "oci:$1:$2""#, layout, tag))
        #expect(inspect["Created"] as? String == (tag == "a" ? "1970-01-01T00:00:03Z" : "1970-01-01T00:00:02Z"))
    }
    // Two images, each with its own layer (the mtime is the creation time), config and manifest.
    let blobs = try FileManager.default.contentsOfDirectory(atPath: layout + "/blobs/sha256")
    #expect(blobs.count == 6)
}

@Test func aFailedWriteLeavesThePreviousLayoutUntouched() throws {
    let (dir, tree) = try makeScratch()
    defer { try? FileManager.default.removeItem(at: dir) }
    let layout = dir.path + "/img"
    try writeImage(tree, to: layout, scratch: dir)
    try shell(#"cp -a "$1" "$2""#, layout, dir.path + "/before")

    let layer = try Layer.write(tree.sources, to: dir.path + "/other", compression: .zstd, mtime: 5)
    try FileManager.default.removeItem(atPath: layer.file)
    #expect(throws: ImageError.self) {
        try OCILayout.write(images: [(ImageSpec(arch: "x86_64", created: 5), layer)], to: layout, tag: "latest")
    }
    try shell(#"diff -r "$1" "$2""#, dir.path + "/before", layout)
    let leftovers = try FileManager.default.contentsOfDirectory(atPath: dir.path).filter { $0.hasPrefix(".img") }
    #expect(leftovers.isEmpty)
}

@Test func aDirectoryThatIsNotALayoutIsNotReplaced() throws {
    let (dir, tree) = try makeScratch()
    defer { try? FileManager.default.removeItem(at: dir) }
    #expect(throws: ImageError.invalidLayout(path: tree.root.path, reason: "exists but has no oci-layout file; not replacing it")) {
        try writeImage(tree, to: tree.root.path, scratch: dir)
    }
    #expect(FileManager.default.fileExists(atPath: tree.root.path + "/extensions.json"))
}

@Test(arguments: ["", "a:b", "-x", ".x", String(repeating: "t", count: 129), "tag/x"])
func tagsThatAreNotReferenceNamesAreRefused(_ tag: String) throws {
    let (dir, tree) = try makeScratch()
    defer { try? FileManager.default.removeItem(at: dir) }
    #expect(throws: ImageError.invalidTag(tag)) {
        try writeImage(tree, to: dir.path + "/img", tag: tag, scratch: dir)
    }
}
