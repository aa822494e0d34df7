import Foundation
import Repos
import Solv
import SystemPackage

extension Fetcher {
    /// Downloads `url` (with the same retries and failover as packages) into `directory`, under
    /// a name derived from the URL, so the same URL always lands on the same file. Returns its path.
    public func download(_ url: URL, into directory: String, connection: RepoConnection = .init()) throws(FetchError) -> String {
        let destination = FilePath(directory).appending(Self.fileName(for: url)).string
        try download([url], to: destination, connection: connection)
        return destination
    }

    /// A short digest of the URL (unique) and its last component (readable).
    static func fileName(for url: URL) -> String {
        let text = url.absoluteString
        let digest = (try? Checksum.of(bytes: Array(text.utf8)).hex.prefix(16)).map(String.init) ?? "x"
        let tail = (url.pathComponents.last ?? "").filter { $0.isLetter || $0.isNumber || "-_.".contains($0) }
        return digest + "-" + tail
    }
}
