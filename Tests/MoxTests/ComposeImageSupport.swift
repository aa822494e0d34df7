// Running `mox compose` with image output on the check world, and reading the OCI layout it wrote
// with the consumers' eyes: JSONSerialization, coreutils, tar, skopeo; never the code under test's types.
import Fixtures
import Foundation

/// One folder with an extensions file, a private cache, and the tree and image paths beside them.
struct ImageCompose: Sendable {
    let directory: URL
    let manifest: URL
    let cache: URL
    /// `--output`: the tree.
    let tree: URL
    /// `--oci-layout`: the image layout.
    let layout: URL

    /// SOURCE_DATE_EPOCH for runs that fix the time: 2023-11-14T22:13:20Z.
    static let epoch: Int64 = 1_700_000_000
    static let epochRFC3339 = "2023-11-14T22:13:20Z"

    /// Three extensions: two noarch ones with a dependency chain, and one with a build per arch.
    static let yaml = """
        repos: [os]
        extensions:
          apps:
            packages: [\(CheckWorld.appA.name), \(CheckWorld.appB.name)]
          single:
            packages: [\(CheckWorld.solo.name)]
          tools:
            packages: [\(CheckWorld.archToolX86.name)]
        """

    init(_ label: String, yaml: String = ImageCompose.yaml) throws {
        directory = try Fixtures.temporaryDirectory(label)
        removeAtExit(directory)
        manifest = directory.appendingPathComponent("extensions.yaml")
        cache = directory.appendingPathComponent("cache", isDirectory: true)
        tree = directory.appendingPathComponent("tree", isDirectory: true)
        layout = directory.appendingPathComponent("image", isDirectory: true)
        try yaml.write(to: manifest, atomically: true, encoding: .utf8)
    }

    /// `mox compose` on the check world into `tree` and `layout` (unless the arguments name another
    /// `--oci-layout`), with `--arch x86_64` unless arches are given.
    /// It runs under /bin/sh so the test sets exactly the environment mox sees: SOURCE_DATE_EPOCH is
    /// `epoch` or unset, and `umask` and `tz` apply when given.
    /// `manifest` replaces this run's extensions file (to compose one file from two folders).
    func compose(_ arguments: [String] = [], manifest: URL? = nil, epoch: Int64? = ImageCompose.epoch,
                 umask: String? = nil, tz: String? = nil) throws -> CommandResult {
        let world = try CheckWorld.get()
        var argv = [try Mox.binary.path, "compose", (manifest ?? self.manifest).path, "--cachedir", cache.path,
                    "--repos-dir", world.reposDirectory.path, "--base-rootfs", world.rootfs.path,
                    "--output", tree.path]
        if !arguments.contains("--oci-layout") { argv += ["--oci-layout", layout.path] }
        if !arguments.contains("--arch") { argv += ["--arch", "x86_64"] }
        var script = ["unset SOURCE_DATE_EPOCH"]
        if let umask { script.append("umask \(umask)") }
        if let tz { script.append("export TZ=\(shellQuoted(tz))") }
        if let epoch { script.append("export SOURCE_DATE_EPOCH=\(epoch)") }
        script.append("exec " + (argv + arguments).map(shellQuoted).joined(separator: " "))
        return try Fixtures.run(["/bin/sh", "-c", script.joined(separator: "; ")], allowFailure: true)
    }

    /// A new folder composed with `arguments`, for fixtures a suite shares; throws compose's own words when it fails.
    static func made(_ label: String, yaml: String = ImageCompose.yaml, _ arguments: [String]) throws -> ImageCompose {
        let run = try ImageCompose(label, yaml: yaml)
        let result = try run.compose(arguments)
        guard result.status == 0 else { throw MoxTestError("compose failed (\(result.status)):\n\(result.stderr)") }
        return run
    }

    /// The published tree's index (mox-index.json).
    func treeIndex() throws -> [String: Any] {
        try jsonObject(at: tree.appendingPathComponent("mox-index.json"))
    }

    /// The tree paths of the RPMs the index lists for `arch`, sorted.
    func shippedRPMs(arch: String = "x86_64") throws -> [String] {
        let index = try treeIndex()
        let extensions = (index["arches"] as? [String: Any])
            .flatMap { $0[arch] as? [String: Any] }
            .flatMap { $0["extensions"] as? [String: [String: Any]] } ?? [:]
        let paths = extensions.values.flatMap { ext in
            (ext["packages"] as? [[String: Any]] ?? []).compactMap { $0["path"] as? String }
        }
        return Set(paths).sorted()
    }
}

/// An OCI image layout on disk.
struct LayoutReader {
    let root: URL

