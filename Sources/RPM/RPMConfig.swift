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
