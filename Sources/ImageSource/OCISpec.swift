// The image spec's documents as mox reads them (OCI and Docker schema 2 share these shapes).
import Foundation

/// Media types of manifests and indexes, OCI and Docker.
public enum ImageMediaType {
    /// An OCI image manifest.
    public static let ociManifest = "application/vnd.oci.image.manifest.v1+json"
    /// An OCI image index.
    public static let ociIndex = "application/vnd.oci.image.index.v1+json"
    /// A Docker schema 2 manifest.
    public static let dockerManifest = "application/vnd.docker.distribution.manifest.v2+json"
    /// A Docker manifest list (an index).
    public static let dockerManifestList = "application/vnd.docker.distribution.manifest.list.v2+json"
}

/// A reference to a blob: its media type, digest and size, and for index entries the platform.
public struct Descriptor: Codable, Sendable, Hashable {
    /// What the blob is.
    public var mediaType: String
    /// `sha256:<hex>` of the blob's bytes.
    public var digest: String
    /// The blob's size in bytes.
    public var size: Int64
    /// For index entries: where the manifest runs.
    public var platform: Platform?
    /// Free-form annotations.
    public var annotations: [String: String]?
}

/// Where an image runs, in OCI (GOARCH) names: `linux`, `amd64`, `arm64` (variant `v8`).
public struct Platform: Codable, Sendable, Hashable, CustomStringConvertible {
    /// GOARCH name: `amd64`, `arm64`, `ppc64le`, `s390x`.
    public var architecture: String
    /// `linux`.
    public var os: String
    /// CPU variant (`v8` for arm64), when given.
    public var variant: String?

    /// A platform by its OCI names.
    public init(architecture: String, os: String = "linux", variant: String? = nil) {
        self.architecture = architecture
        self.os = os
        self.variant = variant
    }

    /// The platform of an rpm architecture: x86_64 -> amd64, aarch64 -> arm64, i686 -> 386; others
    /// (ppc64le, s390x, riscv64) are spelled the same.
    public init(rpmArch: String) {
        switch rpmArch {
        case "x86_64": self.init(architecture: "amd64")
        case "aarch64": self.init(architecture: "arm64")
        case "i386", "i486", "i586", "i686": self.init(architecture: "386")
        default: self.init(architecture: rpmArch)
        }
    }

    /// Whether an image of this platform serves `wanted` (same os and architecture; a variant only when both name one).
    public func serves(_ wanted: Platform) -> Bool {
        os == wanted.os && architecture == wanted.architecture
            && (variant == nil || wanted.variant == nil || variant == wanted.variant)
    }

    /// `linux/arm64/v8`.
    public var description: String { [os, architecture, variant].compactMap { $0 }.joined(separator: "/") }
}

/// An image manifest: the config and the layers, bottom first.
public struct ImageManifest: Codable, Sendable, Hashable {
    /// Always 2.
    public var schemaVersion: Int
    /// The document's media type (optional in OCI documents).
    public var mediaType: String?
    /// The config blob.
    public var config: Descriptor
    /// The layer blobs, bottom first.
    public var layers: [Descriptor]
    /// Free-form annotations.
    public var annotations: [String: String]?
}

/// An image index (or Docker manifest list): one manifest per platform.
public struct ImageIndex: Codable, Sendable, Hashable {
    /// Always 2.
    public var schemaVersion: Int
    /// The document's media type (optional in OCI documents).
    public var mediaType: String?
    /// One manifest per platform.
    public var manifests: [Descriptor]
    /// Free-form annotations.
    public var annotations: [String: String]?
}

/// The image config, as far as mox and its checks read it.
public struct ImageConfig: Codable, Sendable, Hashable {
    /// GOARCH name: `amd64`, `arm64`, `ppc64le`, `s390x`.
    public var architecture: String
    /// `linux`.
    public var os: String
    /// CPU variant (`v8` for arm64), when given.
    public var variant: String?
    /// RFC 3339 creation time.
    public var created: String?
    /// Run-time settings, labels among them.
    public var config: Settings?
    /// The layers' diff_ids.
    public var rootfs: RootFS?
    /// How the image was built, step by step.
    public var history: [History]?

