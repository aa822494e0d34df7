import Foundation
import Solv

/// Downloads a repo's remote files with the repo's connection settings. Fetch provides it
/// (`Fetcher`), so that metadata and packages share one HTTP client, its retries and timeouts,
/// and what it learnt about dead hosts during the run.
public protocol RepoDownloader: Sendable {
    /// Downloads the first of `urls` that answers (and, when `expected` is given, has that
    /// checksum and `size`) into a local file, and returns its path. A URL whose host did not
    /// answer earlier in the run is not tried again.
    func download(_ urls: [URL], connection: RepoConnection, expected: Checksum?, size: Int?) throws(RepoDownloadError) -> String

    /// Connects to the hosts of `urls` at once, so that those that do not answer are known (and
    /// skipped) before the URLs are tried one after another; returns the connect time in seconds
    /// of each URL whose host answered.
    func probe(_ urls: [URL], connection: RepoConnection) -> [URL: Double]
}

/// Every URL a download tried, with why it failed.
public struct RepoDownloadError: Error, Sendable, Equatable, CustomStringConvertible {
    /// One URL and the reason it failed, in words (without the URL).
    public struct Attempt: Sendable, Equatable {
        public var url: String
        public var reason: String

        public init(url: String, reason: String) {
            self.url = url
            self.reason = reason
        }
    }

    public var attempts: [Attempt]

    public init(attempts: [Attempt]) {
        self.attempts = attempts
    }

    /// `URL: reason` for each URL, one a line.
    public var description: String {
        attempts.map { "\($0.url): \($0.reason)" }.joined(separator: "\n")
    }
}
