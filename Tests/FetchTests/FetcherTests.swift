import Fetch
import Fixtures
import Foundation
import RPM
import Solv
import Testing

/// Packages built once for every test in this file: six small RPMs with some payload.
enum BuiltPackages {
    static let built: Result<[URL], Error> = Result {
        let dir = try Fixtures.temporaryDirectory("fetch-rpms")
        let packages = (0..<6).map { FixturePackage("fetched\($0)", arch: "x86_64", files: ["/usr/bin/fetched\($0)"], size: 48 * 1024) }
        return try Fixtures.buildRPMs(packages, into: dir)
    }

    static func rpms() throws -> [URL] { try built.get() }
}

/// What the repo metadata would say about `rpm`, with the given sources.
func request(for rpm: URL, sources: [URL], signature: SignatureCheck = .digestsOnly) throws -> FetchRequest {
    let size = try FileManager.default.attributesOfItem(atPath: rpm.path)[.size] as! NSNumber
    return FetchRequest(
        name: rpm.deletingPathExtension().lastPathComponent, sources: sources, size: size.int64Value,
        checksum: try Checksum.of(file: rpm.path, algorithm: "sha256"), signature: signature)
}

func inode(_ path: String) -> (device: UInt64, inode: UInt64) {
    var info = stat()
    stat(path, &info)
    return (UInt64(info.st_dev), UInt64(info.st_ino))
}

/// Quick retries so failure tests take milliseconds.
let quick = FetchOptions(concurrency: 4, connectTimeout: 5, lowSpeedTime: 5, retries: 2, backoff: 0.01)

@Suite struct LocalFetchTests {
    /// The cache owns its files: a repo's file edited or re-signed in place must not change it.
    @Test func localRepoPackageIsCopiedIntoTheCacheNeverHardlinked() throws {
        let rpm = try BuiltPackages.rpms()[0]
        let cacheDir = try Fixtures.temporaryDirectory("fetch-cache")
        defer { try? FileManager.default.removeItem(at: cacheDir) }
        let fetcher = Fetcher(cache: PackageCache(directory: cacheDir.path))
        // A plain path and a file:// URL are both local sources.
        let results = try fetcher.fetch([
            try request(for: rpm, sources: [URL(fileURLWithPath: rpm.path)]),
            try request(for: rpm, sources: [URL(string: "file://" + rpm.path)!]),
        ])
        #expect(results.count == 2)
        #expect(results[0].path == results[1].path)
        #expect(results[0].path.hasPrefix(cacheDir.path + "/packages/sha256/"))
        #expect(inode(results[0].path) != inode(rpm.path))
        #expect(try Checksum.of(file: results[0].path) == Checksum.of(file: rpm.path))
        #expect(results.allSatisfy { !$0.wasCached })
    }

    @Test func materializeLinksOnSameFilesystemAndCopiesAcrossFilesystems() throws {
        let rpm = try BuiltPackages.rpms()[1]
        let cacheDir = try Fixtures.temporaryDirectory("fetch-cache")
        defer { try? FileManager.default.removeItem(at: cacheDir) }
        let cache = PackageCache(directory: cacheDir.path)
        let wanted = try request(for: rpm, sources: [rpm])
        _ = try Fetcher(cache: cache).fetch([wanted])

        let tree = cacheDir.appendingPathComponent("tree/dependencies/x86_64/\(rpm.lastPathComponent)").path
        #expect(try cache.materialize(wanted.checksum, at: tree) == .hardlink)
        #expect(inode(tree) == inode(cache.path(for: wanted.checksum)))
        // Again over an existing file: still one complete file, no temporary left beside it.
        #expect(try cache.materialize(wanted.checksum, at: tree) == .hardlink)
        #expect(try FileManager.default.contentsOfDirectory(atPath: URL(fileURLWithPath: tree).deletingLastPathComponent().path) == [rpm.lastPathComponent])

        let shm = "/dev/shm"
        guard FileManager.default.isWritableFile(atPath: shm), inode(shm).device != inode(cacheDir.path).device else {
            Issue.record("no second filesystem (/dev/shm) to test copying across filesystems"); return
        }
        let other = "\(shm)/mox-fetch-\(UUID().uuidString.prefix(8))/\(rpm.lastPathComponent)"
        defer { try? FileManager.default.removeItem(atPath: URL(fileURLWithPath: other).deletingLastPathComponent().path) }
        #expect(try cache.materialize(wanted.checksum, at: other) == .copy)
        #expect(try Checksum.of(file: other) == wanted.checksum)
    }

