// A package is verified in full once, when it enters the cache; the verdict is kept with the
// file's identity (inode, size, mtime), so later runs prove it unchanged with one stat.
internal import CLinux
import Foundation
import Solv
import SystemPackage

/// What a full verification of one cache file established, and which file it was about.
struct VerifiedRecord: Equatable {
    /// The repo checksum the bytes hashed to.
    var checksum: Checksum
    var size: Int64
    var inode: UInt64
    /// Modification time in nanoseconds: any write to the file changes it.
    var mtime: Int64
    /// The NEVRA in the package's own header.
    var header: String
    /// `digests` (header and payload digests verified) and `signed:<keyset digest>` per key set a
    /// signature was verified against.
    var checks: Set<String>

    static let digestsOnly = "digests"
    static func signed(by keySet: String) -> String { "signed:" + keySet }

    /// The record's text: one line, fields separated by spaces; unknown versions never match.
    var encoded: String {
        "mox-verified-1 \(checksum.algorithm):\(checksum.hex) \(size) \(inode) \(mtime) \(header) "
            + checks.sorted().joined(separator: ",")
    }

    init(checksum: Checksum, size: Int64, inode: UInt64, mtime: Int64, header: String, checks: Set<String>) {
        self.checksum = checksum
        self.size = size
        self.inode = inode
        self.mtime = mtime
        self.header = header
        self.checks = checks
    }

    init?(decoding text: String) {
        let fields = text.split(separator: " ", omittingEmptySubsequences: false)
        guard fields.count == 7, fields[0] == "mox-verified-1",
              let colon = fields[1].firstIndex(of: ":"),
              let size = Int64(fields[2]), let inode = UInt64(fields[3]), let mtime = Int64(fields[4])
        else { return nil }
        checksum = Checksum(algorithm: String(fields[1][..<colon]), hex: String(fields[1][fields[1].index(after: colon)...]))
        self.size = size
        self.inode = inode
        self.mtime = mtime
        header = String(fields[5])
        checks = Set(fields[6].split(separator: ",").map(String.init))
    }

    /// Whether this record describes the file as `info` shows it now.
    func describes(_ info: stat) -> Bool {
        size == Int64(info.st_size) && inode == UInt64(info.st_ino) && mtime == Self.nanoseconds(info.st_mtim)
    }

    static func nanoseconds(_ time: timespec) -> Int64 { Int64(time.tv_sec) * 1_000_000_000 + Int64(time.tv_nsec) }
}

/// Where records live: an extended attribute on the cache file (as librepo keeps its checksums),
/// or, on file systems without user xattrs, a small file under `<cache>/verified/`.
struct RecordStore: Sendable {
    /// The cache root.
    let directory: FilePath
    static let attribute = "user.mox.verified"

    /// The sidecar file of a cache entry.
    func sidecar(for entry: FilePath) -> FilePath {
        // packages/<algorithm>/<xx>/<hex> -> verified/<algorithm>/<xx>/<hex>
        let components = Array(entry.components.suffix(3))
        return components.reduce(directory.appending("verified")) { $0.appending($1) }
    }

    /// The record kept for `entry`, if any (the attribute first, then the sidecar).
    func read(_ entry: FilePath) -> VerifiedRecord? {
        var buffer = [UInt8](repeating: 0, count: 512)
        let n = entry.withPlatformString { getxattr($0, Self.attribute, &buffer, buffer.count) }
        if n > 0 { return VerifiedRecord(decoding: String(decoding: buffer[..<n], as: UTF8.self)) }
        guard let data = FileManager.default.contents(atPath: sidecar(for: entry).string) else { return nil }
        return VerifiedRecord(decoding: String(decoding: data, as: UTF8.self).trimmingCharacters(in: .newlines))
    }

    /// Keeps `record` with the open file `fd` at `entry` (its final name in the cache).
    func write(_ record: VerifiedRecord, fd: Int32, entry: FilePath) {
        let bytes = Array(record.encoded.utf8)
        if fsetxattr(fd, Self.attribute, bytes, bytes.count, 0) == 0 {
            unlink(sidecar(for: entry).string)
            return
        }
        // No user xattrs here (ENOTSUP, EPERM): the sidecar, replaced in one rename.
        let file = sidecar(for: entry)
        let parent = file.removingLastComponent()
        try? FileManager.default.createDirectory(atPath: parent.string, withIntermediateDirectories: true)
        let temporary = temporaryName(in: parent, for: file.lastComponent?.string ?? "record")
        guard FileManager.default.createFile(atPath: temporary.string, contents: Data(bytes + [0x0A])) else { return }
        if rename(temporary.string, file.string) != 0 { unlink(temporary.string) }
    }

    /// Forgets the record of a cache entry that is being replaced.
    func remove(_ entry: FilePath) {
        _ = entry.withPlatformString { removexattr($0, Self.attribute) }
        unlink(sidecar(for: entry).string)
    }
}
