// Running the built `mox` binary on fixture files, and reading what it wrote.
import Fixtures
import Foundation
#if canImport(FoundationXML)
import FoundationXML
#endif

/// One `mox check` invocation's inputs, written into a fresh folder.
struct CheckRun {
    /// The folder holding the extensions file (and whatever else the test puts there).
    let directory: URL
    /// The extensions file.
    let manifest: URL
    /// A private metadata cache, so runs never share parsed repos by accident.
    let cache: URL

    /// Writes `yaml` as `extensions.yaml` in a new folder under the test's label.
    init(_ label: String, yaml: String) throws {
        directory = try Fixtures.temporaryDirectory(label)
        removeAtExit(directory)
        manifest = directory.appendingPathComponent("extensions.yaml")
        cache = directory.appendingPathComponent("cache", isDirectory: true)
        try yaml.write(to: manifest, atomically: true, encoding: .utf8)
    }

    /// Runs `mox check <manifest> <arguments>` with this run's cache; `--arch x86_64` unless arches are given.
    func mox(_ arguments: [String]) throws -> CommandResult {
        var argv = [try Mox.binary.path, "check", manifest.path, "--cachedir", cache.path]
        if !arguments.contains("--arch") { argv += ["--arch", "x86_64"] }
        return try Fixtures.run(argv + arguments, allowFailure: true)
    }

    /// Runs against the shared world: its repos and (unless `base` is given) its rootfs.
    func moxOnWorld(_ arguments: [String] = [], base: [String]? = nil) throws -> CommandResult {
        let world = try CheckWorld.get()
        return try mox(["--repos-dir", world.reposDirectory.path]
            + (base ?? ["--base-rootfs", world.rootfs.path]) + arguments)
    }
}

enum Mox {
    /// The `mox` executable built alongside the tests.
    static var binary: URL {
        get throws {
            guard let dir = Fixtures.productsDirectory else { throw MoxTestError("cannot find the build products folder") }
            return dir.appendingPathComponent("mox")
        }
    }
}

struct MoxTestError: Error, CustomStringConvertible {
    let description: String
    init(_ description: String) { self.description = description }
}

/// A `--format json` report, read with JSONSerialization (no types shared with the code under test).
struct JSONDocument {
    let root: [String: Any]

    init(_ text: String) throws {
        guard let object = try JSONSerialization.jsonObject(with: Data(text.utf8)) as? [String: Any] else {
            throw MoxTestError("the report is not a JSON object:\n\(text)")
        }
        root = object
    }

    var arches: [[String: Any]] { root["arches"] as? [[String: Any]] ?? [] }

    /// The extension `name` on `arch`.
    func ext(_ name: String, arch: String = "x86_64") throws -> [String: Any] {
        let archEntry = arches.first { $0["arch"] as? String == arch }
        let exts = archEntry?["extensions"] as? [[String: Any]] ?? []
        guard let found = exts.first(where: { $0["name"] as? String == name }) else {
            throw MoxTestError("no extension '\(name)' for \(arch) in the report")
        }
        return found
    }

    func status(_ name: String, arch: String = "x86_64") throws -> String? { try ext(name, arch: arch)["status"] as? String }

    func packages(_ name: String, arch: String = "x86_64") throws -> [[String: Any]] {
        try ext(name, arch: arch)["packages"] as? [[String: Any]] ?? []
    }

    func nevras(_ name: String, arch: String = "x86_64") throws -> Set<String> {
        Set(try packages(name, arch: arch).compactMap { $0["nevra"] as? String })
    }

    func failures(_ name: String, arch: String = "x86_64") throws -> [[String: Any]] {
        try ext(name, arch: arch)["failures"] as? [[String: Any]] ?? []
    }

    /// Messages, details and solution steps of an extension's failures, as one text.
    func failureText(_ name: String, arch: String = "x86_64") throws -> String {
        try failures(name, arch: arch).map { failure in
            var lines = [failure["message"] as? String ?? ""]
            lines += failure["details"] as? [String] ?? []
            lines += (failure["solutions"] as? [[String]] ?? []).flatMap { $0 }
            return lines.joined(separator: "\n")
        }.joined(separator: "\n")
    }

    func basePackages(arch: String = "x86_64") -> Int? {
        arches.first { $0["arch"] as? String == arch }?["basePackages"] as? Int
    }
}

/// One `<testcase>` of a JUnit file.
struct JUnitCase: Hashable {
    var suite: String
    var classname: String
    var name: String
    /// "failure", "skipped" or nil for a pass.
    var outcome: String?
    var message: String?
}

/// Reads the test cases of a JUnit XML file.
final class JUnitReader: NSObject, XMLParserDelegate {
    private(set) var cases: [JUnitCase] = []
    private var suite = ""
    private var parseError: Error?

    static func read(_ url: URL) throws -> [JUnitCase] {
        let reader = JUnitReader()
        guard let parser = XMLParser(contentsOf: url) else { throw MoxTestError("cannot open \(url.path)") }
        parser.delegate = reader
        guard parser.parse() else {
            throw MoxTestError("invalid XML in \(url.path): \(parser.parserError.map { "\($0)" } ?? "?")")
        }
        return reader.cases
    }

    func parser(_ parser: XMLParser, didStartElement element: String, namespaceURI: String?,
                qualifiedName: String?, attributes: [String: String] = [:]) {
        switch element {
        case "testsuite": suite = attributes["name"] ?? ""
        case "testcase":
            cases.append(JUnitCase(suite: suite, classname: attributes["classname"] ?? "", name: attributes["name"] ?? ""))
        case "failure", "skipped", "error":
            guard !cases.isEmpty else { return }
            cases[cases.count - 1].outcome = element
            cases[cases.count - 1].message = attributes["message"]
        default: break
        }
    }
}

/// sha256 of a file, by coreutils (independent of the code under test).
func sha256(of file: URL) throws -> String {
    let out = try Fixtures.run(["sha256sum", file.path]).stdout
    return String(out.prefix { !$0.isWhitespace })
}

/// Hard-links `packages` from the shared world's os repo into `dir` and makes `dir` a repo.
func makeRepo(linking packages: [FixturePackage], at dir: URL, extraArgs: [String] = []) throws {
    let world = try CheckWorld.get()
    try FileManager.default.createDirectory(at: dir, withIntermediateDirectories: true)
    for package in packages {
        try FileManager.default.linkItem(at: world.osRepo.appendingPathComponent(package.fileName),
                                         to: dir.appendingPathComponent(package.fileName))
    }
    try Fixtures.createRepo(dir, extraArgs: extraArgs)
}
