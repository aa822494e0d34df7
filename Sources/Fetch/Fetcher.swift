internal import CLinux
import Foundation
import Repos
import Threads
import RPM
import Solv
import SystemPackage

/// Fills the package cache from repos: local files are cloned or copied (never hardlinked), remote
/// ones downloaded several at once, each with retries, backoff and failover across its sources;
/// every package is verified in full once on its way in (size, checksum, header NEVRA, librpm's
/// digests and signature) and proven unchanged afterwards by its record (`VerifiedRecord`).
public final class Fetcher: Sendable {
    /// Where packages end up.
    public let cache: PackageCache
    /// Concurrency, timeouts, retries.
    public let options: FetchOptions
    private let progress: (@Sendable (FetchProgress) -> Void)?
    /// Hosts that could not be reached are not tried again in this run.
    let hosts = HostHealth()
    /// Key-set digests by key list, computed once per run.
    private let keySets = Locked([[String]: String]())

    /// A fetcher filling `cache`; `progress` is called from worker threads, one call at a time.
    public init(cache: PackageCache, options: FetchOptions = .init(), progress: (@Sendable (FetchProgress) -> Void)? = nil) {
        self.cache = cache
        self.options = options
        self.progress = progress
    }

    /// Ensures every request is in the cache (verified size + checksum) and passes librpm's checks,
    /// fetching what is missing, several at once. Results come in the order of `requests`.
    /// All failures are collected: one is thrown as is, more as `.several`.
    public func fetch(_ requests: [FetchRequest]) throws(FetchError) -> [FetchResult] {
        cache.removeLeftovers()
        // The same package asked for twice (two arches, two repos) is fetched once.
        var firstRequest: [Checksum: Int] = [:]
        var unique: [FetchRequest] = []
        for request in requests where firstRequest[request.checksum] == nil {
            firstRequest[request.checksum] = unique.count
            unique.append(request)
        }
        let jobs = unique
        let bytesTotal = jobs.filter { !cache.contains($0.checksum) }.reduce(0) { $0 + ($1.size ?? 0) }
        let tracker = ProgressTracker(packagesTotal: jobs.count, bytesTotal: bytesTotal, report: progress)

        let outcomes = Locked([Result<FetchResult, FetchError>?](repeating: nil, count: jobs.count))
        let next = Locked(0)
        // Plain threads: each blocks in libcurl, which would starve Dispatch's small pool.
        Threads.run(min(max(1, options.concurrency), jobs.count)) { [self] _ in
            var client: HTTPClient?
            while true {
                let index = next.update { value -> Int in defer { value += 1 }; return value }
                guard index < jobs.count else { return }
                let outcome = obtain(jobs[index], client: &client, tracker: tracker)
                outcomes.update { $0[index] = outcome }
            }
        }

        let done = outcomes.value
        var failures: [FetchError] = []
        for case .failure(let error)? in done { failures.append(error) }
        if failures.count == 1 { throw failures[0] }
        if failures.count > 1 { throw .several(failures) }
        var results: [FetchResult] = []
        for request in requests {
            let job = jobs[firstRequest[request.checksum]!]
            guard case .success(var result)? = done[firstRequest[request.checksum]!] else {
                preconditionFailure("every job has a result once the workers are done")
            }
            // One file asked for under two NEVRAs: its header (verified, in its record) is only one of them.
            if let nevra = request.nevra, nevra != job.nevra {
                let header = cache.records.read(FilePath(result.path))?.header ?? "an unknown package"
                if header != nevra.description {
                    failures.append(.wrongPackage(name: request.name, source: request.sources.first?.absoluteString ?? result.path,
                                                  header: header))
                    continue
                }
            }
            result.request = request
            results.append(result)
        }
        if failures.count == 1 { throw failures[0] }
        if failures.count > 1 { throw .several(failures) }
        return results
    }

    /// Downloads one small file (repo metadata such as repomd.xml) to `destination` with the same
    /// retries and failover, and `connection`'s settings; `checksum` and `size` are checked when given.
    /// With `prefix`, only the first that many bytes are asked for (an HTTP range request: a
    /// package's lead, signature and header); a server that ignores ranges sends the whole file,
    /// which serves as well.
    public func download(_ sources: [URL], to destination: String, connection: RepoConnection = .init(),
                         checksum: Checksum? = nil, size: Int64? = nil, prefix: Int64? = nil) throws(FetchError) {
        let file = FilePath(destination)
        let parent = file.removingLastComponent().isEmpty ? FilePath(".") : file.removingLastComponent()
        try makeDirectories(parent)
        let name = file.lastComponent?.string ?? destination
        var target = Target(name: name, sources: sources, size: size, checksum: checksum, connection: connection) {
            temporaryName(in: parent, for: name).string
        }
        target.prefix = prefix
        var client: HTTPClient?
        let (temporary, _) = try retrieve(target, client: &client, onBytes: { _ in }).get()
        try publish(temporary, at: destination)
    }

