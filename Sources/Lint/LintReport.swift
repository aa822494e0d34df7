// What `mox lint` found: per arch, each check of the consumer contract and its violations.

/// The outcome of linting one image reference: one entry per arch it was checked for.
public struct LintReport: Sendable {
    /// The reference as given.
    public var reference: String
    /// The digest of the document the reference names (the index's, for a multi-arch image).
    public var digest: String
    /// Per arch, in the image's order.
    public var arches: [ArchLint]

    /// True when no check failed on any arch.
    public var passed: Bool { arches.allSatisfy(\.passed) }

    /// Every violation, arch by arch.
    public var violations: [Violation] { arches.flatMap { $0.checks.flatMap(\.violations) } }
}

/// The checks of one arch's image.
public struct ArchLint: Sendable {
    /// The arch as rpm names it (`x86_64`).
    public var arch: String
    /// The platform as the image names it (`linux/amd64`).
    public var platform: String
    /// The digest of this arch's manifest.
    public var digest: String
    /// Every check, in the order of `ContractCheck.Name`.
    public var checks: [ContractCheck]
    /// What the contract allows but a consumer pays for (`not-minimal`); no check fails on them.
    public var warnings: [Violation] = []

    /// True when no check failed.
    public var passed: Bool { !checks.contains { $0.status == .failed } }
}

/// One check of the contract and what it found.
public struct ContractCheck: Sendable {
    /// The checks, in the order they run.
    public enum Name: String, Sendable, CaseIterable {
        /// `io.openshift.os.extensions=true` and `io.openshift.os.streamclass` (image-stream discovery).
        case labels
        /// A command or entrypoint, so `podman create` works without one (the MCO).
        case command
        /// rpm-md repodata at the tree, parsing, its metadata matching repomd.xml.
        case repodata
        /// The RPMs of the tree are exactly those the repodata lists, with its checksums.
        case packages
        /// The flat extensions.json in the last layer, equal to what the repodata lists (koji's upload).
        case flatMap = "flat-map"
        /// Every os-extension installs from the image's repo alone on the base, and every
        /// development extension's packages are present (given extensions.yaml and a base).
        case installable
    }

    /// How the check ended.
    public enum Status: String, Sendable {
        case passed, failed, skipped
    }

    public var name: Name
    public var status: Status
    /// For passed and skipped checks: what was seen, or why the check did not run.
    public var note: String?
    /// For failed checks: each violation.
    public var violations: [Violation]

    /// A check that ran: failed when there are violations.
    public init(_ name: Name, violations: [Violation], note: String? = nil) {
        self.name = name
        status = violations.isEmpty ? .passed : .failed
        self.note = note
        self.violations = violations
    }

    /// A check that did not run, and why.
    public static func skipped(_ name: Name, _ why: String) -> ContractCheck {
        var check = ContractCheck(name, violations: [], note: why)
        check.status = .skipped
        return check
    }
}

/// One way the image breaks the contract: what is wrong, where, and what to do.
public struct Violation: Sendable, Hashable {
    /// A stable machine-readable kind (`no-command`, `rpm-checksum-mismatch`, ...; docs/lint-json.md).
    public var code: String
    /// The arch's image it was found in.
    public var arch: String
    /// One sentence: what is wrong and where.
    public var message: String
    /// What to do about it.
    public var fix: String
    /// Supporting lines: paths, checksums, libsolv's rules.
    public var details: [String]

    public init(code: String, arch: String, message: String, fix: String, details: [String] = []) {
        self.code = code
        self.arch = arch
        self.message = message
        self.fix = fix
        self.details = details
    }
}

/// Why lint could not check the image at all; the CLI maps these to exit codes 2 and 3.
public enum LintError: Error, Sendable, CustomStringConvertible {
    /// Bad input (exit 2): a reference naming no image, an arch it lacks, a bad extensions file or base.
    case invalidInput([String])
    /// The environment failed (exit 3): skopeo, the network, the disk.
    case environment(String)

    public var description: String {
        switch self {
        case .invalidInput(let problems): problems.joined(separator: "\n")
        case .environment(let message): message
        }
    }

    /// Each problem on its own.
    public var problems: [String] {
        switch self {
        case .invalidInput(let problems): problems
        case .environment(let message): [message]
        }
    }
}
