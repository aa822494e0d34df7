internal import CRPM
import Foundation
import SystemPackage

/// librpm's process-wide set-up, done once before any other librpm call.
public enum RPMConfig {
    private static let loaded: Bool = {
        // Quiet librpm: failures come back as return codes that we turn into errors ourselves.
        rpmlogSetMask(mox_rpm_log_upto(Int32(RPMLOG_CRIT.rawValue)))
        return rpmReadConfigFiles(nil, nil) == 0
    }()

    /// Reads rpm's configuration (macros, arch tables); safe to call many times.
    @discardableResult
    public static func load() -> Bool { loaded }
}

/// Where an image keeps its rpmdb, and how to find it under a root directory.
public enum RPMDatabase {
    /// Relative dbpaths tried in order: rpm-ostree, Fedora's sysimage, the classic path.
    public static let searchPaths = ["usr/share/rpm", "usr/lib/sysimage/rpm", "var/lib/rpm"]

    /// Files whose presence marks an rpmdb of a backend librpm 4.18 reads (sqlite, ndb, bdb).
    static let markerFiles = ["rpmdb.sqlite", "Packages.db", "Packages"]

    /// The first dbpath under `root` holding an rpmdb, as an absolute path inside the root (`/usr/share/rpm`).
    public static func locate(root: String) -> String? {
        for relative in searchPaths {
            guard let dir = resolve(relative, inside: root) else { continue }
            for marker in markerFiles
            where FileManager.default.fileExists(atPath: FilePath(dir).appending(marker).string) {
                return "/" + relative
            }
        }
        return nil
    }

    /// `relative` under `root` with symlinks followed as the image would see them: an absolute
    /// link target (`var/lib/rpm -> /usr/share/rpm`) points into the root, never at the host.
    /// nil when a component is missing or the links loop.
    public static func resolve(_ relative: String, inside root: String) -> String? {
        let base = URL(fileURLWithPath: root).standardizedFileURL.path
        var resolved: [String] = []
        var pending = relative.split(separator: "/").map(String.init)
        var hops = 0
        while !pending.isEmpty {
            let part = pending.removeFirst()
            if part == "." || part.isEmpty { continue }
            if part == ".." { _ = resolved.popLast(); continue }
            let path = base + "/" + (resolved + [part]).joined(separator: "/")
            guard let target = try? FileManager.default.destinationOfSymbolicLink(atPath: path) else {
                guard FileManager.default.fileExists(atPath: path) else { return nil }
                resolved.append(part)
                continue
            }
            hops += 1
            guard hops < 40 else { return nil }
            if target.hasPrefix("/") { resolved = [] }
            pending = target.split(separator: "/").map(String.init) + pending
        }
        return base + (resolved.isEmpty ? "" : "/" + resolved.joined(separator: "/"))
    }
}
