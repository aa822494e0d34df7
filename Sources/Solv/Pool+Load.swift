internal import CSolv
import Foundation
import SystemPackage

extension Pool {
    /// Loads a repo from `.solv` files written by `writeCache` (one, or several parts of one
    /// primary). Returns nil, and loads nothing, when one is missing or unreadable: the caller
    /// then parses the XML again.
    public func loadCached(name: String, priority: Int, parts: [String]) -> Int? {
        let repo = makeRepo(name: name, priority: priority)
        for part in parts {
            guard let fp = mox_unlocked(fopen(part, "r")) else {
                repo_free(repo, 1)
                return nil
            }
            let rc = repo_add_solv(repo, fp, 0)
            fclose(fp)
            guard rc == 0 else {
                // A stale or truncated cache is not an error: the caller parses the XML again.
                repo_free(repo, 1)
                return nil
            }
        }
        register(repo, name: name)
        mainDataEnd[name] = repo.pointee.nrepodata
        return Int(repo.pointee.nsolvables)
    }

    /// Parses a repo's rpm-md primary (any compression libsolv's xfopen knows: gz, xz, zst, bz2, plain).
    public func loadPrimary(name: String, priority: Int, primary: String) throws(SolvError) -> Int {
        let repo = makeRepo(name: name, priority: priority)
        do {
            try addRpmmd(repo, path: primary, flags: 0)
        } catch {
            repo_free(repo, 1)
            throw error
        }
        repo_internalize(repo)
        register(repo, name: name)
        return Int(repo.pointee.nsolvables)
    }

    /// Adds the file lists of a loaded repo's packages from its filelists.xml.
    public func addFilelists(repo name: String, filelists: String) throws(SolvError) {
        guard let repo = repos[name] else { return }
        try addRpmmd(repo, path: filelists, flags: Int32(REPO_EXTEND_SOLVABLES))
        repo_internalize(repo)
        filelistsLoaded.insert(name)
        pendingFilelists[name] = nil
        indexedRepos = nil
        fileProvidesAdded = false
    }

    /// Writes a loaded repo to a `.solv` file atomically (temporary file, then rename).
    public func writeCache(repo name: String, to path: String) throws(SolvError) {
        guard let repo = repos[name] else { return }
        try writeAtomically(path) { fp in mox_repo_write_cache(repo, fp) }
    }

    /// Runs `write` on a temporary file beside `path`, then renames it into place.
    func writeAtomically(_ path: String, _ write: (UnsafeMutablePointer<FILE>) -> Int32) throws(SolvError) {
        let parent = FilePath(path).removingLastComponent()
        let dir = parent.isEmpty ? "." : parent.string
        do {
            try FileManager.default.createDirectory(atPath: dir, withIntermediateDirectories: true)
        } catch {
            throw .cacheWrite(path: path, reason: error.localizedDescription)
        }
        let tmp = "\(path).\(getpid()).\(UInt32.random(in: 0...UInt32.max)).tmp"
        guard let fp = mox_unlocked(fopen(tmp, "w")) else {
            throw .cacheWrite(path: path, reason: String(cString: strerror(errno)))
        }
        let rc = write(fp)
        let closed = fclose(fp)
        guard rc == 0, closed == 0, rename(tmp, path) == 0 else {
            let reason = rc != 0 ? String(cString: pool_errstr(raw)) : String(cString: strerror(errno))
            unlink(tmp)
            throw .cacheWrite(path: path, reason: reason)
        }
    }

    /// Writes what `addFilelists` added to a repo (its last data area) as a `.solv` extension,
    /// atomically: much smaller than the whole repo, and loaded on top of it by `loadExtension`.
    public func writeFilelistsExtension(repo name: String, to path: String) throws(SolvError) {
        guard let repo = repos[name], repo.pointee.nrepodata > 1,
              let data = repo_id2repodata(repo, repo.pointee.nrepodata - 1) else { return }
        try writeAtomically(path) { fp in repodata_write(data, fp) }
    }

