// Repodata: the metadata of a composed tree, consumed by dnf, byte-for-byte reproducible.
import Createrepo
import Fixtures
import Foundation
import Testing

#if canImport(FoundationXML)
import FoundationXML
#endif

/// The source date every test writes with (2023-11-14T22:13:20Z).
private let epoch: Int64 = 1_700_000_000

@Suite struct RepodataTests {
    @Test func dnfInstallsAnExtensionWithItsDependenciesFromTheTree() throws {
        let tree = try Tree.make("dnf")
        _ = try Repodata.write(tree.packages, root: tree.root.path, timestamp: epoch)

        let installroot = try Fixtures.temporaryDirectory("dnf-root")
        let reposdir = try Fixtures.temporaryDirectory("dnf-reposdir")
        defer {
            try? FileManager.default.removeItem(at: installroot)
            try? FileManager.default.removeItem(at: reposdir)
            try? FileManager.default.removeItem(at: tree.root)
        }
        let dnf = try Fixtures.run([
            "dnf", "--installroot", installroot.path, "--setopt=reposdir=\(reposdir.path)",
            "--repofrompath=ext,\(tree.root.path)", "--setopt=ext.gpgcheck=0", "--releasever", "9",
            "--forcearch", "x86_64", "--disableplugin=*", "-y", "--setopt=tsflags=test", "install", "alpha",
        ])
        let plan = dnf.stdout
        #expect(plan.contains("Installing dependencies:"), "\(plan)")
        // libbeta by name, common-data by a file path only filelists.xml knows.
        for name in ["alpha", "libbeta", "common-data"] {
            #expect(plan.contains("\n \(name) "), "\(name) not in dnf's plan:\n\(plan)")
        }
        #expect(!plan.contains("alpha-doc"), "\(plan)")
        // The test transaction reads every RPM at its href and checks it against primary.xml.
        #expect(plan.contains("Transaction test succeeded."), "\(plan)")
    }

