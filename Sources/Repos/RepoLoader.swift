import Foundation
import Solv
import Synchronization
import Threads

/// A repo as loaded into a pool: where its metadata came from and what it holds.
public struct LoadedRepo: Sendable, Hashable {
    public let id: String
    /// The mirror or baseurl whose repomd.xml was used.
    public let baseURL: String
    /// Where the repo's packages can come from, best first: `baseURL`, then the mirrors after it.
    public let mirrors: [String]
    /// sha256 of repomd.xml: the identity of the metadata, and the .solv cache key.
    public let repomdChecksum: String
    /// repomd's `<revision>`, when it has one.
    public let revision: String?
    public let packages: Int
    /// True when the packages came from the .solv cache.
    public let fromCache: Bool
    /// True when filelists were loaded because some file dependency (or a listed file path) needed them.
    public let withFilelists: Bool
    /// The repo's modules.yaml, checksum-verified, when its repomd.xml lists one.
    public var modules: String? = nil
    /// Its repomd.xml record (href, checksum and size as stored), for lockfiles that list it.
    public var modulesRecord: RepoMD.Record? = nil
    /// When its metadata was generated: the newest timestamp repomd.xml gives a file (libdnf's rule).
    public var generated: Int64? = nil
}

/// Why a repo could not be loaded: an environment problem (exit 3), not bad input.
public enum RepoLoadError: Error, Sendable, CustomStringConvertible {
    /// No mirror or baseurl gave a usable repomd.xml; one line per URL tried.
    case unreachable(repo: String, attempts: [String])
    /// A metadata file does not match repomd.xml, or is unreadable.
    case metadata(repo: String, RepoMDError)
    /// libsolv could not parse or cache the metadata.
    case solv(repo: String, SolvError)
    /// A remote repo, and nothing to download with.
    case remoteUnsupported(repo: String, url: String)
    /// repo_gpgcheck=1 and repomd.xml's signature (`file`) is missing or does not verify.
    case signature(repo: String, file: String, reason: String)

    public var description: String {
        switch self {
        case let .unreachable(repo, attempts):
            "repo '\(repo)': cannot fetch its metadata (repodata/repomd.xml) from any of its sources:\n"
                + attempts.map { "  - \($0)" }.joined(separator: "\n")
                + "\n  (skip_if_unavailable=1 in the repo lets a run go on without it)"
        case let .metadata(repo, error): "repo '\(repo)': \(error)"
        case let .solv(repo, error): "repo '\(repo)': \(error)"
        case let .remoteUnsupported(repo, url): "repo '\(repo)': cannot fetch \(url)"
        case let .signature(repo, file, reason):
            "repo '\(repo)': the signature of its metadata failed (\(file)): \(reason); "
                + "the metadata is not trusted and nothing from this repo is used"
        }
    }

    /// Whether `skip_if_unavailable` may leave the repo out: not when its signature failed.
    var isUnavailability: Bool {
        if case .signature = self { return false }
        return true
    }
}

/// Loads rpm-md repos into a pool, checking metadata checksums and caching what libsolv parsed.
public struct RepoLoader: Sendable {
    /// Where `.solv` files are kept; nil disables the cache.
    public let cacheDirectory: String?
    /// Fetches remote metadata (supplied by the fetcher; nil: remote repos fail).
    public let downloader: RepoDownloader?
    /// `$basearch` and the like, substituted in mirrorlist URLs.
    public let variables: [String: String]

    public init(cacheDirectory: String?, downloader: RepoDownloader? = nil, variables: [String: String] = [:]) {
        self.cacheDirectory = cacheDirectory
        self.downloader = downloader
        self.variables = variables
    }

