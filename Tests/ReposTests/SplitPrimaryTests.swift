import Foundation
import Solv
import Testing

/// A large primary.xml is parsed in parts side by side; loaded together, the parts must hold
/// exactly the packages of the whole file, wherever the cuts fall.
@Suite("primary.xml parsed in parts")
struct SplitPrimaryTests {
    /// A primary.xml of `count` packages, gzip-compressed, past a few of the 256 KiB chunks the
    /// inflater deals out (so cuts and held-back bytes fall across chunk edges); returns its
    /// path and uncompressed size.
    static func primary(count: Int, in dir: TemporaryDirectory) throws -> (path: String, size: Int) {
        var xml = """
            <?xml version="1.0" encoding="UTF-8"?>
            <metadata xmlns="http://linux.duke.edu/metadata/common" xmlns:rpm="http://linux.duke.edu/metadata/rpm" packages="\(count)">

            """
        for n in 0..<count {
            // Descriptions of varying length move every `</package>` to a different offset.
            let text = String(repeating: "payload \(n) ", count: 5 + n % 97)
            xml += """
                <package type="rpm">
                  <name>pkg\(n)</name>
                  <arch>noarch</arch>
                  <version epoch="0" ver="1.\(n)" rel="1"/>
                  <checksum type="sha256" pkgid="YES">\(String(format: "%064x", n))</checksum>
                  <summary>package \(n)</summary>
                  <description>\(text)</description>
                  <size package="\(1000 + n)" installed="\(2000 + n)" archive="\(3000 + n)"/>
                  <location href="Packages/pkg\(n)-1.\(n)-1.noarch.rpm"/>
                  <format>
                    <rpm:provides><rpm:entry name="cap\(n)"/></rpm:provides>
                    <rpm:requires><rpm:entry name="cap\((n + 1) % count)"/></rpm:requires>
                  </format>
                </package>

                """
        }
        xml += "</metadata>\n"
        let plain = try dir.write("primary.xml", xml)
        let gzip = Process()
        gzip.executableURL = URL(fileURLWithPath: "/usr/bin/env")
        gzip.arguments = ["gzip", "-n", "-k", plain]
        try gzip.run()
        gzip.waitUntilExit()
        #expect(gzip.terminationStatus == 0)
        return (plain + ".gz", xml.utf8.count)
    }

    /// Every package of the repo `name` in `pool`, as what a report would show of it.
    static func packages(_ pool: Pool, _ name: String) -> [String] {
        pool.select(spec: "*", in: [name]).available.map { "\($0.nevra) \($0.location) \($0.checksum?.hex ?? "-") \($0.size)" }.sorted()
    }

    @Test(arguments: [(2, 1.0), (3, 1.0), (5, 1.0), (2, 0.4), (2, 3.0), (4, 0.001)])
    func partsHoldTheWholeFile(parts: Int, sizeFactor: Double) throws {
        let dir = try TemporaryDirectory()
        let (path, size) = try Self.primary(count: 3000, in: dir)
        let whole = Pool(arch: "x86_64")
        #expect(try whole.loadPrimary(name: "r", priority: 0, primary: path) == 3000)

        // The size repomd.xml states places the cuts; a wrong one still loses nothing.
        let caches = (1...parts).map { "\(dir.path)/part\($0).solv" }
        try Pool.parsePrimaryInParts(path, size: Int(Double(size) * sizeFactor), arch: "x86_64", caches: caches)
        let split = Pool(arch: "x86_64")
        #expect(split.loadCached(name: "r", priority: 0, parts: caches) == 3000)
        #expect(Self.packages(split, "r") == Self.packages(whole, "r"))
    }

    @Test func morePartsThanPackagesGivesEmptyParts() throws {
        let dir = try TemporaryDirectory()
        let (path, size) = try Self.primary(count: 3, in: dir)
        let caches = (1...6).map { "\(dir.path)/part\($0).solv" }
        try Pool.parsePrimaryInParts(path, size: size, arch: "x86_64", caches: caches)
        let split = Pool(arch: "x86_64")
        #expect(split.loadCached(name: "r", priority: 0, parts: caches) == 3)
    }

    @Test func aDamagedFileIsReportedByPath() throws {
        let dir = try TemporaryDirectory()
        let (path, size) = try Self.primary(count: 2000, in: dir)
        // Cut the compressed stream short: inflating fails past the first cut.
        let data = try Data(contentsOf: URL(fileURLWithPath: path))
        try data.prefix(data.count * 2 / 3).write(to: URL(fileURLWithPath: path))
        let caches = (1...2).map { "\(dir.path)/part\($0).solv" }
        #expect {
            try Pool.parsePrimaryInParts(path, size: size, arch: "x86_64", caches: caches)
        } throws: { error in
            "\(error)".contains(path)
        }
    }

    @Test(.enabled(if: Corpus.root != nil, Comment(rawValue: Corpus.absent)))
    func corpusAppStreamInPartsIsTheWholeAppStream() throws {
        let repodata = Corpus.root! + "/centos-stream-9/appstream-2025-01/repodata"
        let name = try #require(try FileManager.default.contentsOfDirectory(atPath: repodata)
            .first { $0.hasSuffix("-primary.xml.gz") })
        let path = repodata + "/" + name
        let size = try Pool.decompressedContents(of: path).count
        let dir = try TemporaryDirectory()
        let caches = (1...2).map { "\(dir.path)/part\($0).solv" }
        try Pool.parsePrimaryInParts(path, size: size, arch: "x86_64", caches: caches)
        let split = Pool(arch: "x86_64")
        let whole = Pool(arch: "x86_64")
        #expect(split.loadCached(name: "r", priority: 0, parts: caches) == (try whole.loadPrimary(name: "r", priority: 0, primary: path)))
        #expect(Self.packages(split, "r") == Self.packages(whole, "r"))
    }
}