    /// One package: from the cache when its record proves it verified and unchanged (one stat),
    /// else verified in full there (one read), else fetched and verified in full on its way in.
    private func obtain(_ request: FetchRequest, client: inout HTTPClient?, tracker: ProgressTracker) -> Result<FetchResult, FetchError> {
        let entry = FilePath(cache.path(for: request.checksum))
        let check = PackageCheck(name: request.name, checksum: request.checksum, nevra: request.nevra, signature: request.signature)
        let keySet: String?
        do throws(FetchError) { keySet = try self.keySet(request.signature) } catch { return .failure(error) }
        if cache.contains(request.checksum) {
            switch reuse(entry, check: check, keySet: keySet) {
            case .success:
                tracker.finished(name: request.name)
                return .success(FetchResult(request: request, path: entry.string, wasCached: true, bytesTransferred: 0))
            case .failure:
                // Damaged behind our back (or never proven): fetched again from the repo.
                cache.records.remove(entry)
                unlink(entry.string)
            }
        }
        let cache = self.cache
        let target = Target(name: request.name, sources: request.sources, size: request.size, checksum: request.checksum,
                            connection: request.connection, check: check, keySet: keySet) { () throws(FetchError) -> String in
            try cache.newTemporaryFile(for: request.name)
        }
        do throws(FetchError) {
            let (temporary, received) = try retrieve(target, client: &client) { tracker.add(bytes: $0, name: request.name) }.get()
            try publish(temporary, at: entry.string)
            tracker.finished(name: request.name)
            return .success(FetchResult(request: request, path: entry.string, wasCached: false, bytesTransferred: received))
        } catch {
            // Bytes that arrived whole but are not the package (librpm, header) say so directly.
            if case .unavailable(_, let failures) = error, failures.count == 1 {
                switch failures[0] {
                case .rejected, .wrongPackage: return .failure(failures[0])
                default: break
                }
            }
            return .failure(error)
        }
    }

    /// A cache entry passes without being read when its record describes the file as it is now and
    /// holds every check this request needs; otherwise it is verified in full once and recorded.
    private func reuse(_ entry: FilePath, check: PackageCheck, keySet: String?) -> Result<Void, FetchError> {
        let fd = open(entry.string, O_RDONLY | O_CLOEXEC)
        guard fd >= 0 else { return .failure(.io(path: entry.string, operation: "open", reason: lastError())) }
        defer { close(fd) }
        var info = stat()
        guard fstat(fd, &info) == 0 else { return .failure(.io(path: entry.string, operation: "stat", reason: lastError())) }
        let required = check.requiredChecks(keySet: keySet)
        var record = cache.records.read(entry)
        if let known = record, !known.describes(info) || known.checksum.hex != check.checksum?.hex
            || (check.nevra.map { $0.description != known.header } ?? false) {
            record = nil
        }
        do throws(FetchError) {
            if record == nil {
                var full = check
                full.signature = keySet == nil ? .digestsOnly : check.signature
                _ = try full.run(input: fd, output: nil, outputPath: nil, source: entry.string)
                let header = try check.header(of: entry, source: entry.string)
                guard fstat(fd, &info) == 0 else { throw .io(path: entry.string, operation: "stat", reason: lastError()) }
                record = VerifiedRecord(checksum: check.checksum!, size: Int64(info.st_size), inode: UInt64(info.st_ino),
                                        mtime: VerifiedRecord.nanoseconds(info.st_mtim), header: header, checks: required)
            } else if let known = record, !required.isSubset(of: known.checks) {
                // Verified before, but not against these keys (gpgcheck or gpgkey changed): librpm alone.
                if case .required(let keys) = check.signature {
                    do {
                        try PackageVerifier.verify(file: entry.string, requireSignature: true, keys: keys)
                    } catch {
                        throw .rejected(name: check.name, reason: error)
                    }
                }
                record?.checks.formUnion(required)
            } else {
                fixMode(fd, info)
                return .success(())
            }
        } catch {
            return .failure(error)
        }
        fixMode(fd, info)
        if let record { cache.records.write(record, fd: fd, entry: entry) }
        return .success(())
    }

