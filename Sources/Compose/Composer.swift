import Conflicts
import Createrepo
import Fetch
import Foundation
import Manifest
import Publish
import Repos
import Resolve
import RPM
import Solv
import SystemPackage

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
    /// The inputs and resolution equal those of the tree already at the output: it was left
    /// untouched (the image, when asked for, was written from it).
    case unchanged(ComposeIndex, [ArchReport], Provenance, ImageOutcome?)
    /// A new tree (and its image, when asked for) was published.
    case published(ComposeSummary, [ArchReport], Provenance, ImageOutcome?)
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

/// `mox compose`: resolve exactly as `check` does, then fetch, verify and lay out the tree and its
/// image, and publish them together: both change, or neither does.
public struct Composer: Sendable {
    public let session: CheckSession
    public let arches: [String]
    public let output: String
    /// SOURCE_DATE_EPOCH when set; otherwise the newest build time among the shipped packages.
    public let sourceDateEpoch: Int64?
    public let fetchOptions: FetchOptions
    /// The image to write with the tree, if any.
    public let image: ImageRequest?
    /// The lockfile and SBOMs to write with the tree, if any.
    public let companions: CompanionRequest

    public init(session: CheckSession, arches: [String], output: String, sourceDateEpoch: Int64?,
                fetchOptions: FetchOptions, image: ImageRequest? = nil,
                companions: CompanionRequest = CompanionRequest(lockfile: nil, sbomDirectory: nil)) {
        self.companions = companions
        self.session = session
        self.arches = arches
        self.output = output
        self.sourceDateEpoch = sourceDateEpoch
        self.fetchOptions = fetchOptions
        self.image = image?.wanted == true ? image : nil
    }

