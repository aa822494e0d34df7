// repomd.xml signatures (repo_gpgcheck): real signed, wrongly signed, unknown-key and unsigned
// repos from the corpus, and keys the tests make with gpg.
import Fixtures
import Foundation
import RPM
import Testing

@Suite("repomd.xml signatures")
struct RepoSignatureTests {
    static let cases = "repos/repomd-signature-cases"

    func bytes(_ path: String) throws -> [UInt8] {
        Array(try Data(contentsOf: URL(fileURLWithPath: path)))
    }

    func corpusCase(_ name: String) throws -> (repomd: [UInt8], signature: String, key: String) {
        let dir = try #require(Corpus.path("\(Self.cases)/\(name)/repodata"), "\(Corpus.absent)")
        return (try bytes(dir + "/repomd.xml"), dir + "/repomd.xml.asc", dir + "/repomd.xml.key")
    }

    @Test(.enabled(if: Corpus.root != nil, Comment(rawValue: Corpus.absent)))
    func realSignedRepomdVerifiesWithItsBinaryKey() throws {
        let signed = try corpusCase("signed_repo")
        let keyID = try DetachedSignature.verify(signed.repomd, signature: try bytes(signed.signature),
                                                 keys: [.init(source: signed.key, bytes: try bytes(signed.key))])
        #expect(keyID == "1a0da09328756003")
    }

    @Test(.enabled(if: Corpus.root != nil, Comment(rawValue: Corpus.absent)))
    func realWrongSignatureIsBad() throws {
        let wrong = try corpusCase("wrongsig_repo")
        #expect(throws: DetachedSignatureError.bad(keyID: "1a0da09328756003")) {
            try DetachedSignature.verify(wrong.repomd, signature: try bytes(wrong.signature),
                                         keys: [.init(source: wrong.key, bytes: try bytes(wrong.key))])
        }
    }

    @Test(.enabled(if: Corpus.root != nil, Comment(rawValue: Corpus.absent)))
    func realSignatureByAKeyNotGivenNamesTheKey() throws {
        let unknown = try corpusCase("unknownkey_repo")
        let dir = try Fixtures.temporaryDirectory("sig-unknown")
        let other = try SigningKey(in: dir)
        defer { other.stop() }
        let signature = try bytes(unknown.signature), otherKey = try bytes(other.publicKey.path)
        do throws(DetachedSignatureError) {
            _ = try DetachedSignature.verify(unknown.repomd, signature: signature,
                                             keys: [.init(source: other.publicKey.path, bytes: otherKey)])
            Issue.record("a signature by a key not given must fail")
        } catch {
            guard case .keyNotGiven(let keyID, let keys, _) = error else {
                Issue.record("expected keyNotGiven, got \(error)")
                return
            }
            #expect(!keyID.isEmpty && keys == [other.publicKey.path])
            #expect(error.description.contains(keyID))
        }
    }

    /// What gpg signs, librpm verifies; one changed byte or the wrong key fails.
    @Test func gpgSignatureVerifiesAndAlterationsFail() throws {
        let dir = try Fixtures.temporaryDirectory("sig-gpg")
        let key = try SigningKey(in: dir), other = try SigningKey(in: dir, name: "other")
        defer { key.stop(); other.stop() }
        let file = dir.appendingPathComponent("repomd.xml")
        try "<?xml version=\"1.0\"?>\n<repomd/>\n".write(to: file, atomically: true, encoding: .utf8)
        try key.sign(file)
        let data = try bytes(file.path), signature = try bytes(file.path + ".asc")
        let keys = [DetachedSignature.Key(source: "other", bytes: try bytes(other.publicKey.path)),
                    DetachedSignature.Key(source: "mine", bytes: try bytes(key.publicKey.path))]
        _ = try DetachedSignature.verify(data, signature: signature, keys: keys)

        var altered = data
        altered[altered.count - 3] ^= 0x20
        #expect {
            try DetachedSignature.verify(altered, signature: signature, keys: keys)
        } throws: { error in
            if case .bad = error as? DetachedSignatureError { return true }
            return false
        }
        #expect {
            try DetachedSignature.verify(data, signature: signature, keys: [keys[0]])
        } throws: { error in
            if case .keyNotGiven = error as? DetachedSignatureError { return true }
            return false
        }
        #expect(throws: DetachedSignatureError.self) {
            try DetachedSignature.verify(data, signature: Array("not a signature".utf8), keys: keys)
        }
    }
}
