internal import CRPM
import Foundation

/// librpm's process-wide set-up, done once before any other librpm call.
public enum RPMConfig {
    private static let loaded: Bool = {
        // Quiet librpm: failures come back as return codes that we turn into errors ourselves.
        mox_rpm_set_verbosity(Int32(RPMLOG_CRIT.rawValue))
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
            let dir = (root as NSString).appendingPathComponent(relative)
            for marker in markerFiles
            where FileManager.default.fileExists(atPath: (dir as NSString).appendingPathComponent(marker)) {
                return "/" + relative
            }
        }
        return nil
    }
}

extension RPMConfig {
    /// librpm's most recent log message, used as the reason in errors.
    public static var lastMessage: String? {
        guard let text = rpmlogMessage() else { return nil }
        let message = String(cString: text).trimmingCharacters(in: .whitespacesAndNewlines)
        return message.isEmpty ? nil : message
    }
}
