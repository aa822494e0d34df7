// Running `mox lint` and reading its JSON with JSONSerialization; breaking a good image the way a
// hand-made build would, with umoci (unpack, change the root, repack as a new top layer; or change
// the config), never with mox's own code.
import Fixtures
import Foundation

/// One `mox lint --format json` run.
struct LintResult {
    let status: Int32
    let stdout: String
    let stderr: String
    let json: [String: Any]

    /// Runs `mox lint <arguments> --format json`, with `environment` added to this process's.
    init(_ arguments: [String], environment: [String: String]? = nil) throws {
        let result = try Fixtures.run([try Mox.binary.path, "lint"] + arguments + ["--format", "json"],
                                      environment: environment, allowFailure: true)
        status = result.status
        stdout = result.stdout
        stderr = result.stderr
        guard let object = try? JSONSerialization.jsonObject(with: Data(result.stdout.utf8)) as? [String: Any] else {
            throw MoxTestError("mox lint printed no JSON object (exit \(result.status)):\n\(result.stdout)\n\(result.stderr)")
        }
        json = object
    }

    var arches: [[String: Any]] { json["arches"] as? [[String: Any]] ?? [] }

    /// The warnings of `arch`.
    func warnings(arch: String = "x86_64") -> [[String: Any]] {
        arches.first { $0["arch"] as? String == arch }?["warnings"] as? [[String: Any]] ?? []
    }

    var warnings: [[String: Any]] { warnings() }

    /// The check `name` of `arch`.
    func check(_ name: String, arch: String = "x86_64") -> [String: Any]? {
        let entry = arches.first { $0["arch"] as? String == arch }
        return (entry?["checks"] as? [[String: Any]])?.first { $0["name"] as? String == name }
    }

    func status(of name: String, arch: String = "x86_64") -> String? { check(name, arch: arch)?["status"] as? String }

    /// Every violation of every arch.
    var violations: [[String: Any]] {
        arches.flatMap { ($0["checks"] as? [[String: Any]] ?? []).flatMap { $0["violations"] as? [[String: Any]] ?? [] } }
    }

    var codes: Set<String> { Set(violations.compactMap { $0["code"] as? String }) }

    /// The violation with `code`, its message, fix and details as one text.
    func text(of code: String) -> String {
        violations.filter { $0["code"] as? String == code }.map { v in
            ([v["message"] as? String ?? "", v["fix"] as? String ?? ""] + (v["details"] as? [String] ?? [])).joined(separator: "\n")
        }.joined(separator: "\n")
    }
}

/// A copy of an image layout, changed with umoci.
struct BrokenImage {
    let layout: URL
    let directory: URL

    /// Copies `source` (an OCI layout holding tag `latest`) into a new folder.
    init(_ label: String, from source: URL) throws {
        directory = try Fixtures.temporaryDirectory(label)
        removeAtExit(directory)
        layout = directory.appendingPathComponent("image")
        try Fixtures.run(["cp", "-a", source.path, layout.path])
    }

    /// `oci:LAYOUT:TAG`.
    func reference(_ tag: String = "broken") -> String { "oci:\(layout.path):\(tag)" }

    /// Changes the config of `latest` into tag `broken` (`umoci config` options).
    func config(_ options: [String]) throws {
        try Fixtures.run(["umoci", "config", "--image", "\(layout.path):latest", "--tag", "broken"] + options)
    }

    /// Unpacks `latest`, lets `change` edit its root, and repacks it as tag `broken`: the changes
    /// become a new top layer (with whiteouts for what was removed), as a later build step would.
    /// Unless told otherwise the flat map is written again too, so that it is in the new last
    /// layer, as a build whose last step writes it.
    func repack(keepingFlatMapOnTop: Bool = true, _ change: (URL) throws -> Void) throws {
        let bundle = directory.appendingPathComponent("bundle")
        try? FileManager.default.removeItem(at: bundle)
        try Fixtures.run(["umoci", "unpack", "--image", "\(layout.path):latest", bundle.path])
        let root = bundle.appendingPathComponent("rootfs")
        let flat = root.appendingPathComponent("usr/share/rpm-ostree/extensions.json")
        let before = try Data(contentsOf: flat)
        try change(root)
        if keepingFlatMapOnTop, let now = FileManager.default.contents(atPath: flat.path), now == before {
            try FileManager.default.removeItem(at: flat)
            try now.write(to: flat)
            try FileManager.default.setAttributes([.modificationDate: Date(timeIntervalSince1970: 1)], ofItemAtPath: flat.path)
        }
        try Fixtures.run(["umoci", "repack", "--image", "\(layout.path):broken", bundle.path])
    }
}

/// The tree inside an unpacked image root.
func treeIn(_ root: URL) -> URL { root.appendingPathComponent("usr/share/rpm-ostree/extensions") }
