internal import CRPM
import Foundation

/// Why an rpmdb could not be read for its files.
public enum InstalledFilesError: Error, Sendable, Equatable, CustomStringConvertible {
    case cannotOpen(directory: String)

    public var description: String {
        switch self {
        case .cannotOpen(let directory):
            "the rpmdb at \(directory) cannot be opened by librpm; is it an rpmdb this librpm reads?"
        }
    }
}

/// The files of an installed package set, from its rpmdb: which packages own a path, found as rpm
/// finds them (the rpmdb's index of base names, then each candidate's own file list), each
/// package's file list read once. Not thread-safe: use from one task.
public final class InstalledFiles {
    private let ts: rpmts
    private var packages: [UInt32: PackageFiles] = [:]
    /// The strings of every file list read, shared.
    private let strings: OpaquePointer

    /// Opens the rpmdb in `directory` read-only. librpm may write `-shm`/`-wal` beside a sqlite
    /// database it opens: give a directory it may write in (a private copy), never a base itself.
    public init(database directory: String) throws(InstalledFilesError) {
        RPMConfig.load()
        guard let ts = HeaderReader.unverifyingTransaction() else { throw .cannotOpen(directory: directory) }
        rpmPushMacro(nil, "_dbpath", nil, directory, RMIL_CMDLINE)
        defer { rpmPopMacro(nil, "_dbpath") }
        guard rpmtsOpenDB(ts, O_RDONLY) == 0 else {
            rpmtsFree(ts)
            throw .cannotOpen(directory: directory)
        }
        self.ts = ts
        strings = rpmstrPoolCreate()
    }

    deinit {
        packages.removeAll()
        rpmstrPoolFree(strings)
        rpmtsFree(ts)
    }

    /// For each of `paths`, the installed packages that list it and the file's index in each
    /// (sorted by NEVRA); paths no package lists are left out. One pass over the rpmdb's index of
    /// base names finds each candidate package and file (as rpm does, without its fingerprints:
    /// paths are compared as written, not through the symlinks of a root).
    public func owners(of paths: Set<String>) -> [String: [(files: PackageFiles, index: Int)]] {
        var wanted: [String: [String]] = [:]
        for path in paths {
            guard let slash = path.lastIndex(of: "/") else { continue }
            wanted[String(path[path.index(after: slash)...]), default: []].append(path)
        }
        guard !wanted.isEmpty, let db = rpmtsGetRdb(ts),
              let keys = rpmdbIndexIteratorInit(db, rpmDbiTag(RPMDBI_BASENAMES.rawValue)) else { return [:] }
        // Each wanted base name: the packages (by instance) and file numbers listing it.
        var candidates: [String: [(instance: UInt32, file: Int)]] = [:]
        var key: UnsafeRawPointer?
        var length = 0
        while rpmdbIndexIteratorNext(keys, &key, &length) == 0 {
            guard let key else { continue }
            let name = String(decoding: UnsafeRawBufferPointer(start: key, count: length), as: UTF8.self)
            guard wanted[name] != nil else { continue }
            for n in 0..<rpmdbIndexIteratorNumPkgs(keys) {
                candidates[name, default: []].append((rpmdbIndexIteratorPkgOffset(keys, n), Int(rpmdbIndexIteratorTagNum(keys, n))))
            }
        }
        rpmdbIndexIteratorFree(keys)
        var found: [String: [(files: PackageFiles, index: Int)]] = [:]
        for (name, entries) in candidates {
            for path in wanted[name] ?? [] {
                let directory = String(path[...path.lastIndex(of: "/")!])
                let owners = entries.compactMap { entry -> (files: PackageFiles, index: Int)? in
                    guard let files = package(instance: entry.instance), entry.file < files.count,
                          files.isIn(directory, entry.file) else { return nil }
                    return (files, entry.file)
                }
                if !owners.isEmpty { found[path] = owners.sorted { $0.files.nevra < $1.files.nevra } }
            }
        }
        return found
    }

    /// The file list of the installed package `instance`, read once.
    private func package(instance: UInt32) -> PackageFiles? {
        if let known = packages[instance] { return known }
        var number = instance
        guard let iterator = rpmtsInitIterator(ts, rpmDbiTagVal(RPMDBI_PACKAGES.rawValue), &number,
                                               MemoryLayout<UInt32>.size) else { return nil }
        defer { rpmdbFreeIterator(iterator) }
        // A header whose file list librpm cannot read owns nothing we can compare.
        guard let header = rpmdbNextIterator(iterator), let files = try? PackageFiles(header: header, pool: strings) else { return nil }
        packages[instance] = files
        return files
    }
}