    /// Loads `repos` into `pool`; adds filelists only when some file dependency needs them, or
    /// `filelists` says so (a listed file path that primary.xml does not cover). `log` gets
    /// warnings: mirrors skipped, repos left out under skip_if_unavailable.
    ///
    /// Every repo's repomd.xml is located at once (so dead mirrors cost their timeout once, not
    /// once per repo). Repos not in the cache are parsed in parallel, each in a pool of its own,
    /// and written to the cache; the main pool then reads every repo from its `.solv` file.
    public func load(_ repos: [RepoDefinition], into pool: Pool, filelists: Bool = false,
                     log: (String) -> Void = { _ in }) throws(RepoLoadError) -> [LoadedRepo] {
        let locator = RepoLocator(downloader: downloader, variables: variables)
        let outcomes = Mutex([Result<RepoLocator.Located, RepoLoadError>?](repeating: nil, count: repos.count))
        let cacheDirectory = self.cacheDirectory
        Threads.run(repos.count) { i in
            let outcome: Result<RepoLocator.Located, RepoLoadError>
            do throws(RepoLoadError) {
                let found = try locator.locate(repos[i])
                // skip_if_unavailable covers the primary too: fetched now, its failure leaves the repo out.
                let paths = cacheDirectory.map { CachePaths(directory: $0, id: repos[i].id, digest: found.digest) }
                if repos[i].skipIfUnavailable && !(paths?.holdsPrimary ?? false) {
                    _ = try locator.file(found.repomd.primary, of: found, repo: repos[i])
                }
                outcome = .success(found)
            } catch {
                outcome = .failure(error)
            }
            outcomes.withLock { $0[i] = outcome }
        }
        var located: [Source] = []
        for (repo, outcome) in zip(repos, outcomes.withLock { $0 }) {
            switch outcome {
            case .success(let found)?:
                found.notes.forEach { log("warning: " + $0) }
                located.append(Source(repo: repo, located: found, locator: locator))
            case .failure(let error)? where repo.skipIfUnavailable && error.isUnavailability:
                log("warning: \(error)\nwarning: repo '\(repo.id)' left out (skip_if_unavailable=1)")
            case .failure(let error)?:
                throw error
            case nil:
                preconditionFailure("every repo is located once Threads.run returns")
            }
        }
        let sources = located
        let arch = pool.arch
        guard let cacheDirectory else { return try loadUncached(sources, into: pool, filelists: filelists) }
        let paths = sources.map { CachePaths(directory: cacheDirectory, id: $0.repo.id, digest: $0.digest) }
        let exists = { (path: String) in FileManager.default.fileExists(atPath: path) }

        // Phase 1: parse what the cache lacks, every repo on a thread of its own; a large primary
        // is itself cut in parts parsed side by side.
        let cached = { (i: Int) in paths[i].holdsPrimary }
        let toParse = sources.indices.filter { !cached($0) }
        try inParallel(toParse) { i throws(RepoLoadError) in
            let primary = try verifiedFile(sources[i].repomd.primary, of: sources[i])
            try solv(sources[i].repo.id) { () throws(SolvError) in
                if let size = sources[i].repomd.primary.openSize, size >= Self.splitSize {
                    try Pool.parsePrimaryInParts(primary, size: size, arch: arch, caches: paths[i].parts)
                } else {
                    let scratch = Pool(arch: arch)
                    _ = try scratch.loadPrimary(name: sources[i].repo.id, priority: 0, primary: primary)
                    try scratch.writeCache(repo: sources[i].repo.id, to: paths[i].primary)
                }
            }
        }
        var fromCache = sources.indices.map { !toParse.contains($0) }
        var withFilelists = sources.indices.map { _ in false }
        for i in sources.indices {
            try loadCached(sources[i], parts: exists(paths[i].primary) ? [paths[i].primary] : paths[i].parts, into: pool)
            // Filelists an earlier run needed come as an extension on top of the primary, loaded
            // when the file provides the primary's cache keeps are not enough.
            guard exists(paths[i].filelists) else { continue }
            if filelists {
                withFilelists[i] = pool.loadExtension(repo: sources[i].repo.id, path: paths[i].filelists)
            } else {
                pool.attachFilelists(repo: sources[i].repo.id, path: paths[i].filelists)
            }
        }

        // Phase 2: file dependencies primary.xml cannot answer need the filelists.
        let lacking = sources.indices.filter {
            !exists(paths[$0].filelists) && sources[$0].repomd.records["filelists"] != nil
        }
        if !lacking.isEmpty && (filelists || !pool.unresolvedFileDependencies().isEmpty) {
            // Extending the loaded repos in place avoids a second parse or load of their primaries.
            for i in lacking {
                guard let record = sources[i].repomd.records["filelists"] else { continue }
                let filelists = try verifiedFile(record, of: sources[i])
                try solv(sources[i].repo.id) { () throws(SolvError) in
                    try pool.addFilelists(repo: sources[i].repo.id, filelists: filelists)
                    try pool.writeFilelistsExtension(repo: sources[i].repo.id, to: paths[i].filelists)
                }
                fromCache[i] = false
            }
        }
        for i in sources.indices { withFilelists[i] = pool.hasFilelists(repo: sources[i].repo.id) }
        return try finish(sources, into: pool, fromCache: fromCache, withFilelists: withFilelists)
    }

