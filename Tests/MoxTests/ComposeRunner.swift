// Running `mox compose` (and `mox check` on the same inputs) on the compose world, and reading the tree.
import Fixtures
import Foundation

/// One folder with an extensions file, a private cache and an output path beside them.
struct ComposeRun {
    let directory: URL
    let manifest: URL
    let cache: URL
    /// `--output`; not created by the test.
    let output: URL

    init(_ label: String, yaml: String = ComposeWorld.manifest) throws {
        directory = try Fixtures.temporaryDirectory(label)
        removeAtExit(directory)
        manifest = directory.appendingPathComponent("extensions.yaml")
        cache = directory.appendingPathComponent("cache", isDirectory: true)
        output = directory.appendingPathComponent("out", isDirectory: true)
        try yaml.write(to: manifest, atomically: true, encoding: .utf8)
    }

    /// Replaces the extensions file.
    func write(yaml: String) throws {
        try yaml.write(to: manifest, atomically: true, encoding: .utf8)
    }

    /// The arguments both commands share: repos, base, cache and (unless given) `--arch x86_64`.
    func inputs(_ arguments: [String], reposDir: URL? = nil, base: URL? = nil) throws -> [String] {
        let world = try ComposeWorld.get()
        var argv = [manifest.path, "--cachedir", cache.path, "--repos-dir", (reposDir ?? world.reposDirectory).path,
                    "--base-rootfs", (base ?? world.rootfs).path]
        if !arguments.contains("--arch") { argv += ["--arch", "x86_64"] }
        return argv + arguments
    }

    /// `mox compose` into `output` (or `--output` when the arguments give one).
    func compose(_ arguments: [String] = [], reposDir: URL? = nil, environment: [String: String]? = nil) throws -> CommandResult {
        let out = arguments.contains("--output") ? [] : ["--output", output.path]
        return try Fixtures.run([try Mox.binary.path, "compose"] + inputs(arguments + out, reposDir: reposDir),
                                environment: environment, allowFailure: true)
    }

    /// `mox check` on the same inputs.
    func check(_ arguments: [String] = [], reposDir: URL? = nil) throws -> CommandResult {
        try Fixtures.run([try Mox.binary.path, "check"] + inputs(arguments, reposDir: reposDir), allowFailure: true)
    }

    /// The published index (mox-index.json), read without the code under test's types.
    func index() throws -> [String: Any] {
        let data = try Data(contentsOf: output.appendingPathComponent("mox-index.json"))
        guard let object = try JSONSerialization.jsonObject(with: data) as? [String: Any] else {
            throw MoxTestError("mox-index.json is not a JSON object")
        }
        return object
    }

    /// The published flat map (extensions.json: name -> "[E:]V-R.A").
    func flat() throws -> [String: String] {
        let data = try Data(contentsOf: output.appendingPathComponent("extensions.json"))
        guard let object = try JSONSerialization.jsonObject(with: data) as? [String: String] else {
            throw MoxTestError("extensions.json is not a flat map of strings")
        }
        return object
    }
}

/// The regular files under `root`, relative, sorted (hidden ones included).
func files(under root: URL) -> [String] {
    guard let walker = FileManager.default.enumerator(atPath: root.path) else { return [] }
    var found: [String] = []
    while let path = walker.nextObject() as? String {
        if (walker.fileAttributes?[.type] as? FileAttributeType) == .typeRegular { found.append(path) }
    }
    return found.sorted()
}

/// What a folder is, down to each entry's inode, mtime and bytes: equal snapshots mean untouched.
struct TreeSnapshot: Equatable, CustomStringConvertible {
    struct Entry: Equatable {
        var inode: UInt64
        var mtime: Double
        var sha256: String?
    }
    var entries: [String: Entry]

    init(_ root: URL) throws {
        entries = [:]
        guard FileManager.default.fileExists(atPath: root.path) else { return }
        var paths = [""]
        if let walker = FileManager.default.enumerator(atPath: root.path) {
            while let path = walker.nextObject() as? String { paths.append(path) }
        }
        for path in paths {
            let url = path.isEmpty ? root : root.appendingPathComponent(path)
            let attributes = try FileManager.default.attributesOfItem(atPath: url.path)
            let isFile = (attributes[.type] as? FileAttributeType) == .typeRegular
            entries[path] = Entry(inode: (attributes[.systemFileNumber] as? NSNumber)?.uint64Value ?? 0,
                                  mtime: (attributes[.modificationDate] as? Date)?.timeIntervalSince1970 ?? 0,
                                  sha256: isFile ? try sha256(of: url) : nil)
        }
    }

    var description: String { entries.keys.sorted().joined(separator: "\n") }
}

/// Staging folders of compose runs beside `output` (`.NAME.mox-tmp-*`).
func stagingLeftovers(beside output: URL) throws -> [String] {
    let parent = output.deletingLastPathComponent().path
    return try FileManager.default.contentsOfDirectory(atPath: parent)
        .filter { $0.hasPrefix(".\(output.lastPathComponent).mox-tmp-") }
}

extension Dictionary where Key == String, Value == Any {
    /// `self[a][b][c]...` through nested objects.
    func at(_ keys: String...) -> Any? {
        var value: Any? = self
        for key in keys { value = (value as? [String: Any])?[key] }
        return value
    }
}
