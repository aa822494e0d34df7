// The MCO copies the whole image root into memory (tmpfs) on every node before it installs: an
// extensions image should hold its tree and nothing else. Not a violation (the image still works,
// and images built FROM an OS base exist), so a warning.
import Foundation
import ImageContract
import SystemPackage

extension ArchLinter {
    /// A warning when the image holds files outside usr/share/rpm-ostree/, with their total size
    /// and the directories that hold most of it.
    func minimal(_ contents: Contents) -> Violation? {
        guard !contents.others.isEmpty else { return nil }
        let total = contents.others.reduce(Int64(0)) { $0 + $1.size }
        // The largest top-level directories (two components: usr/lib, usr/bin, ...), by bytes.
        var byDirectory: [String: (files: Int, bytes: Int64)] = [:]
        for (path, size) in contents.others {
            let components = path.components.map(\.string)
            let top = "/" + components.prefix(min(2, max(1, components.count - 1))).joined(separator: "/")
            byDirectory[top, default: (0, 0)].files += 1
            byDirectory[top, default: (0, 0)].bytes += size
        }
        let largest = byDirectory.sorted { ($0.value.bytes, $1.key) > ($1.value.bytes, $0.key) }.prefix(5)
        let count = contents.others.count
        return violation(
            "not-minimal",
            "the image holds \(count) file\(count == 1 ? "" : "s") (\(Self.size(total))) outside /usr/share/rpm-ostree/; "
                + "the MCO copies the whole image root into memory on every node",
            fix: "build the image FROM scratch with only /\(ExtensionsImage.treePath)/ and /\(ExtensionsImage.flatMapPath) "
                + "(as mox compose does)",
            details: largest.map { "\($0.key): \($0.value.files) file\($0.value.files == 1 ? "" : "s"), \(Self.size($0.value.bytes))" })
    }

    /// Bytes as MiB with one decimal (`0.1 MiB`, `182.4 MiB`).
    static func size(_ bytes: Int64) -> String { String(format: "%.1f MiB", Double(bytes) / 1_048_576) }
}
