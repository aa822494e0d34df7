import Createrepo
import Fetch
import Foundation
import Manifest
import Publish
import Repos
import Resolve
import RPM
import Solv

/// Why a compose stopped; the CLI maps these to exit codes 2 and 3.
public enum ComposeError: Error, Sendable, CustomStringConvertible {
    /// Bad input (exit 2).
    case invalidInput(String)
    /// Repos, downloads, verification or I/O failed (exit 3).
    case environment(String)

    public var description: String {
        switch self {
        case .invalidInput(let message), .environment(let message): message
        }
    }
}

/// How a compose ended.
public enum ComposeOutcome: Sendable {
    /// Some extension failed to resolve: nothing was written.
    case failed([ArchReport])
    /// The inputs and resolution equal those of the tree already at the output: it was left untouched.
    case unchanged(ComposeIndex, [ArchReport])
    /// A new tree was published.
    case published(ComposeSummary, [ArchReport])
}

/// What a published compose holds.
public struct ComposeSummary: Sendable {
    public let output: String
    public let extensions: Int
    public let packages: Int
    public let bytes: Int64
    /// Packages that had to be fetched (not already in the cache), and their bytes.
    public let fetched: Int
    public let fetchedBytes: Int64
    public let index: ComposeIndex
    /// What changed from the tree that was at the output before; nil when there was none.
    public let changes: IndexDiff?
}

/// `mox compose`: resolve exactly as `check` does, then fetch, verify and lay out the tree, and publish it atomically.
public struct Composer: Sendable {
    public let session: CheckSession
    public let arches: [String]
    public let output: String
    /// SOURCE_DATE_EPOCH when set; otherwise the newest build time among the shipped packages.
    public let sourceDateEpoch: Int64?
    public let fetchOptions: FetchOptions

    public init(session: CheckSession, arches: [String], output: String, sourceDateEpoch: Int64?,
                fetchOptions: FetchOptions) {
        self.session = session
        self.arches = arches
        self.output = output
        self.sourceDateEpoch = sourceDateEpoch
        self.fetchOptions = fetchOptions
    }