    /// Runs the compose. `interruptible` receives each output in progress as it is started, so a
    /// signal handler can put every output back as it was.
    public func run(log: (String) -> Void, progress: (@Sendable (FetchProgress) -> Void)?,
                    interruptible: (any Discardable) -> Void = { _ in }) throws(ComposeError) -> ComposeOutcome {
        // 0. Outputs that cannot work are refused before anything is read, fetched or written.
        try Self.checkReplaceable(output)
        try image?.check(tree: output, arches: arches.count)
        try companions.check(arches: arches.count)

        let cache = PackageCache(directory: cacheDirectory)
        let fetcher = Fetcher(cache: cache, options: fetchOptions, progress: progress)
        var session = self.session
        session.downloader = fetcher
        // A base given as a package list: its files are known only from the repos' file lists.
        session.baseFileOwners = true
        // The index records the dependency graph (`mox why`).
        session.recordNeeds = true

        // 1. Resolve, the same code path as `check`.
        var (reports, definitions) = try Self.resolve(session, arches: arches, log: log)
        if reports.contains(where: \.failed) { return .failed(reports) }
        let provenance = Provenance(manifest: session.manifest.path, reports: reports)

        // 2. Plan the tree and decide whether anything changed: the state digest covers the
        // manifest, the bases, every shipped package and the repo settings that judge them.
        let plan: TreePlan
        do { plan = try TreePlan(reports: reports) } catch { throw .environment("\(error)") }
        let manifestDigest: String
        do {
            manifestDigest = try Checksum.of(file: session.manifest.path).hex
        } catch {
            throw .invalidInput("\(session.manifest.path): cannot read the extensions file: \(error)")
        }
        let keys = try signatureChecks(definitions, fetcher: fetcher)
        let sources = PackageSources(reports: reports, definitions: definitions, arches: arches,
                                     cacheDirectory: cacheDirectory, fetcher: fetcher)
        let builder = IndexBuilder(reports: reports, plan: plan, manifestSha256: manifestDigest,
                                   sourceDateEpoch: sourceDateEpoch, repoInputs: Self.repoInputs(reports, keys.inputs))
        let skeleton = builder.index()
        // Written before anything is fetched: a lock that cannot be written is known at once.
        let lockfiles = try companions.lockfiles(reports) { skeleton.arches[$0]?.timestamp ?? 0 }
        // Built (and every href checked) even when nothing changed: a hostile repo is reported.
        let requests = try fetchRequests(plan, sources: sources, signatures: keys.checks)
        let previous = ComposeIndex.read(tree: output)
        if let existing = previous, existing.stateDigest == skeleton.stateDigest, existing.recordsDetails,
           Self.holdsEveryFile(of: plan, at: output) {
            Publisher.clearLeftovers(of: output)
            let written = try ImageExport.write(image, of: output, index: existing, log: log, interruptible: interruptible)
            let files = try CompanionRequest.stage(lockfiles + companions.sboms(index: existing, reports: reports),
                                                   interruptible: interruptible)
            do { try files.commit() } catch { throw .environment("\(error)") }
            return .unchanged(existing, reports, provenance, written)
        }

        // 3. Fetch into the content-addressed cache, several at once; every package is verified in
        // full once, on its way into the cache (checksum, header NEVRA, librpm digests and signature).
        let results: [FetchResult]
        do { results = try fetcher.fetch(requests) } catch { throw .environment("\(error)") }

        // 3b. File conflicts by rpm's rules, now that every header is at hand.
        reports = try ConflictGate.apply(reports, session: session, log: log, package: { info, _ in
            info.checksum.map { .success(cache.path(for: $0)) } ?? .failure(.init("no checksum"))
        }, baseHeader: { owner, arch throws(ComposeError) in
            try sources.header(of: owner.base, end: owner.headerEnd, arch: arch)
        })
        if reports.contains(where: \.failed) { return .failed(reports) }

        // 4. Lay out the tree beside the output, write repodata and the index, and the image from it.
        let publisher: Publisher
        do { publisher = try Publisher(output: output) } catch { throw .environment("\(error)") }
        interruptible(publisher)
        let staging = FilePath(publisher.staging)
        var stagedImage: StagedImage?
        var stagedFiles: StagedFiles?
        do throws(ComposeError) {
            let index = try TreeFiles.lay(plan, from: cache, into: staging, index: builder)
            if let image {
                stagedImage = try ImageExport(request: image).stage(tree: staging.string, index: index, log: log,
                                                                    ready: interruptible)
            }
            stagedFiles = try CompanionRequest.stage(lockfiles + companions.sboms(index: index, reports: reports),
                                                     interruptible: interruptible)

            // 5. Both in place, or neither: the tree is swapped in first and swapped back if the image cannot follow.
            do throws(PublishError) { try publisher.swapIn() } catch { throw .environment("\(error)") }
            do throws(ComposeError) { try stagedImage?.swapIn() } catch {
                stagedImage?.discard()
                publisher.discard()
                throw error
            }
            publisher.commit()
            stagedImage?.commit()
            // The tree and image are in place: the files describing them follow.
            do { try stagedFiles?.commit() } catch { throw .environment("\(error) (the tree and image were published)") }
            let changes = previous.map { IndexDiff(old: $0, new: index) }
            let fetched = results.filter { !$0.wasCached }
            return .published(ComposeSummary(
                output: publisher.output, extensions: Set(index.arches.values.flatMap { $0.extensions.filter { $0.value.status == "resolved" }.keys }).count,
                packages: plan.packages.count, bytes: plan.totalSize,
                fetched: fetched.count, fetchedBytes: fetched.reduce(0) { $0 + $1.bytesTransferred },
                index: index, changes: changes), reports, provenance, stagedImage?.outcome)
        } catch {
            stagedFiles?.discard()
            stagedImage?.discard()
            publisher.discard()
            throw error
        }
    }

    /// The settings that judged the shipped packages, per arch and repo as the manifest names it:
    /// a manifest repo some build system splits in several (`--map-repo`) checks signatures when
    /// all of them do, with all their keys. Repos that ship nothing decide nothing.
    static func repoInputs(_ reports: [ArchReport], _ loaded: [ComposeIndex.Repo]) -> [ComposeIndex.Repo] {
        let settings = Dictionary(loaded.map { ("\($0.arch) \($0.id)", $0) }, uniquingKeysWith: { a, _ in a })
        var inputs: [ComposeIndex.Repo] = []
        for report in reports {
            var realByRecorded: [String: Set<String>] = [:]
            for (package, _) in report.shippedPackages {
                realByRecorded[report.manifestRepo(of: package), default: []].insert(package.repo)
            }
            for (recorded, reals) in realByRecorded.sorted(by: { $0.key < $1.key }) {
                let used = reals.sorted().compactMap { settings["\(report.arch) \($0)"] }
                var keys: [String] = []
                for key in used.flatMap(\.gpgkeys) where !keys.contains(key) { keys.append(key) }
                let check = !used.isEmpty && used.allSatisfy(\.gpgcheck)
                inputs.append(ComposeIndex.Repo(arch: report.arch, id: recorded, gpgcheck: check, gpgkeys: check ? keys : []))
            }
        }
        return inputs
    }

    /// Whether every planned RPM is at its path with its size: a tree someone damaged is not "unchanged".
    static func holdsEveryFile(of plan: TreePlan, at output: String) -> Bool {
        plan.packages.allSatisfy { planned in
            var info = stat()
            guard stat(FilePath(output).appending(planned.path).string, &info) == 0 else { return false }
            return planned.package.size <= 0 || Int64(info.st_size) == planned.package.size
        }
    }

