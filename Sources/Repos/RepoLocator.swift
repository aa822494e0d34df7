import Foundation
import RPM
import Solv

/// Finds where a repo's metadata comes from, as dnf (librepo) does: the mirrors of its metalink
/// (in preference order) or mirrorlist, then its baseurls; the first mirror whose repomd.xml
/// answers, matches the metalink's hashes (stale mirrors are skipped) and, with repo_gpgcheck,
/// carries a valid signature by one of the repo's gpgkeys.
struct RepoLocator: Sendable {
    let downloader: RepoDownloader?
    /// `$basearch` and the like, for URLs inside a mirrorlist.
    let variables: [String: String]

    /// A repo's metadata, located.
    struct Located: Sendable {
        let base: RepoURL
        let repomd: RepoMD
        /// sha256 of repomd.xml.
        let digest: String
        /// Where the repo's files can come from, best first: `base`, then the mirrors not yet tried.
        let mirrors: [RepoURL]
        /// Sources skipped on the way, and why, for the log.
        let notes: [String]
    }

    func locate(_ repo: RepoDefinition) throws(RepoLoadError) -> Located {
        var attempts: [String] = []
        var metalink: Metalink?
        var candidates: [String] = []
        // dnf reads a mirrorlist URL that mentions "metalink" as a metalink.
        if let link = repo.metalink ?? repo.mirrorList.flatMap({ $0.contains("metalink") ? $0 : nil }) {
            do {
                let parsed = try readMetalink(link, of: repo)
                metalink = parsed
                candidates += parsed.mirrors.map(\.baseURL)
            } catch {
                attempts.append("metalink \(link): \(error)")
            }
        } else if let list = repo.mirrorList {
            do {
                candidates += try readMirrorList(list, of: repo)
            } catch {
                attempts.append("mirrorlist \(list): \(error)")
            }
        }
        candidates += repo.baseURLs
        var seen = Set<String>()
        candidates = order(candidates.filter { seen.insert($0).inserted }, of: repo)

        for (index, text) in candidates.enumerated() {
            let base: RepoURL
            let url: RepoURL
            do {
                base = try RepoURL(parsing: text, relativeTo: FileManager.default.currentDirectoryPath)
                url = try base.appending("repodata/repomd.xml")
            } catch {
                attempts.append("\(text): \(error)")
                continue
            }
            let path: String
            do {
                path = try fetch(url, of: repo)
            } catch {
                attempts.append(error.description)
                continue
            }
            if let metalink {
                let current: Bool
                do { current = try metalink.accepts(repomd: path) } catch {
                    attempts.append("\(url): \(error)")
                    continue
                }
                if !current {
                    attempts.append("\(url): a stale mirror: its repomd.xml is not the one the metalink lists")
                    continue
                }
            }
            guard let data = FileManager.default.contents(atPath: path) else {
                attempts.append("\(url): cannot read the downloaded file")
                continue
            }
            // Nothing in repomd.xml is read before its signature is checked.
            if repo.repoGPGCheck { try checkSignature(of: Array(data), at: base, of: repo) }
            let repomd: RepoMD
            do {
                repomd = try RepoMD.parse(data: data, file: url.description)
            } catch {
                attempts.append("\(url): \(error)")
                continue
            }
            let digest = (try? Checksum.of(bytes: Array(data)).hex) ?? ""
            let later = candidates[(index + 1)...].compactMap {
                try? RepoURL(parsing: $0, relativeTo: FileManager.default.currentDirectoryPath)
            }
            let notes = attempts.isEmpty ? [] : ["repo '\(repo.id)': using \(text) after skipping:"
                + attempts.map { "\n  - " + $0 }.joined()]
            return Located(base: base, repomd: repomd, digest: digest, mirrors: [base] + later, notes: notes)
        }
        throw .unreachable(repo: repo.id, attempts: attempts.isEmpty ? ["no baseurl, metalink or mirrorlist"] : attempts)
    }

    /// The candidates with every remote mirror's host probed at once, so dead ones are skipped
    /// without their timeouts adding up; with `fastestmirror`, remote mirrors fastest to connect
    /// first (local ones stay ahead, as they need no connection).
    private func order(_ candidates: [String], of repo: RepoDefinition) -> [String] {
        let remote = candidates.compactMap { text -> (String, URL)? in
            guard case .remote(let url)? = try? RepoURL(parsing: text, relativeTo: "/").appending("repodata/repomd.xml") else {
                return nil
            }
            return (text, url)
        }
        guard let downloader, remote.count > 1 || (repo.fastestMirror && !remote.isEmpty) else { return candidates }
        let times = downloader.probe(remote.map(\.1), connection: repo.connection)
        guard repo.fastestMirror else { return candidates }
        let time = Dictionary(remote.map { ($0.0, times[$0.1] ?? .infinity) }, uniquingKeysWith: { a, _ in a })
        let local = candidates.filter { time[$0] == nil }
        let byLatency = candidates.enumerated().filter { time[$0.element] != nil }
            .sorted { (time[$0.element]!, $0.offset) < (time[$1.element]!, $1.offset) }.map(\.element)
        return local + byLatency
    }

