internal import CRPM
import Foundation

/// Checks an RPM file the way `rpmkeys --checksig` does: header and payload digests, and
/// optionally an OpenPGP signature by one of the given keys. Never touches any rpmdb.
public enum PackageVerifier {
    /// Checks header and payload digests; with `requireSignature`, also that the package is
    /// signed by one of `keys` (armored OpenPGP public key files, as paths or file:// URLs).
    /// `file` may be a pipe (`/dev/fd/N`) fed by the caller; errors then name `displayPath`.
    /// Safe to call from several threads at once: each captures librpm's verdicts for itself.
    /// Without `payload`, the payload digests are left out (librpm then reads only the headers):
    /// for a caller that checks the payload against the header's digest itself.
    public static func verify(file path: String, displayPath: String? = nil, requireSignature: Bool,
                              keys: [String], payload: Bool = true) throws(PackageVerificationError) {
        let shown = displayPath ?? path
        var info = stat()
        guard stat(path, &info) == 0 else {
            throw .unreadable(path: shown, reason: String(cString: strerror(errno)))
        }
        guard info.st_mode & S_IFMT != S_IFREG || info.st_size > 0 else {
            throw .notAnRPM(path: shown, message: "the file is empty")
        }
        RPMConfig.load()

        guard let keyring = rpmKeyringNew() else { throw .notAnRPM(path: shown, message: "librpm could not make a keyring") }
        defer { rpmKeyringFree(keyring) }
        // Keys librpm 4.18 cannot parse (newer OpenPGP features) are skipped: a package signed by
        // them then fails as "key not available", naming the skipped key.
        var unusable: [String] = []
        if requireSignature {
            for key in keys {
                if let reason = try add(key: key, to: keyring) { unusable.append(reason) }
            }
        }
        let (status, rawLines) = checkSignatures(path: path, keyring: keyring, requireSignature: requireSignature,
                                                 payload: payload)
        let lines = rawLines.map { $0.replacingOccurrences(of: path, with: shown) }.filter { $0 != "\(shown):" }
        let verdicts = lines.compactMap(Verdict.init)
        if status == 0 && !verdicts.isEmpty { return }
        var error = PackageVerificationError(path: shown, verdicts: verdicts, lines: lines, requireSignature: requireSignature)
        // Without the payload, librpm calls its payload digests NOTFOUND and the whole check a
        // failure: what it did check passed when nothing failed and a header digest is OK.
        if !payload, case .rejected = error, verdicts.allSatisfy({ $0.result == "OK" || $0.result == "NOTFOUND" }),
           verdicts.contains(where: { $0.isDigest && $0.result == "OK" }) {
            return
        }
        if case let .keyNotAvailable(path, message) = error, !unusable.isEmpty {
            error = .keyNotAvailable(path: path, message: ([message] + unusable).joined(separator: "; "))
        }
        throw error
    }

    /// Runs `rpmcliVerifySignatures` on one file with a private keyring and captures what it logs.
    private static func checkSignatures(path: String, keyring: OpaquePointer, requireSignature: Bool,
                                        payload: Bool) -> (Int32, [String]) {
        guard let ts = rpmtsCreate() else { return (1, ["librpm could not create a transaction set"]) }
        defer { rpmtsFree(ts) }
        // A keyring of our own: librpm then never loads keys from an rpmdb.
        rpmtsSetKeyring(ts, keyring)
        var level = Int32(RPMSIG_DIGEST_TYPE)
        // The legacy MD5 over header and payload adds nothing to the SHA-256 header and payload
        // digests (and the repo's checksum of the whole file), and costs as much as both.
        var flags = rpmVSFlags(RPMVSF_NOMD5.rawValue | (payload ? 0 : RPMVSF_NOPAYLOAD.rawValue))
        if requireSignature {
            level |= Int32(RPMSIG_SIGNATURE_TYPE)
        } else {
            // Digest-only: a signature by a key we were not given must not fail the package.
            flags = rpmVSFlags(flags | RPMVSF_NODSAHEADER.rawValue | RPMVSF_NORSAHEADER.rawValue
                | RPMVSF_NODSA.rawValue | RPMVSF_NORSA.rawValue)
        }
        rpmtsSetVfyLevel(ts, level)
        rpmtsSetVfyFlags(ts, flags)

        let capture = LogCapture()
        VerdictLog.begin()
        defer { VerdictLog.end() }
        Thread.current.threadDictionary[VerdictLog.key] = capture
        defer { Thread.current.threadDictionary[VerdictLog.key] = nil }

        let argument = strdup(path)
        defer { free(argument) }
        let argv: [UnsafeMutablePointer<CChar>?] = [argument, nil]
        let status = argv.withUnsafeBufferPointer { rpmcliVerifySignatures(ts, $0.baseAddress) }
        let lines = capture.text.split(separator: "\n").map { $0.trimmingCharacters(in: .whitespaces) }
            .filter { !$0.isEmpty && $0 != "\(path):" }
        return (status, lines)
    }

