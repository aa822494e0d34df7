// A small composed tree on disk and the shell tools the tests use to look at what mox wrote.
import Fixtures
import Foundation
import Image

/// A stand-in for a composed extensions tree: directories, a 5 MB file, a name with a space, an empty dir.
struct Tree {
    let root: URL

    /// Writes the tree under `root`; the content depends on nothing but the code, so copies compare equal.
    static func make(at root: URL) throws -> Tree {
        let files: [(String, [UInt8])] = [
            ("extensions/repodata/repomd.xml", Array("<repomd/>\n".utf8)),
            ("extensions/extensions/kernel-rt/kernel-rt-core-5.14.0-1.x86_64.rpm", pseudoRandom(5 << 20, seed: 1)),
            ("extensions/extensions/usbguard/usbguard 1.0 (copy).rpm", pseudoRandom(70_001, seed: 2)),
            ("extensions/dependencies/libqb-2.0-1.x86_64.rpm", pseudoRandom(12_345, seed: 3)),
            ("extensions.json", Array(#"{"extensions":["kernel-rt","usbguard"]}"#.utf8)),
        ]
        for (path, bytes) in files {
            let url = root.appendingPathComponent(path)
            try FileManager.default.createDirectory(at: url.deletingLastPathComponent(), withIntermediateDirectories: true)
            try Data(bytes).write(to: url)
        }
        try FileManager.default.createDirectory(
            at: root.appendingPathComponent("extensions/extensions/empty"), withIntermediateDirectories: true)
        return Tree(root: root)
    }

    /// Where the tree goes in the layer.
    var sources: [LayerSource] {
        [
            LayerSource(path: "usr/share/rpm-ostree/extensions", local: root.path + "/extensions"),
            LayerSource(path: "usr/share/rpm-ostree/extensions.json", local: root.path + "/extensions.json"),
        ]
    }

    /// Bytes from a fixed-seed SplitMix64, so they do not compress and are the same on every run.
    static func pseudoRandom(_ count: Int, seed: UInt64) -> [UInt8] {
        var state = seed
        var bytes = [UInt8](repeating: 0, count: count)
        for i in 0..<count {
            if i % 8 == 0 { state &+= 0x9e37_79b9_7f4a_7c15 }
            var z = state
            z = (z ^ (z >> 30)) &* 0xbf58_476d_1ce4_e5b9
            z = (z ^ (z >> 27)) &* 0x94d0_49bb_1331_11eb
            bytes[i] = UInt8(truncatingIfNeeded: (z ^ (z >> 31)) >> ((i % 8) * 8))
        }
        return bytes
    }
}

/// Runs a shell snippet with arguments `$1...`, returning stdout; fails the test on a non-zero exit.
@discardableResult
func shell(_ script: String, _ arguments: String..., environment: [String: String]? = nil) throws -> String {
    try Fixtures.run(["sh", "-c", script, "sh"] + arguments, environment: environment).stdout
}

/// `sha256:` and the sha256sum of a file.
func sha256sum(_ path: String) throws -> String {
    "sha256:" + (try shell(#"sha256sum "$1" | cut -d' ' -f1"#, path)).trimmingCharacters(in: .whitespacesAndNewlines)
}

/// A JSON document from a string (skopeo's output, a blob).
func jsonObject(_ text: String) throws -> [String: Any] {
    try JSONSerialization.jsonObject(with: Data(text.utf8)) as? [String: Any] ?? [:]
}

/// A JSON document from a file.
func jsonObject(file path: String) throws -> [String: Any] {
    try JSONSerialization.jsonObject(with: Data(contentsOf: URL(fileURLWithPath: path))) as? [String: Any] ?? [:]
}
