// A certificate authority made with openssl for TLS tests: server and client certificates,
// valid, expired, or for another name.
import Foundation

/// A CA (key and self-signed certificate) in a folder, issuing certificates with `openssl x509 -req`.
public struct TestCertificateAuthority: Sendable {
    public let directory: URL
    /// The CA certificate (PEM): what `sslcacert` names.
    public let certificate: URL
    let key: URL

    /// A certificate and its key, and both in one PEM file (what FileServer's `tls` takes).
    public struct Issued: Sendable {
        public let certificate: URL
        public let key: URL
        public let combined: URL
    }

    public init(in dir: URL, name: String = "mox test CA") throws {
        directory = dir
        certificate = dir.appendingPathComponent("ca.crt")
        key = dir.appendingPathComponent("ca.key")
        try Fixtures.run(["openssl", "req", "-x509", "-newkey", "rsa:2048", "-nodes", "-days", "2", "-subj", "/CN=\(name)",
                          "-keyout", key.path, "-out", certificate.path])
    }

    /// Issues a certificate for `commonName` with `subjectAltName` (e.g. "IP:127.0.0.1"); a
    /// negative `days` gives one that has already expired.
    public func issue(_ label: String, commonName: String, subjectAltName: String? = nil, days: Int = 2) throws -> Issued {
        let key = directory.appendingPathComponent("\(label).key")
        let request = directory.appendingPathComponent("\(label).csr")
        let certificate = directory.appendingPathComponent("\(label).crt")
        var argv = ["openssl", "req", "-newkey", "rsa:2048", "-nodes", "-subj", "/CN=\(commonName)",
                    "-keyout", key.path, "-out", request.path]
        if let subjectAltName { argv += ["-addext", "subjectAltName=\(subjectAltName)"] }
        try Fixtures.run(argv)
        try Fixtures.run(["openssl", "x509", "-req", "-in", request.path, "-CA", self.certificate.path, "-CAkey", self.key.path,
                          "-CAcreateserial", "-days", String(days), "-copy_extensions", "copy", "-out", certificate.path])
        let combined = directory.appendingPathComponent("\(label).pem")
        try (Data(contentsOf: certificate) + Data(contentsOf: key)).write(to: combined)
        return Issued(certificate: certificate, key: key, combined: combined)
    }
}
