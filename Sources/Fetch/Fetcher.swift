import Foundation
import Repos
import RPM
import Solv

/// Fills the package cache from repos: local files are linked or copied, remote ones downloaded
/// several at once, each with retries, backoff and failover across its sources; every package
/// is checked against the repo metadata (size, checksum) and by librpm (digests, signature).
public final class Fetcher: Sendable {
    /// Where packages end up.
    public let cache: PackageCache
    /// Concurrency, timeouts, retries.
    public let options: FetchOptions
    private let progress: (@Sendable (FetchProgress) -> Void)?
    /// Hosts that could not be reached are not tried again in this run.
    let hosts = HostHealth()

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
        return requests.map { request in
            guard case .success(var result)? = done[firstRequest[request.checksum]!] else {
                preconditionFailure("every job has a result once the workers are done")
            }
            result.request = request
            return result
        }
    }

    /// Downloads one small file (repo metadata such as repomd.xml) to `destination` with the same
    /// retries and failover, and `connection`'s settings; `checksum` and `size` are checked when given.
    public func download(_ sources: [URL], to destination: String, connection: RepoConnection = .init(),
                         checksum: Checksum? = nil, size: Int64? = nil) throws(FetchError) {
        let parent = (destination as NSString).deletingLastPathComponent
        do {
            try FileManager.default.createDirectory(atPath: parent, withIntermediateDirectories: true)
        } catch {
            throw .io(path: parent, operation: "mkdir", reason: "\(error.localizedDescription)")
        }
        let name = (destination as NSString).lastPathComponent
        let target = Target(name: name, sources: sources, size: size, checksum: checksum, connection: connection) {
            temporaryName(in: parent, for: name)
        }
        var client: HTTPClient?
        let (temporary, _) = try retrieve(target, client: &client, onBytes: { _ in }).get()
        try publish(temporary, at: destination)
    }

    /// One package: from the cache if there, else fetched into it; then checked by librpm.
    private func obtain(_ request: FetchRequest, client: inout HTTPClient?, tracker: ProgressTracker,
                        retryingDamagedCache: Bool = true) -> Result<FetchResult, FetchError> {
        let path = cache.path(for: request.checksum)
        var bytes: Int64 = 0
        let wasCached = cachedCopyIsUsable(request, at: path)
        if !wasCached {
            let cache = self.cache
            let target = Target(name: request.name, sources: request.sources, size: request.size, checksum: request.checksum,
                                connection: request.connection) {
                () throws(FetchError) -> String in try cache.newTemporaryFile(for: request.name)
            }
            do throws(FetchError) {
                let (temporary, received) = try retrieve(target, client: &client) { tracker.add(bytes: $0, name: request.name) }.get()
                try publish(temporary, at: path)
                bytes = received
            } catch {
                return .failure(error)
            }
        }
        do {
            switch request.signature {
            case .digestsOnly: try PackageVerifier.verify(file: path, requireSignature: false, keys: [])
            case .required(let keys): try PackageVerifier.verify(file: path, requireSignature: true, keys: keys)
            }
        } catch {
            // A cached copy that librpm rejects was damaged after it was verified: fetch it once more.
            if wasCached && retryingDamagedCache {
                unlink(path)
                return obtain(request, client: &client, tracker: tracker, retryingDamagedCache: false)
            }
            return .failure(.rejected(name: request.name, reason: error))
        }
        tracker.finished(name: request.name)
        return .success(FetchResult(request: request, path: path, wasCached: wasCached, bytesTransferred: bytes))
    }

    /// A cached file whose size disagrees with the metadata was damaged behind our back: drop it.
    private func cachedCopyIsUsable(_ request: FetchRequest, at path: String) -> Bool {
        var info = stat()
        guard stat(path, &info) == 0 else { return false }
        if let size = request.size, Int64(info.st_size) != size {
            unlink(path)
            return false
        }
        return true
    }

    /// What to get and what it must look like.
    struct Target {
        var name: String
        var sources: [URL]
        var size: Int64?
        var checksum: Checksum?
        /// The repo's TLS, credentials, proxy, timeouts and retries.
        var connection: RepoConnection
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

    /// A file:// or plain-path source: linked or copied, then hashed.
    private func copyLocal(_ target: Target, from path: String, to temporary: String) -> Result<Int64, Failure> {
        do throws(FetchError) {
            var info = stat()
            guard stat(path, &info) == 0 else {
                throw errno == ENOENT ? .missingFile(path: path) : .io(path: path, operation: "stat", reason: lastError())
            }
            let size = Int64(info.st_size)
            if let expected = target.size, expected != size {
                throw .sizeMismatch(name: target.name, source: path, expected: expected, actual: size)
            }
            _ = try place(path, at: temporary)
            if let expected = target.checksum {
                let actual: Checksum
                do { actual = try Checksum.of(file: temporary, algorithm: expected.algorithm) } catch {
                    throw .io(path: path, operation: "hash", reason: "\(error)")
                }
                if actual.hex != expected.hex {
                    throw .checksumMismatch(name: target.name, source: path, expected: expected, actual: actual)
                }
            }
            return .success(size)
        } catch {
            return .failure(Failure(error: error, retry: false))
        }
    }

    /// An http(s) source: streamed to disk, hashed on the way, never more than the expected size.
    private func download(_ target: Target, from url: String, to temporary: String, client: inout HTTPClient?, onBytes: (Int64) -> Void) -> Result<Int64, Failure> {
        do throws(FetchError) {
            let http: HTTPClient
            if let client { http = client } else { http = try HTTPClient(options: options) }
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
                return (http.get(url, connection: target.connection, into: sink), sink.received, sink.connected)
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
