/// One rpm-md repository as dnf would configure it from a `.repo` section or `--repo ID=URL`.
public struct RepoDefinition: Sendable, Hashable {
    /// The section id, e.g. `baseos`.
    public var id: String
    /// Human-readable name; the id when the file gives none.
    public var name: String
    /// Base URLs or paths in the order given; empty only for a disabled repo with no `baseurl`.
    public var baseURLs: [String]
    /// The `metalink` URL, kept for messages; mox reads only `baseURLs`.
    public var metalink: String?
    /// The `mirrorlist` URL, kept for messages; mox reads only `baseURLs`.
    public var mirrorList: String?
    /// Whether dnf would use this repo (`enabled`, default true).
    public var enabled: Bool
    /// Whether packages must carry a valid signature (`gpgcheck`, default false).
    public var gpgCheck: Bool
    /// Key locations from `gpgkey`, in order.
    public var gpgKeys: [String]
    /// Package-name globs from `exclude` and `excludepkgs`, merged in that order.
    public var excludes: [String]
    /// Package-name globs from `includepkgs`; empty means every package.
    public var includes: [String]
    /// dnf priority: lower wins (`priority`, default 99).
    public var priority: Int
    /// Packages of this repo are never hidden by module streams (`module_hotfixes`, default false).
    public var moduleHotfixes = false
    /// Where the definition came from: `FILE:LINE` of its section, or `--repo`.
    public var origin: String

    /// Creates a definition with dnf's defaults for everything not given.
    public init(
        id: String, name: String? = nil, baseURLs: [String], metalink: String? = nil, mirrorList: String? = nil,
        enabled: Bool = true, gpgCheck: Bool = false, gpgKeys: [String] = [], excludes: [String] = [],
        includes: [String] = [], priority: Int = 99, origin: String
    ) {
        self.id = id
        self.name = name ?? id
        self.baseURLs = baseURLs
        self.metalink = metalink
        self.mirrorList = mirrorList
        self.enabled = enabled
        self.gpgCheck = gpgCheck
        self.gpgKeys = gpgKeys
        self.excludes = excludes
        self.includes = includes
        self.priority = priority
        self.origin = origin
    }
}
