import Fixtures
import Foundation
import RPM
import Testing

/// librpm's verdicts on real packages: rpm's and libzypp's test RPMs, and ones built here.
@Suite struct PackageVerifierTests {
    static let corpus = Fixtures.corpus?.appendingPathComponent("rpms")
    static let corpusMissing: Comment = "the shared corpus (../shared/corpus) is absent: corpus-based verification tests skipped"

    func rpm(_ relative: String) -> String { Self.corpus!.appendingPathComponent(relative).path }
    var zyppKey: String { rpm("libzypp-sigcheck/signed.key") }

    @Test(.enabled(if: corpus != nil, corpusMissing),
          arguments: ["rpm-upstream/hello-2.0-1.x86_64.rpm", "libzypp-sigcheck/unsigned.rpm", "rpm-upstream/hello-2.0-1.x86_64-signed.rpm"])
    func goodPackagePassesDigestOnlyCheck(_ file: String) throws {
        try PackageVerifier.verify(file: rpm(file), requireSignature: false, keys: [])
    }

    @Test(.enabled(if: corpus != nil, corpusMissing),
          arguments: ["rpm-upstream/hello-2.0-1.x86_64-corrupted.rpm", "libzypp-sigcheck/unsigned_broken.rpm", "libzypp-sigcheck/unsigned_broken_header.rpm"])
    func corruptedPackageFailsWithDigestReason(_ file: String) throws {
        let error = #expect(throws: PackageVerificationError.self) {
            try PackageVerifier.verify(file: rpm(file), requireSignature: false, keys: [])
        }
        guard case .digestMismatch(let path, let message)? = error else {
            Issue.record("expected a digest mismatch, got \(String(describing: error))"); return
        }
        #expect(path == rpm(file))
        #expect(message.contains("digest: BAD"))
        #expect(error!.description.contains(file))
    }

    @Test(.enabled(if: corpus != nil, corpusMissing),
          arguments: [("rpm-upstream/hello-2.0-1.x86_64-signed.rpm", "rpm-upstream/keys/rpm.org-rsa-2048-test.pub"),
                      ("libzypp-sigcheck/signed.rpm", "libzypp-sigcheck/signed.key")])
    func signedPackagePassesWithItsKey(_ file: String, _ key: String) throws {
        try PackageVerifier.verify(file: rpm(file), requireSignature: true, keys: [rpm(key)])
        // Among other keys, and named by a file:// URL as a .repo gpgkey would.
        try PackageVerifier.verify(file: rpm(file), requireSignature: true, keys: [zyppKey, "file://" + rpm(key)])
    }

    @Test(.enabled(if: corpus != nil, corpusMissing),
          arguments: [("rpm-upstream/hello-2.0-1.x86_64-signed.rpm", [String]()),
                      ("libzypp-sigcheck/signed.rpm", ["rpm-upstream/keys/rpm.org-rsa-2048-test.pub"]),
                      ("rpm-upstream/hello-2.0-1.x86_64-signed-with-subkey.rpm", ["rpm-upstream/keys/rpm.org-rsa-2048-add-subkey.asc"])])
    func signedPackageFailsWithoutItsKey(_ file: String, _ keys: [String]) throws {
        let error = #expect(throws: PackageVerificationError.self) {
            try PackageVerifier.verify(file: rpm(file), requireSignature: true, keys: keys.map(rpm))
        }
        guard case .keyNotAvailable(_, let message)? = error else {
            Issue.record("expected key not available, got \(String(describing: error))"); return
        }
        #expect(message.contains("NOKEY"))
        #expect(error!.description.contains("key that is not available"))
    }

    @Test(.enabled(if: corpus != nil, corpusMissing))
    func unsignedPackageFailsWhenSignatureRequired() throws {
        let file = rpm("libzypp-sigcheck/unsigned.rpm")
        #expect(throws: PackageVerificationError.unsigned(path: file)) {
            try PackageVerifier.verify(file: file, requireSignature: true, keys: [zyppKey])
        }
    }

    @Test(.enabled(if: corpus != nil, corpusMissing))
    func alteredSignedPackageFailsEvenWithItsKey() throws {
        let error = #expect(throws: PackageVerificationError.self) {
            try PackageVerifier.verify(file: rpm("libzypp-sigcheck/signed_broken.rpm"), requireSignature: true, keys: [zyppKey])
        }
        guard case .digestMismatch? = error else { Issue.record("got \(String(describing: error))"); return }
    }

    @Test(.enabled(if: corpus != nil, corpusMissing))
    func emptyFileIsNotAnRPM() throws {
        let file = rpm("libzypp-sigcheck/no.rpm")
        #expect(throws: PackageVerificationError.notAnRPM(path: file, message: "the file is empty")) {
            try PackageVerifier.verify(file: file, requireSignature: false, keys: [])
        }
    }

    @Test func textFileIsNotAnRPM() throws {
        let dir = try Fixtures.temporaryDirectory("verify-text")
        defer { try? FileManager.default.removeItem(at: dir) }
        let file = dir.appendingPathComponent("index.html")
        try "<html>404 Not Found</html>\n".write(to: file, atomically: true, encoding: .utf8)
        let error = #expect(throws: PackageVerificationError.self) {
            try PackageVerifier.verify(file: file.path, requireSignature: false, keys: [])
        }
        guard case .notAnRPM(let path, _)? = error else { Issue.record("got \(String(describing: error))"); return }
        #expect(path == file.path)
    }

    @Test(.enabled(if: corpus != nil, corpusMissing))
    func unreadableKeyIsNamed() throws {
        let missing = "/nonexistent/RPM-GPG-KEY-mox"
        let error = #expect(throws: PackageVerificationError.self) {
            try PackageVerifier.verify(file: rpm("libzypp-sigcheck/signed.rpm"), requireSignature: true, keys: [missing])
        }
        guard case .unreadableKey(let path, _)? = error else { Issue.record("got \(String(describing: error))"); return }
        #expect(path == missing)
    }

    @Test func packageBuiltByFixturesPassesDigestCheck() throws {
        let dir = try Fixtures.temporaryDirectory("verify-built")
        defer { try? FileManager.default.removeItem(at: dir) }
        let rpms = try Fixtures.buildRPMs(
            [FixturePackage("verified", arch: "x86_64", files: ["/usr/bin/verified"], size: 4096)], into: dir)
        try PackageVerifier.verify(file: rpms[0].path, requireSignature: false, keys: [])
        #expect(throws: PackageVerificationError.unsigned(path: rpms[0].path)) {
            try PackageVerifier.verify(file: rpms[0].path, requireSignature: true, keys: [])
        }
    }
}
