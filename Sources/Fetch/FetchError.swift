import Foundation
import RPM
import Solv

/// Why a package or file could not be fetched; every case names the package, URL or path.
public indirect enum FetchError: Error, Sendable, Equatable, CustomStringConvertible {
    /// The server answered with an HTTP error status.
    case httpStatus(url: String, status: Int)
    /// The transfer failed: refused, reset, timed out... with libcurl's code and text.
    case transfer(url: String, code: Int, message: String)
    /// A failure explained in the repo's terms (TLS, credentials, proxy): `reason` says what to change.
    case connection(url: String, reason: String)
    /// Not tried: the host failed earlier in this run, for `reason`.
    case notTried(url: String, reason: String)
    /// The bytes received are not as many as the repo metadata says.
    case sizeMismatch(name: String, source: String, expected: Int64, actual: Int64)
    /// The bytes received do not hash to the repo metadata's checksum.
    case checksumMismatch(name: String, source: String, expected: Checksum, actual: Checksum)
    /// A file:// or plain-path source does not exist.
    case missingFile(path: String)
    /// A source URL with a scheme other than file, http or https.
    case unsupportedSource(url: String)
    /// Reading or writing a local file failed.
    case io(path: String, operation: String, reason: String)
    /// `materialize` was asked for a package the cache does not hold.
    case notCached(checksum: Checksum)
    /// Every source of a package failed; one entry per source, its last failure.
    case unavailable(name: String, failures: [FetchError])
    /// librpm rejected the package (digest, signature, not an RPM).
    case rejected(name: String, reason: PackageVerificationError)
    /// The package's header names another package than the repo metadata does.
    case wrongPackage(name: String, source: String, header: String)
    /// More than one package failed.
    case several([FetchError])
    /// Not fetched: `--offline` forbids network connections.
    case offline(url: String)

    /// Whether trying the same source again might help.
    var isTransient: Bool {
        switch self {
        case let .httpStatus(_, status): return status == 408 || status == 429 || status >= 500
        case let .transfer(_, code, _): return ![1, 3, 4].contains(code)  // unsupported protocol, bad URL, not built in
        case .sizeMismatch: return true  // a truncated body
        default: return false
        }
    }

    /// What went wrong, where, and what to do.
    public var description: String {
        switch self {
        case let .httpStatus(url, status):
            let hint = status == 404
                ? "the repo metadata may be stale or the baseurl wrong" : status >= 500 ? "the server failed; try again later" : "check the URL and access rights"
            return "\(url): HTTP \(status) (\(hint))"
        case let .transfer(url, code, message):
            return "\(url): \(message) (libcurl error \(code); check the network, proxy settings and the baseurl)"
        case let .sizeMismatch(name, source, expected, actual):
            return "\(name) from \(source): got \(actual) bytes but the repo metadata says \(expected) (truncated or stale mirror)"
        case let .checksumMismatch(name, source, expected, actual):
            return "\(name) from \(source): \(expected.algorithm) is \(actual.hex) but the repo metadata says \(expected.hex) (corrupted download or stale mirror; refresh the metadata)"
        case let .connection(url, reason):
            return "\(url): \(reason)"
        case let .notTried(url, reason):
            return "\(url): not tried: \(reason)"
        case let .missingFile(path):
            return "\(path): no such file (is the local repo complete and its metadata current?)"
        case let .unsupportedSource(url):
            return "\(url): only file://, http:// and https:// sources are supported"
        case let .io(path, operation, reason):
            return "\(path): \(operation) failed: \(reason)"
        case let .notCached(checksum):
            return "\(checksum.algorithm):\(checksum.hex) is not in the package cache; fetch it first"
        case let .unavailable(name, failures):
            if failures.isEmpty { return "\(name): no source to fetch it from (the repo has no baseurl)" }
            let tried = failures.map { "  - \($0.description)" }.joined(separator: "\n")
            return "\(name): could not be fetched from any of \(failures.count) source(s):\n\(tried)"
        case let .rejected(name, reason):
            return "\(name): \(reason.description)"
        case let .wrongPackage(name, source, header):
            return "\(source): the repo metadata says this is \(name) but the package's header says \(header); "
                + "the repo is broken or hostile: regenerate its metadata or drop the repo"
        case let .offline(url):
            return "\(url): not fetched: --offline forbids network connections; prefetch it (hermeto) and use the prefetched repos"
        case let .several(errors):
            return "\(errors.count) packages failed:\n" + errors.map(\.description).joined(separator: "\n")
        }
    }
}
