import RPM

/// An incremental SHA-256 over librpm's crypto (libgcrypt, hardware-accelerated where the CPU can):
/// layers are hashed while they are written, so nothing is read twice. One thread at a time uses it.
final class SHA256: @unchecked Sendable {
    private let digest: StreamingDigest

    init() {
        // librpm always has sha256; nil would mean a broken librpm installation.
        guard let digest = StreamingDigest(algorithm: "sha256") else {
            preconditionFailure("librpm cannot compute sha256")
        }
        self.digest = digest
    }

    /// Adds `count` bytes at `bytes` to the message.
    func update(_ bytes: UnsafeRawPointer, count: Int) {
        digest.update(UnsafeRawBufferPointer(start: bytes, count: count))
    }

    /// Adds `bytes` to the message.
    func update(_ bytes: [UInt8]) {
        bytes.withUnsafeBytes { digest.update($0) }
    }

    /// The digest as an OCI digest string, `sha256:<hex>`; call once.
    func finish() -> String { "sha256:" + digest.finish() }
}
