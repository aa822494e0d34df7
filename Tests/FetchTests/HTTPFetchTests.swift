import Fetch
import Fixtures
import Foundation
import Solv
import Testing

/// Downloads from a local server that the test starts, breaks on purpose and stops.
@Suite struct HTTPFetchTests {
    let rpms: [URL]
    let server: TestServer
    let cacheDir: URL
    var cache: PackageCache { PackageCache(directory: cacheDir.path) }

    init() throws {
        rpms = try BuiltPackages.rpms()
        server = try TestServer(root: rpms[0].deletingLastPathComponent())
        cacheDir = try Fixtures.temporaryDirectory("fetch-cache")
    }

    /// Nothing half-written may stay behind, in the cache or its temporary folder.
    func cacheHoldsNoPartialFiles() throws {
        let tmp = cacheDir.appendingPathComponent("tmp").path
        #expect((try? FileManager.default.contentsOfDirectory(atPath: tmp)) ?? [] == [])
    }

    func name(_ rpm: URL) -> String { rpm.lastPathComponent }

    @Test func cachedPackageIsNotRequestedAgain() throws {
        defer { server.stop() }
        let first = try request(for: rpms[0], sources: [server.url("ok/\(name(rpms[0]))")])
        let second = try request(for: rpms[1], sources: [server.url("ok/\(name(rpms[1]))")])
        let initial = try Fetcher(cache: cache, options: quick).fetch([first])
        #expect(initial.map(\.wasCached) == [false])
        #expect(initial[0].bytesTransferred == first.size)

        // A later run adds one package: only that one is downloaded.
        let later = try Fetcher(cache: cache, options: quick).fetch([first, second])
        #expect(later.map(\.wasCached) == [true, false])
        #expect(later[0].bytesTransferred == 0)
        let stats = try server.stats()
        #expect(stats.count(name(rpms[0])) == 1)
        #expect(stats.count(name(rpms[1])) == 1)
        try cacheHoldsNoPartialFiles()
    }

