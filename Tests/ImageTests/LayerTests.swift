import Fixtures
import Foundation
import OCI
import Testing

@testable import Image

/// How to get the tar back out of a layer file with the standard tools.
private func decompressCommand(_ compression: LayerCompression) -> String {
    switch compression {
    case .gzip: "gzip -dc"
    case .zstd: "zstd -qdc"
    case .none: "cat"
    }
}

@Test(arguments: LayerCompression.allCases)
func layerDecompressesToItsDiffIDAndIsNamedByItsDigest(_ compression: LayerCompression) throws {
    let dir = try Fixtures.temporaryDirectory("layer")
    defer { try? FileManager.default.removeItem(at: dir) }
    let tree = try Tree.make(at: dir.appendingPathComponent("tree"))
    let file = dir.path + "/layer"
    let blob = try Layer.write(tree.sources, to: file, compression: compression, mtime: 1_700_000_000)

    #expect(blob.digest == (try sha256sum(file)))
    #expect(blob.size == (try FileManager.default.attributesOfItem(atPath: file)[.size] as? Int64))
    #expect(blob.mediaType == compression.mediaType)
    let diffID = try shell(decompressCommand(compression) + #" "$1" | sha256sum | cut -d' ' -f1"#, file)
    #expect(blob.diffID == "sha256:" + diffID.trimmingCharacters(in: .whitespacesAndNewlines))
    if compression == .none { #expect(blob.diffID == blob.digest) }
}

@Test(arguments: [LayerCompression.gzip, .zstd])
func compressedStreamHasNoTimestampNameOrTrailingBytes(_ compression: LayerCompression) throws {
    let dir = try Fixtures.temporaryDirectory("layer")
    defer { try? FileManager.default.removeItem(at: dir) }
    let tree = try Tree.make(at: dir.appendingPathComponent("tree"))
    let file = dir.path + "/layer"
    _ = try Layer.write(tree.sources, to: file, compression: compression, mtime: 0)

    // gzip and zstd both complain (stderr, or a non-zero exit) about bytes after the stream.
    let test = try Fixtures.run(compression == .gzip ? ["gzip", "-t", file] : ["zstd", "-qt", file])
    #expect(test.stderr.isEmpty)
    if compression == .gzip {
        let header = [UInt8](try Data(contentsOf: URL(fileURLWithPath: file)).prefix(10))
        #expect(header[3] == 0, "no FNAME, FCOMMENT or FEXTRA flags")
        #expect(header[4..<8].allSatisfy { $0 == 0 }, "no modification time")
    }
}

@Test func tarEntriesAreSortedOwnedByRootWithFixedModesAndTime() throws {
    let dir = try Fixtures.temporaryDirectory("layer")
    defer { try? FileManager.default.removeItem(at: dir) }
    let tree = try Tree.make(at: dir.appendingPathComponent("tree"))
    let file = dir.path + "/layer.tar"
    _ = try Layer.write(tree.sources, to: file, compression: .none, mtime: 1_234_567_890)

    let names = try shell(#"tar -tf "$1""#, file).split(separator: "\n").map(String.init)
    #expect(names.first == "usr/")
    #expect(names == names.sorted { Array($0.utf8).lexicographicallyPrecedes(Array($1.utf8)) })
    #expect(Set(names).count == names.count)
    for required in [
        "usr/share/", "usr/share/rpm-ostree/", "usr/share/rpm-ostree/extensions/",
        "usr/share/rpm-ostree/extensions.json", "usr/share/rpm-ostree/extensions/extensions/empty/",
        "usr/share/rpm-ostree/extensions/extensions/usbguard/usbguard 1.0 (copy).rpm",
    ] {
        #expect(names.contains(required), "\(required)")
    }
    // GNU tar's own view: mode, numeric owner, mtime in UTC.
    let listing = try shell(#"tar -tv --numeric-owner --full-time -f "$1""#, file, environment: ["TZ": "UTC"])
    for line in listing.split(separator: "\n") {
        let fields = line.split(separator: " ", omittingEmptySubsequences: true)
        #expect(fields[0] == "drwxr-xr-x" || fields[0] == "-rw-r--r--", "\(line)")
        #expect(fields[1] == "0/0", "\(line)")
        #expect(fields[3] == "2009-02-13" && fields[4] == "23:31:30", "\(line)")
    }
    // Python's tarfile sees what GNU tar hides: user and group names, pax records (atime, ctime, xattrs).
    let report = try shell(
        """
        python3 - "$1" <<'PY'
        import sys, tarfile
        with tarfile.open(sys.argv[1]) as t:
            assert t.format == tarfile.PAX_FORMAT or all(not m.pax_headers for m in t), t.format
            for m in t:
                assert m.uname == "" and m.gname == "" and m.uid == 0 and m.gid == 0, m.name
                assert m.pax_headers == {}, (m.name, m.pax_headers)
                assert m.isdir() or m.isfile(), m.name
        print("ok")
        PY
        """, file)
    #expect(report == "ok\n")
}

@Test func longAndNonASCIINamesAreStoredExactly() throws {
    let dir = try Fixtures.temporaryDirectory("layer")
    defer { try? FileManager.default.removeItem(at: dir) }
    let long = String(repeating: "n", count: 150) + ".rpm"
    let tree = dir.appendingPathComponent("tree")
    try FileManager.default.createDirectory(at: tree, withIntermediateDirectories: true)
    try Data("a".utf8).write(to: tree.appendingPathComponent(long))
    try Data("b".utf8).write(to: tree.appendingPathComponent("paquet-été.rpm"))
    let file = dir.path + "/layer.tar"
    _ = try Layer.write([LayerSource(path: "x", local: tree.path)], to: file, compression: .none, mtime: 0)

    let names = try shell(#"tar -tf "$1""#, file, environment: ["LC_ALL": "C.UTF-8"])
    #expect(names == "x/\nx/\(long)\nx/paquet-été.rpm\n")
}

@Test func sameDirectoryFromTwoSourcesIsOneEntryButAFileTwiceIsRefused() throws {
    let dir = try Fixtures.temporaryDirectory("layer")
    defer { try? FileManager.default.removeItem(at: dir) }
    let tree = try Tree.make(at: dir.appendingPathComponent("tree"))
    let file = dir.path + "/layer.tar"
    let json = tree.root.path + "/extensions.json"
    _ = try Layer.write(
        tree.sources + [LayerSource(path: "usr/share/doc", local: tree.root.path + "/extensions/extensions/empty")],
        to: file, compression: .none, mtime: 0)
    let names = try shell(#"tar -tf "$1""#, file).split(separator: "\n")
    #expect(names.filter { $0 == "usr/share/" }.count == 1)

    #expect(throws: ImageError.duplicatePath("usr/share/rpm-ostree/extensions.json")) {
        try Layer.write(
            tree.sources + [LayerSource(path: "usr/share/rpm-ostree/extensions.json", local: json)],
            to: file, compression: .none, mtime: 0)
    }
}

@Test(arguments: ["", "/usr/share", "usr/../etc", "usr//share", "usr/share/", "./usr"])
func layerPathsMustBeRelativeAndPlain(_ path: String) throws {
    let dir = try Fixtures.temporaryDirectory("layer")
    defer { try? FileManager.default.removeItem(at: dir) }
    #expect(throws: ImageError.invalidLayerPath(path)) {
        try Layer.write([LayerSource(path: path, local: dir.path)], to: dir.path + "/l", compression: .none, mtime: 0)
    }
}

@Test func symbolicLinksInTheTreeAreRefused() throws {
    let dir = try Fixtures.temporaryDirectory("layer")
    defer { try? FileManager.default.removeItem(at: dir) }
    let tree = try Tree.make(at: dir.appendingPathComponent("tree"))
    let link = tree.root.path + "/extensions/dependencies/cached.rpm"
    try FileManager.default.createSymbolicLink(atPath: link, withDestinationPath: "/var/cache/mox/cached.rpm")
    #expect(throws: ImageError.unsupportedFile(path: link, kind: "symbolic link")) {
        try Layer.write(tree.sources, to: dir.path + "/layer", compression: .gzip, mtime: 0)
    }
}

@Test(arguments: [0, 1, 55, 56, 63, 64, 65, 127, 1000, (1 << 20) + 3])
func sha256AgreesWithSha256sumWhateverTheChunking(_ count: Int) throws {
    let dir = try Fixtures.temporaryDirectory("sha")
    defer { try? FileManager.default.removeItem(at: dir) }
    let bytes = Tree.pseudoRandom(count, seed: UInt64(count))
    try Data(bytes).write(to: dir.appendingPathComponent("data"))
    let expected = try sha256sum(dir.path + "/data")
    for chunk in [1, 7, 64, 100_000] {
        let hasher = SHA256()
        var offset = 0
        while offset < count {
            let end = min(count, offset + chunk)
            hasher.update(Array(bytes[offset..<end]))
            offset = end
        }
        #expect(hasher.finish() == expected, "chunk \(chunk)")
        if count > 5000 { break }
    }
}

@Test(arguments: [
    (Int64(0), "1970-01-01T00:00:00Z"), (1_234_567_890, "2009-02-13T23:31:30Z"),
    (951_782_400, "2000-02-29T00:00:00Z"), (-1, "1969-12-31T23:59:59Z"), (4_102_444_800, "2100-01-01T00:00:00Z"),
])
func createdTimesAreRFC3339InUTC(_ seconds: Int64, _ expected: String) {
    #expect(rfc3339(seconds) == expected)
}

@Test(arguments: [("x86_64", "amd64"), ("aarch64", "arm64"), ("ppc64le", "ppc64le"), ("s390x", "s390x")])
func rpmArchitecturesMapToOCINames(_ rpm: String, _ oci: String) {
    #expect(Platform(rpmArch: rpm).architecture == oci)
    #expect(Platform(architecture: oci).rpmArchitecture == rpm)
}

@Test(arguments: [LayerCompression.gzip, .zstd])
func compressedBytesAreTheSameWhateverTheNumberOfWorkers(_ compression: LayerCompression) throws {
    let dir = try Fixtures.temporaryDirectory("layer-workers")
    defer { try? FileManager.default.removeItem(at: dir) }
    let tree = try Tree.make(at: dir.appendingPathComponent("tree"))
    // Text that compresses, beside the random RPMs, across many blocks.
    let text = (0..<60_000).map { "line \($0 % 977) of a file that compresses well\n" }.joined()
    try Data(text.utf8).write(to: tree.root.appendingPathComponent("extensions/repodata/primary.xml"))
    var blobs: [LayerBlob] = []
    for workers in [1, 2, 5] {
        blobs.append(try Layer.write(tree.sources, to: dir.path + "/layer-\(workers)", compression: compression,
                                     mtime: 0, workers: workers))
    }
    #expect(Set(blobs.map(\.digest)).count == 1, "\(blobs.map(\.digest))")
    #expect(Set(blobs.map(\.diffID)).count == 1)
    let plain = try Layer.write(tree.sources, to: dir.path + "/layer.tar", compression: .none, mtime: 0)
    #expect(blobs[0].diffID == plain.diffID)
    #expect(blobs[0].size < plain.size, "the text compressed")
    // Read as consumers read it: gzip -t, Python's gzip module; zstd -t.
    let file = dir.path + "/layer-1"
    if compression == .gzip {
        #expect(try Fixtures.run(["gzip", "-t", file]).stderr.isEmpty)
        let script = "import gzip, hashlib, sys; print(hashlib.sha256(gzip.open(sys.argv[1]).read()).hexdigest())"
        let python = try Fixtures.run(["python3", "-c", script, file])
        #expect("sha256:" + python.stdout.trimmingCharacters(in: .whitespacesAndNewlines) == plain.diffID)
    } else {
        #expect(try Fixtures.run(["zstd", "-qt", file]).stderr.isEmpty)
    }
}

@Test func aFailedWriteStopsEveryThreadAndSaysWhy() throws {
    let dir = try Fixtures.temporaryDirectory("layer-full")
    defer { try? FileManager.default.removeItem(at: dir) }
    let tree = try Tree.make(at: dir.appendingPathComponent("tree"))
    // /dev/full takes nothing: every write fails with ENOSPC.
    for compression in LayerCompression.allCases {
        #expect(throws: ImageError.self) {
            try Layer.write(tree.sources, to: "/dev/full", compression: compression, mtime: 0, workers: 3)
        }
    }
}
