import Fetch
import Foundation
import Resolve

/// `mox check --file-conflicts`: compose's file-conflict gate without fetching the packages. Each
/// os-extension package's header is read from the package cache or a local repo, or fetched
/// alone (an HTTP range request up to the header's end, as rpm-md's `header-range` gives it).
public struct HeaderCheck: Sendable {
    public let session: CheckSession
    public let arches: [String]
    public let fetchOptions: FetchOptions

    public init(session: CheckSession, arches: [String], fetchOptions: FetchOptions) {
        self.session = session
        self.arches = arches
        self.fetchOptions = fetchOptions
    }

    /// Resolves as `check` does, then checks file conflicts on every arch that resolved.
    public func run(log: (String) -> Void) throws(ComposeError) -> [ArchReport] {
        let cacheDirectory = session.cacheDirectory ?? NSTemporaryDirectory()
        let fetcher = Fetcher(cache: PackageCache(directory: cacheDirectory), options: fetchOptions)
        var session = self.session
        session.downloader = fetcher
        session.baseFileOwners = true
        session.headerEnds = true
        let (reports, definitions) = try Composer.resolve(session, arches: arches, log: log)
        let sources = PackageSources(reports: reports, definitions: definitions, arches: arches,
                                     cacheDirectory: cacheDirectory, fetcher: fetcher)
        // Extensions that failed to resolve are left as they are; the others are checked.
        let headerEnds = Dictionary(reports.map { ($0.arch, $0.headerEnds) }, uniquingKeysWith: { a, _ in a })
        return try ConflictGate.apply(reports, session: session, log: log, package: { info, arch throws(ComposeError) in
            try sources.header(of: info, end: headerEnds[arch]?[info.ref] ?? 0, arch: arch)
        }, baseHeader: { owner, arch throws(ComposeError) in
            try sources.header(of: owner.base, end: owner.headerEnd, arch: arch)
        })
    }
}
