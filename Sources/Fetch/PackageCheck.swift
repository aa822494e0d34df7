// The full check of a package, done once when it enters the cache: the repo checksum, librpm's
// header and payload digests (and signature), and the header's NEVRA against the metadata's.
import Foundation
import RPM
import Solv
import SystemPackage

/// Everything one package must pass before it is used.
struct PackageCheck: Sendable {
    /// For messages: the NEVRA as text.
    var name: String
    /// The checksum the bytes must hash to; nil when it was already verified (while downloading).
    var checksum: Checksum?
    /// The NEVRA the repo metadata gives; the header must say the same.
    var nevra: NEVRA?
    var signature: SignatureCheck

    /// Reads `input` once, from start to end: each chunk goes to `output` (when copying into the
    /// cache) and to the checksum; the payload (past the headers, which librpm reads first) to the
    /// digest the header gives for it, which librpm vouches for with the header's digests and
    /// signature. A header without a payload digest (rpm before 4.14): every chunk also goes
    /// through a pipe to librpm on another thread, which checks the payload its own way.
    /// `source` names the bytes in messages. Returns the bytes read.
    func run(input: Int32, output: Int32?, outputPath: FilePath?, source: String) throws(FetchError) -> Int64 {
        // librpm computes two SHA-256 digests of the payload (the "ALT" one over the same bytes);
        // one of our own, in the read that takes the checksum anyway, is all it takes.
        let file = "/dev/fd/\(input)"
        if let header = try? PackageHeader.read(file: file), let expected = header.payloadDigest,
           let payload = StreamingDigest(algorithm: expected.algorithm) {
            let total = try stream(input: input, output: output, outputPath: outputPath, source: source,
                                   payload: (payload, header.payloadOffset))
            let actual = payload.finish()
            if actual != expected.hex {
                let message = "Payload \(expected.algorithm.uppercased()) digest: BAD (Expected \(expected.hex) != \(actual))"
                throw .rejected(name: name, reason: .digestMismatch(path: source, message: message))
            }
            do {
                // The headers' digests and the signature: librpm reads the headers alone.
                try PackageVerifier.verify(file: outputPath?.string ?? file, displayPath: source,
                                           requireSignature: signature.requiresSignature, keys: signature.keys,
                                           payload: false)
            } catch {
                throw .rejected(name: name, reason: error)
            }
            return total
        }
        return try streamToLibrpm(input: input, output: output, outputPath: outputPath, source: source)
    }

    /// One read of `input`: to `output`, the checksum (checked here) and `payload` (from its offset on).
    private func stream(input: Int32, output: Int32?, outputPath: FilePath?, source: String,
                        payload: (digest: StreamingDigest, offset: Int64)) throws(FetchError) -> Int64 {
        let digest = checksum.flatMap { StreamingDigest(algorithm: $0.algorithm) }
        var total: Int64 = 0
        try forEachChunk(of: input, source: source) { (chunk) throws(FetchError) in
            if let output, !writeAll(output, chunk) {
                throw .io(path: outputPath?.string ?? source, operation: "write", reason: lastError())
            }
            digest?.update(chunk)
            let skip = Int(max(0, min(Int64(chunk.count), payload.offset - total)))
            if skip < chunk.count { payload.digest.update(UnsafeRawBufferPointer(rebasing: chunk[skip...])) }
            total += Int64(chunk.count)
        }
        try verify(digest, source: source, outputPath: outputPath)
        return total
    }

    /// The checksum taken while reading (or, for an algorithm librpm lacks, of the file) must be the expected one.
    private func verify(_ digest: StreamingDigest?, source: String, outputPath: FilePath?) throws(FetchError) {
        guard let expected = checksum else { return }
        let actual: Checksum
        if let digest {
            actual = Checksum(algorithm: digest.algorithm, hex: digest.finish())
        } else {
            // An algorithm librpm lacks but libsolv has: hash the copy (or the file) again.
            do { actual = try Checksum.of(file: outputPath?.string ?? source, algorithm: expected.algorithm) } catch {
                throw .io(path: source, operation: "hash", reason: "\(error)")
            }
        }
        if actual.hex != expected.hex {
            throw .checksumMismatch(name: name, source: source, expected: expected, actual: actual)
        }
    }

