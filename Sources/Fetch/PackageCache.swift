import Foundation
import Solv

/// Packages by content: `<dir>/packages/<algorithm>/<hex[0..2]>/<hex>`, shared across runs and arches.
/// Only complete, checksum-verified files ever appear under their name (temp + rename).
public struct PackageCache: Sendable {
    /// The cache root (`--cachedir`).
    public let directory: String

    /// A cache rooted at `directory`; nothing is created until a package arrives.
    public init(directory: String) {
        self.directory = directory
    }

    /// Where the package with this checksum lives (whether or not it is there yet).
    public func path(for checksum: Checksum) -> String {
        let algorithm = checksum.algorithm == "sha" ? "sha1" : checksum.algorithm
        return "\(directory)/packages/\(algorithm)/\(checksum.hex.prefix(2))/\(checksum.hex)"
    }

    /// Whether the package with this checksum is in the cache.
    public func contains(_ checksum: Checksum) -> Bool {
        FileManager.default.fileExists(atPath: path(for: checksum))
    }

    /// Places a cached file at `destination`: hardlink, else reflink (FICLONE), else copy; never
    /// partial (temp + rename). Makes missing parent directories and replaces an existing file.
    @discardableResult
    public func materialize(_ checksum: Checksum, at destination: String) throws(FetchError) -> Placement {
        let source = path(for: checksum)
        guard contains(checksum) else { throw .notCached(checksum: checksum) }
        let parent = (destination as NSString).deletingLastPathComponent
        do {
            try FileManager.default.createDirectory(atPath: parent, withIntermediateDirectories: true)
        } catch {
            throw .io(path: parent, operation: "mkdir", reason: "\(error.localizedDescription)")
        }
        let temporary = temporaryName(in: parent, for: (destination as NSString).lastPathComponent)
        let placement = try place(source, at: temporary)
        try publish(temporary, at: destination)
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
            unlink(temporaryDirectory + "/" + entry)
        }
    }

    /// Where partial downloads are written: inside the cache, so rename(2) can publish them.
    var temporaryDirectory: String { "\(directory)/tmp" }

    /// Makes the temporary directory and returns a fresh file name in it.
    func newTemporaryFile(for name: String) throws(FetchError) -> String {
        do {
            try FileManager.default.createDirectory(atPath: temporaryDirectory, withIntermediateDirectories: true)
        } catch {
            throw .io(path: temporaryDirectory, operation: "mkdir", reason: "\(error.localizedDescription)")
        }
        return temporaryName(in: temporaryDirectory, for: name)
    }
}