    /// Runs the compose. `publisherReady` hands out the publisher so a signal handler can discard it.
    public func run(log: (String) -> Void, progress: (@Sendable (FetchProgress) -> Void)?,
                    publisherReady: (Publisher) -> Void = { _ in }) throws(ComposeError) -> ComposeOutcome {
        let cache = PackageCache(directory: cacheDirectory)
        let fetcher = Fetcher(cache: cache, options: fetchOptions, progress: progress)
        var session = self.session
        session.downloader = fetcher

        // 1. Resolve, the same code path as `check`.
        var reports: [ArchReport] = []
        var definitions: [String: [String: RepoDefinition]] = [:]
        for arch in arches {
            do {
                let (report, repos) = try session.resolve(arch: arch, log: log)
                reports.append(report)
                definitions[arch] = Dictionary(repos.map { ($0.id, $0) }, uniquingKeysWith: { a, _ in a })
            } catch {
                throw Self.map(error)
            }
        }
        if reports.contains(where: \.failed) { return .failed(reports) }

        // 2. Plan the tree and decide whether anything changed.
        let plan: TreePlan
        do { plan = try TreePlan(reports: reports) } catch { throw .environment("\(error)") }
        let timestamp = sourceDateEpoch ?? plan.packages.map(\.package.buildTime).max() ?? 0
        let manifestDigest: String
        do {
            manifestDigest = try Checksum.of(file: session.manifest.path).hex
        } catch {
            throw .invalidInput("\(session.manifest.path): \(error)")
        }
        let builder = IndexBuilder(reports: reports, plan: plan, manifestPath: session.manifest.path,
                                   manifestSha256: manifestDigest, timestamp: timestamp)
        let stateDigest = builder.stateDigest
        let indexPath = output + "/" + Self.indexName
        let previous = ComposeIndex.read(from: indexPath)
        if let existing = previous, existing.stateDigest == stateDigest,
           Self.holdsEveryFile(of: plan, at: output) {
            Publisher.clearLeftovers(of: output)
            return .unchanged(existing, reports)
        }

        try Self.checkReplaceable(output)

        // 3. Fetch into the content-addressed cache, several at once; every package is checked
        // against the repo metadata and read by librpm (digests, and signatures where gpgcheck=1).
        let mirrors = Dictionary(reports.map { report in
            (report.arch, Dictionary(report.repos.map { ($0.id, $0.mirrors) }, uniquingKeysWith: { a, _ in a }))
        }, uniquingKeysWith: { a, _ in a })
        let requests = try fetchRequests(plan, definitions: definitions, mirrors: mirrors, fetcher: fetcher)
        let results: [FetchResult]
        do { results = try fetcher.fetch(requests) } catch { throw .environment("\(error)") }

        // 4. Lay out the tree beside the output, write repodata and the index, swap it in.
        let publisher: Publisher
        do { publisher = try Publisher(output: output) } catch { throw .environment("\(error)") }
        publisherReady(publisher)
        do {
            var sha256: [String: String] = [:]
            for planned in plan.packages {
                guard let checksum = planned.package.checksum else { continue }
                let destination = publisher.staging + "/" + planned.path
                try FileManager.default.createDirectory(
                    atPath: (destination as NSString).deletingLastPathComponent, withIntermediateDirectories: true)
                try cache.materialize(checksum, at: destination)
                sha256[planned.path] = checksum.algorithm == "sha256"
                    ? checksum.hex : try Checksum.of(file: destination, algorithm: "sha256").hex
            }
            // The sha256s are known (verified on fetch): createrepo_c then reads only the headers.
            _ = try Repodata.write(plan.packages.map {
                RepodataPackage(path: publisher.staging + "/" + $0.path, href: $0.path, sha256: sha256[$0.path])
            }, root: publisher.staging, timestamp: timestamp)
            let index = builder.index(sha256: sha256, stateDigest: stateDigest)
            try index.encoded().write(to: URL(fileURLWithPath: publisher.staging + "/" + Self.indexName))
            let changes = previous.map { IndexDiff(old: $0, new: index) }
            try publisher.publish()
            let fetched = results.filter { !$0.wasCached }
            return .published(ComposeSummary(
                output: publisher.output, extensions: Set(index.arches.values.flatMap { $0.extensions.filter { $0.value.status == "resolved" }.keys }).count,
                packages: plan.packages.count, bytes: plan.totalSize,
                fetched: fetched.count, fetchedBytes: fetched.reduce(0) { $0 + $1.bytesTransferred },
                index: index, changes: changes), reports)
        } catch {
            publisher.discard()
            throw .environment("\(error)")
        }
    }

    /// Whether every planned RPM is at its path with its size: a tree someone damaged is not "unchanged".
    static func holdsEveryFile(of plan: TreePlan, at output: String) -> Bool {
        plan.packages.allSatisfy { planned in
            var info = stat()
            guard stat(output + "/" + planned.path, &info) == 0 else { return false }
            return planned.package.size <= 0 || Int64(info.st_size) == planned.package.size
        }
    }

    /// Refuses to swap out a folder mox did not write: publishing would delete what it holds.
    static func checkReplaceable(_ output: String) throws(ComposeError) {
        var isDirectory: ObjCBool = false
        guard FileManager.default.fileExists(atPath: output, isDirectory: &isDirectory) else { return }
        guard isDirectory.boolValue else {
            throw .invalidInput("\(output) exists and is not a directory; give a new or empty directory for --output")
        }
        let entries = (try? FileManager.default.contentsOfDirectory(atPath: output)) ?? []
        if entries.isEmpty || entries.contains(indexName) { return }
        throw .invalidInput("\(output) is not empty and has no \(indexName), so mox did not compose it and publishing "
            + "would delete what it holds; give a new or empty directory for --output, or remove this one")
    }

    /// The index's file name inside the tree.
    public static let indexName = "extensions.json"