    /// Once every package is in `pool` (the base too): the file provides the pool needed are kept
    /// in the `.solv` cache of each repo that lacked some, so later runs need not search for them
    /// (nor load filelists for them). Says which repos needed their filelists after all.
    public func storeFileProvides(in pool: Pool, repos: [LoadedRepo], log: (String) -> Void = { _ in }) {
        let stale = Set(pool.reposWithStaleFileProvides())
        for repo in repos where !repo.withFilelists && pool.hasFilelists(repo: repo.id) {
            log("\(pool.arch): repo \(repo.id): with filelists (file dependencies its cache did not answer)")
        }
        guard let cacheDirectory else { return }
        for repo in repos where stale.contains(repo.id) {
            let paths = CachePaths(directory: cacheDirectory, id: repo.id, digest: repo.repomdChecksum)
            do {
                try pool.writeMainCache(repo: repo.id, to: paths.primary)
            } catch {
                // The cache only saves time: the check goes on without it.
                log("warning: repo '\(repo.id)': \(error)")
                continue
            }
            // The whole primary replaces the parts it was first cached in.
            paths.parts.forEach { unlink($0) }
        }
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
            pool.setCost(repo: source.repo.id, cost: source.repo.cost)
        }
        var loaded: [LoadedRepo] = []
        for i in sources.indices {
            var repo = LoadedRepo(id: sources[i].repo.id, baseURL: sources[i].base.description,
                                  mirrors: sources[i].located.mirrors.map(\.description),
                                  repomdChecksum: sources[i].digest, revision: sources[i].repomd.revision,
                                  packages: pool.packageCount(repo: sources[i].repo.id),
                                  fromCache: fromCache[i], withFilelists: withFilelists[i])
            if let record = sources[i].repomd.records["modules"] {
                repo.modules = try verifiedFile(record, of: sources[i])
                repo.modulesRecord = record
            }
            repo.generated = sources[i].repomd.records.values.compactMap(\.timestamp).max().map(Int64.init)
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

    /// Runs `body` for each index, each on a thread of its own; the first error wins.
    private func inParallel(_ indices: [Int], _ body: @escaping @Sendable (Int) throws(RepoLoadError) -> Void)
        throws(RepoLoadError) {
        let failures = Mutex([RepoLoadError?](repeating: nil, count: indices.count))
        Threads.run(indices.count) { n in
            do throws(RepoLoadError) {
                try body(indices[n])
            } catch {
                failures.withLock { $0[n] = error }
            }
        }
        if let error = failures.withLock({ $0.compactMap { $0 }.first }) { throw error }
    }

    private func verifiedFile(_ record: RepoMD.Record, of source: Source) throws(RepoLoadError) -> String {
        try source.locator.file(record, of: source.located, repo: source.repo)
    }
}

/// One repo's metadata, located: the mirror that answered, its repomd.xml and that file's sha256.
struct Source: Sendable {
    let repo: RepoDefinition
    let located: RepoLocator.Located
    let locator: RepoLocator
    var base: RepoURL { located.base }
    var repomd: RepoMD { located.repomd }
    var digest: String { located.digest }
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
        // v3: keeps each package's header end (what reading only its header takes).
        let stem = "\(directory)/solv/\(safe)-\(digest.prefix(32))-v3"
        primary = stem + ".solv"
        parts = [stem + ".part1.solv", stem + ".part2.solv"]
        filelists = stem + ".filelists.solv"
    }

    /// Whether the primary is cached, whole or in parts.
    var holdsPrimary: Bool {
        let exists = { (path: String) in FileManager.default.fileExists(atPath: path) }
        return exists(primary) || parts.allSatisfy(exists)
    }
}
