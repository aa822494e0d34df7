// Where an image keeps its rpmdb, found by resolving every path inside the image's root, and the
// private copy librpm opens instead of the base itself: a base is only ever read.
import Foundation
import RootedPath
import SystemPackage

/// An rpmdb found under a root: where, which backend, and its files resolved inside the root.
public struct RPMDatabase: Sendable, Equatable {
    /// The dbpath as rpm names it, absolute inside the root (`/usr/share/rpm`).
    public let dbpath: FilePath
    /// The backend whose files are there: `sqlite`, `ndb` or `bdb`.
    public let backend: String
    /// Each database file's name and the root-relative path it resolves to (links followed inside the root).
    public let files: [(name: String, path: FilePath)]

    public static func == (a: RPMDatabase, b: RPMDatabase) -> Bool {
        a.dbpath == b.dbpath && a.backend == b.backend && a.files.map(\.name) == b.files.map(\.name)
            && a.files.map(\.path) == b.files.map(\.path)
    }

    /// Relative dbpaths tried in order: rpm-ostree, Fedora's sysimage, the classic path.
    public static let searchPaths: [FilePath] = ["usr/share/rpm", "usr/lib/sysimage/rpm", "var/lib/rpm"]

    /// The backends librpm 4.18 reads, each with the file marking it first, then the files it may also use.
    /// A sqlite write-ahead log holds committed data, so it travels with the database; `-shm` is rebuilt.
    public static let backends: [(name: String, files: [String])] = [
        ("sqlite", ["rpmdb.sqlite", "rpmdb.sqlite-wal"]),
        ("ndb", ["Packages.db", "Index.db"]),
        ("bdb", ["Packages", "Basenames", "Conflictname", "Dirnames", "Enhancename", "Filetriggername", "Group",
                 "Installtid", "Name", "Obsoletename", "Providename", "Recommendname", "Requirename",
                 "Sha1header", "Sigmd5", "Suggestname", "Supplementname", "Transfiletriggername", "Triggername"]),
    ]

    /// Every file name of every backend.
    public static let fileNames: Set<String> = Set(backends.flatMap(\.files))

    /// Whether a file at `path` (root-relative) may be part of an rpmdb: any backend's file in a
    /// search path, or a backend's main file anywhere (a link in a search path may lead to it).
    public static func mayBeDatabaseFile(_ path: FilePath) -> Bool {
        guard let name = path.lastComponent?.string, fileNames.contains(name) else { return false }
        return searchPaths.contains(path.removingLastComponent()) || backends.contains { $0.files[0] == name }
            || name == "rpmdb.sqlite-wal"
    }

    /// The first rpmdb under `root`, in `searchPaths` order, with every directory and file link
    /// followed inside the root (an absolute or `..` target never reaches the host); nil when none.
    /// Throws when a database file is a link whose target is not inside the root, naming it.
    public static func locate(root: FilePath) throws(RPMDatabaseError) -> RPMDatabase? {
        try locate { path in DiskRoot.entry(root, path) }
    }

    /// The same over any tree: `lookup` describes root-relative paths (an image's merged layers, say).
    public static func locate(lookup: (FilePath) -> RootedEntry) throws(RPMDatabaseError) -> RPMDatabase? {
        var dangling: (link: FilePath, target: FilePath)?
        for dbpath in searchPaths {
            let directory: RootedResolution
            do { directory = try RootedPath.resolve(dbpath, lookup: lookup) } catch { throw .linkLoop(dbpath) }
            guard directory.entry == .directory else { continue }
            for backend in backends {
                var files: [(name: String, path: FilePath)] = []
                for (position, name) in backend.files.enumerated() {
                    let path = dbpath.appending(name)
                    let resolved: RootedResolution
                    do { resolved = try RootedPath.resolve(path, lookup: lookup) } catch { throw .linkLoop(path) }
                    if resolved.entry == .file {
                        files.append((name, resolved.path))
                    } else if position == 0, resolved.entry == .missing, let link = resolved.links.last,
                              case .symlink(let target) = lookup(link) {
                        dangling = dangling ?? (link, target)
                    }
                }
                if let first = files.first, first.name == backend.files[0] {
                    return RPMDatabase(dbpath: FilePath("/").pushing(dbpath), backend: backend.name, files: files)
                }
            }
        }
        if let dangling { throw .linkOutsideRoot(link: dangling.link, target: dangling.target) }
        return nil
    }

    /// Copies the database files out of `root` into a new directory under `parent`, which librpm may
    /// then open and write its `-shm`/`-wal` beside, as rpm-ostree does: the base is never written.
    public func privateCopy(from root: FilePath, under parent: FilePath) throws(RPMDatabaseError) -> PrivateRPMDatabase {
        let copy = try PrivateRPMDatabase(under: parent)
        for file in files {
            try DiskRoot.copy(root.pushing(file.path), to: copy.directory.appending(file.name))
        }
        return copy
    }
}

