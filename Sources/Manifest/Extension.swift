/// One named OS extension: packages installed together, optionally limited to some architectures.
public struct Extension: Sendable, Hashable {
    /// Whether an extension is shipped to hosts or only used to build things.
    public enum Kind: String, Sendable, Hashable, CaseIterable {
        /// Installed on hosts with `rpm-ostree install`; the default.
        case osExtension = "os-extension"
        /// Development packages (e.g. kernel-devel) used to build modules, never layered.
        case development
    }

    /// Architecture names `architectures:` may use; the one list every check consults.
    public static let knownArchitectures: [String] = [
        "x86_64", "aarch64", "ppc64le", "s390x", "i686", "armv7hl", "riscv64",
    ]

    /// The key under `extensions:`; also the extension's directory name.
    public let name: String
    /// Package names to install, in file order.
    public let packages: [String]
    /// Repo ids visible to this extension only (the file's top-level repos are visible too).
    public let repos: [String]
    /// Architectures the extension is built for; `nil` means every architecture.
    public let architectures: [String]?
    /// A base package whose EVR the listed packages must match (`match-base-evr`).
    public let matchBaseEVR: String?
    /// Whether the extension is for hosts or for development.
    public let kind: Kind
    /// Module streams it enables and module profiles it installs (rpm-ostree's `modules:`).
    public let modules: ModuleRequests
    /// The 1-based line of the extension's name in the file, for messages about it.
    public let line: Int

    /// Creates an extension; `parse` is the usual way to get one.
    public init(
        name: String, packages: [String], repos: [String] = [], architectures: [String]? = nil,
        matchBaseEVR: String? = nil, kind: Kind = .osExtension, modules: ModuleRequests = .none, line: Int = 0
    ) {
        self.modules = modules
        self.name = name
        self.packages = packages
        self.repos = repos
        self.architectures = architectures
        self.matchBaseEVR = matchBaseEVR
        self.kind = kind
        self.line = line
    }

    /// Whether the extension is built for `arch` (always true without an `architectures` list).
    public func applies(to arch: String) -> Bool {
        architectures?.contains(arch) ?? true
    }
}
