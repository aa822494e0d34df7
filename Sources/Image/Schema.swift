// The OCI image spec's documents, as far as mox writes and reads them: descriptors, config, manifest, index.

/// OCI media types.
enum MediaType {
    static let manifest = "application/vnd.oci.image.manifest.v1+json"
    static let index = "application/vnd.oci.image.index.v1+json"
    static let config = "application/vnd.oci.image.config.v1+json"
    static let dockerManifest = "application/vnd.docker.distribution.manifest.v2+json"
    static let dockerManifestList = "application/vnd.docker.distribution.manifest.list.v2+json"
}

/// The annotation that names a manifest in an image layout's index.json (the tag).
let refNameAnnotation = "org.opencontainers.image.ref.name"

/// A reference to a blob: what it is, its digest and size, and optionally where it runs and notes on it.
struct Descriptor: Codable, Sendable, Equatable {
    var mediaType: String
    var digest: String
    var size: Int64
    var platform: Platform?
    var annotations: [String: String]?
    var urls: [String]?
    var artifactType: String?

    init(mediaType: String, digest: String, size: Int64, platform: Platform? = nil, annotations: [String: String]? = nil) {
        self.mediaType = mediaType
        self.digest = digest
        self.size = size
        self.platform = platform
        self.annotations = annotations
    }

    var json: JSON {
        var members: [(String, JSON)] = [
            ("mediaType", .string(mediaType)), ("digest", .string(digest)), ("size", .int(size)),
        ]
        if let platform { members.append(("platform", platform.json)) }
        if let annotations, !annotations.isEmpty { members.append(("annotations", .map(annotations))) }
        if let urls { members.append(("urls", .array(urls.map(JSON.string)))) }
        if let artifactType { members.append(("artifactType", .string(artifactType))) }
        return .object(members)
    }
}

/// Where an image runs.
struct Platform: Codable, Sendable, Equatable {
    var architecture: String
    var os: String
    var variant: String?

    var json: JSON {
        var members: [(String, JSON)] = [("architecture", .string(architecture)), ("os", .string(os))]
        if let variant { members.append(("variant", .string(variant))) }
        return .object(members)
    }
}

/// The blobs a manifest or index points at; what is needed to tell which blobs a layout still uses.
struct Links: Decodable {
    var config: Descriptor?
    var layers: [Descriptor]?
    var manifests: [Descriptor]?
}

enum Document {
    /// The image config: platform, labels, the layer's diff_id, one history entry.
    static func config(_ spec: ImageSpec, diffIDs: [String]) -> JSON {
        let created = JSON.string(rfc3339(spec.created))
        var history: [(String, JSON)] = [("created", created), ("created_by", .string(spec.createdBy))]
        if let comment = spec.comment { history.append(("comment", .string(comment))) }
        return .object([
            ("created", created),
            ("architecture", .string(ImageSpec.ociArchitecture(rpm: spec.arch))),
            ("os", .string("linux")),
            // podman create refuses an image without a command; this one is never run (see ImageSpec.command).
            ("config", .object([("Cmd", .array(ImageSpec.command.map(JSON.string))), ("Labels", .map(spec.allLabels))])),
            ("rootfs", .object([("type", .string("layers")), ("diff_ids", .array(diffIDs.map(JSON.string)))])),
            ("history", .array([.object(history)])),
        ])
    }

    /// An image manifest.
    static func manifest(config: Descriptor, layers: [Descriptor], annotations: [String: String]) -> JSON {
        var members: [(String, JSON)] = [
            ("schemaVersion", .int(2)), ("mediaType", .string(MediaType.manifest)),
            ("config", config.json), ("layers", .array(layers.map(\.json))),
        ]
        if !annotations.isEmpty { members.append(("annotations", .map(annotations))) }
        return .object(members)
    }

    /// An image index (also the shape of a layout's index.json).
    static func index(_ manifests: [Descriptor], annotations: [String: String] = [:]) -> JSON {
        var members: [(String, JSON)] = [
            ("schemaVersion", .int(2)), ("mediaType", .string(MediaType.index)),
            ("manifests", .array(manifests.map(\.json))),
        ]
        if !annotations.isEmpty { members.append(("annotations", .map(annotations))) }
        return .object(members)
    }

    /// The `oci-layout` file.
    static let layoutMarker = JSON.object([("imageLayoutVersion", .string("1.0.0"))])
}