    @Test func primaryListsEachPackageAtExactlyTheGivenHrefWithTheGivenTime() throws {
        let tree = try Tree.make("hrefs")
        defer { try? FileManager.default.removeItem(at: tree.root) }
        let result = try Repodata.write(tree.packages, root: tree.root.path, timestamp: epoch)

        #expect(result.packages == tree.packages.count)
        let primary = try XMLElements.read(gzipped: tree.root.appendingPathComponent(try #require(result.records["primary"])))
        let hrefs = primary.filter { $0.name == "location" }.compactMap { $0.attributes["href"] }
        #expect(hrefs == tree.packages.map(\.href).sorted())
        let fileTimes = primary.filter { $0.name == "time" }.map { $0.attributes["file"] }
        #expect(fileTimes == Array(repeating: String(epoch), count: tree.packages.count))
    }

    @Test func sameFilesGiveSameBytesWhateverTheMtimesOrderOrEarlierRepodata() throws {
        let first = try Tree.make("same-1")
        let second = try Tree.make("same-2")
        defer {
            try? FileManager.default.removeItem(at: first.root)
            try? FileManager.default.removeItem(at: second.root)
        }
        try Fixtures.run(["touch", "-d", "2001-02-03 04:05:06"] + first.packages.map(\.path))
        try Fixtures.run(["touch", "-d", "2022-12-31 23:59:59"] + second.packages.map(\.path))

        _ = try Repodata.write(first.packages, root: first.root.path, timestamp: epoch)
        // The second tree first gets other metadata, which the real write must replace entirely.
        _ = try Repodata.write(Array(second.packages.prefix(1)), root: second.root.path, timestamp: 42)
        _ = try Repodata.write(second.packages.reversed(), root: second.root.path, timestamp: epoch)

        let firstFiles = try repodataFiles(first.root), secondFiles = try repodataFiles(second.root)
        #expect(firstFiles == secondFiles)
        #expect(firstFiles.count == 4, "\(firstFiles)")
        for name in firstFiles {
            let a = first.root.appendingPathComponent("repodata/\(name)").path
            let b = second.root.appendingPathComponent("repodata/\(name)").path
            let cmp = try Fixtures.run(["cmp", a, b], allowFailure: true)
            #expect(cmp.status == 0, "repodata/\(name) differs: \(cmp.stdout)\(cmp.stderr)")
        }
        for name in firstFiles {
            let mode = try FileManager.default.attributesOfItem(
                atPath: second.root.appendingPathComponent("repodata/\(name)").path)[.posixPermissions] as? Int
            #expect(mode == 0o644, "repodata/\(name)")
        }
        let leftovers = try FileManager.default.contentsOfDirectory(atPath: second.root.path)
        #expect(leftovers.sorted() == ["dependencies", "extensions", "repodata"])
    }

    @Test func repomdChecksumsSizesAndTimesMatchTheFiles() throws {
        let tree = try Tree.make("repomd")
        defer { try? FileManager.default.removeItem(at: tree.root) }
        let result = try Repodata.write(tree.packages, root: tree.root.path, timestamp: epoch)

        let repomd = try XMLElements.read(URL(fileURLWithPath: result.repomdPath))
        #expect(repomd.first { $0.name == "revision" }?.text == String(epoch))
        let types = repomd.filter { $0.name == "data" }.compactMap { $0.attributes["type"] }
        #expect(types == ["primary", "filelists", "other"], "no sqlite databases, nothing else")
        for type in types {
            func value(_ name: String) -> String? {
                repomd.first { $0.name == name && $0.dataType == type }?.text
            }
            let href = try #require(repomd.first { $0.name == "location" && $0.dataType == type }?.attributes["href"])
            #expect(result.records[type] == href)
            let file = tree.root.appendingPathComponent(href).path
            let digest = try sha256(of: "cat '\(file)'"), openDigest = try sha256(of: "gzip -dc '\(file)'")
            #expect(href == "repodata/\(digest)-\(type).xml.gz")
            #expect(value("checksum") == digest)
            #expect(value("open-checksum") == openDigest)
            let size = try FileManager.default.attributesOfItem(atPath: file)[.size] as? Int
            #expect(value("size") == size.map(String.init))
            #expect(value("timestamp") == String(epoch))
        }
    }

    @Test func aFileThatIsNotAnRPMIsNamedInTheErrorAndTheOldRepodataStays() throws {
        let tree = try Tree.make("not-rpm")
        defer { try? FileManager.default.removeItem(at: tree.root) }
        let good = try Repodata.write(tree.packages, root: tree.root.path, timestamp: epoch)
        let bogus = tree.root.appendingPathComponent("extensions/a/bogus-1.0-1.noarch.rpm")
        try "not an rpm\n".write(to: bogus, atomically: true, encoding: .utf8)
        let packages = tree.packages + [RepodataPackage(path: bogus.path, href: "extensions/a/bogus-1.0-1.noarch.rpm")]

        let error = #expect(throws: RepodataError.self) {
            try Repodata.write(packages, root: tree.root.path, timestamp: epoch)
        }
        guard case let .unreadablePackage(path, message) = error else {
            Issue.record("expected unreadablePackage, got \(String(describing: error))")
            return
        }
        #expect(path == bogus.path)
        #expect(!message.isEmpty)
        #expect(error?.description.contains(bogus.path) == true)
        #expect(FileManager.default.fileExists(atPath: good.repomdPath))
        #expect(!FileManager.default.fileExists(atPath: tree.root.appendingPathComponent(".repodata.new").path))
    }

    @Test(arguments: ["", "/abs/a.rpm", "../a.rpm", "extensions//a.rpm", "extensions/./a.rpm", "repodata/a.rpm"])
    func anHrefOutsideTheTreeIsRejected(href: String) throws {
        let error = #expect(throws: RepodataError.self) {
            try Repodata.write([RepodataPackage(path: "/nonexistent.rpm", href: href)], root: "/nonexistent", timestamp: epoch)
        }
        guard case .invalidLocation(href, _) = error else {
            Issue.record("expected invalidLocation for '\(href)', got \(String(describing: error))")
            return
        }
    }

    @Test func theSameHrefTwiceIsRejected() throws {
        let twice = [
            RepodataPackage(path: "/one/a.rpm", href: "dependencies/a.rpm"),
            RepodataPackage(path: "/two/a.rpm", href: "dependencies/a.rpm"),
        ]
        #expect(throws: RepodataError.self) {
            try Repodata.write(twice, root: "/nonexistent", timestamp: epoch)
        }
    }

    @Test func aKnownSha256GivesTheSameRepodataAsReadingTheWholeFile() throws {
        let computed = try Tree.make("sha-computed")
        let known = try Tree.make("sha-known")
        defer {
            try? FileManager.default.removeItem(at: computed.root)
            try? FileManager.default.removeItem(at: known.root)
        }
        let given = try known.packages.map { package -> RepodataPackage in
            var copy = package
            copy.sha256 = try sha256(of: "cat '\(package.path)'")
            return copy
        }
        _ = try Repodata.write(computed.packages, root: computed.root.path, timestamp: epoch)
        _ = try Repodata.write(given, root: known.root.path, timestamp: epoch)
        let names = try repodataFiles(computed.root)
        #expect(names == (try repodataFiles(known.root)))
        for name in names {
            let cmp = try Fixtures.run(["cmp", computed.root.appendingPathComponent("repodata/\(name)").path,
                                        known.root.appendingPathComponent("repodata/\(name)").path], allowFailure: true)
            #expect(cmp.status == 0, "repodata/\(name) differs: \(cmp.stdout)")
        }
    }
}