    /// Adds a `.solv` extension written by `writeFilelistsExtension` to a loaded repo; false when
    /// it is missing or unreadable (the caller then reads filelists.xml again).
    public func loadExtension(repo name: String, path: String) -> Bool {
        pendingFilelists[name] = nil
        guard let repo = repos[name], let fp = mox_unlocked(fopen(path, "r")) else { return false }
        defer { fclose(fp) }
        guard repo_add_solv(repo, fp, Int32(REPO_EXTEND_SOLVABLES)) == 0 else { return false }
        filelistsLoaded.insert(name)
        indexedRepos = nil
        fileProvidesAdded = false
        return true
    }

    func makeRepo(name: String, priority: Int) -> UnsafeMutablePointer<Repo> {
        let repo = repo_create(raw, name)!
        // dnf: the lower number wins; libsolv: the higher one.
        repo.pointee.priority = Int32(-priority)
        return repo
    }

    func register(_ repo: UnsafeMutablePointer<Repo>, name: String) {
        repos[name] = repo
        repoOrder.append(name)
        indexedRepos = nil
        fileProvidesAdded = false
    }

    private func addRpmmd(_ repo: UnsafeMutablePointer<Repo>, path: String, flags: Int32) throws(SolvError) {
        let fp = try Self.openDecompressed(path)
        let rc = repo_add_rpmmd(repo, fp, nil, flags | Int32(REPO_NO_INTERNALIZE))
        fclose(fp)
        if rc != 0 {
            throw .badMetadata(path: path, reason: String(cString: pool_errstr(raw)))
        }
    }

    /// Opens metadata for reading as plain XML. Compressed files are inflated on a second thread
    /// into a pipe, so decompression overlaps parsing instead of adding to it.
    static func openDecompressed(_ path: String) throws(SolvError) -> UnsafeMutablePointer<FILE> {
        guard let source = solv_xfopen(path, "r") else {
            throw .unreadable(path: path, reason: String(cString: strerror(errno)))
        }
        let compressed = [".gz", ".xz", ".zst", ".zstd", ".bz2", ".lzma"].contains { path.hasSuffix($0) }
        var fds: [Int32] = [0, 0]
        guard compressed, pipe(&fds) == 0, let reader = mox_unlocked(fdopen(fds[0], "r")) else { return source }
        let writeEnd = fds[1]
        let input = UncheckedFile(source)
        let inflater = Thread {
            let size = 1 << 18
            let buffer = UnsafeMutableRawPointer.allocate(byteCount: size, alignment: 16)
            defer {
                buffer.deallocate()
                fclose(input.fp)
                close(writeEnd)
            }
            while case let n = fread(buffer, 1, size, input.fp), n > 0 {
                var offset = 0
                while offset < n {
                    let written = write(writeEnd, buffer + offset, n - offset)
                    // The parser stopped reading (it failed): nothing more to do.
                    if written <= 0 { if errno == EINTR { continue } else { return } }
                    offset += written
                }
            }
        }
        inflater.start()
        return reader
    }
}

extension Pool {
    /// The whole file, decompressed (any compression libsolv's xfopen knows, or none).
    public static func decompressedContents(of path: String) throws(SolvError) -> [UInt8] {
        guard let fp = solv_xfopen(path, "r") else {
            throw .unreadable(path: path, reason: String(cString: strerror(errno)))
        }
        defer { fclose(fp) }
        var data: [UInt8] = []
        let size = 1 << 20
        let buffer = UnsafeMutableRawPointer.allocate(byteCount: size, alignment: 16)
        defer { buffer.deallocate() }
        while case let n = fread(buffer, 1, size, fp), n > 0 {
            data.append(contentsOf: UnsafeRawBufferPointer(start: buffer, count: n))
        }
        if ferror(fp) != 0 { throw .unreadable(path: path, reason: "cannot decompress") }
        return data
    }
}

/// A C stream handed to exactly one other thread, which alone uses and closes it.
private struct UncheckedFile: @unchecked Sendable {
    let fp: UnsafeMutablePointer<FILE>
    init(_ fp: UnsafeMutablePointer<FILE>) { self.fp = fp }
}
