/// Failures of libsolv or librpm operations, carrying the C library's own message.
public enum SolvError: Error, Sendable, Equatable, CustomStringConvertible {
    /// A metadata file could not be opened or decompressed.
    case unreadable(path: String, reason: String)
    /// libsolv rejected the content of a metadata file.
    case badMetadata(path: String, reason: String)
    /// The .solv cache could not be written.
    case cacheWrite(path: String, reason: String)
    /// librpm could not open or read an rpmdb.
    case rpmdb(path: String, reason: String)
    /// Some packages of a base package list are in none of the repos (or only with another digest).
    case basePackagesNotFound([BasePackageSpec])

    public var description: String {
        switch self {
        case let .unreadable(path, reason): "cannot read \(path): \(reason)"
        case let .badMetadata(path, reason): "invalid repository metadata in \(path): \(reason)"
        case let .cacheWrite(path, reason): "cannot write cache file \(path): \(reason)"
        case let .rpmdb(path, reason): "cannot read the rpmdb at \(path): \(reason)"
        case let .basePackagesNotFound(missing):
            "\(missing.count) base package(s) are in none of the repos: "
                + missing.map(\.description).joined(separator: ", ")
        }
    }
}
