import Conflicts
import Fetch
import Foundation
import Repos
import Resolve
import Solv
import SystemPackage

/// Where the packages of resolved arches can be read from: each repo as the arches shipping a
/// package define it, under the mirrors its metadata came from; and how to have a package's
/// header alone.
struct PackageSources {
    let definitions: [String: [String: RepoDefinition]]
    /// Per arch and repo id, the mirrors its metadata came from, best first.
    let mirrors: [String: [String: [String]]]
    let arches: [String]
    let cacheDirectory: String
    let fetcher: Fetcher

    init(reports: [ArchReport], definitions: [String: [String: RepoDefinition]], arches: [String],
         cacheDirectory: String, fetcher: Fetcher) {
        self.definitions = definitions
        mirrors = Dictionary(reports.map { report in
            (report.arch, Dictionary(report.repos.map { ($0.id, $0.mirrors) }, uniquingKeysWith: { a, _ in a }))
        }, uniquingKeysWith: { a, _ in a })
        self.arches = arches
        self.cacheDirectory = cacheDirectory
        self.fetcher = fetcher
    }

    /// Where a package can come from: its repo as defined for the arches that ship it (`$basearch`
    /// differs), first one first, and its URL under each of the mirrors the repo's metadata came
    /// from. A location that leaves the repo, or is an absolute URL, is refused.
    func sources(of info: PackageInfo, arches shipping: [String]) throws(ComposeError) -> (RepoDefinition, [URL]) {
        let href = info.location
        if href.contains("://") || href.lowercased().hasPrefix("file:") {
            throw .environment("repo '\(info.repo)': \(info.nevra) has location '\(href)', an absolute URL; rpm-md "
                + "locations must be relative to the repo, so mox refuses it (regenerate the repo's metadata)")
        }
        guard !href.isEmpty, !href.hasPrefix("/"), !href.split(separator: "/").contains("..") else {
            throw .environment("repo '\(info.repo)': \(info.nevra) has location '\(href)', outside the repo; refusing it")
        }
        let candidates = (shipping + arches).compactMap { definitions[$0]?[info.repo] }
        guard let repo = candidates.first else {
            throw .environment("\(info.nevra): repo '\(info.repo)' is not defined")
        }
        var sources: [URL] = []
        var seen = Set<String>()
        let bases = (shipping + arches).flatMap { mirrors[$0]?[info.repo] ?? definitions[$0]?[info.repo]?.baseURLs ?? [] }
        for text in bases where seen.insert(text).inserted {
            let url: RepoURL
            do {
                url = try RepoURL(parsing: text, relativeTo: FileManager.default.currentDirectoryPath).appending(href)
            } catch {
                throw .environment("repo '\(info.repo)': \(info.nevra) at '\(href)' under baseurl '\(text)': \(error)")
            }
            switch url {
            case .local(let path): sources.append(URL(fileURLWithPath: path))
            case .remote(let remote): sources.append(remote)
            }
        }
        return (repo, sources)
    }

    /// A file holding the package's header: the package itself when it is in the package cache or
    /// a local repo (librpm reads only the header), else its first `end` bytes (rpm-md's
    /// `header-range` end) by an HTTP range request, kept under `--cachedir/headers/` by checksum.
    func header(of info: PackageInfo, end: Int64, arch: String) throws(ComposeError)
        -> Result<String, FileConflictCheck.Unavailable> {
        let cache = PackageCache(directory: cacheDirectory)
        if let checksum = info.checksum, cache.contains(checksum) { return .success(cache.path(for: checksum)) }
        let (repo, sources) = try self.sources(of: info, arches: [arch])
        if let local = sources.first(where: \.isFileURL), FileManager.default.isReadableFile(atPath: local.path) {
            return .success(local.path)
        }
        guard end > 0 else {
            return .failure(.init("repo '\(info.repo)' does not give its header range in primary.xml"))
        }
        guard let checksum = info.checksum else { return .failure(.init("repo '\(info.repo)' gives no checksum for it")) }
        let file = FilePath(cacheDirectory).appending("headers").appending("\(checksum.algorithm)-\(checksum.hex).hdr")
        if FileManager.default.fileExists(atPath: file.string) { return .success(file.string) }
        do {
            try fetcher.download(sources.filter { !$0.isFileURL }, to: file.string, connection: repo.connection, prefix: end)
        } catch {
            return .failure(.init("its header could not be fetched: " + error.attempts.map(\.reason).joined(separator: "; ")))
        }
        return .success(file.string)
    }
}
