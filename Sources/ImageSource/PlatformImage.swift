// One platform's image: manifest, config, layers, and reading files out of its layers.
import Foundation
import OCI
import SystemPackage

/// One platform's image of a reference, its blobs on disk.
public struct PlatformImage: Sendable {
    /// The reference it was read from.
    public let reference: ImageReference
    /// The manifest's digest: the image's identity (`sha256:...`).
    public let digest: String
    /// The manifest: config and layer descriptors, bottom layer first.
    public let manifest: ImageManifest
    /// The config: platform, labels, diff_ids, history.
    public let config: ImageConfig
    /// The config's bytes as stored (for fields `ImageConfig` does not model).
    public let configBytes: Data
    let store: BlobStore

    /// The layers, bottom first.
    public var layers: [Descriptor] { manifest.layers }

    /// The local file holding blob `digest` (a layer, the config); it is not checked here.
    public func blobPath(_ digest: String) throws(ImageSourceError) -> FilePath { try store.path(of: digest) }

    /// Reads blob `descriptor` (a layer) once and checks its size and digest, without decompressing it.
    public func verify(_ descriptor: Descriptor) throws(ImageSourceError) {
        try BlobSource(file: try store.path(of: descriptor.digest), digest: descriptor.digest,
                       reference: reference.description).finish(size: descriptor.size)
    }

    /// Streams layer `index` (0 = bottom) once, front to back, calling `visit` for each entry with
    /// a function that reads that entry's content; checks the blob's digest at the end. Throws
    /// `ImageSourceError`, or what `visit` throws.
    public func readLayer(_ index: Int, _ visit: (LayerEntry, _ content: () throws -> Data) throws -> Void) throws {
        let reader = try openLayer(index)
        while let entry = try reader.next() {
            try visit(entry) { () throws(ImageSourceError) -> Data in
                var data = Data()
                try reader.read { data.append(contentsOf: $0) }
                return data
            }
        }
        try reader.finish()
    }

    /// Reads every layer once, bottom to top, applying whiteouts, and keeps the files whose image
    /// path satisfies `selected` (spooled into `spool`, an existing directory the caller removes),
    /// plus every symlink so paths resolve as inside the image. Memory holds the links and the
    /// selected paths only; with `sizingUnselected`, also every other file's path and size.
    public func readFiles(where selected: (FilePath) -> Bool, spool: FilePath,
                          sizingUnselected: Bool = false) throws(ImageSourceError) -> ImageFiles {
        let files = ImageFiles(spool: spool, sizingUnselected: sizingUnselected) { (layer, targets, take) throws(ImageSourceError) in
            // Hard-linked content (ostree's export links every file to its object) is fetched with
            // one more read of its layer, stopping once every target was seen.
            let reader = try openLayer(layer)
            var left = targets
            while !left.isEmpty, let entry = try reader.next() {
                if entry.kind == .file, left.remove(entry.path) != nil { try take(entry.path, reader) }
            }
        }
        for index in layers.indices {
            let reader = try openLayer(index)
            var kept: [FilePath: FilePath] = [:]
            while let entry = try reader.next() {
                try files.apply(entry, layer: index, selected: selected(entry.path), reader: reader, keptInLayer: &kept)
            }
            try reader.finish()
        }
        return files
    }

    private func openLayer(_ index: Int) throws(ImageSourceError) -> LayerReader {
        guard layers.indices.contains(index) else {
            throw .invalidDocument(reference: reference.description, what: "manifest", reason: "no layer \(index)")
        }
        let layer = layers[index]
        return try LayerReader(blob: try store.path(of: layer.digest), descriptor: layer, reference: reference.description)
    }
}