    /// `--offline`: the fetcher has no HTTP client, so the server sees no connection at all, for
    /// packages and metadata alike; the error names the URL and says what to do.
    @Test func offlineOpensNoConnection() throws {
        defer { server.stop() }
        var options = quick
        options.offline = true
        let fetcher = Fetcher(cache: cache, options: options)
        let url = server.url("ok/\(name(rpms[0]))")
        let error = #expect(throws: FetchError.self) { try fetcher.fetch([try request(for: rpms[0], sources: [url])]) }
        #expect(error?.description.contains(url.absoluteString) == true, "\(String(describing: error))")
        #expect(error?.description.contains("--offline") == true, "\(String(describing: error))")
        #expect(throws: FetchError.self) {
            try fetcher.download([server.url("ok/repomd.xml")], to: cacheDir.appendingPathComponent("repomd.xml").path)
        }
        #expect(fetcher.probe([url], connection: .init()).isEmpty)
        #expect(try server.stats().requests.isEmpty)
        try cacheHoldsNoPartialFiles()
    }

    @Test func severalDownloadsRunAtOnceButNoMoreThanAsked() throws {
        defer { server.stop() }
        // The server holds each request until three are in flight: serial downloads would never get there.
        let requests = try rpms.map { try request(for: $0, sources: [server.url("gate-3/\(name($0))")]) }
        var options = quick
        options.concurrency = 3
        let progress = ProgressLog()
        let results = try Fetcher(cache: cache, options: options, progress: progress.record).fetch(requests)
        #expect(results.count == rpms.count)
        #expect(try server.stats().maxInFlight == 3)
        let last = progress.last
        #expect(last?.packagesDone == rpms.count)
        #expect(last?.packagesTotal == rpms.count)
        #expect(last?.bytesDone == last?.bytesTotal)
    }

    @Test func failsOverToTheNextBaseURLWhenOneRefusesOrHasNoSuchFile() throws {
        defer { server.stop() }
        let file = name(rpms[0])
        let refused = URL(string: "http://127.0.0.1:9/repo/\(file)")!
        let wanted = try request(for: rpms[0], sources: [refused, server.url("status-404-99/\(file)"), server.url("ok/\(file)")])
        let results = try Fetcher(cache: cache, options: quick).fetch([wanted])
        #expect(results.map(\.wasCached) == [false])
        let stats = try server.stats()
        #expect(stats.requests == ["/status-404-99/\(file)", "/ok/\(file)"])
    }

    @Test(arguments: ["drop-1", "status-500-2", "status-503-1", "truncate-1"])
    func retriesAfterATransientFailureThenSucceeds(_ failure: String) throws {
        defer { server.stop() }
        let file = name(rpms[0])
        let wanted = try request(for: rpms[0], sources: [server.url("\(failure)/\(file)")])
        let results = try Fetcher(cache: cache, options: quick).fetch([wanted])
        #expect(results.count == 1)
        #expect(try Checksum.of(file: results[0].path) == wanted.checksum)
        let failures = Int(failure.split(separator: "-").last!)!
        #expect(try server.stats().count(file) == failures + 1)
        try cacheHoldsNoPartialFiles()
    }

    @Test func truncatedBodyIsRetriedThenReportedAsSizeMismatch() throws {
        defer { server.stop() }
        let file = name(rpms[0])
        let source = server.url("truncate-99/\(file)")
        let wanted = try request(for: rpms[0], sources: [source])
        let error = #expect(throws: FetchError.self) { try Fetcher(cache: cache, options: quick).fetch([wanted]) }
        #expect(error == .unavailable(name: wanted.name, failures: [
            .sizeMismatch(name: wanted.name, source: source.absoluteString, expected: wanted.size!, actual: wanted.size! / 2),
        ]))
        #expect(error?.description.contains(wanted.name) == true)
        #expect(try server.stats().count(file) == quick.retries + 1)
        #expect(!cache.contains(wanted.checksum))
        try cacheHoldsNoPartialFiles()
    }

    @Test func wrongChecksumNamesExpectedAndActualAndCachesNothing() throws {
        defer { server.stop() }
        let file = name(rpms[0])
        let source = server.url("ok/\(file)")
        var wanted = try request(for: rpms[0], sources: [source])
        let actual = wanted.checksum
        wanted.checksum = Checksum(algorithm: "sha256", hex: String(repeating: "ab", count: 32))
        let error = #expect(throws: FetchError.self) { try Fetcher(cache: cache, options: quick).fetch([wanted]) }
        #expect(error == .unavailable(name: wanted.name, failures: [
            .checksumMismatch(name: wanted.name, source: source.absoluteString, expected: wanted.checksum, actual: actual),
        ]))
        #expect(error?.description.contains(actual.hex) == true)
        #expect(error?.description.contains(wanted.checksum.hex) == true)
        // The same mirror would send the same bytes: asked once, not retried.
        #expect(try server.stats().count(file) == 1)
        #expect(!cache.contains(wanted.checksum) && !cache.contains(actual))
        try cacheHoldsNoPartialFiles()
    }

    @Test func notFoundOnEverySourceListsEachURLTried() throws {
        defer { server.stop() }
        let sources = [server.url("status-404-99/a/x.rpm"), server.url("status-404-99/b/x.rpm")]
        let wanted = FetchRequest(name: "x-1-1.noarch", sources: sources, size: 100,
                                  checksum: Checksum(algorithm: "sha256", hex: String(repeating: "1", count: 64)))
        let error = #expect(throws: FetchError.self) { try Fetcher(cache: cache, options: quick).fetch([wanted]) }
        #expect(error == .unavailable(name: "x-1-1.noarch", failures: sources.map { .httpStatus(url: $0.absoluteString, status: 404) }))
        for source in sources { #expect(error?.description.contains(source.absoluteString) == true) }
        // A 404 is not retried.
        #expect(try server.stats().requests.count == 2)
    }

    @Test func everyFailingPackageIsReported() throws {
        defer { server.stop() }
        let good = try request(for: rpms[0], sources: [server.url("ok/\(name(rpms[0]))")])
        let missing1 = try request(for: rpms[1], sources: [server.url("ok/nope1.rpm")])
        let missing2 = try request(for: rpms[2], sources: [server.url("ok/nope2.rpm")])
        let error = #expect(throws: FetchError.self) { try Fetcher(cache: cache, options: quick).fetch([missing1, good, missing2]) }
        guard case .several(let failures)? = error else { Issue.record("got \(String(describing: error))"); return }
        #expect(failures.count == 2)
        #expect(error!.description.contains(missing1.name) && error!.description.contains(missing2.name))
        #expect(cache.contains(good.checksum))
    }

    @Test func metadataDownloadFailsOverAndReplacesTheFileWhole() throws {
        defer { server.stop() }
        let metadata = server.root.appendingPathComponent("repomd-\(UUID().uuidString.prefix(6)).xml")
        try "<repomd/>\n".write(to: metadata, atomically: true, encoding: .utf8)
        defer { try? FileManager.default.removeItem(at: metadata) }
        let destination = cacheDir.appendingPathComponent("repos/base/repodata/repomd.xml").path
        try Fetcher(cache: cache, options: quick).download(
            [server.url("status-500-99/\(metadata.lastPathComponent)"), server.url("ok/\(metadata.lastPathComponent)")], to: destination)
        #expect(try String(contentsOfFile: destination, encoding: .utf8) == "<repomd/>\n")
        #expect(try FileManager.default.contentsOfDirectory(atPath: (destination as NSString).deletingLastPathComponent) == ["repomd.xml"])
    }

    @Test func httpProxyFromTheEnvironmentIsUsed() throws {
        defer { server.stop() }
        let proxy = try #require(TestServer.proxy, "the proxy server did not start")
        let file = "proxied-\(UUID().uuidString.prefix(6)).rpm"
        try FileManager.default.copyItem(at: rpms[4], to: proxy.root.appendingPathComponent(file))
        // A host that does not resolve: only a proxy can answer for it.
        let source = URL(string: "http://mox-fetch.test/ok/\(file)")!
        let wanted = try request(for: rpms[4], sources: [source])
        _ = try Fetcher(cache: cache, options: quick).fetch([wanted])
        #expect(try proxy.stats().requests.contains("http://mox-fetch.test/ok/\(file)"))
    }
}

/// Progress reports as they came, for assertions.
final class ProgressLog: @unchecked Sendable {
    private let lock = NSLock()
    private var reports: [FetchProgress] = []
    var last: FetchProgress? { lock.withLock { reports.last } }
    var record: @Sendable (FetchProgress) -> Void { { [self] report in lock.withLock { reports.append(report) } } }
}
