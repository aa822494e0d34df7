// Writing the image spec's documents as canonical JSON: descriptors, config, manifest, index.

import ImageContract
import OCI

extension Descriptor {
    /// The descriptor as canonical JSON: fields in the spec's order, absent ones left out.
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

extension Platform {
    /// The platform as canonical JSON.
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
            ("architecture", .string(Platform(rpmArch: spec.arch).architecture)),
            ("os", .string("linux")),
            // podman create refuses an image without a command; this one is never run (see ExtensionsImage.command).
            ("config", .object([("Cmd", .array(ExtensionsImage.command.map(JSON.string))), ("Labels", .map(spec.allLabels))])),
            ("rootfs", .object([("type", .string("layers")), ("diff_ids", .array(diffIDs.map(JSON.string)))])),
            ("history", .array([.object(history)])),
        ])
    }

    /// An image manifest.
    static func manifest(config: Descriptor, layers: [Descriptor], annotations: [String: String]) -> JSON {
        var members: [(String, JSON)] = [
            ("schemaVersion", .int(2)), ("mediaType", .string(MediaType.ociManifest)),
            ("config", config.json), ("layers", .array(layers.map(\.json))),
        ]
        if !annotations.isEmpty { members.append(("annotations", .map(annotations))) }
        return .object(members)
    }

    /// An image index (also the shape of a layout's index.json).
    static func index(_ manifests: [Descriptor], annotations: [String: String] = [:]) -> JSON {
        var members: [(String, JSON)] = [
            ("schemaVersion", .int(2)), ("mediaType", .string(MediaType.ociIndex)),
            ("manifests", .array(manifests.map(\.json))),
        ]
        if !annotations.isEmpty { members.append(("annotations", .map(annotations))) }
        return .object(members)
    }

    /// The `oci-layout` file.
    static let layoutMarker = JSON.object([("imageLayoutVersion", .string("1.0.0"))])
}
