import Foundation
import Repos
import Solv

/// Repo metadata (repomd.xml, metalinks, mirrorlists, signatures, keys, primary...) comes through
/// the same client as packages: the repo's settings, retries, and what the run knows of dead hosts.
extension Fetcher: RepoDownloader {
    /// Downloads into `<cache>/metadata/`: a file with a known checksum under that checksum (and
    /// not again when it is there), any other under a name made from its first URL.
    public func download(_ urls: [URL], connection: RepoConnection, expected: Checksum?, size: Int?)
        throws(RepoDownloadError) -> String {
        guard let first = urls.first else { throw RepoDownloadError(attempts: []) }
        let directory = cache.directory + "/metadata"
        let destination: String
        if let expected {
            let tail = Self.fileName(for: first).drop { $0 != "-" }
            destination = directory + "/" + expected.algorithm + "-" + expected.hex + tail
            if let existing = try? Checksum.of(file: destination, algorithm: expected.algorithm), existing.hex == expected.hex {
                return destination
            }
        } else {
            destination = directory + "/" + Self.fileName(for: first)
        }
        do {
            try download(urls, to: destination, connection: connection, checksum: expected, size: size.map(Int64.init))
        } catch {
            throw RepoDownloadError(attempts: error.attempts)
        }
        return destination
    }
}