    /// A local path for `url`: the file itself, or a download of it.
    private func fetch(_ url: RepoURL, of repo: RepoDefinition, expected: Checksum? = nil, size: Int? = nil)
        throws(FetchFailure) -> String {
        switch url {
        case .local(let path):
            guard FileManager.default.isReadableFile(atPath: path) else {
                throw FetchFailure(description: "\(path): no such readable file")
            }
            return path
        case .remote(let remote):
            guard let downloader else {
                throw FetchFailure(description: "\(remote.absoluteString): cannot fetch over the network here")
            }
            do {
                return try downloader.download([remote], connection: repo.connection, expected: expected, size: size)
            } catch {
                throw FetchFailure(description: error.description)
            }
        }
    }

    private struct FetchFailure: Error, CustomStringConvertible {
        let description: String
    }

    private func readMetalink(_ link: String, of repo: RepoDefinition) throws -> Metalink {
        let url = try RepoURL(parsing: link, relativeTo: FileManager.default.currentDirectoryPath)
        let path = try fetch(url, of: repo)
        guard let data = FileManager.default.contents(atPath: path) else { throw FetchFailure(description: "cannot read it") }
        let metalink = try Metalink.parse(data: data, source: link)
        guard !metalink.mirrors.isEmpty else { throw FetchFailure(description: "it lists no http, https or file mirror") }
        return metalink
    }

    private func readMirrorList(_ list: String, of repo: RepoDefinition) throws -> [String] {
        let url = try RepoURL(parsing: list, relativeTo: FileManager.default.currentDirectoryPath)
        let path = try fetch(url, of: repo)
        guard let text = try? String(contentsOfFile: path, encoding: .utf8) else {
            throw FetchFailure(description: "cannot read it as text")
        }
        let mirrors = MirrorList.parse(text, variables: variables)
        guard !mirrors.isEmpty else { throw FetchFailure(description: "it lists no mirror URL") }
        return mirrors
    }

    /// repo_gpgcheck: repomd.xml.asc from the same mirror, checked against the repo's gpgkeys.
    private func checkSignature(of repomd: [UInt8], at base: RepoURL, of repo: RepoDefinition) throws(RepoLoadError) {
        let place: String
        let signature: [UInt8]
        do {
            let url = try base.appending("repodata/repomd.xml.asc")
            place = url.description
            let path = try fetch(url, of: repo)
            guard let data = FileManager.default.contents(atPath: path) else {
                throw FetchFailure(description: "\(url): cannot read it")
            }
            signature = Array(data)
        } catch {
            throw .signature(repo: repo.id, file: "\(base)/repodata/repomd.xml.asc",
                             reason: "repo_gpgcheck=1 but the signature cannot be fetched: \(error)")
        }
        guard !repo.gpgKeys.isEmpty else {
            throw .signature(repo: repo.id, file: place,
                             reason: "repo_gpgcheck=1 but the repo has no gpgkey to check it with; add gpgkey=URL (\(repo.origin))")
        }
        var keys: [DetachedSignature.Key] = []
        for text in repo.gpgKeys {
            do {
                let url = try RepoURL(parsing: text, relativeTo: FileManager.default.currentDirectoryPath)
                let path = try fetch(url, of: repo)
                guard let data = FileManager.default.contents(atPath: path) else {
                    throw FetchFailure(description: "\(path): cannot read it")
                }
                keys.append(DetachedSignature.Key(source: text, bytes: Array(data)))
            } catch {
                throw .signature(repo: repo.id, file: place, reason: "gpgkey \(text) cannot be fetched: \(error)")
            }
        }
        do {
            _ = try DetachedSignature.verify(repomd, signature: signature, keys: keys)
        } catch {
            throw .signature(repo: repo.id, file: place, reason: error.description)
        }
    }

    /// A metadata file listed in repomd.xml, from the mirror that served repomd.xml or, failing
    /// that, the next mirrors; its checksum is checked.
    func file(_ record: RepoMD.Record, of located: Located, repo: RepoDefinition) throws(RepoLoadError) -> String {
        let path: String
        switch located.base {
        case .local:
            do {
                path = try fetch(located.base.appending(record.href), of: repo)
            } catch {
                throw .unreachable(repo: repo.id, attempts: ["\(record.href) (listed in \(located.repomd.file)): \(error)"])
            }
        case .remote:
            guard let downloader else { throw .remoteUnsupported(repo: repo.id, url: located.base.description) }
            var urls: [URL] = []
            for mirror in located.mirrors {
                guard case .remote(let url) = try? mirror.appending(record.href) else { continue }
                urls.append(url)
            }
            do {
                path = try downloader.download(urls, connection: repo.connection, expected: record.checksum, size: record.size)
            } catch {
                throw .unreachable(repo: repo.id, attempts: error.attempts.map { "\($0.url): \($0.reason)" })
            }
        }
        do {
            try located.repomd.verify(record: record, file: path)
        } catch {
            throw .metadata(repo: repo.id, error)
        }
        return path
    }
}