/// A directory holding a private copy of an rpmdb; removed when the value goes away.
public final class PrivateRPMDatabase: Sendable {
    /// The directory librpm opens (its `_dbpath`).
    public let directory: FilePath

    init(under parent: FilePath) throws(RPMDatabaseError) {
        do {
            try FileManager.default.createDirectory(atPath: parent.string, withIntermediateDirectories: true)
        } catch {
            throw .io(path: parent, reason: "\(error.localizedDescription)")
        }
        Self.removeLeftovers(in: parent)
        var template = Array(parent.appending(".rpmdb-\(getpid())-XXXXXX").string.utf8CString)
        guard let made = template.withUnsafeMutableBufferPointer({ $0.baseAddress.flatMap { mkdtemp($0) } }) else {
            throw .io(path: parent, reason: "cannot make a private directory: \(String(cString: strerror(errno)))")
        }
        // librpm takes a relative dbpath as relative to its root, not to the working directory.
        let path = FilePath(String(cString: made))
        directory = path.isAbsolute ? path : FilePath(FileManager.default.currentDirectoryPath).pushing(path)
    }

    deinit { try? FileManager.default.removeItem(atPath: directory.string) }

    /// Copies left by runs that were killed (their process is gone).
    static func removeLeftovers(in parent: FilePath) {
        for name in (try? FileManager.default.contentsOfDirectory(atPath: parent.string)) ?? []
        where name.hasPrefix(".rpmdb-") {
            let pid = name.dropFirst(".rpmdb-".count).split(separator: "-").first.flatMap { Int32($0) }
            if let pid, pid == getpid() || kill(pid, 0) == 0 { continue }
            try? FileManager.default.removeItem(atPath: parent.appending(name).string)
        }
    }
}

/// Why an rpmdb could not be found or copied.
public enum RPMDatabaseError: Error, Sendable, Equatable, CustomStringConvertible {
    /// `link` (root-relative) points at `target`, which is not inside the root.
    case linkOutsideRoot(link: FilePath, target: FilePath)
    /// Resolving `path` followed too many links.
    case linkLoop(FilePath)
    /// Reading or copying `path` failed.
    case io(path: FilePath, reason: String)

    public var description: String {
        switch self {
        case let .linkOutsideRoot(link, target):
            "/\(link) is a link to \(target), which is not inside the root (links are followed inside the root "
                + "only, as the image sees them); make the link point inside the image"
        case .linkLoop(let path): "/\(path): too many levels of symbolic links in the root"
        case let .io(path, reason): "\(path): \(reason)"
        }
    }
}

/// A root directory on disk, looked at without following links out of it.
enum DiskRoot {
    /// What `path` (root-relative) is, by lstat: links are reported, never followed.
    static func entry(_ root: FilePath, _ path: FilePath) -> RootedEntry {
        let full = root.pushing(path).string
        var info = stat()
        guard lstat(full, &info) == 0 else { return .missing }
        switch info.st_mode & S_IFMT {
        case S_IFDIR: return .directory
        case S_IFLNK:
            var buffer = [CChar](repeating: 0, count: Int(PATH_MAX) + 1)
            let count = readlink(full, &buffer, buffer.count - 1)
            guard count >= 0 else { return .missing }
            return .symlink(FilePath(String(decoding: buffer[..<count].map { UInt8(bitPattern: $0) }, as: UTF8.self)))
        default: return .file
        }
    }

    /// Copies the regular file at `source` (no link followed at its last component) to a new file `destination`.
    static func copy(_ source: FilePath, to destination: FilePath) throws(RPMDatabaseError) {
        do {
            let input = try FileDescriptor.open(source, .readOnly, options: [.noFollow])
            defer { try? input.close() }
            let output = try FileDescriptor.open(destination, .writeOnly, options: [.create, .exclusiveCreate],
                                                 permissions: [.ownerReadWrite])
            defer { try? output.close() }
            var buffer = [UInt8](repeating: 0, count: 1 << 20)
            while true {
                let count = try buffer.withUnsafeMutableBytes { try input.read(into: $0) }
                if count == 0 { break }
                _ = try buffer.withUnsafeBytes { try output.writeAll(UnsafeRawBufferPointer(rebasing: $0[..<count])) }
            }
        } catch let error as Errno {
            throw .io(path: source, reason: "cannot copy the rpmdb file: \(error)")
        } catch {
            throw .io(path: source, reason: "cannot copy the rpmdb file: \(error)")
        }
    }
}
