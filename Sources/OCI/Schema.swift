// The image spec's documents as mox writes and reads them (OCI and Docker schema 2 share these
// shapes): plain values, so the reading and the writing modules speak of the same things.

/// Media types of manifests, indexes and configs, OCI and Docker.
public enum MediaType {
    /// An OCI image manifest.
    public static let ociManifest = "application/vnd.oci.image.manifest.v1+json"
    /// An OCI image index.
    public static let ociIndex = "application/vnd.oci.image.index.v1+json"
    /// An OCI image config.
    public static let ociConfig = "application/vnd.oci.image.config.v1+json"
    /// A Docker schema 2 manifest.
    public static let dockerManifest = "application/vnd.docker.distribution.manifest.v2+json"
    /// A Docker manifest list (an index).
    public static let dockerManifestList = "application/vnd.docker.distribution.manifest.list.v2+json"

    /// Whether `mediaType` is a manifest or an index (a document that points at other blobs).
    public static func isDocument(_ mediaType: String) -> Bool {
        [ociManifest, ociIndex, dockerManifest, dockerManifestList].contains(mediaType)
    }
}

/// Annotation keys with a meaning in an image layout.
public enum Annotation {
    /// Names a manifest or index in a layout's index.json: the tag.
    public static let refName = "org.opencontainers.image.ref.name"
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
    /// Other places the blob may be fetched from (kept as found).
    public var urls: [String]?
    /// The type of an artifact the descriptor points at (kept as found).
    public var artifactType: String?

    /// A descriptor by its fields.
    public init(mediaType: String, digest: String, size: Int64, platform: Platform? = nil,
                annotations: [String: String]? = nil, urls: [String]? = nil, artifactType: String? = nil) {
        self.mediaType = mediaType
        self.digest = digest
        self.size = size
        self.platform = platform
        self.annotations = annotations
        self.urls = urls
        self.artifactType = artifactType
    }
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

    /// The architecture as rpm names it: amd64 -> x86_64, arm64 -> aarch64, 386 -> i686; others
    /// are spelled the same.
    public var rpmArchitecture: String {
        switch architecture {
        case "amd64": "x86_64"
        case "arm64": "aarch64"
        case "386": "i686"
        default: architecture
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