    /// Cache files are 0644 whatever the umask of the run that made them: trees link to them.
    private func fixMode(_ fd: Int32, _ info: stat) {
        if info.st_mode & 0o7777 != 0o644 { fchmod(fd, 0o644) }
    }

    /// sha256 over the contents of a signature check's key files, which names the key set in
    /// records; nil when no signature is required.
    private func keySet(_ signature: SignatureCheck) throws(FetchError) -> String? {
        guard case .required(let keys) = signature else { return nil }
        if let known = keySets.value[keys] { return known }
        var bytes: [UInt8] = []
        var contents: [[UInt8]] = []
        for key in keys {
            let path = key.hasPrefix("file://") ? (URL(string: key)?.path ?? String(key.dropFirst(7))) : key
            guard let data = FileManager.default.contents(atPath: path) else {
                throw .io(path: path, operation: "read the gpgkey", reason: "no such readable file")
            }
            contents.append(Array(data))
        }
        for content in contents.sorted(by: { $0.lexicographicallyPrecedes($1) }) { bytes += content + [0] }
        let digest = (try? Checksum.of(bytes: bytes).hex) ?? ""
        keySets.update { $0[keys] = digest }
        return digest
    }

    /// What to get and what it must look like.
    struct Target {
        var name: String
        var sources: [URL]
        var size: Int64?
        var checksum: Checksum?
        /// The repo's TLS, credentials, proxy, timeouts and retries.
        var connection: RepoConnection
        /// For packages: the full check the bytes must pass on their way in (nil for metadata).
        var check: PackageCheck? = nil
        /// The key set a signature was checked against, for the record.
        var keySet: String? = nil
        /// Only the first this many bytes (an HTTP range), for a package's header; nil: all of it.
        var prefix: Int64? = nil
        /// A fresh path on the destination's filesystem for the bytes in flight.
        var temporaryPath: () throws(FetchError) -> String
    }

    /// One failed attempt, and whether the same source deserves another.
    struct Failure: Error {
        var error: FetchError
        var retry: Bool
    }

    /// Tries every source in order; sources that failed transiently get further rounds after a
    /// growing pause. Returns the verified temporary file and its size.
    private func retrieve(_ target: Target, client: inout HTTPClient?, onBytes: (Int64) -> Void) -> Result<(String, Int64), FetchError> {
        var live = Array(target.sources.indices)
        var lastFailure: [Int: FetchError] = [:]
        for round in 0...max(0, target.connection.retries ?? options.retries) where !live.isEmpty {
            if round > 0 { Thread.sleep(forTimeInterval: options.delay(beforeRound: round)) }
            for index in live {
                switch attempt(target, from: target.sources[index], client: &client, onBytes: onBytes) {
                case .success(let file):
                    return .success(file)
                case .failure(let failure):
                    lastFailure[index] = failure.error
                    if !failure.retry { live.removeAll { $0 == index } }
                }
            }
        }
        return .failure(.unavailable(name: target.name, failures: target.sources.indices.compactMap { lastFailure[$0] }))
    }

    /// One try from one source into a new temporary file, which is removed on failure.
    private func attempt(_ target: Target, from source: URL, client: inout HTTPClient?, onBytes: (Int64) -> Void) -> Result<(String, Int64), Failure> {
        let temporary: String
        do { temporary = try target.temporaryPath() } catch { return .failure(Failure(error: error, retry: false)) }
        let result: Result<Int64, Failure>
        if source.isFileURL {
            result = copyLocal(target, from: source.path, to: temporary)
        } else if ["http", "https"].contains(source.scheme?.lowercased() ?? "") {
            result = download(target, from: source.absoluteString, to: temporary, client: &client, onBytes: onBytes)
        } else {
            result = .failure(Failure(error: .unsupportedSource(url: source.absoluteString), retry: false))
        }
        switch result {
        case .success(let bytes):
            return .success((temporary, bytes))
        case .failure(let failure):
            unlink(temporary)
            return .failure(failure)
        }
    }

