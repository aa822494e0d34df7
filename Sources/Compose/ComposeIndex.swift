import Foundation
import SystemPackage

/// The JSON index of a composed tree (`mox-index.json`); the schema is documented in docs/index-json.md.
///
/// It holds only what the tree ships and what decides it, never where the build ran: paths, URLs
/// and repomd checksums are provenance (`Provenance`, in `--format json`), so two builders with the
/// same inputs write the same bytes.
public struct ComposeIndex: Codable, Sendable, Equatable {
    /// Bumped on any incompatible change of shape or meaning.
    public static let currentSchemaVersion = 2
    /// The index's file name inside the tree; its presence (and validity) marks a tree mox owns.
    public static let fileName = "mox-index.json"
    /// The flat `{name: "[E:]V-R.A"}` map consumers read (koji's upload), in single-arch trees and in every image.
    public static let flatFileName = "extensions.json"

    public var schemaVersion: Int
    public var mox: String
    /// sha256 over what decides the tree: equal digests mean an identical tree. With one arch it
    /// is that arch's digest; with several, a digest over theirs.
    public var stateDigest: String
    /// The time stamped into the tree (repodata, the image): SOURCE_DATE_EPOCH or derived from the packages.
    public var timestamp: Int64
    public var inputs: Inputs
    public var arches: [String: Arch]

    public struct Inputs: Codable, Sendable, Equatable {
        /// sha256 of the extensions file's bytes.
        public var extensionsSha256: String
        /// Per arch and repo, the settings that change the verdict on a package.
        public var repos: [Repo]
    }

    public struct Repo: Codable, Sendable, Equatable {
        public var arch: String
        public var id: String
        public var gpgcheck: Bool
        /// sha256 of each gpgkey's contents, in the order the repo lists them.
        public var gpgkeys: [String]
    }

    public struct Arch: Codable, Sendable, Equatable {
        /// Packages in the base, and sha256 over their sorted NEVRAs (the base's identity).
        public var basePackages: Int
        public var baseSha256: String
        /// For a base from `--base-image`: the image the base was read from (absent otherwise).
        public var baseImage: BaseImage?
        /// This arch's own digest and time: its image depends on nothing else.
        public var stateDigest: String
        public var timestamp: Int64
        public var extensions: [String: Extension]
        /// name -> "[E:]V-R.arch" of the tree's packages this arch ships (the flat map).
        public var packages: [String: String]
    }

    /// A base image's identity: this arch's manifest digest, and where others pull it.
    public struct BaseImage: Codable, Sendable, Equatable {
        /// The digest of the manifest of this arch's image (`org.opencontainers.image.base.digest`).
        public var digest: String
        /// Registry references only (`quay.io/org/node:tag`; `org.opencontainers.image.base.name`).
        public var name: String?
    }

    public struct Extension: Codable, Sendable, Equatable {
        public var status: String
        public var kind: String
        /// Its place in the extensions file (0 first): which extension's folder a shared package goes to.
        public var position: Int
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
        /// The extension's packages satisfying its requires and recommends (`mox why` walks these).
        public var needs: [Need]?
        /// From its header: bytes once installed, its `%config` files, its scriptlets' digests.
        public var installedSize: Int64?
        public var configFiles: [String: ConfigFile]?
        public var scriptlets: [String: String]?

        /// `name-version-release.arch.rpm`, as the tree names the file.
        public var fileName: String { "\(name)-\(version)-\(release).\(arch).rpm" }
    }

    /// One dependency of a package, and the package of the extension that satisfies it.
    public struct Need: Codable, Sendable, Equatable {
        public var nevra: String
        public var dependency: String
        /// `requires` or `recommends`.
        public var kind: String
    }

    /// A `%config` file: its content digest (`-> TARGET` for a link) and whether it is `noreplace`.
    public struct ConfigFile: Codable, Sendable, Equatable {
        public var digest: String
        public var noreplace: Bool
    }

    /// Whether every package carries what `why` and `diff` read (an index written by mox before
    /// they did lacks it: such a tree is composed again, to the same state digest).
    public var recordsDetails: Bool {
        arches.values.allSatisfy { arch in
            arch.extensions.values.allSatisfy { $0.packages.allSatisfy { $0.needs != nil && $0.installedSize != nil } }
        }
    }