    /// Adds the primary key and subkeys of an armored public key file to `keyring`; returns why
    /// librpm could not use a key it read, and throws when the file cannot be read at all.
    private static func add(key: String, to keyring: OpaquePointer) throws(PackageVerificationError) -> String? {
        let path = key.hasPrefix("file://") ? (URL(string: key)?.path ?? String(key.dropFirst(7))) : key
        guard FileManager.default.isReadableFile(atPath: path),
            let armor = try? String(contentsOfFile: path, encoding: .utf8)
        else {
            throw .unreadableKey(path: path, reason: "no such readable text file")
        }
        var packet: UnsafeMutablePointer<UInt8>?
        var length = 0
        let kind = pgpParsePkts(armor, &packet, &length)
        defer { free(packet) }
        guard kind == PGPARMOR_PUBKEY, let packet else {
            throw .unreadableKey(path: path, reason: "not an armored OpenPGP public key")
        }
        guard Keyring.add(certificate: packet, length: length, to: keyring) else {
            return "librpm cannot use gpgkey \(path) (OpenPGP features newer than this rpm)"
        }
        return nil
    }
}

/// What librpm logs while verifying on one thread, gathered by the log callback.
private final class LogCapture {
    var text = ""
}

/// librpm's log goes to one process-wide callback; verdicts are logged at NOTICE/INFO on the
/// verifying thread, so the callback hands each line to that thread's capture. The callback and
/// mask are installed while any verification runs and restored when the last one ends.
private enum VerdictLog {
    static let key = "dev.mox.rpm-verdicts"
    private static let lock = NSLock()
    nonisolated(unsafe) private static var active = 0
    nonisolated(unsafe) private static var previousMask: Int32 = 0
    nonisolated(unsafe) private static var previousCallback: rpmlogCallback? = nil

    static func begin() {
        lock.withLock {
            active += 1
            guard active == 1 else { return }
            previousMask = rpmlogSetMask(0)
            rpmlogSetMask(mox_rpm_log_upto(Int32(RPMLOG_INFO.rawValue)))
            previousCallback = rpmlogSetCallback({ record, _ in
                guard let record, let text = rpmlogRecMessage(record) else { return 0 }
                if let capture = Thread.current.threadDictionary[VerdictLog.key] as? LogCapture {
                    capture.text += String(cString: text)
                    return 0
                }
                // Not a verification: only what the usual mask lets through reaches stderr.
                return rpmlogRecPriority(record).rawValue <= RPMLOG_CRIT.rawValue ? Int32(RPMLOG_DEFAULT) : 0
            }, nil)
        }
    }

    static func end() {
        lock.withLock {
            active -= 1
            guard active == 0 else { return }
            // librpm cannot tell us the previous callback's data; nobody in mox sets one with data.
            rpmlogSetCallback(previousCallback, nil)
            rpmlogSetMask(previousMask)
        }
    }
}

/// One line of librpm's verdicts: "Header V4 RSA/SHA256 Signature, key ID 1964c5fc: NOKEY".
struct Verdict {
    /// What was checked ("Payload SHA256 digest").
    let subject: String
    /// OK, NOTFOUND, BAD, NOKEY, NOTTRUSTED.
    let result: String
    /// The whole line, for messages.
    let line: String

