// The image spec's documents as mox reads them (OCI and Docker schema 2 share these shapes).
import Foundation

/// Media types of manifests and indexes, OCI and Docker.
public enum ImageMediaType {
    public static let ociManifest = "application/vnd.oci.image.manifest.v1+json"
    public static let ociIndex = "application/vnd.oci.image.index.v1+json"
    public static let dockerManifest = "application/vnd.docker.distribution.manifest.v2+json"
    public static let dockerManifestList = "application/vnd.docker.distribution.manifest.list.v2+json"
}

/// A reference to a blob: its media type, digest and size, and for index entries the platform.
public struct Descriptor: Codable, Sendable, Hashable {
    public var mediaType: String
    public var digest: String
    public var size: Int64
    public var platform: Platform?
    public var annotations: [String: String]?
}

/// Where an image runs, in OCI (GOARCH) names: `linux`, `amd64`, `arm64` (variant `v8`).
public struct Platform: Codable, Sendable, Hashable, CustomStringConvertible {
    public var architecture: String
    public var os: String
    public var variant: String?

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
    public var schemaVersion: Int
    public var mediaType: String?
    public var config: Descriptor
    public var layers: [Descriptor]
    public var annotations: [String: String]?
}

/// An image index (or Docker manifest list): one manifest per platform.
public struct ImageIndex: Codable, Sendable, Hashable {
    public var schemaVersion: Int
    public var mediaType: String?
    public var manifests: [Descriptor]
    public var annotations: [String: String]?
}

/// The image config, as far as mox and its checks read it.
public struct ImageConfig: Codable, Sendable, Hashable {
    public var architecture: String
    public var os: String
    public var variant: String?
    public var created: String?
    public var config: Settings?
    public var rootfs: RootFS?
    public var history: [History]?

    /// The run-time settings: labels, command, environment.
    public struct Settings: Codable, Sendable, Hashable {
        public var Labels: [String: String]?
        public var Cmd: [String]?
        public var Entrypoint: [String]?
        public var Env: [String]?
        public var WorkingDir: String?
        public var User: String?
    }

    /// The layers' uncompressed digests, bottom first.
    public struct RootFS: Codable, Sendable, Hashable {
        public var type: String
        public var diffIDs: [String]

        enum CodingKeys: String, CodingKey {
            case type
            case diffIDs = "diff_ids"
        }
    }

    /// One step of how the image was built.
    public struct History: Codable, Sendable, Hashable {
        public var created: String?
        public var createdBy: String?
        public var comment: String?
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
