// The OCI image layout directory: blobs, index.json, oci-layout; built next to the target, then swapped in.
internal import CArchive
import Foundation
import Publish

/// Writes OCI image layouts (`oci-layout`, `index.json`, `blobs/sha256/`), readable by skopeo, umoci, podman.
public enum OCILayout {
    /// Writes (or adds to) the layout at `dir`: each image's layer blob (hard-linked, else copied, from
    /// `layer.file`), config and manifest; with several images an index over them with their platforms.
    /// index.json names the result `tag` (`org.opencontainers.image.ref.name`), replacing an earlier
    /// image of that tag; other tags and the blobs they use are kept, unused blobs are dropped.
    /// The new layout is built beside `dir` and swapped in in one step (`Publisher`), so a failure
    /// leaves an existing `dir` as it was. Returns the digest of the tagged manifest or index.
    public static func write(
        images: [(spec: ImageSpec, layer: LayerBlob)], to dir: String, tag: String = "latest"
    ) throws(ImageError) -> String {
        try validate(images, tag: tag)
        let target = dir.count > 1 && dir.hasSuffix("/") ? String(dir.dropLast()) : dir
        let publisher: Publisher
        do throws(PublishError) { publisher = try Publisher(output: target) } catch { throw ImageError(error, layout: target) }
        let staging = publisher.staging
        do throws(ImageError) {
            let blobs = staging + "/blobs/sha256"
            try makeDirectory(staging + "/blobs")
            try makeDirectory(blobs)
            let exists = FileManager.default.fileExists(atPath: target)
            let kept = exists ? try carryOver(from: target, into: blobs, replacing: tag) : []

            var manifests: [Descriptor] = []
            for (spec, layer) in images {
                try addLayer(layer, into: blobs)
                let config = try addDocument(
                    Document.config(spec, diffIDs: [layer.diffID]), mediaType: MediaType.config, into: blobs)
                let layerDescriptor = Descriptor(mediaType: layer.mediaType, digest: layer.digest, size: layer.size)
                var manifest = try addDocument(
                    Document.manifest(config: config, layers: [layerDescriptor], annotations: spec.allAnnotations),
                    mediaType: MediaType.manifest, into: blobs)
                manifest.platform = Platform(architecture: ImageSpec.ociArchitecture(rpm: spec.arch), os: "linux")
                manifests.append(manifest)
            }
            var top = manifests[0]
            if manifests.count > 1 {
                let shared = sharedAnnotations(images.map(\.spec.allAnnotations))
                top = try addDocument(Document.index(manifests, annotations: shared), mediaType: MediaType.index, into: blobs)
            }
            top.annotations = [refNameAnnotation: tag]

            try writeFile(staging + "/oci-layout", Document.layoutMarker.bytes)
            try writeFile(staging + "/index.json", Document.index(kept + [top]).bytes)
            do throws(PublishError) { try publisher.publish() } catch { throw ImageError(error, layout: target) }
            return top.digest
        } catch {
            publisher.discard()
            throw error
        }
    }

    private static func validate(_ images: [(spec: ImageSpec, layer: LayerBlob)], tag: String) throws(ImageError) {
        let tagBytes = Array(tag.utf8)
        func allowed(_ c: UInt8, first: Bool) -> Bool {
            (c >= 0x30 && c <= 0x39) || (c >= 0x41 && c <= 0x5a) || (c >= 0x61 && c <= 0x7a) || c == 0x5f
                || (!first && (c == 0x2e || c == 0x2d))
        }
        guard (1...128).contains(tagBytes.count),
            tagBytes.enumerated().allSatisfy({ allowed($0.element, first: $0.offset == 0) })
        else { throw .invalidTag(tag) }
        guard !images.isEmpty else { throw .invalidImages("no images to write") }
        let arches = images.map { ImageSpec.ociArchitecture(rpm: $0.spec.arch) }
        guard Set(arches).count == arches.count else {
            throw .invalidImages("two images for one architecture: \(arches.joined(separator: ", "))")
        }
        for (_, layer) in images where hex(layer.digest) == nil || hex(layer.diffID) == nil {
            throw .invalidImages("layer \(layer.file) has a malformed digest \(layer.digest) or diff_id \(layer.diffID)")
        }
    }

    /// The annotations every image has with the same value: those describe the index as well.
    private static func sharedAnnotations(_ all: [[String: String]]) -> [String: String] {
        guard var shared = all.first else { return [:] }
        for annotations in all.dropFirst() { shared = shared.filter { annotations[$0.key] == $0.value } }
        return shared
    }

