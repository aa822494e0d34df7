// What can go wrong reading an image, in words that say what to do.
import SystemPackage

/// Errors from reading an image. `isInvalidInput` tells a reference that names no usable image
/// (the user's to fix) from a failing environment (network, disk, a damaged store).
public enum ImageSourceError: Error, Sendable, Equatable, CustomStringConvertible {
    /// The reference cannot be parsed.
    case invalidReference(String, reason: String)
    /// skopeo found no image at the reference.
    case notFound(reference: String, message: String)
    /// skopeo failed for another reason (network, TLS); `message` is its own.
    case skopeo(reference: String, message: String)
    /// The registry refused access: no credentials for `host`, or not the right ones (those in
    /// `authFile` when `--authfile` was given); `message` is skopeo's.
    case unauthorized(reference: String, host: String, authFile: FilePath?, message: String)
    /// The `--authfile` given cannot be used.
    case authFile(FilePath, reason: String)
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
        case .invalidReference, .notFound, .noSuchArchitecture, .wrongArchitecture, .authFile: true
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
        case let .unauthorized(reference, host, authFile, message):
            if let authFile {
                "\(reference): the registry refused access with what \(authFile) holds for \(host) (no credentials, "
                    + "or not the right ones; skopeo: \(message)); log in with `skopeo login --authfile \(authFile) "
                    + "\(host)` and check the account may read the image, or give another --authfile"
            } else {
                "\(reference): the registry refused access: it wants credentials for \(host), and none that it accepts "
                    + "were found (skopeo: \(message)); log in with `skopeo login \(host)` or `podman login \(host)` (they write the auth.json "
                    + "skopeo reads), point REGISTRY_AUTH_FILE at an auth file holding them, or give --authfile FILE; "
                    + "some registries answer so for an image that does not exist: check the name too"
            }
        case let .authFile(path, reason):
            "--authfile \(path): \(reason); give an auth file as `skopeo login --authfile FILE HOST` or "
                + "`podman login --authfile FILE HOST` writes it"
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
