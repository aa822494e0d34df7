internal import CSolv
import Foundation

/// One libsolv pool for one architecture: repos, the installed base, and the solver.
///
/// Not thread-safe (libsolv is not): keep it in one owner, used from one task.
public final class Pool {
    let raw: UnsafeMutablePointer<CSolv.Pool>
    /// The architecture packages are resolved for.
    public let arch: String
    /// Repos by name, in load order.
    var repos: [String: UnsafeMutablePointer<Repo>] = [:]
    var repoOrder: [String] = []
    var installedRepo: UnsafeMutablePointer<Repo>?
    /// Solvables hidden by a repo's exclude/includepkgs, whatever the visible repo set.
    var excluded = Set<Int32>()
    /// The repo names the considered map was built for (nil: not built yet, or repos changed).
    var indexedRepos: Set<String>? {
        // Packages were added or hidden: whatprovides may be stale too.
        didSet { if indexedRepos == nil { whatprovidesReady = false } }
    }
    /// Whether whatprovides is current (it covers every package, visible or not).
    var whatprovidesReady = false
    /// Packages were hidden since the considered map was built.
    var consideredStale = false
    var considered = Map()
    var fileProvidesAdded = false
    /// The solvables of each name, for finding a package again by its identity.
    var solvablesByName = SolvablesByName()
    /// What `info` made of each package so far (packages never change once loaded).
    var infos: [Id: PackageInfo] = [:]
    /// The file dependencies of the pool's packages, as of the last `addFileProvides`.
    var fileDependencies: [Id] = []
    /// Per repo loaded from `.solv` files: the end of the data areas those files filled.
    var mainDataEnd: [String: Int32] = [:]
    /// Filelists extensions attached to a repo but not loaded: only loaded when needed.
    var pendingFilelists: [String: String] = [:]
    /// Repos whose filelists are loaded.
    var filelistsLoaded = Set<String>()
    /// Repos whose attached filelists could not be loaded.
    var unloadableFilelists = Set<String>()
    /// For a base built from a package list: each base copy's source package in the repos.
    var baseSources: [Id: Id] = [:]

    /// The name libsolv gives the installed base repo.
    public static let baseRepoName = "@System"

    /// A pool resolving for `arch` as Fedora's libsolv and libdnf do, whatever distribution mox
    /// was built on (Debian's libsolv defaults to Debian semantics and other pool flags).
    public init(arch: String) {
        raw = pool_create()
        pool_setdisttype(raw, Int32(DISTTYPE_RPM))
        for (flag, value) in Self.fedoraFlags { pool_set_flag(raw, flag, value) }
        if let policy = Self.fedoraArchPolicies[arch] {
            pool_setarchpolicy(raw, policy)
        } else {
            pool_setarch(raw, arch)
        }
        self.arch = arch
    }

    /// Pool flags as a Fedora build of libsolv sets them (`FEDORA` defined) plus libdnf's own.
    /// Implicit obsoletes respect colors, so `foo.i686` installs beside `foo.x86_64` (multilib)
    /// instead of replacing it; whatprovides keeps disabled packages, so showing another set of
    /// repos to the solver only changes the considered map (libdnf's `dnf_sack_init`).
    static let fedoraFlags: [(Int32, Int32)] = [
        (POOL_FLAG_IMPLICITOBSOLETEUSESCOLORS, 1),
        (POOL_FLAG_WHATPROVIDESWITHDISABLED, 1),
        (POOL_FLAG_PROMOTEEPOCH, 0),
        (POOL_FLAG_FORBIDSELFCONFLICTS, 0),
        (POOL_FLAG_OBSOLETEUSESPROVIDES, 0),
        (POOL_FLAG_IMPLICITOBSOLETEUSESPROVIDES, 0),
        (POOL_FLAG_OBSOLETEUSESCOLORS, 0),
        (POOL_FLAG_NOINSTALLEDOBSOLETES, 0),
        (POOL_FLAG_HAVEDISTEPOCH, 0),
        (POOL_FLAG_NOOBSOLETESMULTIVERSION, 0),
    ].map { (Int32($0.0), Int32($0.1)) }

    /// Arch policies where Fedora's libsolv differs from other builds.
    static let fedoraArchPolicies = ["x86_64": "x86_64:athlon:i686:i586:i486:i386"]

    deinit {
        if considered.size > 0 {
            mox_set_considered(raw, nil)
            map_free(&considered)
        }
        pool_free(raw)
    }

    /// Names of the loaded repos (not the base), in load order.
    public var repoNames: [String] { repoOrder }

    /// Number of packages in a loaded repo, or in the base for `baseRepoName`.
    public func packageCount(repo name: String) -> Int {
        if name == Self.baseRepoName { return Int(installedRepo?.pointee.nsolvables ?? 0) }
        return Int(repos[name]?.pointee.nsolvables ?? 0)
    }

    func string(_ id: Id) -> String { String(cString: pool_id2str(raw, id)) }

    func solvable(_ p: Id) -> UnsafeMutablePointer<Solvable> { mox_solvable(raw, p) }

    func isInstalled(_ p: Id) -> Bool {
        guard let installed = installedRepo else { return false }
        return solvable(p).pointee.repo == installed
    }

    func repoName(of p: Id) -> String {
        let s = solvable(p).pointee
        guard let repo = s.repo else { return "" }
        if repo == installedRepo { return Self.baseRepoName }
        return String(cString: repo.pointee.name)
    }

    func nevra(_ p: Id) -> NEVRA {
        let s = solvable(p).pointee
        let evr = string(s.evr)
        var epoch: Int? = nil
        var rest = Substring(evr)
        if let colon = rest.firstIndex(of: ":"), let e = Int(rest[..<colon]) {
            epoch = e
            rest = rest[rest.index(after: colon)...]
        }
        let version: Substring
        let release: Substring
        if let dash = rest.lastIndex(of: "-") {
            version = rest[..<dash]
            release = rest[rest.index(after: dash)...]
        } else {
            version = rest
            release = ""
        }
        return NEVRA(name: string(s.name), epoch: epoch, version: String(version),
                     release: String(release), arch: string(s.arch))
    }

    /// All solvable ids of a repo.
    func solvables(of repo: UnsafeMutablePointer<Repo>) -> [Id] {
        var ids: [Id] = []
        ids.reserveCapacity(Int(repo.pointee.nsolvables))
        for p in repo.pointee.start..<repo.pointee.end where solvable(p).pointee.repo == repo {
            ids.append(p)
        }
        return ids
    }

    /// Whether the architecture of solvable `p` is installable in this pool.
    func archIsCompatible(_ p: Id) -> Bool {
        let arch = solvable(p).pointee.arch
        if arch == ARCH_SRC.rawValue || arch == ARCH_NOSRC.rawValue { return false }
        return pool_arch2score(raw, arch) != 0
    }
}

/// libsolv work queue, freed automatically.
final class IdQueue {
    var q = Queue()
    init() { queue_init(&q) }
    deinit { queue_free(&q) }
    var count: Int { Int(q.count) }
    subscript(i: Int) -> Id { q.elements[i] }
    func push(_ id: Id) { queue_push(&q, id) }
    func push(_ a: Id, _ b: Id) { queue_push2(&q, a, b) }
    var array: [Id] { (0..<count).map { q.elements[$0] } }
}
