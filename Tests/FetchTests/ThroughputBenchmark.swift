import Fetch
import Fixtures
import Foundation
import Testing

/// Opt-in (MOX_FETCH_BENCH=<megabytes>): one large RPM through the HTTP path, timed. Run the test
/// binary under `/usr/bin/time -v` to see peak memory; the RPM is built once and kept in /tmp.
@Suite struct ThroughputBenchmark {
    static let megabytes = ProcessInfo.processInfo.environment["MOX_FETCH_BENCH"].flatMap(Int.init)

    @Test(.enabled(if: megabytes != nil, "set MOX_FETCH_BENCH=<megabytes> to run"))
    func largePackageDownloadsWithFlatMemory() throws {
        let size = Self.megabytes! * 1_000_000
        let dir = URL(fileURLWithPath: "/tmp/mox-fetch-bench-\(Self.megabytes!)")
        let package = FixturePackage("bench", arch: "x86_64", size: size)
        let rpm = dir.appendingPathComponent(package.fileName)
        if !FileManager.default.fileExists(atPath: rpm.path) { _ = try Fixtures.buildRPMs([package], into: dir) }
        let server = try TestServer(root: dir)
        defer { server.stop() }
        let cacheDir = try Fixtures.temporaryDirectory("fetch-bench")
        defer { try? FileManager.default.removeItem(at: cacheDir) }

        let wanted = try request(for: rpm, sources: [server.url("ok/\(rpm.lastPathComponent)")])
        let start = Date()
        let results = try Fetcher(cache: PackageCache(directory: cacheDir.path)).fetch([wanted])
        let seconds = Date().timeIntervalSince(start)
        let bytes = Double(results[0].bytesTransferred)
        print("fetched \(Int(bytes)) bytes in \(String(format: "%.2f", seconds)) s: \(String(format: "%.0f", bytes / seconds / 1_000_000)) MB/s (download + sha256 + librpm digests)")
        #expect(results[0].bytesTransferred == wanted.size)
    }
}