    /// The index without what is derived from the packages' own content or from the resolution
    /// graph (needs, header facts): the state digest covers the packages by their checksums instead.
    func withoutDetails() -> ComposeIndex {
        var copy = self
        for (name, arch) in arches {
            var arch = arch
            for (extName, ext) in arch.extensions {
                var ext = ext
                ext.packages = ext.packages.map { p in
                    var p = p
                    p.needs = nil
                    p.installedSize = nil
                    p.configFiles = nil
                    p.scriptlets = nil
                    return p
                }
                arch.extensions[extName] = ext
            }
            copy.arches[name] = arch
        }
        return copy
    }

    /// Canonical bytes: sorted keys, pretty printed, a final newline.
    public func encoded() -> Data { Self.canonical(self) }

    /// The flat map of `arch` as a file's bytes.
    public func flatMap(arch: String) -> Data { Self.canonical(arches[arch]?.packages ?? [:]) }

    static func canonical<T: Encodable>(_ value: T) -> Data {
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.prettyPrinted, .sortedKeys, .withoutEscapingSlashes]
        // Plain strings, ints and containers: encoding them cannot fail.
        var data = (try? encoder.encode(value)) ?? Data("{}".utf8)
        data.append(0x0A)
        return data
    }

    /// The index of one arch alone, exactly as a compose of that arch alone writes it: its own
    /// digest and time, its repos, and each file at the path that arch's own layout gives it.
    public func view(arch: String) -> ComposeIndex? {
        guard var entry = arches[arch] else { return nil }
        let paths = Self.layout(entry.extensions)
        for (name, ext) in entry.extensions {
            var ext = ext
            ext.packages = ext.packages.map { p in
                var p = p
                p.path = paths[p.nevra] ?? p.path
                return p
            }
            entry.extensions[name] = ext
        }
        return ComposeIndex(
            schemaVersion: schemaVersion, mox: mox, stateDigest: entry.stateDigest, timestamp: entry.timestamp,
            inputs: Inputs(extensionsSha256: inputs.extensionsSha256, repos: inputs.repos.filter { $0.arch == arch }),
            arches: [arch: entry])
    }

    /// The tree path of each package (by NEVRA) of these extensions: a listed package goes under
    /// the first extension (by position in the file) that lists it, everything else under
    /// `dependencies/`. The same rule as `TreePlan`, from the index alone.
    static func layout(_ extensions: [String: Extension]) -> [String: String] {
        var listedBy: [String: (position: Int, name: String)] = [:]
        var files: [String: String] = [:]
        for (name, ext) in extensions where ext.status == "resolved" {
            for p in ext.packages {
                files[p.nevra] = p.fileName
                guard p.role == "listed" else { continue }
                if let known = listedBy[p.nevra], known.position <= ext.position { continue }
                listedBy[p.nevra] = (ext.position, name)
            }
        }
        return files.reduce(into: [:]) { paths, file in
            paths[file.key] = listedBy[file.key].map { "extensions/\($0.name)/\(file.value)" } ?? "dependencies/\(file.value)"
        }
    }

    /// Reads an index written by `encoded()`; nil when absent or not an index of this schema.
    public static func read(from path: String) -> ComposeIndex? {
        guard let data = FileManager.default.contents(atPath: path) else { return nil }
        return try? JSONDecoder().decode(ComposeIndex.self, from: data)
    }

    /// The index of the tree at `tree`; nil when it has none of this schema.
    public static func read(tree: String) -> ComposeIndex? {
        read(from: FilePath(tree).appending(fileName).string)
    }

    /// Whether `tree` holds an index mox wrote: this schema's `mox-index.json`, or the
    /// `extensions.json` full index of schema 1 (mox before 0.3). A file that merely has one of
    /// those names is not enough: it must decode as such an index.
    public static func marksTree(_ tree: String) -> Bool {
        let root = FilePath(tree)
        if read(tree: tree) != nil { return true }
        struct LegacyIndex: Decodable {
            var schemaVersion: Int
            var mox: String
            var stateDigest: String
            var timestamp: Int64
            var arches: [String: ObjectShape]
        }
        /// Any JSON object, whatever its keys.
        struct ObjectShape: Decodable {}
        guard let data = FileManager.default.contents(atPath: root.appending(flatFileName).string),
              let legacy = try? JSONDecoder().decode(LegacyIndex.self, from: data)
        else { return false }
        return legacy.schemaVersion == 1 && legacy.stateDigest.hasPrefix("sha256:")
    }
}
