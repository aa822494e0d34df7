/// One rpm-md repository as dnf would configure it from a `.repo` section or `--repo ID=URL`.
public struct RepoDefinition: Sendable, Hashable {
    /// The section id, e.g. `baseos`.
    public var id: String
    /// Human-readable name; the id when the file gives none.
    public var name: String
    /// Base URLs or paths in the order given; tried after the mirrors of `metalink`/`mirrorList`.
    public var baseURLs: [String]
    /// The `metalink` URL: mirrors in preference order, and the hashes repomd.xml must have.
    public var metalink: String?
    /// The `mirrorlist` URL: mirrors, one a line (read as a metalink when the URL says "metalink", as dnf does).
    public var mirrorList: String?
    /// Whether dnf would use this repo (`enabled`, default true).
    public var enabled: Bool
    /// Whether packages must carry a valid signature (`gpgcheck`, default false).
    public var gpgCheck: Bool
    /// Whether repomd.xml must carry a valid detached signature, repomd.xml.asc (`repo_gpgcheck`).
    public var repoGPGCheck: Bool
    /// Key locations from `gpgkey`, in order; they check packages and repomd.xml alike.
    public var gpgKeys: [String]
    /// Package-name globs from `exclude` and `excludepkgs`, merged in that order.
    public var excludes: [String]
    /// Package-name globs from `includepkgs`; empty means every package.
    public var includes: [String]
    /// `fastestmirror`: mirrors are tried fastest to connect first, not in the order given.
    public var fastestMirror: Bool
    /// dnf priority: lower wins (`priority`, default 99).
    public var priority: Int
    /// dnf cost: between repos of equal priority, the same package comes from the cheaper one (default 1000).
    public var cost: Int
    /// `skip_if_unavailable`: a repo whose metadata cannot be fetched is left out, with a warning.
    public var skipIfUnavailable: Bool
    /// `module_hotfixes`: the repo's packages are exempt from module filtering.
    public var moduleHotfixes: Bool
    /// TLS, credentials, proxy, timeouts and speed limits for this repo's servers.
    public var connection: RepoConnection
    /// Where the definition came from: `FILE:LINE` of its section, or `--repo`.
    public var origin: String

    /// Creates a definition with dnf's defaults for everything not given.
    public init(
        id: String, name: String? = nil, baseURLs: [String], metalink: String? = nil, mirrorList: String? = nil,
        enabled: Bool = true, gpgCheck: Bool = false, gpgKeys: [String] = [], excludes: [String] = [],
        includes: [String] = [], priority: Int = 99, origin: String, repoGPGCheck: Bool = false, cost: Int = 1000,
        skipIfUnavailable: Bool = false, moduleHotfixes: Bool = false, fastestMirror: Bool = false,
        connection: RepoConnection = .init()
    ) {
        self.id = id
        self.name = name ?? id
        self.baseURLs = baseURLs
        self.metalink = metalink
        self.mirrorList = mirrorList
        self.enabled = enabled
        self.gpgCheck = gpgCheck
        self.repoGPGCheck = repoGPGCheck
        self.gpgKeys = gpgKeys
        self.excludes = excludes
        self.includes = includes
        self.priority = priority
        self.cost = cost
        self.skipIfUnavailable = skipIfUnavailable
        self.moduleHotfixes = moduleHotfixes
        self.fastestMirror = fastestMirror
        self.connection = connection
        self.origin = origin
    }

    /// Whether some of the repo's files come over the network (a metalink, mirrorlist or http(s) baseurl).
    public var isRemote: Bool {
        metalink != nil || mirrorList != nil
            || baseURLs.contains { $0.lowercased().hasPrefix("http://") || $0.lowercased().hasPrefix("https://") }
    }
}