    /// The run-time settings: labels, command, environment.
    public struct Settings: Codable, Sendable, Hashable {
        /// Image labels.
        public var Labels: [String: String]?
        /// The default command.
        public var Cmd: [String]?
        /// The entrypoint.
        public var Entrypoint: [String]?
        /// `NAME=VALUE` environment entries.
        public var Env: [String]?
        /// The working directory.
        public var WorkingDir: String?
        /// The user to run as.
        public var User: String?
    }

    /// The layers' uncompressed digests, bottom first.
    public struct RootFS: Codable, Sendable, Hashable {
        /// Always `layers`.
        public var type: String
        /// sha256 of each uncompressed layer, bottom first.
        public var diffIDs: [String]

        enum CodingKeys: String, CodingKey {
            case type
            case diffIDs = "diff_ids"
        }
    }

    /// One step of how the image was built.
    public struct History: Codable, Sendable, Hashable {
        /// RFC 3339 creation time.
        public var created: String?
        /// The command that made the step.
        public var createdBy: String?
        /// A note on the step.
        public var comment: String?
        /// True when the step made no layer.
        public var emptyLayer: Bool?

        enum CodingKeys: String, CodingKey {
            case created, comment
            case createdBy = "created_by"
            case emptyLayer = "empty_layer"
        }
    }

    /// The platform the config says the image is for.
    public var platform: Platform { Platform(architecture: architecture, os: os, variant: variant) }
}

/// The top-level document a reference names: an index or one manifest.
enum TopDocument {
    case index(ImageIndex)
    case manifest(ImageManifest)

    /// Reads `bytes` as an index or a manifest, by media type or, lacking one, by shape.
    static func decode(_ bytes: Data, reference: String) throws(ImageSourceError) -> TopDocument {
        struct Probe: Decodable {
            var schemaVersion: Int?
            var mediaType: String?
            var manifests: [Descriptor]?
            var layers: [Descriptor]?
        }
        let probe: Probe
        do { probe = try JSONDecoder().decode(Probe.self, from: bytes) } catch {
            throw .invalidDocument(reference: reference, what: "manifest", reason: "not JSON: \(error.localizedDescription)")
        }
        if probe.schemaVersion == 1 {
            throw .invalidDocument(reference: reference, what: "manifest",
                                   reason: "a Docker schema 1 manifest, which mox does not read; push the image again with a current tool")
        }
        do {
            if probe.manifests != nil || probe.mediaType == ImageMediaType.ociIndex
                || probe.mediaType == ImageMediaType.dockerManifestList {
                return .index(try JSONDecoder().decode(ImageIndex.self, from: bytes))
            }
            return .manifest(try JSONDecoder().decode(ImageManifest.self, from: bytes))
        } catch {
            throw .invalidDocument(reference: reference, what: "manifest", reason: decodingProblem(error))
        }
    }
}

/// A decoding failure as a sentence: which field, and what is wrong with it.
func decodingProblem(_ error: any Error) -> String {
    func path(_ keys: [any CodingKey]) -> String {
        keys.isEmpty ? "the document" : "'" + keys.map { $0.intValue.map { "[\($0)]" } ?? $0.stringValue }.joined(separator: ".") + "'"
    }
    switch error as? DecodingError {
    case .keyNotFound(let key, let context)?: return "\(path(context.codingPath + [key])) is missing"
    case .typeMismatch(_, let context)?, .valueNotFound(_, let context)?: return "\(path(context.codingPath)) has the wrong type"
    case .dataCorrupted(let context)?: return "\(path(context.codingPath)) is not valid JSON"
    default: return error.localizedDescription
    }
}
