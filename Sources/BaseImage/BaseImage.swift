// The base OS from its node image: the rpmdb read out of the layers (never unpacking the image),
// kept in the cache as a small root keyed by the manifest digest, so a second run reads no layer.
import Foundation
import ImageSource
import OCI
import RPM
import SystemPackage

/// Which image a base came from: what the user gave and the manifest it resolved to.
public struct BaseImageIdentity: Sendable, Hashable, Codable {
    /// The reference as given (`docker://quay.io/org/node:4.19`, `oci:layout:tag`).
    public var reference: String
    /// The digest of the manifest of the arch's image (an index's entry, for a multi-arch reference).
    public var digest: String
    /// Where others pull it (`quay.io/org/node:4.19`), for registry references; nil for local files.
    public var name: String?
}

/// A base image's rpmdb, as a small root directory holding the database at its dbpath.
public struct BaseImageRoot: Sendable {
    /// Read it as a `--base-rootfs`.
    public let root: FilePath
    /// The reference and the manifest it resolved to.
    public let identity: BaseImageIdentity
    /// Whether it came from the cache (no layer was read).
    public let fromCache: Bool
}

/// Why a base image could not be read.
public enum BaseImageError: Error, Sendable, CustomStringConvertible {
    /// The image could not be read (`isInvalidInput` tells whose fault).
    case image(ImageSourceError)
    /// The image holds no rpmdb in any of the places images keep it.
    case noDatabase(reference: String, digest: String)
    /// The rpmdb's paths lead somewhere unusable.
    case database(reference: String, RPMDatabaseError)
    /// The cache could not be written.
    case cache(path: FilePath, reason: String)

    /// True when the user's input is at fault (exit 2), false for the environment (exit 3).
    public var isInvalidInput: Bool {
        switch self {
        case .image(let error): error.isInvalidInput
        case .noDatabase, .database: true
        case .cache: false
        }
    }

    public var description: String {
        switch self {
        case .image(let error): "\(error)"
        case let .noDatabase(reference, digest):
            "\(reference) (\(digest)) has no rpmdb: looked in "
                + RPMDatabase.searchPaths.map { "/\($0)" }.joined(separator: ", ") + "; give the image of an rpm-based OS"
        case let .database(reference, error): "\(reference): \(error)"
        case let .cache(path, reason): "cache \(path): \(reason)"
        }
    }
}

/// Reads bases out of images, caching each image's rpmdb by manifest digest under a cache directory.
public struct BaseImageCache: Sendable {
    /// `<cachedir>/base-images`.
    public let directory: FilePath
    /// How skopeo reaches registries.
    public let options: RegistryOptions

    /// The cache under `cacheDirectory` (mox's `--cachedir`).
    public init(cacheDirectory: FilePath, options: RegistryOptions) {
        directory = cacheDirectory.appending("base-images")
        self.options = options
    }

    /// The rpmdb of `reference`'s image for rpm arch `arch`: from the cache when that manifest was
    /// read before, else streamed out of its layers (after `skopeo copy` for non-local transports).
    public func root(of text: String, arch: String) throws(BaseImageError) -> BaseImageRoot {
        let reference: ImageReference
        do { reference = try ImageReference(parsing: text) } catch { throw .image(error) }
        let platform = Platform(rpmArch: arch)
        let source = ImageSource(reference, options: options)
        do {
            // A multi-arch reference names the arch's manifest in its index; a single manifest is its own digest.
            let digest = try source.isIndex() ? try source.manifestDescriptor(for: platform).digest : try source.topDigest()
            let identity = BaseImageIdentity(reference: text, digest: digest, name: reference.registryName)
            let entry = try entryDirectory(digest)
            if let cached = try cachedPlatform(entry) {
                guard cached.serves(platform) else {
                    throw BaseImageError.image(.wrongArchitecture(reference: text, wanted: platform.description,
                                                                  found: cached.description))
                }
                return BaseImageRoot(root: entry.appending("root"), identity: identity, fromCache: true)
            }
            try extract(source, platform: platform, into: entry)
            return BaseImageRoot(root: entry.appending("root"), identity: identity, fromCache: false)
        } catch let error as ImageSourceError {
            throw .image(error)
        } catch let error as BaseImageError {
            throw error
        } catch {
            throw .cache(path: directory, reason: "\(error)")
        }
    }

