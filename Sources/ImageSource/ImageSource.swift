// Resolving a reference to one platform's image, and making its blobs readable: in place for local
// layouts and dir: copies, through `skopeo copy` for registries, archives and containers storage.
import Foundation
import OCI
import SystemPackage

/// An image reference being read: its top-level document, its platforms, and each platform's image.
public final class ImageSource {
    /// What was asked for.
    public let reference: ImageReference
    /// How skopeo reaches registries.
    public let options: RegistryOptions
    private let skopeo: Skopeo
    private var top: (digest: String, document: TopDocument, bytes: Data)?

    /// Reads `reference` with `options`; nothing is read until asked.
    public init(_ reference: ImageReference, options: RegistryOptions = RegistryOptions()) {
        self.reference = reference
        self.options = options
        skopeo = Skopeo(options: options)
    }

    /// The digest of the document the reference names (an index's when the reference is multi-arch).
    public func topDigest() throws(ImageSourceError) -> String { try topDocument().digest }

    /// Whether the reference names an image index (several platforms).
    public func isIndex() throws(ImageSourceError) -> Bool {
        if case .index = try topDocument().document { return true }
        return false
    }

    /// The platforms the reference serves: each index entry's (entries without one are left out),
    /// or the single manifest's, from its config. Reads no layer.
    public func platforms() throws(ImageSourceError) -> [Platform] {
        switch try topDocument().document {
        case .index(let index): return index.manifests.compactMap(\.platform)
        case .manifest(let manifest): return [try singleManifestConfig(manifest).platform]
        }
    }

    /// The manifest serving `platform` and its digest: an index's entry for it, or the single manifest
    /// (whose platform is then checked against its config: an image of another architecture is an
    /// error naming both). Reads no layer.
    public func manifestDescriptor(for platform: Platform) throws(ImageSourceError) -> Descriptor {
        let top = try topDocument()
        switch top.document {
        case .index(let index):
            guard let entry = index.manifests.first(where: { $0.platform?.serves(platform) ?? false }) else {
                throw .noSuchArchitecture(reference: reference.description, wanted: platform.description,
                                          available: index.manifests.compactMap { $0.platform?.description })
            }
            return entry
        case .manifest(let manifest):
            let config = try singleManifestConfig(manifest)
            guard config.platform.serves(platform) else {
                throw .wrongArchitecture(reference: reference.description, wanted: platform.description,
                                         found: config.platform.description)
            }
            return Descriptor(mediaType: manifest.mediaType ?? MediaType.ociManifest, digest: top.digest,
                              size: Int64(top.bytes.count), platform: config.platform)
        }
    }

    /// The image serving `platform`, its blobs readable on disk. Registries, archives and containers
    /// storage are copied by skopeo into `scratch` (which the caller removes); local layouts are read in place.
    public func image(for platform: Platform, scratch: FilePath) throws(ImageSourceError) -> PlatformImage {
        let descriptor = try manifestDescriptor(for: platform)
        let store: BlobStore
        let manifestBytes: Data
        if let directory = reference.localDirectory {
            store = BlobStore(directory: directory, shape: reference.transport == .dir ? .dir : .ociLayout,
                              reference: reference.description)
            let top = try topDocument()
            manifestBytes = descriptor.digest == top.digest ? top.bytes : try store.read(descriptor.digest)
        } else {
            // A registry image is copied by digest, so a tag moving meanwhile cannot mix two images.
            let source = reference.pinned(to: descriptor.digest) ?? reference
            try skopeo.copy(source, platform: descriptor.platform ?? platform, to: scratch)
            store = BlobStore(directory: scratch, shape: .dir, reference: reference.description)
            let file = scratch.appending("manifest.json")
            guard let bytes = FileManager.default.contents(atPath: file.string) else {
                throw .io(path: file, reason: "skopeo copied no manifest")
            }
            manifestBytes = bytes
        }
        guard case .manifest(let manifest) = try TopDocument.decode(manifestBytes, reference: reference.description) else {
            throw .invalidDocument(reference: reference.description, what: "manifest",
                                   reason: "the entry for \(platform) is an index, not a manifest")
        }
        if reference.transport == .containersStorage {
            // The store keeps layers uncompressed and writes a new manifest when an image leaves it:
            // the image is the one inspected when its config (the image ID) is.
            if case .manifest(let original) = try topDocument().document, original.config.digest != manifest.config.digest {
                throw .digestMismatch(reference: reference.description, digest: original.config.digest,
                                      found: manifest.config.digest)
            }
        } else {
            try BlobStore.check(manifestBytes, is: descriptor.digest, reference: reference.description)
        }
        let configBytes = try store.read(manifest.config.digest)
        let config: ImageConfig
        do { config = try JSONDecoder().decode(ImageConfig.self, from: configBytes) } catch {
            throw .invalidDocument(reference: reference.description, what: "config", reason: decodingProblem(error))
        }
        guard config.platform.serves(platform) else {
            throw .wrongArchitecture(reference: reference.description, wanted: platform.description,
                                     found: config.platform.description)
        }
        return PlatformImage(reference: reference, digest: descriptor.digest, manifest: manifest, config: config,
                             configBytes: configBytes, store: store)
    }