    /// The 64 hex digits of a `sha256:` digest, or nil if it is not one.
    static func hex(_ digest: String) -> String? {
        guard digest.hasPrefix("sha256:") else { return nil }
        let hex = digest.dropFirst(7)
        guard hex.utf8.count == 64, hex.utf8.allSatisfy({ ($0 >= 0x30 && $0 <= 0x39) || ($0 >= 0x61 && $0 <= 0x66) })
        else { return nil }
        return String(hex)
    }

    // MARK: Blobs

    /// Puts the layer file in as a blob, by hard link where the file system allows, else by copy.
    private static func addLayer(_ layer: LayerBlob, into blobs: String) throws(ImageError) {
        let blob = blobs + "/" + hex(layer.digest)!
        var info = stat()
        guard stat(layer.file, &info) == 0 else { throw .system(layer.file, "stat") }
        guard Int64(info.st_size) == layer.size else {
            throw .invalidImages("layer \(layer.file) is \(info.st_size) bytes, not the \(layer.size) it was written with")
        }
        if access(blob, F_OK) == 0 { return }
        try linkOrCopy(layer.file, to: blob)
    }

    /// Writes a JSON document as a blob and returns its descriptor.
    private static func addDocument(_ document: JSON, mediaType: String, into blobs: String) throws(ImageError) -> Descriptor {
        let bytes = document.bytes
        let hasher = SHA256()
        hasher.update(bytes)
        let digest = hasher.finish()
        try writeFile(blobs + "/" + hex(digest)!, bytes)
        return Descriptor(mediaType: mediaType, digest: digest, size: Int64(bytes.count))
    }

    /// Keeps the existing layout's other tags: returns their index.json entries and links in every blob
    /// they reach. Refuses a directory that is not an OCI layout rather than replacing it.
    private static func carryOver(from dir: String, into blobs: String, replacing tag: String) throws(ImageError) -> [Descriptor] {
        guard FileManager.default.fileExists(atPath: dir + "/oci-layout") else {
            throw .invalidLayout(path: dir, reason: "exists but has no oci-layout file; not replacing it")
        }
        let index: Links = try decode(dir + "/index.json")
        let kept = (index.manifests ?? []).filter { $0.annotations?[refNameAnnotation] != tag }
        var pending = kept
        var seen = Set<String>()
        while let descriptor = pending.popLast() {
            guard let hex = hex(descriptor.digest), seen.insert(hex).inserted else { continue }
            let blob = dir + "/blobs/sha256/" + hex
            try linkOrCopy(blob, to: blobs + "/" + hex)
            switch descriptor.mediaType {
            case MediaType.manifest, MediaType.dockerManifest, MediaType.index, MediaType.dockerManifestList:
                let links: Links = try decode(blob)
                pending += (links.config.map { [$0] } ?? []) + (links.layers ?? []) + (links.manifests ?? [])
            default:
                break
            }
        }
        return kept
    }

    private static func decode<T: Decodable>(_ path: String) throws(ImageError) -> T {
        guard let data = FileManager.default.contents(atPath: path) else { throw .system(path, "read") }
        do {
            return try JSONDecoder().decode(T.self, from: data)
        } catch {
            throw .invalidLayout(path: path, reason: "cannot be read as OCI JSON: \(error)")
        }
    }

    // MARK: Files

    private static func makeDirectory(_ path: String) throws(ImageError) {
        guard mkdir(path, 0o755) == 0 else { throw .system(path, "create directory") }
        chmod(path, 0o755)
    }

    private static func writeFile(_ path: String, _ bytes: [UInt8]) throws(ImageError) {
        let file = try BlobFile(creating: path)
        try file.append(bytes)
        try file.finish()
    }

    private static func linkOrCopy(_ source: String, to destination: String) throws(ImageError) {
        if link(source, destination) == 0 { return }
        guard errno == EXDEV || errno == EPERM || errno == EMLINK else { throw .system(source, "link") }
        let input = open(source, O_RDONLY | O_CLOEXEC)
        guard input >= 0 else { throw .system(source, "open") }
        defer { close(input) }
        let output = try BlobFile(creating: destination)
        let chunk = 1 << 20
        let buffer = UnsafeMutableRawPointer.allocate(byteCount: chunk, alignment: 16)
        defer { buffer.deallocate() }
        while true {
            let n = read(input, buffer, chunk)
            if n < 0 {
                if errno == EINTR { continue }
                throw .system(source, "read")
            }
            if n == 0 { break }
            try output.append(buffer, count: n)
        }
        try output.finish()
    }
}

extension ImageError {
    /// A publishing failure, in the terms of the layout being written.
    init(_ error: PublishError, layout: String) {
        switch error {
        case .busy: self = .invalidLayout(path: layout, reason: "another mox run is writing this layout; wait for it to finish")
        case let .io(path, reason): self = .io(path: path, operation: "publish the layout", reason: reason)
        }
    }
}
