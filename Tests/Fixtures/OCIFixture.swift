// OCIFixture: real OCI image layouts made in the test from directories, with tar, gzip, zstd and
// sha256sum, the JSON written by hand from the image spec, so no mox code makes the images mox reads.
import Foundation

/// Builds OCI image layouts (images and indexes) out of layer directories.
public enum OCIFixture {
    /// How a layer blob is compressed.
    public enum Compression: String, Sendable, CaseIterable {
        case gzip, zstd, none

        var mediaType: String {
            switch self {
            case .gzip: "application/vnd.oci.image.layer.v1.tar+gzip"
            case .zstd: "application/vnd.oci.image.layer.v1.tar+zstd"
            case .none: "application/vnd.oci.image.layer.v1.tar"
            }
        }
    }

    /// A blob written into a layout: its descriptor's fields.
    public struct Blob: Sendable {
        public let mediaType: String
        public let digest: String
        public let size: Int

        var descriptor: [String: Any] { ["mediaType": mediaType, "digest": digest, "size": size] }
    }

    /// `sha256:<hex>` of a file, by sha256sum.
    public static func sha256(of file: URL) throws -> String {
        let out = try Fixtures.run(["sha256sum", file.path]).stdout
        return "sha256:" + (out.split(separator: " ").first.map(String.init) ?? "")
    }

    /// Moves `file` into `layout`'s blobs under its digest.
    static func store(_ file: URL, mediaType: String, in layout: URL) throws -> Blob {
        let digest = try sha256(of: file)
        let blobs = layout.appendingPathComponent("blobs/sha256", isDirectory: true)
        try FileManager.default.createDirectory(at: blobs, withIntermediateDirectories: true)
        let size = (try FileManager.default.attributesOfItem(atPath: file.path)[.size] as? Int) ?? 0
        let destination = blobs.appendingPathComponent(String(digest.dropFirst(7)))
        if FileManager.default.fileExists(atPath: destination.path) {
            try FileManager.default.removeItem(at: file)
        } else {
            try FileManager.default.moveItem(at: file, to: destination)
        }
        return Blob(mediaType: mediaType, digest: digest, size: size)
    }

    /// Stores JSON bytes as a blob.
    static func store(json: [String: Any], mediaType: String, in layout: URL) throws -> Blob {
        let file = layout.appendingPathComponent("new-\(UUID().uuidString)")
        try JSONSerialization.data(withJSONObject: json, options: [.sortedKeys]).write(to: file)
        return try store(file, mediaType: mediaType, in: layout)
    }

    /// Tars `directory` (its content, as the image root), compresses it, and stores it in `layout`.
    /// Returns the layer blob and its diff_id.
    public static func layer(of directory: URL, compression: Compression, in layout: URL) throws -> (blob: Blob, diffID: String) {
        try FileManager.default.createDirectory(at: layout, withIntermediateDirectories: true)
        let tar = layout.appendingPathComponent("layer-\(UUID().uuidString).tar")
        try Fixtures.run(["tar", "--sort=name", "--owner=0", "--group=0", "--numeric-owner", "-C", directory.path,
                          "-cf", tar.path, "."])
        let diffID = try sha256(of: tar)
        var compressed = tar
        switch compression {
        case .gzip:
            try Fixtures.run(["gzip", "-n", "-6", tar.path])
            compressed = URL(fileURLWithPath: tar.path + ".gz")
        case .zstd:
            try Fixtures.run(["zstd", "-q", "--rm", tar.path])
            compressed = URL(fileURLWithPath: tar.path + ".zst")
        case .none:
            break
        }
        return (try store(compressed, mediaType: compression.mediaType, in: layout), diffID)
    }

    /// Writes an image of `layers` (bottom first) for OCI architecture `architecture` into `layout`
    /// and returns its manifest blob (not yet named in index.json).
    public static func image(layers: [(directory: URL, compression: Compression)], architecture: String,
                             in layout: URL, labels: [String: String] = [:]) throws -> Blob {
        var blobs: [Blob] = []
        var diffIDs: [String] = []
        for layer in layers {
            let made = try self.layer(of: layer.directory, compression: layer.compression, in: layout)
            blobs.append(made.blob)
            diffIDs.append(made.diffID)
        }
        let config: [String: Any] = [
            "architecture": architecture, "os": "linux", "created": "2024-01-01T00:00:00Z",
            "config": ["Labels": labels, "Cmd": ["/bin/sh"]],
            "rootfs": ["type": "layers", "diff_ids": diffIDs],
        ]
        let configBlob = try store(json: config, mediaType: "application/vnd.oci.image.config.v1+json", in: layout)
        let manifest: [String: Any] = [
            "schemaVersion": 2, "mediaType": "application/vnd.oci.image.manifest.v1+json",
            "config": configBlob.descriptor, "layers": blobs.map(\.descriptor),
        ]
        return try store(json: manifest, mediaType: "application/vnd.oci.image.manifest.v1+json", in: layout)
    }

    /// Writes an image index over per-architecture manifests (OCI architecture -> manifest blob).
    public static func index(_ manifests: [(architecture: String, manifest: Blob)], in layout: URL) throws -> Blob {
        let entries: [[String: Any]] = manifests.map {
            var entry = $0.manifest.descriptor
            entry["platform"] = ["architecture": $0.architecture, "os": "linux"]
            return entry
        }
        let index: [String: Any] = [
            "schemaVersion": 2, "mediaType": "application/vnd.oci.image.index.v1+json", "manifests": entries,
        ]
        return try store(json: index, mediaType: "application/vnd.oci.image.index.v1+json", in: layout)
    }

    /// Names `blob` (a manifest or an index) as `tag` in the layout's index.json, and writes oci-layout.
    public static func tag(_ blob: Blob, as tag: String, in layout: URL) throws {
        let indexFile = layout.appendingPathComponent("index.json")
        var entries: [[String: Any]] = []
        if let data = FileManager.default.contents(atPath: indexFile.path),
           let existing = try JSONSerialization.jsonObject(with: data) as? [String: Any] {
            entries = (existing["manifests"] as? [[String: Any]] ?? []).filter {
                ($0["annotations"] as? [String: String])?["org.opencontainers.image.ref.name"] != tag
            }
        }
        var entry = blob.descriptor
        entry["annotations"] = ["org.opencontainers.image.ref.name": tag]
        entries.append(entry)
        let index: [String: Any] = ["schemaVersion": 2, "manifests": entries]
        try JSONSerialization.data(withJSONObject: index, options: [.sortedKeys]).write(to: indexFile)
        try Data(#"{"imageLayoutVersion":"1.0.0"}"#.utf8).write(to: layout.appendingPathComponent("oci-layout"))
    }
}
