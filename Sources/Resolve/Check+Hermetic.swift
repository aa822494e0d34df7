import Foundation
import Lockfile
import Repos
import Solv

/// What `--lockfile`, `--offline` and `--map-repo` add to loading and resolving one arch.
extension CheckSession {
    /// The lock of `arch`, when one is given; a per-arch lockfile without `arch` is an input error.
    func locking(arch: String) throws(CheckError) -> Locking? {
        guard let lock else { return nil }
        guard let packages = lock.packages(for: arch) else {
            throw .invalidFiles(lock.files.map {
                InputProblem(LockfileError.noArch(file: $0, arch: arch, present: lock.arches))
            })
        }
        return Locking(packages: packages, strict: lockStrict, files: lock.files)
    }

    /// Offline, a repo that has no local source cannot be read: every such repo is named, with
    /// what to do, before anything is read (the fetcher would refuse to connect anyway).
    static func refuseRemote(_ definitions: [RepoDefinition], arch: String) throws(CheckError) {
        let remote = definitions.filter { repo in
            !repo.baseURLs.contains { url in
                let lower = url.lowercased()
                return !lower.hasPrefix("http://") && !lower.hasPrefix("https://")
            }
        }
        guard !remote.isEmpty else { return }
        let lines = remote.map { repo in
            "  - repo '\(repo.id)' (\(repo.origin)): " + (repo.metalink.map { "metalink \($0)" }
                ?? repo.mirrorList.map { "mirrorlist \($0)" } ?? repo.baseURLs.joined(separator: ", "))
        }
        throw .environment("--offline: \(arch): \(remote.count) repo(s) need the network, and mox opens no connection "
            + "offline:\n" + lines.joined(separator: "\n")
            + "\nprefetch them: write a lock online (--write-lockfile rpms.lock.yaml), prefetch it (hermeto fetch-deps rpm), "
            + "and point --repos-dir at the prefetched repos (OUTPUT/deps/rpm/\(arch)/repos.d), with --map-repo or "
            + "--all-repos when their ids differ from the manifest's")
    }

    /// Offline, locked packages the prefetched repos lack: what to prefetch.
    static func prefetchMessage(_ missing: [LockedPackage], arch: String, repos: [LoadedRepo]) -> String {
        let lines = missing.prefix(20).map { locked in
            var text = "  - " + locked.spec.description
            if let digest = locked.spec.digest { text += " (\(digest))" }
            if let repo = locked.repoID { text += " from repo '\(repo)'" }
            if let url = locked.url { text += ": \(url)" }
            return text
        }
        return "--offline: \(arch): \(missing.count) locked package(s) are in none of the repos ("
            + (repos.isEmpty ? "none loaded" : repos.map(\.id).joined(separator: ", ")) + "):\n"
            + lines.joined(separator: "\n") + (missing.count > 20 ? "\n  - ..." : "")
            + "\nprefetch them (hermeto fetch-deps rpm with this lockfile, then inject-files) and run again"
    }

    /// Where each shipped package comes from, in the names the index, lockfiles and SBOMs use.
    func origins(of report: ArchReport, loaded: LoadedArch, pinned: [PackageRef: LockedPackage]) -> [PackageRef: PackageOrigin] {
        // Each repo's base URL parsed once, not once a package.
        let bases = Dictionary(loaded.repos.map {
            ($0.id, try? RepoURL(parsing: $0.baseURL, relativeTo: FileManager.default.currentDirectoryPath))
        }, uniquingKeysWith: { a, _ in a })
        var origins: [PackageRef: PackageOrigin] = [:]
        let shipped = report.extensions.filter { $0.status == .resolved }.flatMap { $0.packages.map(\.package) }
        let details = loaded.pool.details(of: shipped)
        for ext in report.extensions where ext.status == .resolved {
            for resolved in ext.packages where origins[resolved.package.ref] == nil {
                let package = resolved.package
                let lock = pinned[package.ref]
                // A lock's repo id wins: built offline from prefetched repos, the names stay those of the lock.
                let repoID = lock?.repoID ?? package.repo
                var known = details[package.ref] ?? PackageDetails()
                if known.sourceRPM == nil, let source = lock?.sourceRPM, source.hasSuffix(".rpm") { known.sourceRPM = source }
                origins[package.ref] = PackageOrigin(
                    manifestRepo: loaded.visibility?.manifestID(of: repoID) ?? repoID, repoID: repoID,
                    url: lock?.url ?? Self.url(base: bases[package.repo] ?? nil, location: package.location),
                    details: known, modular: loaded.modules.stream(shipping: package.nevra) != nil)
            }
        }
        return origins
    }

    /// A package's URL: its repo's mirror (`file://` for a local one) and its location.
    static func url(base: String?, location: String) -> String {
        url(base: base.flatMap { try? RepoURL(parsing: $0, relativeTo: FileManager.default.currentDirectoryPath) },
            location: location)
    }

    /// The same, with the base already parsed.
    static func url(base: RepoURL?, location: String) -> String {
        guard let base, let url = try? base.appending(location) else { return location }
        switch url {
        case .local(let path): return URL(fileURLWithPath: path).absoluteString
        case .remote(let remote): return remote.absoluteString
        }
    }
}
