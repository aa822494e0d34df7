internal import CSolv

/// File dependencies (`Requires: /usr/bin/python3`) are answered by adding, to the packages that
/// hold such a file, a provide of that path (libsolv's `pool_addfileprovides`). Searching the file
/// lists for them is costly, so, as libdnf does, a repo's `.solv` cache keeps the provides it got,
/// with the list of file dependencies they answer: a later run that has no other file dependency
/// searches nothing, and needs neither the filelists nor their search.
extension Pool {
    /// Filelists cached for `repo` as a `.solv` extension: loaded only when the file provides its
    /// main `.solv` keeps do not answer every file dependency of the pool.
    public func attachFilelists(repo name: String, path: String) {
        guard repos[name] != nil, !filelistsLoaded.contains(name) else { return }
        pendingFilelists[name] = path
        fileProvidesAdded = false
    }

    /// Whether the filelists of `repo` are loaded.
    public func hasFilelists(repo name: String) -> Bool { filelistsLoaded.contains(name) }

    /// File dependencies no loaded package provides: when non-empty, the repos' filelists are needed.
    public func unresolvedFileDependencies() -> [String] {
        addFileProvides()
        let files = IdQueue()
        fileDependencies.forEach(files.push)
        let missing = IdQueue()
        mox_unprovided(raw, &files.q, &missing.q)
        return Set(missing.array.map { String(cString: pool_dep2str(raw, $0)) }).sorted()
    }

    /// Repos loaded from `.solv` files that do not keep the provides of every file dependency
    /// now in the pool: their cache is worth writing again with `writeMainCache`.
    public func reposWithStaleFileProvides() -> [String] {
        addFileProvides()
        return repoOrder.filter { name in
            mainDataEnd[name] != nil && !unloadableFilelists.contains(name) && !keepsFileProvides(name, fileDependencies)
        }
    }

    /// Writes what `repo`'s main `.solv` files held, with the file provides its packages have now
    /// and the file dependencies they answer, atomically to `path` (no filelists in it).
    public func writeMainCache(repo name: String, to path: String) throws(SolvError) {
        guard let repo = repos[name], let end = mainDataEnd[name] else { return }
        addFileProvides()
        let answered = IdQueue()
        mox_repo_added_fileprovides(repo, &answered.q)
        let known = Set(answered.array)
        fileDependencies.filter { !known.contains($0) }.forEach(answered.push)
        mox_repo_set_added_fileprovides(repo, &answered.q)
        try writeAtomically(path) { fp in mox_repo_write_main(repo, end, fp) }
    }

    /// Adds the provides every file dependency of the pool needs, first loading the attached
    /// filelists of each repo whose cache does not already keep them all.
    func addFileProvides() {
        guard !fileProvidesAdded else { return }
        let files = IdQueue()
        pool_addfileprovides_queue(raw, &files.q, nil)
        var extended = false
        for name in repoOrder {
            guard let path = pendingFilelists[name], !keepsFileProvides(name, files.array) else { continue }
            if loadExtension(repo: name, path: path) {
                extended = true
            } else {
                unloadableFilelists.insert(name)
            }
        }
        // Search again, now that the lists of some repos are whole.
        if extended { pool_addfileprovides_queue(raw, &files.q, nil) }
        fileDependencies = files.array
        fileProvidesAdded = true
        whatprovidesReady = false
    }

    /// Whether `repo`'s `.solv` says its packages already provide every one of `files`.
    private func keepsFileProvides(_ name: String, _ files: [Id]) -> Bool {
        guard let repo = repos[name], !files.isEmpty else { return true }
        let answered = IdQueue()
        guard mox_repo_added_fileprovides(repo, &answered.q) != 0 else { return false }
        let known = Set(answered.array)
        return files.allSatisfy(known.contains)
    }
}