    /// One read of `input`: to `output`, the checksum, and through a pipe to librpm's full check
    /// on another thread, so the hashes run on two cores.
    private func streamToLibrpm(input: Int32, output: Int32?, outputPath: FilePath?, source: String) throws(FetchError) -> Int64 {
        _ = Self.ignoreBrokenPipes
        var fds: [Int32] = [-1, -1]
        guard pipe(&fds) == 0 else { throw .io(path: source, operation: "pipe", reason: lastError()) }
        let (reader, writer) = (fds[0], fds[1])
        _ = fcntl(reader, F_SETFD, FD_CLOEXEC)
        _ = fcntl(writer, F_SETFD, FD_CLOEXEC)
        // A 1 MiB pipe (F_SETPIPE_SZ, 1031 on Linux) takes one chunk per write: fewer wake-ups.
        _ = fcntl(writer, 1031, Int32(1 << 20))
        let verdict = Locked<PackageVerificationError?>(nil)
        let done = DispatchSemaphore(value: 0)
        let signature = self.signature
        Thread.detachNewThread {
            do throws(PackageVerificationError) {
                switch signature {
                case .digestsOnly:
                    try PackageVerifier.verify(file: "/dev/fd/\(reader)", displayPath: source, requireSignature: false, keys: [])
                case .required(let keys):
                    try PackageVerifier.verify(file: "/dev/fd/\(reader)", displayPath: source, requireSignature: true, keys: keys)
                }
            } catch {
                verdict.update { $0 = error }
            }
            close(reader)
            done.signal()
        }
        let digest = checksum.flatMap { StreamingDigest(algorithm: $0.algorithm) }
        var total: Int64 = 0
        var failure: FetchError?
        var piping = true
        do {
            try forEachChunk(of: input, source: source) { (chunk) throws(FetchError) in
                total += Int64(chunk.count)
                if let output, !writeAll(output, chunk) {
                    throw .io(path: outputPath?.string ?? source, operation: "write", reason: lastError())
                }
                digest?.update(chunk)
                // librpm stops reading a file it rejects: the rest only goes to the checksum.
                if piping && !writeAll(writer, chunk) { piping = false }
            }
        } catch {
            failure = error
        }
        // librpm's thread is let go and waited for before any failure is thrown.
        close(writer)
        done.wait()
        if let failure { throw failure }
        try verify(digest, source: source, outputPath: outputPath)
        if let rejected = verdict.value { throw .rejected(name: name, reason: rejected) }
        return total
    }

    /// The header's NEVRA, which must be the metadata's: a repo that serves package B under
    /// package A's name would otherwise ship B as A.
    func header(of file: FilePath, source: String) throws(FetchError) -> String {
        let header: PackageHeader
        do { header = try PackageHeader.read(file: file.string) } catch { throw .rejected(name: name, reason: error) }
        if let nevra, !Self.same(header, nevra) {
            throw .wrongPackage(name: name, source: source, header: header.description)
        }
        return header.description
    }

    static func same(_ header: PackageHeader, _ nevra: NEVRA) -> Bool {
        header.name == nevra.name && (header.epoch ?? 0) == (nevra.epoch ?? 0) && header.version == nevra.version
            && header.release == nevra.release && header.arch == nevra.arch
    }

    /// The check names a record must hold for this package to pass.
    func requiredChecks(keySet: String?) -> Set<String> {
        var checks: Set<String> = [VerifiedRecord.digestsOnly]
        if let keySet { checks.insert(VerifiedRecord.signed(by: keySet)) }
        return checks
    }

    /// A reader that stops early must not kill the process: writes then fail with EPIPE instead.
    private static let ignoreBrokenPipes: Void = { signal(SIGPIPE, SIG_IGN) }()
}

extension SignatureCheck {
    /// Whether a signature by one of `keys` is required.
    var requiresSignature: Bool {
        if case .required = self { return true }
        return false
    }

    /// The keys a signature must be by; none for digests only.
    var keys: [String] {
        if case .required(let keys) = self { return keys }
        return []
    }
}