    /// A file:// or plain-path source: cloned (reflink) or copied, never hardlinked (the cache
    /// must not share an inode with a file mox does not own), and checked in the same read.
    private func copyLocal(_ target: Target, from path: String, to temporary: String) -> Result<Int64, Failure> {
        do throws(FetchError) {
            let input = open(path, O_RDONLY | O_CLOEXEC)
            guard input >= 0 else {
                throw errno == ENOENT ? .missingFile(path: path) : .io(path: path, operation: "open", reason: lastError())
            }
            defer { close(input) }
            var info = stat()
            guard fstat(input, &info) == 0 else { throw .io(path: path, operation: "stat", reason: lastError()) }
            let size = Int64(info.st_size)
            if let expected = target.size, expected != size {
                throw .sizeMismatch(name: target.name, source: path, expected: expected, actual: size)
            }
            let output = open(temporary, O_RDWR | O_CREAT | O_EXCL | O_CLOEXEC, 0o644)
            guard output >= 0 else { throw .io(path: temporary, operation: "create", reason: lastError()) }
            var closed = false
            defer { if !closed { close(output) } }
            let check = target.check ?? PackageCheck(name: target.name, checksum: target.checksum, nevra: nil, signature: .digestsOnly)
            if mox_reflink(output, input) == 0 {
                // The clone shares the source's blocks: read it once for the checks.
                if let fresh = target.check {
                    _ = try fresh.run(input: output, output: nil, outputPath: nil, source: path)
                } else {
                    try verifyChecksum(target, of: temporary, source: path)
                }
            } else if target.check != nil {
                _ = try check.run(input: input, output: output, outputPath: FilePath(temporary), source: path)
            } else {
                try copyBytes(from: input, source: path, to: output, target: temporary)
                try verifyChecksum(target, of: temporary, source: path)
            }
            try finishEntry(target, fd: output, at: temporary, source: path)
            closed = true
            try closeChecked(output, path: temporary)
            return .success(size)
        } catch {
            return .failure(Failure(error: error, retry: false))
        }
    }

    /// Metadata files (no package check): the copy must hash to the checksum, when one is known.
    private func verifyChecksum(_ target: Target, of file: String, source: String) throws(FetchError) {
        guard let expected = target.checksum else { return }
        let actual = try hashFile(file, algorithm: expected.algorithm)
        if actual.hex != expected.hex {
            throw .checksumMismatch(name: target.name, source: source, expected: expected, actual: actual)
        }
    }

    /// A package that passed its checks gets its header compared with the metadata, mode 0644 and
    /// its record, before it is renamed into the cache.
    private func finishEntry(_ target: Target, fd: Int32, at temporary: String, source: String) throws(FetchError) {
        guard let check = target.check, let checksum = target.checksum else { return }
        let header = try check.header(of: FilePath(temporary), source: source)
        fchmod(fd, 0o644)
        var info = stat()
        guard fstat(fd, &info) == 0 else { throw .io(path: temporary, operation: "stat", reason: lastError()) }
        let record = VerifiedRecord(checksum: checksum, size: Int64(info.st_size), inode: UInt64(info.st_ino),
                                    mtime: VerifiedRecord.nanoseconds(info.st_mtim), header: header,
                                    checks: check.requiredChecks(keySet: target.keySet))
        cache.records.write(record, fd: fd, entry: FilePath(cache.path(for: checksum)))
    }

