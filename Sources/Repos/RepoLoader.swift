import Foundation
import Solv
import Synchronization

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
    /// The repo's modules.yaml, checksum-verified, when its repomd.xml lists one.
    public var modules: String? = nil
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
public struct RepoLoader: Sendable {
    /// Where `.solv` files are kept; nil disables the cache.
    public let cacheDirectory: String?
    /// Turns a remote metadata URL into a local file (supplied by the fetcher; nil: remote repos fail).
    public let download: (@Sendable (URL) throws -> String)?

    public init(cacheDirectory: String?, download: (@Sendable (URL) throws -> String)? = nil) {
        self.cacheDirectory = cacheDirectory
        self.download = download
    }

    /// Loads `repos` into `pool`; adds filelists only when some file dependency needs them, or
    /// `filelists` says so (a listed file path that primary.xml does not cover).
    ///
    /// Repos not in the cache are parsed in parallel, each in a pool of its own, and written to the
    /// cache; the main pool then reads every repo from its `.solv` file.
    public func load(_ repos: [RepoDefinition], into pool: Pool, filelists: Bool = false) throws(RepoLoadError)
        -> [LoadedRepo] {
        var located: [Source] = []
        for repo in repos {
            let (base, repomd, digest) = try locate(repo)
            located.append(Source(repo: repo, base: base, repomd: repomd, digest: digest))
        }
        let sources = located
        let arch = pool.arch
        guard let cacheDirectory else { return try loadUncached(sources, into: pool, filelists: filelists) }
        let paths = sources.map { CachePaths(directory: cacheDirectory, id: $0.repo.id, digest: $0.digest) }
        let exists = { (path: String) in FileManager.default.fileExists(atPath: path) }

        // Phase 1: parse what the cache lacks, several repos at once; a large primary is itself
        // cut in parts parsed side by side.
        let cached = { (i: Int) in exists(paths[i].primary) || paths[i].parts.allSatisfy(exists) }
        let toParse = sources.indices.filter { !cached($0) }
        let parsed = try inParallel(toParse) { i throws(RepoLoadError) in
            let primary = try verifiedFile(sources[i].repomd.primary, of: sources[i])
            try solv(sources[i].repo.id) { () throws(SolvError) in
                if (sources[i].repomd.primary.openSize ?? 0) >= Self.splitSize {
                    try Pool.parsePrimaryInParts(primary, arch: arch, caches: paths[i].parts)
                } else {
                    let scratch = Pool(arch: arch)
                    _ = try scratch.loadPrimary(name: sources[i].repo.id, priority: 0, primary: primary)
                    try scratch.writeCache(repo: sources[i].repo.id, to: paths[i].primary)
                }
            }
        }
        var fromCache = sources.indices.map { !parsed.contains($0) }
        var withFilelists = sources.indices.map { _ in false }
        for i in sources.indices {
            try loadCached(sources[i], parts: exists(paths[i].primary) ? [paths[i].primary] : paths[i].parts, into: pool)
            // Filelists an earlier run needed come as an extension on top of the primary.
            withFilelists[i] = exists(paths[i].filelists)
                && pool.loadExtension(repo: sources[i].repo.id, path: paths[i].filelists)
        }

        // Phase 2: file dependencies primary.xml cannot answer need the filelists.
        let lacking = sources.indices.filter { !withFilelists[$0] && sources[$0].repomd.records["filelists"] != nil }
        if !lacking.isEmpty && (filelists || !pool.unresolvedFileDependencies().isEmpty) {
            // Extending the loaded repos in place avoids a second parse or load of their primaries.
            for i in lacking {
                guard let record = sources[i].repomd.records["filelists"] else { continue }
                let filelists = try verifiedFile(record, of: sources[i])
                try solv(sources[i].repo.id) { () throws(SolvError) in
                    try pool.addFilelists(repo: sources[i].repo.id, filelists: filelists)
                    try pool.writeFilelistsExtension(repo: sources[i].repo.id, to: paths[i].filelists)
                }
                withFilelists[i] = true
                fromCache[i] = false
            }
        }
        return try finish(sources, into: pool, fromCache: fromCache, withFilelists: withFilelists)
    }

