import Foundation
import Solv

/// A repo as loaded into a pool: where its metadata came from and what it holds.
public struct LoadedRepo: Sendable, Hashable {
    public let id: String
    /// The baseurl that answered (the first of the repo's baseurls that did).
    public let baseURL: String
    /// sha256 of repomd.xml: the identity of the metadata, and the .solv cache key.
    public let repomdChecksum: String
    /// repomd's `<revision>`, when it has one.
    public let revision: String?
    public let packages: Int
    /// True when the packages came from the .solv cache.
    public let fromCache: Bool
    /// True when filelists were loaded because some file dependency needed them.
    public let withFilelists: Bool
}

/// Why a repo could not be loaded: an environment problem (exit 3), not bad input.
public enum RepoLoadError: Error, Sendable, CustomStringConvertible {
    /// None of the repo's baseurls gave a readable repomd.xml.
    case unreachable(repo: String, attempts: [String])
    /// A metadata file does not match repomd.xml, or is unreadable.
    case metadata(repo: String, RepoMDError)
    /// libsolv could not parse or cache the metadata.
    case solv(repo: String, SolvError)
    /// Remote repos are fetched by `mox compose`'s downloader, not here.
    case remoteUnsupported(repo: String, url: String)

    public var description: String {
        switch self {
        case let .unreachable(repo, attempts):
            "repo '\(repo)': no baseurl answered:\n" + attempts.map { "  - \($0)" }.joined(separator: "\n")
        case let .metadata(repo, error): "repo '\(repo)': \(error)"
        case let .solv(repo, error): "repo '\(repo)': \(error)"
        case let .remoteUnsupported(repo, url): "repo '\(repo)': cannot fetch \(url)"
        }
    }
}

/// Loads rpm-md repos into a pool, checking metadata checksums and caching what libsolv parsed.
public struct RepoLoader {
    /// Where `.solv` files are kept; nil disables the cache.
    public let cacheDirectory: String?
    /// Turns a remote metadata URL into a local file (supplied by the fetcher; nil: remote repos fail).
    public let download: (@Sendable (URL) throws -> String)?

    public init(cacheDirectory: String?, download: (@Sendable (URL) throws -> String)? = nil) {
        self.cacheDirectory = cacheDirectory
        self.download = download
    }

    /// Loads `repos` into `pool`, then reloads them with filelists if some file dependency needs them.
    public func load(_ repos: [RepoDefinition], into pool: Pool) throws(RepoLoadError) -> [LoadedRepo] {
        var located: [(RepoDefinition, RepoURL, RepoMD, String)] = []
        for repo in repos {
            let (base, repomd, digest) = try locate(repo)
            located.append((repo, base, repomd, digest))
        }
        var loaded: [LoadedRepo] = []
        for (repo, base, repomd, digest) in located {
            // A filelists cache made by an earlier run is a superset: prefer it, and skip the check below.
            let full = cachePath(repo.id, digest, filelists: true)
            let haveFull = full.map { FileManager.default.fileExists(atPath: $0) } ?? false
            loaded.append(try loadOne(repo, base: base, repomd: repomd, digest: digest, into: pool, filelists: haveFull))
        }
        if !pool.unresolvedFileDependencies().isEmpty {
            for (index, (repo, base, repomd, digest)) in located.enumerated()
            where !loaded[index].withFilelists && repomd.records["filelists"] != nil {
                pool.unloadRepo(name: repo.id)
                loaded[index] = try loadOne(repo, base: base, repomd: repomd, digest: digest, into: pool, filelists: true)
            }
        }
        for repo in repos {
            pool.setFilters(repo: repo.id, excludes: repo.excludes, includes: repo.includes)
        }
        return loaded
    }

    /// The first baseurl whose repomd.xml reads and parses, with that file's sha256.
    func locate(_ repo: RepoDefinition) throws(RepoLoadError) -> (RepoURL, RepoMD, String) {
        var attempts: [String] = []
        for text in repo.baseURLs {
            do {
                let base = try RepoURL(parsing: text, relativeTo: FileManager.default.currentDirectoryPath)
                let path = try localFile(base.appending("repodata/repomd.xml"), repo: repo.id)
                let repomd = try RepoMD.load(file: path)
                let digest = try Checksum.of(file: path, algorithm: "sha256").hex
                return (base, repomd, digest)
            } catch let error as RepoLoadError {
                throw error
            } catch {
                attempts.append("\(text): \(error)")
            }
        }
        throw .unreachable(repo: repo.id, attempts: attempts.isEmpty ? ["no baseurl"] : attempts)
    }

    private func loadOne(_ repo: RepoDefinition, base: RepoURL, repomd: RepoMD, digest: String,
                         into pool: Pool, filelists: Bool) throws(RepoLoadError) -> LoadedRepo {
        let cache = cachePath(repo.id, digest, filelists: filelists)
        let cached = cache.map { FileManager.default.fileExists(atPath: $0) } ?? false
        var primaryPath = "", filelistsPath: String? = nil
        if !cached {
            primaryPath = try verifiedFile(repomd.primary, base: base, repomd: repomd, repo: repo.id)
            if filelists, let record = repomd.records["filelists"] {
                filelistsPath = try verifiedFile(record, base: base, repomd: repomd, repo: repo.id)
            }
        }
        do {
            let result = try pool.loadRepo(name: repo.id, priority: repo.priority, primary: primaryPath,
                                           filelists: filelistsPath, cache: cache)
            return LoadedRepo(id: repo.id, baseURL: base.description, repomdChecksum: digest,
                              revision: repomd.revision, packages: result.packages,
                              fromCache: result.fromCache, withFilelists: filelists)
        } catch {
            throw .solv(repo: repo.id, error)
        }
    }

    private func verifiedFile(_ record: RepoMD.Record, base: RepoURL, repomd: RepoMD,
                              repo: String) throws(RepoLoadError) -> String {
        let path: String
        do {
            path = try localFile(base.appending(record.href), repo: repo)
        } catch let error as RepoLoadError {
            throw error
        } catch {
            throw .unreachable(repo: repo, attempts: ["\(record.href): \(error)"])
        }
        do {
            try repomd.verify(record: record, file: path)
        } catch {
            throw .metadata(repo: repo, error)
        }
        return path
    }

    private func localFile(_ url: RepoURL, repo: String) throws -> String {
        switch url {
        case .local(let path): return path
        case .remote(let remote):
            guard let download else { throw RepoLoadError.remoteUnsupported(repo: repo, url: remote.absoluteString) }
            return try download(remote)
        }
    }

    private func cachePath(_ id: String, _ digest: String, filelists: Bool) -> String? {
        guard let dir = cacheDirectory else { return nil }
        let safe = id.map { $0.isLetter || $0.isNumber || "-_.".contains($0) ? $0 : "_" }
        return "\(dir)/solv/\(String(safe))-\(digest.prefix(24))\(filelists ? "-filelists" : "").solv"
    }
}
