// OpenPGP keys and detached signatures made with gpg, as repo owners sign repomd.xml.
import Foundation

/// A gpg key pair in a home directory of its own; `publicKey` is its armored public key file.
public struct SigningKey: Sendable {
    public let home: URL
    public let publicKey: URL

    /// Generates an RSA signing key (no passphrase) under `dir`.
    public init(in dir: URL, name: String = "mox test") throws {
        home = dir.appendingPathComponent("gnupg-\(UUID().uuidString.prefix(6))")
        try FileManager.default.createDirectory(at: home, withIntermediateDirectories: true,
                                                attributes: [.posixPermissions: 0o700])
        publicKey = dir.appendingPathComponent("\(home.lastPathComponent).asc")
        try gpg(["--passphrase", "", "--quick-gen-key", "\(name) <test@example.invalid>", "rsa2048", "sign", "never"])
        let exported = try gpg(["--armor", "--export"])
        try exported.write(to: publicKey, atomically: true, encoding: .utf8)
    }

    /// Writes `file`.asc, an armored detached signature of `file`.
    public func sign(_ file: URL) throws {
        try gpg(["--yes", "--armor", "--detach-sign", "--output", file.path + ".asc", file.path])
    }

    /// Stops the gpg-agent signing started.
    public func stop() {
        _ = try? Fixtures.run(["gpgconf", "--homedir", home.path, "--kill", "gpg-agent"], allowFailure: true)
    }

    @discardableResult
    private func gpg(_ arguments: [String]) throws -> String {
        try Fixtures.run(["gpg", "--homedir", home.path, "--batch", "--pinentry-mode", "loopback", "--quiet"] + arguments).stdout
    }
}
