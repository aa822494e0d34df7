import Foundation
import Repos
import Resolve
import Solv

/// The JSON index of a composed tree (`extensions.json`); the schema is documented in docs/index-json.md.
public struct ComposeIndex: Codable, Sendable, Equatable {
    /// Bumped on any incompatible change of shape or meaning.
    public static let currentSchemaVersion = 1

    public var schemaVersion: Int
    public var mox: String
    /// sha256 over the inputs and the resolution: equal digests mean an identical tree.
    public var stateDigest: String
    /// The time stamped into the tree (repodata, and later the image): SOURCE_DATE_EPOCH or derived from the packages.
    public var timestamp: Int64
    public var inputs: Inputs
    public var arches: [String: Arch]
    /// name -> "evr.arch" of everything in the tree, the shape older consumers read; only for a single-arch tree.
    public var packages: [String: String]?

    public struct Inputs: Codable, Sendable, Equatable {
        public var extensions: FileDigest
        /// One entry per arch.
        public var base: [Base]
        public var repos: [Repo]
    }

    public struct FileDigest: Codable, Sendable, Equatable {
        public var path: String
        public var sha256: String
    }

    public struct Base: Codable, Sendable, Equatable {
        public var arch: String
        /// `rootfs`, `packages` or `image`.
        public var kind: String
        public var source: String
        /// For an image: the digest of the arch's manifest, the base's identity.
        public var digest: String?
        /// For a registry image: where others pull it (`quay.io/org/node:tag`).
        public var name: String?
    }

    public struct Repo: Codable, Sendable, Equatable {
        public var arch: String
        public var id: String
        public var baseurl: String
        public var repomdSha256: String
        public var revision: String?
    }

    public struct Arch: Codable, Sendable, Equatable {
        /// Packages in the base, and sha256 over their sorted NEVRAs (the base's identity).
        public var basePackages: Int
        public var baseSha256: String
        public var extensions: [String: Extension]
        /// name -> "evr.arch" of the tree's packages this arch can use.
        public var packages: [String: String]
    }

    public struct Extension: Codable, Sendable, Equatable {
        public var status: String
        public var kind: String
        public var note: String?
        public var packages: [Package]
    }

    public struct Package: Codable, Sendable, Equatable {
        public var nevra: String
        public var name: String
        public var epoch: Int
        public var version: String
        public var release: String
        public var arch: String
        /// Relative to the tree root.
        public var path: String
        public var sha256: String
        public var size: Int64
        public var repo: String
        /// `listed` or `dependency`.
        public var role: String
        /// For dependencies: the listed packages whose chains reach it.
        public var pulledBy: [String]
    }

    /// Canonical bytes: sorted keys, no extra whitespace differences between runs.
    public func encoded() throws -> Data {
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.prettyPrinted, .sortedKeys, .withoutEscapingSlashes]
        var data = try encoder.encode(self)
        data.append(0x0A)
        return data
    }

    /// Reads an index written by `encoded()`; nil when absent or not an index of this schema.
    public static func read(from path: String) -> ComposeIndex? {
        guard let data = FileManager.default.contents(atPath: path) else { return nil }
        return try? JSONDecoder().decode(ComposeIndex.self, from: data)
    }
}
