// RepodataError: why repodata/ could not be written, with createrepo_c's own words.

/// A failure to write rpm-md repodata, naming the file it concerns.
public enum RepodataError: Error, Sendable, Equatable, CustomStringConvertible {
    /// createrepo_c could not read `path` as an RPM (missing, unreadable, or not an RPM).
    case unreadablePackage(path: String, message: String)
    /// `href` cannot be a package location: empty, absolute, with "." or ".." parts, or given twice.
    case invalidLocation(href: String, reason: String)
    /// Writing `path` (a metadata file, repomd.xml or the repodata/ folder) failed.
    case writeFailed(path: String, message: String)

    /// What went wrong, where, and what to check.
    public var description: String {
        switch self {
        case let .unreadablePackage(path, message):
            return "cannot read package \(path): \(message) (is it a complete RPM file?)"
        case let .invalidLocation(href, reason):
            return "invalid package location '\(href)': \(reason)"
        case let .writeFailed(path, message):
            return "cannot write \(path): \(message)"
        }
    }
}
