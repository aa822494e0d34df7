import Foundation
import Solv
import SystemPackage

/// Packages by content: `<dir>/packages/<algorithm>/<hex[0..2]>/<hex>`, shared across runs and arches.
/// Only complete, fully verified files ever appear under their name (temp + rename), each with a
/// record of its verification (`VerifiedRecord`). The cache owns its files: they are copies or
/// clones, never hardlinks of a repo's files; trees link to them.
public struct PackageCache: Sendable {
    /// The cache root (`--cachedir`).
    public let directory: String
    /// Where verification records are kept.
    let records: RecordStore

    /// A cache rooted at `directory`; nothing is created until a package arrives.
    public init(directory: String) {
        self.directory = directory
        records = RecordStore(directory: FilePath(directory))
    }

    /// Where the package with this checksum lives (whether or not it is there yet).
    public func path(for checksum: Checksum) -> String {
        let algorithm = checksum.algorithm == "sha" ? "sha1" : checksum.algorithm
        let shard = String(checksum.hex.prefix(2))
        return FilePath(directory).appending("packages").appending(algorithm).appending(shard).appending(checksum.hex).string
    }

    /// Whether the package with this checksum is in the cache.
    public func contains(_ checksum: Checksum) -> Bool {
        FileManager.default.fileExists(atPath: path(for: checksum))
    }

    /// Places a cached file at `destination`: hardlink (mox owns both), else reflink (FICLONE),
    /// else copy; never partial (temp + rename). Makes missing parent directories and replaces an
    /// existing file. Only call it for packages `Fetcher.fetch` returned in this run (verified).
    @discardableResult
    public func materialize(_ checksum: Checksum, at destination: String) throws(FetchError) -> Placement {
        let source = path(for: checksum)
        guard contains(checksum) else { throw .notCached(checksum: checksum) }
        let target = FilePath(destination)
        let parent = target.removingLastComponent()
        try makeDirectories(parent.isEmpty ? "." : parent)
        let temporary = temporaryName(in: parent.isEmpty ? "." : parent, for: target.lastComponent?.string ?? "package")
        let placement = try place(source, at: temporary.string)
        try publish(temporary.string, at: destination)
        return placement
    }

    /// Removes partial downloads of runs that are no longer alive (killed mid-download).
    func removeLeftovers() {
        for entry in (try? FileManager.default.contentsOfDirectory(atPath: temporaryDirectory)) ?? []
        where entry.hasSuffix(".part") {
            let fields = entry.split(separator: ".")
            if fields.count >= 3, let pid = Int32(fields[fields.count - 3]), pid == getpid() || kill(pid, 0) == 0 {
                continue
            }
            unlink(FilePath(temporaryDirectory).appending(entry).string)
        }
    }

    /// Where partial downloads are written: inside the cache, so rename(2) can publish them.
    var temporaryDirectory: String { FilePath(directory).appending("tmp").string }

    /// Makes the temporary directory and returns a fresh file name in it.
    func newTemporaryFile(for name: String) throws(FetchError) -> String {
        try makeDirectories(FilePath(temporaryDirectory))
        return temporaryName(in: FilePath(temporaryDirectory), for: name).string
    }
}