    /// An http(s) source: streamed to disk, hashed on the way, never more than the expected size.
    private func download(_ target: Target, from url: String, to temporary: String, client: inout HTTPClient?, onBytes: (Int64) -> Void) -> Result<Int64, Failure> {
        do throws(FetchError) {
            let http: HTTPClient
            if let client { http = client } else {
                do { http = try HTTPClient(options: options) } catch {
                    if case .offline = error { throw .offline(url: url) }
                    throw error
                }
            }
            client = http
            // A host that did not answer earlier in the run is not asked again.
            let host = HostHealth.Key(url: url, connection: target.connection)
            if let host, let reason = hosts.admit(host) {
                return .failure(Failure(error: .notTried(url: url, reason: "\(host.name) failed earlier in this run: \(reason)"), retry: false))
            }
            var hostFailure: String?
            defer { if let host { hosts.finished(host, hostFailure: hostFailure) } }
            let fd = open(temporary, O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC, 0o644)
            guard fd >= 0 else { throw .io(path: temporary, operation: "create", reason: lastError()) }
            let digest = target.checksum.flatMap { StreamingDigest(algorithm: $0.algorithm) }
            let outcome = withoutActuallyEscaping(onBytes) { onBytes in
                let sink = DownloadSink(fd: fd, digest: digest, limit: target.size, progress: onBytes)
                if let host { sink.onConnect = { [hosts] in hosts.connected(host) } }
                return (http.get(url, connection: target.connection, prefix: target.prefix, into: sink), sink.received, sink.connected)
            }
            try closeChecked(fd, path: temporary)
            switch outcome.0 {
            case .completed(let received):
                if let expected = target.size, expected != received {
                    onBytes(-received)
                    return .failure(Failure(error: .sizeMismatch(name: target.name, source: url, expected: expected, actual: received), retry: true))
                }
                if let expected = target.checksum {
                    let actual: Checksum
                    if let digest { actual = Checksum(algorithm: digest.algorithm, hex: digest.finish()) } else {
                        actual = try hashFile(temporary, algorithm: expected.algorithm)
                    }
                    if actual.hex != expected.hex {
                        onBytes(-received)
                        // The same mirror would send the same bytes: only other sources may help.
                        return .failure(Failure(error: .checksumMismatch(name: target.name, source: url, expected: expected, actual: actual), retry: false))
                    }
                }
                if var check = target.check {
                    // The checksum was taken on the way in; librpm reads the new file once (page cache).
                    check.checksum = nil
                    let fd = open(temporary, O_RDONLY | O_CLOEXEC)
                    guard fd >= 0 else { throw .io(path: temporary, operation: "open", reason: lastError()) }
                    defer { close(fd) }
                    do throws(FetchError) {
                        _ = try check.run(input: fd, output: nil, outputPath: nil, source: url)
                        try finishEntry(target, fd: fd, at: temporary, source: url)
                    } catch {
                        onBytes(-received)
                        throw error
                    }
                }
                return .success(received)
            case .tooLarge(let received):
                onBytes(-outcome.1)
                throw .sizeMismatch(name: target.name, source: url, expected: target.size ?? -1, actual: received + 1)
            case .truncated(let received, let announced):
                onBytes(-outcome.1)
                return .failure(Failure(error: .sizeMismatch(name: target.name, source: url, expected: target.size ?? announced ?? -1, actual: received), retry: true))
            case .writeFailed(let reason):
                onBytes(-outcome.1)
                throw .io(path: temporary, operation: "write", reason: reason)
            case .failed(let error, let retry, let unusableHost):
                onBytes(-outcome.1)
                // Once the host answered, a failure to connect is a redirect's target's, not the host's.
                hostFailure = outcome.2 ? nil : unusableHost
                return .failure(Failure(error: error, retry: retry ?? error.isTransient))
            }
        } catch {
            return .failure(Failure(error: error, retry: false))
        }
    }

    /// The digest of a file on disk, for algorithms librpm's digests lack but libsolv has.
    private func hashFile(_ path: String, algorithm: String) throws(FetchError) -> Checksum {
        do { return try Checksum.of(file: path, algorithm: algorithm) } catch {
            throw .io(path: path, operation: "hash", reason: "\(error)")
        }
    }
}

/// Counts packages and bytes across workers and calls the progress hook, one call at a time.
final class ProgressTracker: @unchecked Sendable {
    private let lock = NSLock()
    private var state: FetchProgress
    private var reportedBytes: Int64 = 0
    private let report: (@Sendable (FetchProgress) -> Void)?

    init(packagesTotal: Int, bytesTotal: Int64, report: (@Sendable (FetchProgress) -> Void)?) {
        state = FetchProgress(packagesDone: 0, packagesTotal: packagesTotal, bytesDone: 0, bytesTotal: bytesTotal, current: "")
        self.report = report
    }

    /// Bytes arrived (or, negative, were thrown away with a failed attempt); reported every 1 MiB.
    func add(bytes: Int64, name: String) {
        lock.withLock {
            state.bytesDone += bytes
            state.current = name
            if let report, abs(state.bytesDone - reportedBytes) >= 1 << 20 {
                reportedBytes = state.bytesDone
                report(state)
            }
        }
    }

    /// One more package is in the cache and verified.
    func finished(name: String) {
        lock.withLock {
            state.packagesDone += 1
            state.current = name
            reportedBytes = state.bytesDone
            report?(state)
        }
    }
}

/// A value shared between worker threads behind a lock.
final class Locked<Value>: @unchecked Sendable {
    private let lock = NSLock()
    private var stored: Value
    init(_ value: Value) { stored = value }
    var value: Value { lock.withLock { stored } }
    func update<T>(_ body: (inout Value) -> T) -> T { lock.withLock { body(&stored) } }
}
