import Resolve

/// Everything one `mox check` run found, over all architectures.
public struct CheckReport: Sendable {
    /// The mox version that produced the report.
    public let moxVersion: String
    /// The extensions file checked.
    public let manifestPath: String
    /// Where the base came from (a rootfs path or a package list file).
    public let baseSource: String
    /// One entry per `--arch`, in the order given.
    public let arches: [ArchReport]

    public init(moxVersion: String, manifestPath: String, baseSource: String, arches: [ArchReport]) {
        self.moxVersion = moxVersion
        self.manifestPath = manifestPath
        self.baseSource = baseSource
        self.arches = arches
    }

    /// True when any extension failed on any architecture.
    public var failed: Bool { arches.contains(where: \.failed) }

    /// Counts by status over all architectures.
    public var counts: (resolved: Int, skipped: Int, failed: Int) {
        let all = arches.flatMap(\.extensions)
        return (all.filter { $0.status == .resolved }.count,
                all.filter { $0.status == .skipped }.count,
                all.filter { $0.status == .failed }.count)
    }
}

/// A `mox check` run that could not check: invalid input (exit 2) or a broken environment (exit 3).
public struct CheckFailureReport: Sendable {
    public let moxVersion: String
    public let manifestPath: String
    public let baseSource: String
    public let error: CheckError

    public init(moxVersion: String, manifestPath: String, baseSource: String, error: CheckError) {
        self.moxVersion = moxVersion
        self.manifestPath = manifestPath
        self.baseSource = baseSource
        self.error = error
    }

    /// `invalid-input` (exit 2) or `environment-error` (exit 3).
    public var status: String {
        switch error {
        case .invalidInput, .invalidFiles: "invalid-input"
        case .environment: "environment-error"
        }
    }
}