/// A composed tree: built RPMs copied to extensions/a/ and dependencies/.
private struct Tree {
    var root: URL
    var packages: [RepodataPackage]

    /// The fixture RPMs, built once per test process.
    static let specs: [(FixturePackage, folder: String)] = [
        (FixturePackage("alpha", arch: "x86_64", requires: ["libbeta >= 1.0", "/usr/share/common/data"],
                        files: ["/usr/bin/alpha"]), "extensions/a"),
        (FixturePackage("alpha-doc", files: ["/usr/share/doc/alpha/README"]), "extensions/a"),
        (FixturePackage("libbeta", version: "1.2", arch: "x86_64", files: ["/usr/lib64/libbeta.so.1"]), "dependencies"),
        (FixturePackage("common-data", version: "2.0", files: ["/usr/share/common/data"]), "dependencies"),
    ]
    static let built: Result<[URL], any Error> = Result {
        try Fixtures.buildRPMs(specs.map(\.0), into: Fixtures.temporaryDirectory("repodata-rpms"))
    }

    /// A fresh tree with its own copies of the RPMs.
    static func make(_ label: String) throws -> Tree {
        let root = try Fixtures.temporaryDirectory("tree-\(label)")
        var packages: [RepodataPackage] = []
        for (rpm, spec) in zip(try built.get(), specs) {
            let href = "\(spec.folder)/\(rpm.lastPathComponent)"
            let copy = root.appendingPathComponent(href)
            try FileManager.default.createDirectory(
                at: copy.deletingLastPathComponent(), withIntermediateDirectories: true)
            try FileManager.default.copyItem(at: rpm, to: copy)
            packages.append(RepodataPackage(path: copy.path, href: href))
        }
        return Tree(root: root, packages: packages)
    }
}

/// The names in `root/repodata`, sorted.
private func repodataFiles(_ root: URL) throws -> [String] {
    try FileManager.default.contentsOfDirectory(atPath: root.appendingPathComponent("repodata").path).sorted()
}

/// The sha256 of what the shell `command` prints.
private func sha256(of command: String) throws -> String {
    let out = try Fixtures.run(["sh", "-c", "\(command) | sha256sum"]).stdout
    return String(out.prefix { !$0.isWhitespace })
}

/// Every element of an XML document in order, with its attributes, text and enclosing <data type>.
private final class XMLElements: NSObject, XMLParserDelegate {
    struct Element {
        var name: String
        var attributes: [String: String]
        var text = ""
        /// The `type` of the repomd <data> element this one is in, if any.
        var dataType: String?
    }

    private var elements: [Element] = []
    private var open: [Int] = []
    private var dataType: String?

    static func read(_ url: URL) throws -> [Element] {
        try parse(Data(contentsOf: url))
    }

    static func read(gzipped url: URL) throws -> [Element] {
        try parse(Data(Fixtures.run(["gzip", "-dc", url.path]).stdout.utf8))
    }

    private static func parse(_ data: Data) throws -> [Element] {
        let parser = XMLParser(data: data)
        let collector = XMLElements()
        parser.delegate = collector
        guard parser.parse() else { throw parser.parserError ?? CocoaError(.fileReadCorruptFile) }
        return collector.elements
    }

    func parser(_ parser: XMLParser, didStartElement name: String, namespaceURI: String?,
                qualifiedName: String?, attributes: [String: String]) {
        if name == "data" { dataType = attributes["type"] }
        open.append(elements.count)
        elements.append(Element(name: name, attributes: attributes, dataType: dataType))
    }

    func parser(_ parser: XMLParser, foundCharacters string: String) {
        if let last = open.last { elements[last].text += string }
    }

    func parser(_ parser: XMLParser, didEndElement name: String, namespaceURI: String?, qualifiedName: String?) {
        open.removeLast()
        if name == "data" { dataType = nil }
    }
}