    var cacheDirectory: String { session.cacheDirectory ?? NSTemporaryDirectory() + "/mox-cache" }

    /// For each planned package: the URLs it may come from (the mirrors its repo's metadata came
    /// from, best first), what the metadata says of it, and the signature check its repo asks for.
    func fetchRequests(_ plan: TreePlan, definitions: [String: [String: RepoDefinition]],
                       mirrors: [String: [String: [String]]], fetcher: Fetcher) throws(ComposeError) -> [FetchRequest] {
        var requests: [FetchRequest] = []
        var signatureChecks: [String: SignatureCheck] = [:]
        for planned in plan.packages {
            let info = planned.package
            guard let checksum = info.checksum else {
                throw .environment("repo '\(info.repo)' gives no checksum for \(info.nevra); cannot verify it")
            }
            let href = info.location
            guard !href.isEmpty, !href.hasPrefix("/"), !href.split(separator: "/").contains("..") else {
                throw .environment("repo '\(info.repo)': \(info.nevra) has location '\(href)', outside the repo; refusing it")
            }
            // The repo as defined for the arches that ship the package ($basearch differs), first one first.
            let candidates = (planned.arches + arches).compactMap { definitions[$0]?[info.repo] }
            guard let repo = candidates.first else {
                throw .environment("\(info.nevra): repo '\(info.repo)' is not defined")
            }
            var sources: [URL] = []
            var seen = Set<String>()
            let bases = (planned.arches + arches).flatMap { mirrors[$0]?[info.repo] ?? definitions[$0]?[info.repo]?.baseURLs ?? [] }
            for text in bases where seen.insert(text).inserted {
                guard let base = try? RepoURL(parsing: text, relativeTo: FileManager.default.currentDirectoryPath),
                      let url = try? base.appending(href) else { continue }
                switch url {
                case .local(let path): sources.append(URL(fileURLWithPath: path))
                case .remote(let remote): sources.append(remote)
                }
            }
            let signature: SignatureCheck
            if let known = signatureChecks[repo.id] {
                signature = known
            } else {
                signature = repo.gpgCheck ? .required(keys: try gpgKeys(of: repo, fetcher: fetcher)) : .digestsOnly
                signatureChecks[repo.id] = signature
            }
            requests.append(FetchRequest(name: info.nevra.description, sources: sources,
                                         size: info.size > 0 ? info.size : nil, checksum: checksum,
                                         signature: signature, connection: repo.connection))
        }
        return requests
    }

    /// A repo's gpgkey entries as local files (remote keys are downloaded into the cache).
    func gpgKeys(of repo: RepoDefinition, fetcher: Fetcher) throws(ComposeError) -> [String] {
        guard !repo.gpgKeys.isEmpty else {
            throw .invalidInput("repo '\(repo.id)' (\(repo.origin)) has gpgcheck=1 but no gpgkey; add gpgkey=file:///path/to/key")
        }
        var paths: [String] = []
        for text in repo.gpgKeys {
            let url: RepoURL
            do {
                url = try RepoURL(parsing: text, relativeTo: FileManager.default.currentDirectoryPath)
            } catch {
                throw .invalidInput("repo '\(repo.id)': gpgkey \(error)")
            }
            switch url {
            case .local(let path):
                guard FileManager.default.isReadableFile(atPath: path) else {
                    throw .environment("repo '\(repo.id)': gpgkey \(path) is not readable")
                }
                paths.append(path)
            case .remote(let remote):
                do {
                    paths.append(try fetcher.download(remote, into: cacheDirectory + "/keys", connection: repo.connection))
                } catch {
                    throw .environment("repo '\(repo.id)': gpgkey \(remote.absoluteString) cannot be fetched: "
                        + error.attempts.map(\.reason).joined(separator: "; "))
                }
            }
        }
        return paths
    }

    static func map(_ error: CheckError) -> ComposeError {
        switch error {
        case .invalidInput(let message): .invalidInput(message)
        case .invalidFiles: .invalidInput(error.description)
        case .environment(let message): .environment(message)
        }
    }
}
