// What can go wrong reading an image, in words that say what to do.
import SystemPackage

/// Errors from reading an image. `isInvalidInput` tells a reference that names no usable image
/// (the user's to fix) from a failing environment (network, disk, a damaged store).
public enum ImageSourceError: Error, Sendable, Equatable, CustomStringConvertible {
    /// The reference cannot be parsed.
    case invalidReference(String, reason: String)
    /// skopeo found no image at the reference.
    case notFound(reference: String, message: String)
    /// skopeo failed for another reason (network, TLS, authentication); `message` is its own.
    case skopeo(reference: String, message: String)
    /// skopeo is not installed.
    case skopeoMissing
    /// The image has no manifest for the architecture; `available` lists what it has.
    case noSuchArchitecture(reference: String, wanted: String, available: [String])
    /// A single-architecture image of another architecture than the one asked for.
    case wrongArchitecture(reference: String, wanted: String, found: String)
    /// A document of the image is not what the OCI or Docker image specs describe.
    case invalidDocument(reference: String, what: String, reason: String)
    /// A blob's bytes do not have the digest or size its descriptor gives.
    case digestMismatch(reference: String, digest: String, found: String)
    /// A layer could not be read as a tar stream; `message` is libarchive's.
    case layer(reference: String, digest: String, message: String)
    /// A file or directory could not be read or written.
    case io(path: FilePath, reason: String)
    /// A registry image asked for with `--offline`: it was not read.
    case offline(reference: String)

    /// True when the user's input is at fault (exit 2), false for the environment (exit 3).
    public var isInvalidInput: Bool {
        switch self {
        case .invalidReference, .notFound, .noSuchArchitecture, .wrongArchitecture: true
        default: false
        }
    }

    public var description: String {
        switch self {
        case let .invalidReference(text, reason): "\(text): not an image reference: \(reason)"
        case let .notFound(reference, message): "\(reference): no such image (skopeo: \(message))"
        case let .skopeo(reference, message):
            "\(reference): skopeo could not read the image: \(message)"
                + (message.contains("x509") || message.contains("certificate") || message.contains("http: server gave HTTP")
                    ? "; for a private CA use /etc/containers/certs.d/HOST:PORT/ca.crt or SSL_CERT_FILE, "
                        + "for a local plain-HTTP registry --tls-verify=false" : "")
        case .skopeoMissing: "skopeo is not installed; install it (apt-get install skopeo, dnf install skopeo)"
        case let .noSuchArchitecture(reference, wanted, available):
            "\(reference) has no image for \(wanted); it has " + (available.isEmpty ? "none" : available.joined(separator: ", "))
        case let .wrongArchitecture(reference, wanted, found):
            "\(reference) is an image for \(found), not for \(wanted); give the \(wanted) image for that arch (ARCH=REF)"
        case let .invalidDocument(reference, what, reason): "\(reference): invalid \(what): \(reason)"
        case let .digestMismatch(reference, digest, found):
            "\(reference): blob \(digest) is damaged: its content has \(found); fetch the image again"
        case let .layer(reference, digest, message): "\(reference): layer \(digest) cannot be read: \(message)"
        case let .io(path, reason): "\(path): \(reason)"
        case let .offline(reference):
            "\(reference): not read: --offline forbids network connections; prefetch the image "
                + "(skopeo copy \(reference) oci-archive:FILE) and give --base-image oci-archive:FILE"
        }
    }
}
