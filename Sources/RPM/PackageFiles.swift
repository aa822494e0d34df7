internal import CRPM
import Foundation

/// One file as a package header lists it: what rpm compares when two packages own one path.
public struct FileEntry: Sendable, Hashable {
    /// The file's type, from its mode.
    public enum Kind: String, Sendable {
        case regular = "file", directory, symlink, device, other
    }
    public let path: String
    public let kind: Kind
    /// Permission bits (`0o755`), without the type.
    public let permissions: UInt16
    public let user: String
    public let group: String
    public let size: Int64
    /// Hex digest of a regular file's content ("" for other kinds).
    public let digest: String
    /// A symlink's target ("" for other kinds).
    public let linkTarget: String
    /// `%ghost`: listed but not shipped.
    public let isGhost: Bool
    /// `%config`, and `%config(noreplace)`.
    public let isConfig: Bool
    public let isNoReplace: Bool
    /// rpm's file color: 1 for ELF32, 2 for ELF64, 0 for anything else.
    public let color: UInt32
}

/// The files one package header lists, kept as librpm keeps them, so that librpm's own rule
/// (`rpmfilesCompare`, what rpm's transaction test applies) judges two packages owning one path.
/// Not thread-safe: use from one task.
public final class PackageFiles {
    let files: OpaquePointer
    /// `name-[E:]V-R.arch` from the header.
    public let nevra: String
    /// How many files the header lists.
    public let count: Int

    /// Takes the file list of `header` (which the caller still frees); `pool` shares the strings
    /// of many packages' lists (directories, owners), as rpm shares them within a transaction.
    init(header: Header, pool: OpaquePointer? = nil) throws(PackageVerificationError) {
        nevra = HeaderReader.nevra(header)
        // Only what the comparison and the descriptions read: no classes, dependencies, languages, times.
        let skipped = [RPMFI_NOFILECLASS, RPMFI_NOFILEDEPS, RPMFI_NOFILELANGS, RPMFI_NOFILECAPS, RPMFI_NOFILEMTIMES,
                       RPMFI_NOFILEVERIFYFLAGS, RPMFI_NOFILESIGNATURES, RPMFI_NOVERITYSIGNATURES, RPMFI_NOFILEINODES]
        let flags = skipped.reduce(UInt32(0)) { $0 | $1.rawValue }
        guard let files = rpmfilesNew(pool, header, rpmTagVal(RPMTAG_BASENAMES.rawValue), rpmfiFlags(flags)) else {
            // A header without files has no list to compare: an empty one.
            throw .notAnRPM(path: nevra, message: "librpm could not read its file list")
        }
        self.files = files
        count = Int(rpmfilesFC(files))
    }

    deinit { rpmfilesFree(files) }

    /// The file list of the RPM at `path` (only its header is read, nothing is verified).
    public static func read(file path: String) throws(PackageVerificationError) -> PackageFiles {
        let header = try HeaderReader.read(file: path)
        defer { headerFree(header) }
        return try PackageFiles(header: header)
    }

    /// The absolute path of file `index`.
    public func path(_ index: Int) -> String {
        guard let name = rpmfilesFN(files, Int32(index)) else { return "" }
        defer { free(name) }
        return String(cString: name)
    }

    /// Every path, in the header's order.
    public var paths: [String] { (0..<count).map(path) }

    /// Whether file `index` is in `directory` (with its final `/`), compared without building its path.
    public func isIn(_ directory: String, _ index: Int) -> Bool {
        guard let dir = rpmfilesDN(files, rpmfilesDI(files, Int32(index))) else { return false }
        return strcmp(dir, directory) == 0
    }

    /// The index of `path`, or nil when the package does not list it.
    public func index(of path: String) -> Int? {
        let found = rpmfilesFindFN(files, path)
        return found >= 0 ? Int(found) : nil
    }

    /// Whether the file is a `%ghost`: listed, never shipped, never in conflict.
    public func isGhost(_ index: Int) -> Bool {
        rpmfilesFFlags(files, Int32(index)) & RPMFILE_GHOST.rawValue != 0
    }

    /// Whether the file is on disk where the package is installed: rpm skips files it did not
    /// install (`--excludedocs`, netshared paths) when comparing with an installed package.
    public func isInstalled(_ index: Int) -> Bool {
        rpmfilesFState(files, Int32(index)) != RPMFILE_STATE_NOTINSTALLED
    }

    /// Whether two packages' files at one path are the same to rpm (`rpmfilesCompare`): type and
    /// mode, owner and group, size, and content digest, link target or device. A `%ghost` on
    /// either side is the same as anything.
    public func isSame(_ index: Int, as other: PackageFiles, _ otherIndex: Int) -> Bool {
        rpmfilesCompare(files, Int32(index), other.files, Int32(otherIndex)) == 0
    }

    /// File `index` as plain values.
    public func entry(_ index: Int) -> FileEntry {
        let i = Int32(index)
        let mode = rpmfilesFMode(files, i)
        let kind: FileEntry.Kind
        switch mode_t(mode) & S_IFMT {
        case S_IFREG: kind = .regular
        case S_IFDIR: kind = .directory
        case S_IFLNK: kind = .symlink
        case S_IFCHR, S_IFBLK: kind = .device
        default: kind = .other
        }
        let flags = rpmfilesFFlags(files, i)
        var digest = ""
        var algorithm: Int32 = 0
        var length = 0
        if kind == .regular, let bytes = rpmfilesFDigest(files, i, &algorithm, &length) {
            digest = (0..<length).map { String(format: "%02x", bytes[$0]) }.joined()
        }
        func text(_ pointer: UnsafePointer<CChar>?) -> String { pointer.map { String(cString: $0) } ?? "" }
        return FileEntry(
            path: path(index), kind: kind, permissions: UInt16(mode) & 0o7777,
            user: text(rpmfilesFUser(files, i)), group: text(rpmfilesFGroup(files, i)),
            size: Int64(rpmfilesFSize(files, i)), digest: digest,
            linkTarget: kind == .symlink ? text(rpmfilesFLink(files, i)) : "",
            isGhost: flags & RPMFILE_GHOST.rawValue != 0, isConfig: flags & RPMFILE_CONFIG.rawValue != 0,
            isNoReplace: flags & RPMFILE_NOREPLACE.rawValue != 0, color: rpmfilesFColor(files, i))
    }
}
