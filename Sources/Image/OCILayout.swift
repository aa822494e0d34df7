// The OCI image layout directory: blobs, index.json, oci-layout; built next to the target, then swapped in.
internal import CArchive
import Foundation
import OCI
import Publish
import SystemPackage

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
        let staged = try stage(images: images, to: dir, tag: tag)
        do throws(PublishError) { try staged.publisher.publish() } catch { throw ImageError(error, layout: dir) }
        return staged.digest
    }

    /// `write` up to the swap: the new layout is complete beside `dir`, and the caller swaps it in
    /// (`publisher.swapIn()`, then `commit()`) together with whatever else must change with it.
    public static func stage(
        images: [(spec: ImageSpec, layer: LayerBlob)], to dir: String, tag: String = "latest"
    ) throws(ImageError) -> (publisher: Publisher, digest: String) {
        try validate(images)
        return try stage(to: dir, tag: tag, architectures: images.map { Platform(rpmArch: $0.spec.arch).architecture }) {
            (blobs) throws(ImageError) -> [PlacedImage] in
            var placed: [PlacedImage] = []
            for (spec, layer) in images {
                try addLayer(layer, into: blobs)
                let config = try addDocument(
                    Document.config(spec, diffIDs: [layer.diffID]), mediaType: MediaType.ociConfig, into: blobs)
                let layerDescriptor = Descriptor(mediaType: layer.mediaType, digest: layer.digest, size: layer.size)
                var manifest = try addDocument(
                    Document.manifest(config: config, layers: [layerDescriptor], annotations: spec.allAnnotations),
                    mediaType: MediaType.ociManifest, into: blobs)
                manifest.platform = Platform(rpmArch: spec.arch)
                placed.append(PlacedImage(manifest: manifest, annotations: spec.allAnnotations))
            }
            return placed
        }
    }

    /// Writes (or adds to) the layout at `dir` an index over per-arch images written earlier into
    /// other layouts (`mox merge`): their blobs are linked (else copied) in, and the index is the
    /// one `write` gives the same images, byte for byte. Returns the digest of the tagged index.
    public static func write(merging images: [WrittenImage], to dir: String, tag: String = "latest") throws(ImageError) -> String {
        let staged = try stage(to: dir, tag: tag, architectures: images.map { $0.manifest.platform?.architecture ?? "" }) {
            (blobs) throws(ImageError) -> [PlacedImage] in
            for image in images {
                for (digest, file) in image.blobs.sorted(by: { $0.key < $1.key }) {
                    guard let hex = hex(digest) else { throw .invalidImages("'\(digest)' is not a sha256 digest") }
                    let blob = blobs.appending(hex)
                    if access(blob.string, F_OK) != 0 { try linkOrCopy(file.string, to: blob.string) }
                }
            }
            return images.map { PlacedImage(manifest: $0.manifest, annotations: $0.annotations) }
        }
        do throws(PublishError) { try staged.publisher.publish() } catch { throw ImageError(error, layout: dir) }
        return staged.digest
    }

    /// One per-arch image in the new layout: its manifest's descriptor (with its platform) and annotations.
    struct PlacedImage: Sendable {
        var manifest: Descriptor
        var annotations: [String: String]
    }

    /// The layout at `dir` with the images `place` puts into its blobs under `tag` (an index over
    /// them when there are several, in canonical order), built beside `dir`.
    private static func stage(
        to dir: String, tag: String, architectures: [String],
        place: (FilePath) throws(ImageError) -> [PlacedImage]
    ) throws(ImageError) -> (publisher: Publisher, digest: String) {
        try validate(tag: tag, architectures: architectures)
        let publisher: Publisher
        do throws(PublishError) { publisher = try Publisher(output: dir) } catch { throw ImageError(error, layout: dir) }
        let target = publisher.output
        let staging = FilePath(publisher.staging)
        do throws(ImageError) {
            let blobs = staging.appending("blobs/sha256")
            try makeDirectory(staging.appending("blobs").string)
            try makeDirectory(blobs.string)
            let exists = access(target, F_OK) == 0
            let kept = exists ? try carryOver(from: FilePath(target), into: blobs, replacing: tag) : []

            // Canonical order: by OCI architecture, whatever the order the arches were given in.
            let placed = try place(blobs).sorted { ($0.manifest.platform?.architecture ?? "") < ($1.manifest.platform?.architecture ?? "") }
            var top = placed[0].manifest
            if placed.count > 1 {
                let shared = sharedAnnotations(placed.map(\.annotations))
                top = try addDocument(Document.index(placed.map(\.manifest), annotations: shared), mediaType: MediaType.ociIndex,
                                      into: blobs)
            }
            top.annotations = [Annotation.refName: tag]

            try writeFile(staging.appending("oci-layout").string, Document.layoutMarker.bytes)
            try writeFile(staging.appending("index.json").string, Document.index(kept + [top]).bytes)
            return (publisher, top.digest)
        } catch {
            publisher.discard()
            throw error
        }
    }

    /// What an existing path given as a layout would make of it, checked before any work: nothing
    /// (absent or empty directory), an OCI layout whose index.json mox can add to, or an error.
    public static func checkTarget(_ dir: String) throws(ImageError) {
        var info = stat()
        guard stat(dir, &info) == 0 else { return }
        guard info.st_mode & S_IFMT == S_IFDIR else {
            throw .invalidLayout(path: dir, reason: "exists and is not a directory; give a new path or an existing OCI layout")
        }
        let entries = (try? FileManager.default.contentsOfDirectory(atPath: dir)) ?? []
        if entries.isEmpty { return }
        guard entries.contains("oci-layout") else {
            throw .invalidLayout(path: dir, reason: "an existing directory that is not an OCI image layout (no oci-layout file); "
                + "give a new path or an existing layout")
        }
        let _: Links = try decode(FilePath(dir).appending("index.json"))
    }

    /// The tag is a valid reference name, there is an image, and no two of one architecture.
    private static func validate(tag: String, architectures arches: [String]) throws(ImageError) {
        let tagBytes = Array(tag.utf8)
        func allowed(_ c: UInt8, first: Bool) -> Bool {
            (c >= 0x30 && c <= 0x39) || (c >= 0x41 && c <= 0x5a) || (c >= 0x61 && c <= 0x7a) || c == 0x5f
                || (!first && (c == 0x2e || c == 0x2d))
        }
        guard (1...128).contains(tagBytes.count),
            tagBytes.enumerated().allSatisfy({ allowed($0.element, first: $0.offset == 0) })
        else { throw .invalidTag(tag) }
        guard !arches.isEmpty else { throw .invalidImages("no images to write") }
        guard Set(arches).count == arches.count else {
            throw .invalidImages("two images for one architecture: \(arches.joined(separator: ", "))")
        }
    }

    private static func validate(_ images: [(spec: ImageSpec, layer: LayerBlob)]) throws(ImageError) {
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
    private static func addLayer(_ layer: LayerBlob, into blobs: FilePath) throws(ImageError) {
        let blob = blobs.appending(hex(layer.digest)!).string
        var info = stat()
        guard stat(layer.file, &info) == 0 else { throw .system(layer.file, "stat") }
        guard Int64(info.st_size) == layer.size else {
            throw .invalidImages("layer \(layer.file) is \(info.st_size) bytes, not the \(layer.size) it was written with")
        }
        if access(blob, F_OK) == 0 { return }
        try linkOrCopy(layer.file, to: blob)
    }

    /// Writes a JSON document as a blob and returns its descriptor.
    private static func addDocument(_ document: JSON, mediaType: String, into blobs: FilePath) throws(ImageError) -> Descriptor {
        let bytes = document.bytes
        let hasher = SHA256()
        hasher.update(bytes)
        let digest = hasher.finish()
        try writeFile(blobs.appending(hex(digest)!).string, bytes)
        return Descriptor(mediaType: mediaType, digest: digest, size: Int64(bytes.count))
    }

    /// Keeps the existing layout's other tags: returns their index.json entries and links in every blob
    /// they reach. Refuses a directory that is not an OCI layout rather than replacing it.
    private static func carryOver(from dir: FilePath, into blobs: FilePath, replacing tag: String) throws(ImageError) -> [Descriptor] {
        guard access(dir.appending("oci-layout").string, F_OK) == 0 else {
            throw .invalidLayout(path: dir.string, reason: "exists but has no oci-layout file; not replacing it")
        }
        let index: Links = try decode(dir.appending("index.json"))
        let kept = (index.manifests ?? []).filter { $0.annotations?[Annotation.refName] != tag }
        var pending = kept
        var seen = Set<String>()
        while let descriptor = pending.popLast() {
            guard let hex = hex(descriptor.digest), seen.insert(hex).inserted else { continue }
            let blob = dir.appending("blobs/sha256").appending(hex)
            try linkOrCopy(blob.string, to: blobs.appending(hex).string)
            switch descriptor.mediaType {
            case let type where MediaType.isDocument(type):
                let links: Links = try decode(blob)
                pending += (links.config.map { [$0] } ?? []) + (links.layers ?? []) + (links.manifests ?? [])
            default:
                break
            }
        }
        return kept
    }

    private static func decode<T: Decodable>(_ path: FilePath) throws(ImageError) -> T {
        guard let data = FileManager.default.contents(atPath: path.string) else { throw .system(path.string, "read") }
        do {
            return try JSONDecoder().decode(T.self, from: data)
        } catch let error as DecodingError {
            throw .invalidLayout(path: path.string, reason: "is not an OCI document mox can read: \(Self.explain(error)); "
                + "repair or remove the layout")
        } catch {
            throw .invalidLayout(path: path.string, reason: "is not valid JSON; repair or remove the layout")
        }
    }

    /// A decoding failure in words: what was wrong, and at which key.
    static func explain(_ error: DecodingError) -> String {
        func at(_ path: [any CodingKey]) -> String {
            path.isEmpty ? "at the top level" : "at '" + path.map { $0.intValue.map { "[\($0)]" } ?? $0.stringValue }.joined(separator: ".") + "'"
        }
        switch error {
        case .dataCorrupted(let context):
            return context.codingPath.isEmpty ? "not valid JSON" : "a malformed value \(at(context.codingPath))"
        case .keyNotFound(let key, let context): return "the key '\(key.stringValue)' is missing \(at(context.codingPath))"
        case .typeMismatch(_, let context), .valueNotFound(_, let context): return "a value of the wrong type \(at(context.codingPath))"
        @unknown default: return "an unreadable document"
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

/// A per-arch image already written (into another layout), to be put under an index with others.
public struct WrittenImage: Sendable {
    /// Its manifest's descriptor, with the platform the index gives it.
    public var manifest: Descriptor
    /// Its manifest's annotations: those every image shares describe the index too.
    public var annotations: [String: String]
    /// The local file of every blob it uses (manifest, config, layers), by digest; already verified.
    public var blobs: [String: FilePath]

    public init(manifest: Descriptor, annotations: [String: String], blobs: [String: FilePath]) {
        self.manifest = manifest
        self.annotations = annotations
        self.blobs = blobs
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
