// The image-reading API on layouts made in the test: platforms, one layer's entries, the merged
// view's files, and damage detected.
import Fixtures
import Foundation
import OCI
import ImageSource
import SystemPackage
import Testing

@Suite("ImageSource")
struct ImageSourceTests {
    /// A layout with tag `t`: layer 0 holds a/keep, a/gone, d/old and a link l -> /a; layer 1 whites
    /// out a/gone, makes d opaque, adds d/new and e/new.
    static func makeLayout() throws -> (dir: URL, reference: ImageReference) {
        let dir = try Fixtures.temporaryDirectory("image-source")
        removeAtExit(dir)
        func write(_ path: String, _ text: String, in layer: URL) throws {
            let file = layer.appendingPathComponent(path)
            try FileManager.default.createDirectory(at: file.deletingLastPathComponent(), withIntermediateDirectories: true)
            try Data(text.utf8).write(to: file)
        }
        let lower = dir.appendingPathComponent("lower"), upper = dir.appendingPathComponent("upper")
        try write("a/keep", "keep", in: lower)
        try write("a/gone", "gone", in: lower)
        try write("d/old", "old", in: lower)
        try FileManager.default.createSymbolicLink(atPath: lower.appendingPathComponent("l").path, withDestinationPath: "/a")
        try write("a/.wh.gone", "", in: upper)
        try write("d/.wh..wh..opq", "", in: upper)
        try write("d/new", "new", in: upper)
        try write("e/new", "e", in: upper)
        let layout = dir.appendingPathComponent("layout")
        let manifest = try OCIFixture.image(layers: [(lower, .gzip), (upper, .zstd)], architecture: "arm64", in: layout,
                                            labels: ["com.example.x": "y"])
        try OCIFixture.tag(manifest, as: "t", in: layout)
        return (dir, try ImageReference(parsing: "oci:\(layout.path):t"))
    }

    @Test func mergedViewAppliesWhiteoutsAndResolvesLinks() throws {
        let (dir, reference) = try Self.makeLayout()
        let source = ImageSource(reference)
        let image = try source.image(for: Platform(rpmArch: "aarch64"), scratch: FilePath(dir.appendingPathComponent("copy").path))
        #expect(image.config.config?.Labels?["com.example.x"] == "y")
        #expect(image.layers.count == 2)
        let spool = dir.appendingPathComponent("spool")
        try FileManager.default.createDirectory(at: spool, withIntermediateDirectories: true)
        let files = try image.readFiles(where: { _ in true }, spool: FilePath(spool.path))
        #expect(files.paths.map(\.string) == ["a/keep", "d/new", "e/new"])
        let local = try files.localFiles([FilePath("/l/keep")])
        let copy = try #require(local[FilePath("/l/keep")])
        #expect(try String(contentsOfFile: copy.string, encoding: .utf8) == "keep")
    }

    @Test func oneLayerIsReadAsStored() throws {
        let (dir, reference) = try Self.makeLayout()
        let image = try ImageSource(reference).image(for: Platform(architecture: "arm64"),
                                                     scratch: FilePath(dir.appendingPathComponent("copy").path))
        var seen: [String: String] = [:]
        try image.readLayer(image.layers.count - 1) { entry, content in
            if entry.kind == .file { seen[entry.path.string] = String(decoding: try content(), as: UTF8.self) }
        }
        #expect(seen == ["a/.wh.gone": "", "d/.wh..wh..opq": "", "d/new": "new", "e/new": "e"])
    }

    @Test func anotherArchitectureIsNamed() throws {
        let (dir, reference) = try Self.makeLayout()
        #expect(throws: ImageSourceError.wrongArchitecture(reference: reference.description, wanted: "linux/amd64",
                                                           found: "linux/arm64")) {
            _ = try ImageSource(reference).image(for: Platform(rpmArch: "x86_64"),
                                                 scratch: FilePath(dir.appendingPathComponent("copy").path))
        }
    }

    @Test func damagedLayerIsDetected() throws {
        let (dir, reference) = try Self.makeLayout()
        let image = try ImageSource(reference).image(for: Platform(architecture: "arm64"),
                                                     scratch: FilePath(dir.appendingPathComponent("copy").path))
        let blob = try image.blobPath(image.layers[0].digest)
        // Same size, one byte changed in the gzip trailer: the tar still reads, the digest does not match.
        let handle = try FileHandle(forUpdating: URL(fileURLWithPath: blob.string))
        let size = try handle.seekToEnd()
        try handle.seek(toOffset: size - 1)
        let last = try handle.read(upToCount: 1) ?? Data([0])
        try handle.seek(toOffset: size - 1)
        try handle.write(contentsOf: Data([last[0] ^ 0xFF]))
        try handle.close()
        #expect(throws: ImageSourceError.self) {
            try image.readLayer(0) { _, _ in }
        }
    }
}
