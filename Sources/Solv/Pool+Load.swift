internal import CSolv
import Foundation

/// What loading one repo cost, for logs and benchmarks.
public struct RepoLoad: Sendable {
    /// Packages the repo contributed.
    public let packages: Int
    /// True when the packages came from the .solv cache rather than XML.
    public let fromCache: Bool
}

extension Pool {
    /// Loads a repo from its rpm-md files, or from `cache` (a .solv file) when that exists and is valid.
    ///
    /// `priority` follows dnf (lower wins); libsolv wants the opposite sign.
    /// After parsing XML the repo is written to `cache` atomically, so the next run parses nothing.
    @discardableResult
    public func loadRepo(name: String, priority: Int, primary: String, filelists: String?,
                         cache: String?) throws(SolvError) -> RepoLoad {
        let repo = repo_create(raw, name)!
        repo.pointee.priority = Int32(-priority)
        if let cache, FileManager.default.fileExists(atPath: cache) {
            if let fp = fopen(cache, "r") {
                let rc = repo_add_solv(repo, fp, 0)
                fclose(fp)
                if rc == 0 {
                    register(repo, name: name)
                    return RepoLoad(packages: Int(repo.pointee.nsolvables), fromCache: true)
                }
                // A stale or truncated cache is not an error: parse the XML again.
                repo_empty(repo, 1)
            }
        }
        try addRpmmd(repo, path: primary, flags: 0)
        if let filelists {
            try addRpmmd(repo, path: filelists, flags: Int32(REPO_EXTEND_SOLVABLES))
        }
        repo_internalize(repo)
        register(repo, name: name)
        if let cache { try writeSolv(repo, to: cache) }
        return RepoLoad(packages: Int(repo.pointee.nsolvables), fromCache: false)
    }

    /// File dependencies no loaded package provides: when non-empty, the repos' filelists are needed.
    public func unresolvedFileDependencies() -> [String] {
        let files = IdQueue()
        let installedFiles = IdQueue()
        pool_addfileprovides_queue(raw, &files.q, &installedFiles.q)
        pool_createwhatprovides(raw)
        fileProvidesAdded = true
        indexedRepos = nil
        var missing: [String] = []
        for id in files.array + installedFiles.array where mox_whatprovidesdata(raw, mox_whatprovides(raw, id)) == 0 {
            missing.append(String(cString: pool_dep2str(raw, id)))
        }
        return Array(Set(missing)).sorted()
    }

    /// Drops a loaded repo (before reloading it with filelists).
    public func unloadRepo(name: String) {
        guard let repo = repos.removeValue(forKey: name) else { return }
        repoOrder.removeAll { $0 == name }
        repo_free(repo, 1)
        indexedRepos = nil
        fileProvidesAdded = false
    }

    func register(_ repo: UnsafeMutablePointer<Repo>, name: String) {
        repos[name] = repo
        repoOrder.append(name)
        indexedRepos = nil
        fileProvidesAdded = false
    }

    private func addRpmmd(_ repo: UnsafeMutablePointer<Repo>, path: String, flags: Int32) throws(SolvError) {
        guard let fp = solv_xfopen(path, "r") else {
            throw .unreadable(path: path, reason: String(cString: strerror(errno)))
        }
        let rc = repo_add_rpmmd(repo, fp, nil, flags | Int32(REPO_NO_INTERNALIZE))
        fclose(fp)
        if rc != 0 {
            throw .badMetadata(path: path, reason: String(cString: pool_errstr(raw)))
        }
    }

    private func writeSolv(_ repo: UnsafeMutablePointer<Repo>, to path: String) throws(SolvError) {
        let dir = (path as NSString).deletingLastPathComponent
        do {
            try FileManager.default.createDirectory(atPath: dir, withIntermediateDirectories: true)
        } catch {
            throw .cacheWrite(path: path, reason: "\(error.localizedDescription)")
        }
        let tmp = path + ".\(getpid()).tmp"
        guard let fp = fopen(tmp, "w") else {
            throw .cacheWrite(path: path, reason: String(cString: strerror(errno)))
        }
        let rc = repo_write(repo, fp)
        let closed = fclose(fp)
        guard rc == 0, closed == 0, rename(tmp, path) == 0 else {
            unlink(tmp)
            throw .cacheWrite(path: path, reason: String(cString: pool_errstr(raw)))
        }
    }
}