    /// Without a cache directory: parse everything into `pool` itself, one repo after another.
    private func loadUncached(_ sources: [Source], into pool: Pool, filelists: Bool) throws(RepoLoadError) -> [LoadedRepo] {
        for source in sources {
            let primary = try verifiedFile(source.repomd.primary, of: source)
            try solv(source.repo.id) { () throws(SolvError) in
                _ = try pool.loadPrimary(name: source.repo.id, priority: source.repo.priority, primary: primary)
            }
        }
        var withFilelists = sources.map { _ in false }
        if filelists || !pool.unresolvedFileDependencies().isEmpty {
            for (i, source) in sources.enumerated() {
                guard let record = source.repomd.records["filelists"] else { continue }
                let path = try verifiedFile(record, of: source)
                try solv(source.repo.id) { () throws(SolvError) in
                    try pool.addFilelists(repo: source.repo.id, filelists: path)
                }
                withFilelists[i] = true
            }
        }
        return try finish(sources, into: pool, fromCache: sources.map { _ in false }, withFilelists: withFilelists)
    }

    private func finish(_ sources: [Source], into pool: Pool, fromCache: [Bool],
                        withFilelists: [Bool]) throws(RepoLoadError) -> [LoadedRepo] {
        for source in sources {
            pool.setFilters(repo: source.repo.id, excludes: source.repo.excludes, includes: source.repo.includes)
        }
        var loaded: [LoadedRepo] = []
        for i in sources.indices {
            var repo = LoadedRepo(id: sources[i].repo.id, baseURL: sources[i].base.description,
                                  repomdChecksum: sources[i].digest, revision: sources[i].repomd.revision,
                                  packages: pool.packageCount(repo: sources[i].repo.id),
                                  fromCache: fromCache[i], withFilelists: withFilelists[i])
            if let record = sources[i].repomd.records["modules"] { repo.modules = try verifiedFile(record, of: sources[i]) }
            loaded.append(repo)
        }
        return loaded
    }

    private func loadCached(_ source: Source, parts: [String], into pool: Pool) throws(RepoLoadError) {
        guard pool.loadCached(name: source.repo.id, priority: source.repo.priority, parts: parts) != nil else {
            throw .solv(repo: source.repo.id,
                        .unreadable(path: parts.joined(separator: ", "), reason: "not a valid .solv file; remove it"))
        }
    }

    /// Uncompressed primary.xml size from which a repo is parsed in two parts at once.
    static let splitSize = 16 << 20

    private func solv(_ repo: String, _ body: () throws(SolvError) -> Void) throws(RepoLoadError) {
        do { try body() } catch { throw .solv(repo: repo, error) }
    }

    /// Runs `body` for each index on up to as many threads as there are cores; the first error wins.
    /// Returns the indices that ran.
    private func inParallel(_ indices: [Int], _ body: @escaping @Sendable (Int) throws(RepoLoadError) -> Void)
        throws(RepoLoadError) -> Set<Int> {
        guard !indices.isEmpty else { return [] }
        let failure = Mutex<RepoLoadError?>(nil)
        DispatchQueue.concurrentPerform(iterations: indices.count) { n in
            do throws(RepoLoadError) {
                try body(indices[n])
            } catch {
                failure.withLock { if $0 == nil { $0 = error } }
            }
        }
        if let error = failure.withLock({ $0 }) { throw error }
        return Set(indices)
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

    private func verifiedFile(_ record: RepoMD.Record, of source: Source) throws(RepoLoadError) -> String {
        let path: String
        do {
            path = try localFile(source.base.appending(record.href), repo: source.repo.id)
        } catch let error as RepoLoadError {
            throw error
        } catch {
            throw .unreachable(repo: source.repo.id, attempts: ["\(record.href): \(error)"])
        }
        do {
            try source.repomd.verify(record: record, file: path)
        } catch {
            throw .metadata(repo: source.repo.id, error)
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

}

/// One repo's metadata, located: the baseurl that answered, its repomd.xml and that file's sha256.
struct Source: Sendable {
    let repo: RepoDefinition
    let base: RepoURL
    let repomd: RepoMD
    let digest: String
}

/// Where the cache keeps a repo: keyed by the repomd.xml checksum, so new metadata means a new file.
struct CachePaths: Sendable {
    let primary: String
    /// The same as `primary`, when a large primary was parsed in parts.
    let parts: [String]
    /// The filelists, as an extension loaded on top of the primary.
    let filelists: String

    init(directory: String, id: String, digest: String) {
        let safe = String(id.map { $0.isLetter || $0.isNumber || "-_.".contains($0) ? $0 : "_" })
        // v2: filelists as an extension of the primary, no longer a whole second copy of the repo.
        let stem = "\(directory)/solv/\(safe)-\(digest.prefix(32))-v2"
        primary = stem + ".solv"
        parts = [stem + ".part1.solv", stem + ".part2.solv"]
        filelists = stem + ".filelists.solv"
    }
}