    /// Where a blob lives: blobs/sha256/<hex>.
    func blob(_ digest: String) -> URL {
        root.appendingPathComponent("blobs/sha256/" + digest.replacingOccurrences(of: "sha256:", with: ""))
    }

    func json(_ digest: String) throws -> [String: Any] { try jsonObject(at: blob(digest)) }

    /// index.json's entry for `tag`.
    func tagged(_ tag: String) throws -> [String: Any] {
        let index = try jsonObject(at: root.appendingPathComponent("index.json"))
        let entries = index["manifests"] as? [[String: Any]] ?? []
        guard let entry = entries.first(where: {
            ($0["annotations"] as? [String: String])?["org.opencontainers.image.ref.name"] == tag
        }) else { throw MoxTestError("no manifest tagged '\(tag)' in \(root.path)/index.json") }
        return entry
    }

    /// The image manifests under `tag` by OCI architecture, through the image index when there is one.
    func manifests(_ tag: String) throws -> [String: [String: Any]] {
        let top = try tagged(tag)
        let digest = try string(top["digest"])
        guard top["mediaType"] as? String == "application/vnd.oci.image.index.v1+json" else {
            let manifest = try json(digest)
            let config = try json(try string((manifest["config"] as? [String: Any])?["digest"]))
            return [try string(config["architecture"]): manifest]
        }
        var result: [String: [String: Any]] = [:]
        for entry in try json(digest)["manifests"] as? [[String: Any]] ?? [] {
            let arch = try string((entry["platform"] as? [String: Any])?["architecture"])
            result[arch] = try json(try string(entry["digest"]))
        }
        return result
    }

    /// The one layer descriptor of a manifest.
    func layer(of manifest: [String: Any]) throws -> [String: Any] {
        guard let layers = manifest["layers"] as? [[String: Any]], layers.count == 1 else {
            throw MoxTestError("expected one layer: \(manifest)")
        }
        return layers[0]
    }

    /// The config of a manifest.
    func config(of manifest: [String: Any]) throws -> [String: Any] {
        try json(try string((manifest["config"] as? [String: Any])?["digest"]))
    }

    /// Every file under the layout, relative, sorted, with its bytes: equal snapshots are equal layouts.
    func snapshot() throws -> [String: Data] {
        var result: [String: Data] = [:]
        guard let walker = FileManager.default.enumerator(atPath: root.path) else { return result }
        while let path = walker.nextObject() as? String {
            if (walker.fileAttributes?[.type] as? FileAttributeType) == .typeRegular {
                result[path] = try Data(contentsOf: root.appendingPathComponent(path))
            }
        }
        return result
    }
}

/// Decompresses a layer with the system's tools (by its media type) into `out`.
func decompress(_ layer: URL, mediaType: String, to out: URL) throws {
    let tool: String
    switch mediaType {
    case "application/vnd.oci.image.layer.v1.tar+gzip": tool = "zcat"
    case "application/vnd.oci.image.layer.v1.tar+zstd": tool = "zstd -q -dc"
    case "application/vnd.oci.image.layer.v1.tar": tool = "cat"
    default: throw MoxTestError("unknown layer media type \(mediaType)")
    }
    try Fixtures.run(["/bin/sh", "-c", "\(tool) \(shellQuoted(layer.path)) > \(shellQuoted(out.path))"])
}

/// Extracts a layer (any compression GNU tar knows) into a new folder and returns it.
func extractLayer(_ layer: URL, into dir: URL) throws -> URL {
    try FileManager.default.createDirectory(at: dir, withIntermediateDirectories: true)
    try Fixtures.run(["tar", "-xf", layer.path, "-C", dir.path])
    return dir
}

/// `skopeo <arguments>`'s output as a JSON object.
func skopeoJSON(_ arguments: [String]) throws -> [String: Any] {
    let result = try Fixtures.run(["skopeo"] + arguments)
    guard let object = try JSONSerialization.jsonObject(with: Data(result.stdout.utf8)) as? [String: Any] else {
        throw MoxTestError("skopeo \(arguments.joined(separator: " ")) printed no JSON object:\n\(result.stdout)")
    }
    return object
}

func jsonObject(at url: URL) throws -> [String: Any] {
    guard let object = try JSONSerialization.jsonObject(with: Data(contentsOf: url)) as? [String: Any] else {
        throw MoxTestError("\(url.path) is not a JSON object")
    }
    return object
}

func string(_ value: Any?) throws -> String {
    guard let text = value as? String else { throw MoxTestError("expected a string, found \(value ?? "nothing")") }
    return text
}

/// `text` as one single-quoted shell word.
func shellQuoted(_ text: String) -> String {
    "'" + text.replacingOccurrences(of: "'", with: "'\\''") + "'"
}
