import Foundation
import Repos

extension FetchError {
    /// The URL or path a failure is about, and what happened there in words without it: one line
    /// of a "tried these sources" list.
    var attempt: RepoDownloadError.Attempt {
        switch self {
        case let .httpStatus(url, _), let .transfer(url, _, _), let .connection(url, _), let .notTried(url, _),
            let .unsupportedSource(url), let .missingFile(url), let .io(url, _, _), let .offline(url):
            let text = description
            let reason = text.hasPrefix(url + ": ") ? String(text.dropFirst(url.count + 2)) : text
            return .init(url: url, reason: reason)
        case let .sizeMismatch(_, source, expected, actual):
            return .init(url: source, reason: "got \(actual) bytes where \(expected) were listed (a truncated transfer or a stale mirror)")
        case let .checksumMismatch(_, source, expected, actual):
            return .init(url: source, reason: "\(expected.algorithm) is \(actual.hex) where \(expected.hex) was listed (a stale or broken mirror)")
        default:
            return .init(url: "", reason: description)
        }
    }

    /// The failures of every source tried (`unavailable` holds one per source).
    public var attempts: [RepoDownloadError.Attempt] {
        if case let .unavailable(_, failures) = self { return failures.map(\.attempt) }
        return [attempt]
    }
}
