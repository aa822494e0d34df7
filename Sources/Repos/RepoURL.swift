import Foundation
import SystemPackage

/// Where a repo's files live: a local directory or an http(s) URL.
public enum RepoURL: Sendable, Hashable, CustomStringConvertible {
    /// An absolute local path (from a plain path or a `file://` URL).
    case local(path: String)
    /// An `http://` or `https://` URL.
    case remote(URL)

    /// Why a baseurl or href could not be used.
    public enum Failure: Error, Sendable, Equatable, CustomStringConvertible {
        /// The URL has a scheme other than file, http or https.
        case unsupportedScheme(url: String, scheme: String)
        /// The URL is malformed (bad percent-encoding, remote `file://` host, no host, empty).
        case malformed(url: String, reason: String)
        /// A metadata href is absolute or carries a scheme, so it is not inside the repo.
        case hrefOutsideRepo(href: String)

        /// What is wrong, where, and what to do about it.
        public var description: String {
            switch self {
            case .unsupportedScheme(let url, let scheme):
                return "'\(url)': scheme '\(scheme)' is not supported; use a local path, file://, http:// or https://"
            case .malformed(let url, let reason):
                return "'\(url)': \(reason)"
            case .hrefOutsideRepo(let href):
                return "href '\(href)' is not a path relative to the repo; the repo metadata is unusable, regenerate it"
            }
        }
    }

    /// Classifies `text`; a relative path is resolved against `directory` (e.g. the manifest's folder).
    public init(parsing text: String, relativeTo directory: String) throws(Failure) {
        let trimmed = text.trimmingCharacters(in: .whitespaces)
        guard !trimmed.isEmpty else { throw .malformed(url: text, reason: "empty URL; give a path or URL") }
        let lower = trimmed.lowercased()
        if lower.hasPrefix("file:") {
            self = .local(path: try Self.filePath(trimmed))
        } else if lower.hasPrefix("http://") || lower.hasPrefix("https://") {
            guard let url = URL(string: trimmed), let host = url.host, !host.isEmpty else {
                throw .malformed(url: text, reason: "not a valid http(s) URL; check for spaces or a missing host")
            }
            self = .remote(url)
        } else if let range = trimmed.range(of: "://") {
            throw .unsupportedScheme(url: text, scheme: String(trimmed[..<range.lowerBound]))
        } else if trimmed.hasPrefix("/") {
            self = .local(path: FilePath(trimmed).lexicallyNormalized().string)
        } else {
            let absolute = FilePath(FileManager.default.currentDirectoryPath).pushing(FilePath(directory).appending(trimmed))
            self = .local(path: absolute.lexicallyNormalized().string)
        }
    }

    /// `file:///path` or `file://localhost/path` -> `/path`, percent-decoded.
    private static func filePath(_ text: String) throws(Failure) -> String {
        var rest = text.dropFirst("file:".count)
        if rest.hasPrefix("//") {
            rest = rest.dropFirst(2)
            let host = rest.prefix(while: { $0 != "/" })
            guard host.isEmpty || host.lowercased() == "localhost" else {
                throw .malformed(url: text, reason: "file:// URL names host '\(host)'; only local files work, write file:///path")
            }
            rest = rest.dropFirst(host.count)
        }
        guard rest.hasPrefix("/") else {
            throw .malformed(url: text, reason: "file: URL must hold an absolute path, e.g. file:///srv/repo")
        }
        guard let decoded = String(rest).removingPercentEncoding else {
            throw .malformed(url: text, reason: "bad percent-encoding; write %XX with two hex digits")
        }
        return FilePath(decoded).lexicallyNormalized().string
    }

    /// The location of `href` (e.g. `repodata/repomd.xml`) inside this repo.
    public func appending(_ href: String) throws(Failure) -> RepoURL {
        guard !href.isEmpty, !href.hasPrefix("/"), !href.contains("://") else { throw .hrefOutsideRepo(href: href) }
        switch self {
        case .local(let path):
            return .local(path: FilePath(path).appending(href).lexicallyNormalized().string)
        case .remote(let url):
            let base = url.absoluteString.hasSuffix("/") ? url : URL(string: url.absoluteString + "/") ?? url
            // rpm-md hrefs are raw paths; encode them so names with spaces or '%' stay one path.
            let encoded = href.addingPercentEncoding(withAllowedCharacters: .urlPathAllowed) ?? href
            guard let joined = URL(string: encoded, relativeTo: base)?.absoluteURL else {
                throw .hrefOutsideRepo(href: href)
            }
            return .remote(joined)
        }
    }

    /// The path or URL as text.
    public var description: String {
        switch self {
        case .local(let path): return path
        case .remote(let url): return url.absoluteString
        }
    }
}