    init?(_ line: String) {
        guard let colon = line.range(of: ": ", options: .backwards) else { return nil }
        let result = line[colon.upperBound...].split(separator: " ").first.map(String.init) ?? ""
        guard ["OK", "NOTFOUND", "BAD", "NOKEY", "NOTTRUSTED", "UNKNOWN"].contains(result) else { return nil }
        self.subject = String(line[..<colon.lowerBound])
        self.result = result
        self.line = line
    }

    var isDigest: Bool { subject.lowercased().contains("digest") }
    var isSignature: Bool { subject.lowercased().contains("signature") }
}

/// Why librpm rejected a package; each case carries the file and librpm's own words.
public enum PackageVerificationError: Error, Sendable, Equatable, CustomStringConvertible {
    /// The file could not be opened.
    case unreadable(path: String, reason: String)
    /// Empty, truncated or not an RPM at all.
    case notAnRPM(path: String, message: String)
    /// A header or payload digest does not match ("Payload SHA256 digest: BAD (Expected ... != ...)").
    case digestMismatch(path: String, message: String)
    /// A signature is present but does not verify.
    case badSignature(path: String, message: String)
    /// Signed by a key not among the given ones (or one librpm 4.18 cannot use).
    case keyNotAvailable(path: String, message: String)
    /// A signature was required but the package carries none.
    case unsigned(path: String)
    /// A key file could not be read or parsed.
    case unreadableKey(path: String, reason: String)
    /// librpm said no for a reason not listed above.
    case rejected(path: String, message: String)

    init(path: String, verdicts: [Verdict], lines: [String], requireSignature: Bool) {
        let failed = verdicts.filter { $0.result != "OK" && $0.result != "NOTFOUND" }
        let others = lines.filter { Verdict($0) == nil }
        if verdicts.isEmpty {
            let said = others.map { $0.replacingOccurrences(of: "\(path): ", with: "") }.joined(separator: "; ")
            self = .notAnRPM(path: path, message: said.isEmpty ? "librpm could not read a package header" : said)
        } else if let bad = failed.first(where: { $0.isDigest }) {
            self = .digestMismatch(path: path, message: bad.line)
        } else if let bad = failed.first(where: { $0.result == "BAD" || $0.result == "NOTTRUSTED" }) {
            self = .badSignature(path: path, message: bad.line)
        } else if let missing = failed.first(where: { $0.result == "NOKEY" }) {
            self = .keyNotAvailable(path: path, message: missing.line)
        } else if requireSignature && !verdicts.contains(where: { $0.isSignature && $0.result == "OK" }) {
            self = .unsigned(path: path)
        } else {
            self = .rejected(path: path, message: (failed.map(\.line) + others).joined(separator: "; "))
        }
    }

    /// The file the error is about.
    public var path: String {
        switch self {
        case let .unreadable(path, _), let .notAnRPM(path, _), let .digestMismatch(path, _),
            let .badSignature(path, _), let .keyNotAvailable(path, _), let .unsigned(path),
            let .unreadableKey(path, _), let .rejected(path, _):
            return path
        }
    }

    /// What went wrong and what to do about it.
    public var description: String {
        switch self {
        case let .unreadable(path, reason):
            return "\(path): cannot read the package: \(reason)"
        case let .notAnRPM(path, message):
            return "\(path): not a valid RPM (\(message)); the download may be truncated or the repo broken"
        case let .digestMismatch(path, message):
            return "\(path): digest check failed: \(message); the package is corrupted, fetch it again or report the repo"
        case let .badSignature(path, message):
            return "\(path): signature check failed: \(message); the package was altered or signed wrongly"
        case let .keyNotAvailable(path, message):
            return "\(path): signed with a key that is not available: \(message); add the signing key to the repo's gpgkey"
        case let .unsigned(path):
            return "\(path): the package is not signed but the repo sets gpgcheck=1; sign it or set gpgcheck=0"
        case let .unreadableKey(path, reason):
            return "gpgkey \(path): cannot use the key: \(reason)"
        case let .rejected(path, message):
            return "\(path): librpm rejected the package: \(message)"
        }
    }
}