    @Test func missingLocalFileIsNamed() throws {
        let cacheDir = try Fixtures.temporaryDirectory("fetch-cache")
        defer { try? FileManager.default.removeItem(at: cacheDir) }
        let gone = "/nonexistent/repo/gone-1.0-1.x86_64.rpm"
        let wanted = FetchRequest(name: "gone-1.0-1.x86_64", sources: [URL(fileURLWithPath: gone)], size: 10,
                                  checksum: Checksum(algorithm: "sha256", hex: String(repeating: "0", count: 64)))
        #expect(throws: FetchError.unavailable(name: "gone-1.0-1.x86_64", failures: [.missingFile(path: gone)])) {
            try Fetcher(cache: PackageCache(directory: cacheDir.path)).fetch([wanted])
        }
    }

    @Test func materializeOfUncachedPackageFails() throws {
        let cacheDir = try Fixtures.temporaryDirectory("fetch-cache")
        defer { try? FileManager.default.removeItem(at: cacheDir) }
        let missing = Checksum(algorithm: "sha256", hex: String(repeating: "a", count: 64))
        #expect(throws: FetchError.notCached(checksum: missing)) {
            try PackageCache(directory: cacheDir.path).materialize(missing, at: cacheDir.appendingPathComponent("x.rpm").path)
        }
    }

    @Test func corruptedPackageMatchingTheMetadataIsRejectedByLibrpm() throws {
        let dir = try Fixtures.temporaryDirectory("fetch-corrupt")
        defer { try? FileManager.default.removeItem(at: dir) }
        let rpm = dir.appendingPathComponent("fetched2-1.0-1.x86_64.rpm")
        var bytes = try Data(contentsOf: try BuiltPackages.rpms()[2])
        bytes[bytes.count - 100] ^= 0xff  // inside the compressed payload
        try bytes.write(to: rpm)
        let cache = PackageCache(directory: dir.appendingPathComponent("cache").path)
        let error = #expect(throws: FetchError.self) { try Fetcher(cache: cache).fetch([try request(for: rpm, sources: [rpm])]) }
        guard case .rejected(let name, .digestMismatch(_, let message))? = error else {
            Issue.record("expected a digest rejection, got \(String(describing: error))"); return
        }
        #expect(name == "fetched2-1.0-1.x86_64")
        #expect(message.contains("Payload SHA256") && message.contains("digest: BAD"))
    }

    @Test func unsignedPackageIsRejectedWhenTheRepoRequiresSignatures() throws {
        let rpm = try BuiltPackages.rpms()[3]
        let cacheDir = try Fixtures.temporaryDirectory("fetch-cache")
        defer { try? FileManager.default.removeItem(at: cacheDir) }
        let wanted = try request(for: rpm, sources: [rpm], signature: .required(keys: []))
        let cache = PackageCache(directory: cacheDir.path)
        #expect(throws: FetchError.rejected(name: wanted.name, reason: .unsigned(path: rpm.path))) {
            try Fetcher(cache: cache).fetch([wanted])
        }
    }

    @Test(.enabled(if: Fixtures.corpus != nil, "the shared corpus (../shared/corpus) is absent"))
    func signedPackageFromCorpusPassesWithTheRepoKey() throws {
        let rpms = Fixtures.corpus!.appendingPathComponent("rpms/libzypp-sigcheck")
        let cacheDir = try Fixtures.temporaryDirectory("fetch-cache")
        defer { try? FileManager.default.removeItem(at: cacheDir) }
        let rpm = rpms.appendingPathComponent("signed.rpm")
        let key = rpms.appendingPathComponent("signed.key").absoluteString
        let results = try Fetcher(cache: PackageCache(directory: cacheDir.path))
            .fetch([try request(for: rpm, sources: [rpm], signature: .required(keys: [key]))])
        #expect(results.count == 1)
    }
}
