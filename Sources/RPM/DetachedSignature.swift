internal import CRPM
import Foundation

/// Checks a detached OpenPGP signature (a repo's `repomd.xml.asc`) over bytes against public keys,
/// with librpm's OpenPGP code: the same parser and algorithms that check package signatures.
public enum DetachedSignature {
    /// A public key file's bytes (armored or binary), and where it came from, for messages.
    public struct Key: Sendable {
        public var source: String
        public var bytes: [UInt8]

        public init(source: String, bytes: [UInt8]) {
            self.source = source
            self.bytes = bytes
        }
    }

    /// Verifies `signature` (armored or binary) over `data`; returns the signing key's id (hex).
    public static func verify(_ data: [UInt8], signature: [UInt8], keys: [Key]) throws(DetachedSignatureError) -> String {
        RPMConfig.load()
        let packets = try signaturePackets(signature)
        var params: OpaquePointer?
        let parsed = packets.withUnsafeBufferPointer { pgpPrtParams($0.baseAddress, $0.count, UInt32(PGPTAG_SIGNATURE.rawValue), &params) }
        guard parsed == 0, let sig = params else {
            throw .unreadableSignature(reason: "not an OpenPGP signature packet librpm can read")
        }
        defer { pgpDigParamsFree(sig) }
        let keyID = pgpDigParamsSignID(sig).map { id in (0..<8).map { String(format: "%02x", id[$0]) }.joined() } ?? "?"

        guard let keyring = rpmKeyringNew() else { throw .unreadableSignature(reason: "librpm could not make a keyring") }
        defer { rpmKeyringFree(keyring) }
        var unusable: [String] = []
        for key in keys {
            let certificates = try publicKeyPackets(key)
            for certificate in certificates {
                let added = certificate.withUnsafeBufferPointer { buffer in
                    buffer.baseAddress.map { Keyring.add(certificate: $0, length: buffer.count, to: keyring) } ?? false
                }
                if !added { unusable.append("\(key.source) (OpenPGP features newer than this rpm)") }
            }
        }

        let algorithm = pgpDigParamsAlgo(sig, UInt32(PGPVAL_HASHALGO.rawValue))
        guard let context = rpmDigestInit(Int32(algorithm), rpmDigestFlags(RPMDIGEST_NONE.rawValue)) else {
            throw .unreadableSignature(reason: "it uses hash algorithm \(algorithm), which this librpm lacks")
        }
        // A text-mode signature covers the text with CRLF line ends.
        let signed = pgpSignatureType(sig) == Int32(PGPSIGTYPE_TEXT.rawValue) ? canonicalText(data) : data
        _ = signed.withUnsafeBytes { rpmDigestUpdate(context, $0.baseAddress, $0.count) }
        let result = rpmKeyringVerifySig(keyring, sig, context)
        rpmDigestFinal(context, nil, nil, 0)
        switch result {
        case RPMRC_OK:
            return keyID
        case RPMRC_NOKEY:
            throw .keyNotGiven(keyID: keyID, keys: keys.map(\.source), unusable: unusable)
        case RPMRC_NOTTRUSTED:
            throw .notTrusted(keyID: keyID)
        default:
            throw .bad(keyID: keyID)
        }
    }

    /// The binary packets of an armored or binary signature.
    private static func signaturePackets(_ bytes: [UInt8]) throws(DetachedSignatureError) -> [UInt8] {
        guard isArmored(bytes) else { return bytes }
        // librpm 4.18's armor decoder takes public key blocks only; the armor (base64 and CRC) is
        // the same for a signature, so its labels are renamed for the decoder, and what comes out
        // must still parse as a signature packet below.
        let text = String(decoding: bytes, as: UTF8.self)
            .replacingOccurrences(of: "-----BEGIN PGP SIGNATURE-----", with: "-----BEGIN PGP PUBLIC KEY BLOCK-----")
            .replacingOccurrences(of: "-----END PGP SIGNATURE-----", with: "-----END PGP PUBLIC KEY BLOCK-----")
        guard let packets = dearmor(text, expecting: PGPARMOR_PUBKEY) else {
            throw .unreadableSignature(reason: "no armored OpenPGP signature in it (or its checksum is wrong)")
        }
        return packets
    }

    /// One binary certificate per public key block of an armored file, or the binary file as is.
    private static func publicKeyPackets(_ key: Key) throws(DetachedSignatureError) -> [[UInt8]] {
        guard isArmored(key.bytes) else { return key.bytes.isEmpty ? [] : [key.bytes] }
        let text = String(decoding: key.bytes, as: UTF8.self)
        let marker = "-----BEGIN PGP PUBLIC KEY BLOCK-----"
        let blocks = text.components(separatedBy: marker).dropFirst().map { marker + $0 }
        let certificates = blocks.compactMap { dearmor($0, expecting: PGPARMOR_PUBKEY) }
        guard !certificates.isEmpty else {
            throw .unusableKey(source: key.source, reason: "no armored OpenPGP public key block in it")
        }
        return certificates
    }

    private static func isArmored(_ bytes: [UInt8]) -> Bool {
        String(decoding: bytes.prefix(4096), as: UTF8.self).contains("-----BEGIN PGP")
    }

    private static func dearmor(_ armor: String, expecting kind: pgpArmor) -> [UInt8]? {
        var packet: UnsafeMutablePointer<UInt8>?
        var length = 0
        let found = pgpParsePkts(armor, &packet, &length)
        defer { free(packet) }
        guard found == kind, let packet, length > 0 else { return nil }
        return Array(UnsafeBufferPointer(start: packet, count: length))
    }

    private static func canonicalText(_ data: [UInt8]) -> [UInt8] {
        var out: [UInt8] = []
        out.reserveCapacity(data.count + data.count / 40)
        var previous: UInt8 = 0
        for byte in data {
            if byte == UInt8(ascii: "\n") && previous != UInt8(ascii: "\r") { out.append(UInt8(ascii: "\r")) }
            out.append(byte)
            previous = byte
        }
        return out
    }
}

/// Why a detached signature did not verify.
public enum DetachedSignatureError: Error, Sendable, Equatable, CustomStringConvertible {
    /// The signature file is not an OpenPGP signature.
    case unreadableSignature(reason: String)
    /// A key file holds no OpenPGP public key.
    case unusableKey(source: String, reason: String)
    /// Signed by a key that is not among those given (or one this librpm cannot use).
    case keyNotGiven(keyID: String, keys: [String], unusable: [String])
    /// The signature does not match the data: it was altered, or signed over other bytes.
    case bad(keyID: String)
    /// The key is not trusted (revoked or expired, as librpm judges it).
    case notTrusted(keyID: String)

    public var description: String {
        switch self {
        case let .unreadableSignature(reason):
            return "the signature cannot be read: \(reason)"
        case let .unusableKey(source, reason):
            return "gpgkey \(source) cannot be used: \(reason)"
        case let .keyNotGiven(keyID, keys, unusable):
            let given = keys.isEmpty ? "none" : keys.joined(separator: ", ")
            let skipped = unusable.isEmpty ? "" : "; keys librpm could not use: " + unusable.joined(separator: ", ")
            return "signed by key \(keyID), which is not among the repo's gpgkey (\(given)\(skipped))"
        case let .bad(keyID):
            return "the signature by key \(keyID) does not match: the file was altered or the signature belongs to another file"
        case let .notTrusted(keyID):
            return "key \(keyID) is not trusted (expired or revoked)"
        }
    }
}