    // MARK: -

    private func topDocument() throws(ImageSourceError) -> (digest: String, document: TopDocument, bytes: Data) {
        if let top { return top }
        let bytes: Data
        if reference.transport == .oci, let directory = reference.localDirectory {
            bytes = try layoutEntry(directory)
        } else if reference.transport == .dir, let directory = reference.localDirectory {
            let file = directory.appending("manifest.json")
            guard let data = FileManager.default.contents(atPath: file.string) else {
                throw .notFound(reference: reference.description, message: "\(file) does not exist")
            }
            bytes = data
        } else {
            bytes = try skopeo.rawManifest(reference)
        }
        let found = (BlobStore.digest(of: bytes), try TopDocument.decode(bytes, reference: reference.description), bytes)
        top = found
        return found
    }

    /// The manifest or index a layout's index.json names for the reference's tag (or its only entry),
    /// as `skopeo inspect --raw` gives it.
    private func layoutEntry(_ directory: FilePath) throws(ImageSourceError) -> Data {
        let file = directory.appending("index.json")
        guard let data = FileManager.default.contents(atPath: file.string) else {
            throw .notFound(reference: reference.description, message: "\(file) does not exist: not an OCI image layout")
        }
        let index: ImageIndex
        do { index = try JSONDecoder().decode(ImageIndex.self, from: data) } catch {
            throw .invalidDocument(reference: reference.description, what: "index.json", reason: decodingProblem(error))
        }
        let entry: Descriptor
        if let tag = reference.layoutTag {
            guard let tagged = index.manifests.first(where: { $0.annotations?["org.opencontainers.image.ref.name"] == tag }) else {
                let tags = index.manifests.compactMap { $0.annotations?["org.opencontainers.image.ref.name"] }
                throw .notFound(reference: reference.description,
                                message: "no tag '\(tag)' in the layout; it has " + (tags.isEmpty ? "no tags" : tags.joined(separator: ", ")))
            }
            entry = tagged
        } else {
            guard index.manifests.count == 1, let only = index.manifests.first else {
                throw .notFound(reference: reference.description,
                                message: "the layout holds \(index.manifests.count) images; name one with oci:DIR:TAG")
            }
            entry = only
        }
        let store = BlobStore(directory: directory, shape: .ociLayout, reference: reference.description)
        return try store.read(entry.digest)
    }

    /// The config of a single-manifest reference, read without copying the image.
    private func singleManifestConfig(_ manifest: ImageManifest) throws(ImageSourceError) -> ImageConfig {
        let bytes: Data
        if let directory = reference.localDirectory {
            bytes = try BlobStore(directory: directory, shape: reference.transport == .dir ? .dir : .ociLayout,
                                  reference: reference.description).read(manifest.config.digest)
        } else {
            bytes = try skopeo.rawConfig(reference)
            try BlobStore.check(bytes, is: manifest.config.digest, reference: reference.description)
        }
        do { return try JSONDecoder().decode(ImageConfig.self, from: bytes) } catch {
            throw .invalidDocument(reference: reference.description, what: "config", reason: decodingProblem(error))
        }
    }
}