    /// Refuses to swap out a folder mox did not write: publishing would delete what it holds.
    /// Ownership is proven by a valid index mox wrote (`ComposeIndex.marksTree`), not a file name.
    static func checkReplaceable(_ output: String) throws(ComposeError) {
        var info = stat()
        guard stat(output, &info) == 0 else { return }
        guard info.st_mode & S_IFMT == S_IFDIR else {
            throw .invalidInput("--output \(output) exists and is not a directory; give a new or empty directory")
        }
        let entries = (try? FileManager.default.contentsOfDirectory(atPath: output)) ?? []
        if entries.isEmpty || ComposeIndex.marksTree(output) { return }
        throw .invalidInput("--output \(output) is not empty and holds no \(ComposeIndex.fileName) written by mox, so mox "
            + "did not compose it and publishing would delete what it holds; give a new or empty directory, or remove this one")
    }

    var cacheDirectory: String { session.cacheDirectory ?? FilePath(NSTemporaryDirectory()).appending("mox-cache").string }

    /// For each planned package: the URLs it may come from (the mirrors its repo's metadata came
    /// from, best first), what the metadata says of it, and the signature check its repo asks for.
    func fetchRequests(_ plan: TreePlan, sources packageSources: PackageSources,
                       signatures: [String: SignatureCheck]) throws(ComposeError) -> [FetchRequest] {
        var requests: [FetchRequest] = []
        for planned in plan.packages {
            let info = planned.package
            guard let checksum = info.checksum else {
                throw .environment("repo '\(info.repo)' gives no checksum for \(info.nevra); cannot verify it")
            }
            let (repo, sources) = try packageSources.sources(of: info, arches: planned.arches)
            requests.append(FetchRequest(name: info.nevra.description, sources: sources,
                                         size: info.size > 0 ? info.size : nil, checksum: checksum,
                                         signature: signatures[repo.id] ?? .digestsOnly, connection: repo.connection,
                                         nevra: info.nevra))
        }
        return requests
    }

    /// Each repo's signature check, and the settings that judge packages (gpgcheck and the digest
    /// of each gpgkey's contents), which belong to the state digest: turning gpgcheck on, or
    /// changing a key, makes the tree change.
    func signatureChecks(_ definitions: [String: [String: RepoDefinition]],
                         fetcher: Fetcher) throws(ComposeError) -> (checks: [String: SignatureCheck], inputs: [ComposeIndex.Repo]) {
        var checks: [String: SignatureCheck] = [:]
        var digests: [String: [String]] = [:]
        var inputs: [ComposeIndex.Repo] = []
        for arch in arches {
            for repo in (definitions[arch] ?? [:]).values.sorted(by: { $0.id < $1.id }) {
                if checks[repo.id] == nil {
                    if repo.gpgCheck {
                        let keys = try gpgKeys(of: repo, fetcher: fetcher)
                        checks[repo.id] = .required(keys: keys)
                        var sums: [String] = []
                        for key in keys {
                            do { sums.append(try Checksum.of(file: key).hex) } catch {
                                throw .environment("repo '\(repo.id)': gpgkey \(key) cannot be read: \(error)")
                            }
                        }
                        digests[repo.id] = sums
                    } else {
                        checks[repo.id] = .digestsOnly
                    }
                }
                inputs.append(ComposeIndex.Repo(arch: arch, id: repo.id, gpgcheck: repo.gpgCheck, gpgkeys: digests[repo.id] ?? []))
            }
        }
        return (checks, inputs)
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
                    paths.append(try fetcher.download(remote, into: FilePath(cacheDirectory).appending("keys").string,
                                                      connection: repo.connection))
                } catch {
                    throw .environment("repo '\(repo.id)': gpgkey \(remote.absoluteString) cannot be fetched: "
                        + error.attempts.map(\.reason).joined(separator: "; "))
                }
            }
        }
        return paths
    }

    /// Loads and resolves each arch, as `check` does; also the repos as each arch defines them.
    static func resolve(_ session: CheckSession, arches: [String], log: (String) -> Void) throws(ComposeError)
        -> (reports: [ArchReport], definitions: [String: [String: RepoDefinition]]) {
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
        return (reports, definitions)
    }

    static func map(_ error: CheckError) -> ComposeError {
        switch error {
        case .invalidInput(let message): .invalidInput(message)
        case .invalidFiles: .invalidInput(error.description)
        case .environment(let message): .environment(message)
        }
    }
}