    /// Reads the image's layers once and publishes `entry` with the rpmdb files at their dbpath.
    private func extract(_ source: ImageSource, platform: Platform, into entry: FilePath) throws {
        let work = try workDirectory("new")
        defer { try? FileManager.default.removeItem(atPath: work.string) }
        let copy = work.appending("copy"), spool = work.appending("spool")
        try FileManager.default.createDirectory(atPath: spool.string, withIntermediateDirectories: true)
        let image = try source.image(for: platform, scratch: copy)
        let files = try image.readFiles(where: RPMDatabase.mayBeDatabaseFile, spool: spool)
        let database: RPMDatabase
        do {
            guard let found = try RPMDatabase.locate(lookup: files.entry) else {
                throw BaseImageError.noDatabase(reference: source.reference.description, digest: image.digest)
            }
            database = found
        } catch let error as RPMDatabaseError {
            throw BaseImageError.database(reference: source.reference.description, error)
        }
        let locals = try files.localFiles(database.files.map(\.path))
        let result = work.appending("entry")
        var dbdir = result.appending("root")
        dbdir.push(database.dbpath.removingRoot())
        try FileManager.default.createDirectory(atPath: dbdir.string, withIntermediateDirectories: true)
        for file in database.files {
            guard let local = locals[file.path] else { continue }
            try FileManager.default.moveItem(atPath: local.string, toPath: dbdir.appending(file.name).string)
        }
        let metadata = try JSONEncoder().encode(CachedImage(digest: image.digest, platform: image.config.platform))
        try metadata.write(to: URL(fileURLWithPath: result.appending(Self.metadataName).string))
        // Published in one rename; a concurrent run that got there first wins and ours is dropped.
        if rename(result.string, entry.string) != 0, errno != EEXIST, errno != ENOTEMPTY {
            throw BaseImageError.cache(path: entry, reason: String(cString: strerror(errno)))
        }
    }

    private struct CachedImage: Codable {
        var digest: String
        var platform: Platform
    }

    static let metadataName = "image.json"

    private func entryDirectory(_ digest: String) throws(BaseImageError) -> FilePath {
        let name = digest.replacingOccurrences(of: ":", with: "-")
        guard let component = FilePath.Component(name), component.kind == .regular else {
            throw .cache(path: directory, reason: "'\(digest)' cannot name a cache entry")
        }
        return directory.appending(component)
    }

    private func cachedPlatform(_ entry: FilePath) throws -> Platform? {
        guard let data = FileManager.default.contents(atPath: entry.appending(Self.metadataName).string) else { return nil }
        return try? JSONDecoder().decode(CachedImage.self, from: data).platform
    }

    /// A new private directory under the cache; those of runs no longer alive are removed first.
    private func workDirectory(_ kind: String) throws -> FilePath {
        try FileManager.default.createDirectory(atPath: directory.string, withIntermediateDirectories: true)
        for name in (try? FileManager.default.contentsOfDirectory(atPath: directory.string)) ?? [] where name.hasPrefix(".") {
            let pid = name.split(separator: "-").dropFirst().first.flatMap { Int32($0) }
            if let pid, pid == getpid() || kill(pid, 0) == 0 { continue }
            try? FileManager.default.removeItem(atPath: directory.appending(name).string)
        }
        let work = directory.appending(".\(kind)-\(getpid())-\(UInt32.random(in: 0...UInt32.max))")
        try FileManager.default.createDirectory(atPath: work.string, withIntermediateDirectories: false)
        return work
    }
}
