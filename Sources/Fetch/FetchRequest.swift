import Foundation
import Repos
import Solv

/// One package to have in the cache: where it can come from and what the repo metadata promises.
public struct FetchRequest: Sendable, Hashable {
    /// For messages, e.g. "usbguard-1.0.0-15.el9.x86_64".
    public var name: String
    /// Candidate URLs in failover order (file://, http://, https://), one per repo baseurl.
    public var sources: [URL]
    /// Expected bytes from the repo metadata (nil: unknown).
    public var size: Int64?
    /// Expected digest from the repo metadata; also the package's key in the cache.
    public var checksum: Checksum
    /// What librpm must confirm before the package is used.
    public var signature: SignatureCheck
    /// How to reach the sources: the repo's TLS, credentials, proxy, timeouts and retries.
    public var connection: RepoConnection
    /// The NEVRA the repo metadata gives; the package's header must say the same.
    public var nevra: NEVRA?

    /// Describes one package to fetch.
    public init(name: String, sources: [URL], size: Int64?, checksum: Checksum, signature: SignatureCheck = .digestsOnly,
                connection: RepoConnection = .init(), nevra: NEVRA? = nil) {
        self.name = name
        self.sources = sources
        self.size = size
        self.checksum = checksum
        self.signature = signature
        self.connection = connection
        self.nevra = nevra
    }
}

/// The repo's `gpgcheck`: digests only, or also a signature by one of the repo's `gpgkey`s.
public enum SignatureCheck: Sendable, Hashable {
    /// gpgcheck=0: header and payload digests must verify.
    case digestsOnly
    /// gpgcheck=1: digests, and a signature by one of these armored key files (paths or file:// URLs).
    case required(keys: [String])
}

/// What happened to one request.
public struct FetchResult: Sendable, Hashable {
    /// The request this answers.
    public var request: FetchRequest
    /// The verified package in the cache.
    public var path: String
    /// True when the package was in the cache before this fetch.
    public var wasCached: Bool
    /// Bytes read from the source that succeeded (0 when cached).
    public var bytesTransferred: Int64
}

/// How downloads behave; the defaults suit a mirror on the internet.
public struct FetchOptions: Sendable {
    /// Downloads at once.
    public var concurrency: Int
    /// Seconds to wait for a connection (a repo's `timeout` overrides it).
    public var connectTimeout: Double
    /// A transfer slower than `lowSpeedLimit` bytes/s for `lowSpeedTime` seconds is abandoned.
    public var lowSpeedLimit: Int
    /// See `lowSpeedLimit`.
    public var lowSpeedTime: Double
    /// Seconds a whole transfer may take (nil: no limit; the low-speed rule catches stalls).
    public var totalTimeout: Double?
    /// Further rounds over a request's sources after the first fails (a repo's `retries` overrides it).
    public var retries: Int
    /// Seconds to wait before the first retry round; doubled each round, with ±25% jitter.
    public var backoff: Double
    /// The User-Agent header.
    public var userAgent: String
    /// No network connection is opened (`--offline`): remote sources fail at once, naming their URL.
    public var offline: Bool

    /// Options with sensible defaults: 4 at once, 30 s connect, 3 retries from 0.5 s.
    public init(
        concurrency: Int = 4, connectTimeout: Double = 30, lowSpeedLimit: Int = 1024, lowSpeedTime: Double = 30,
        totalTimeout: Double? = nil, retries: Int = 3, backoff: Double = 0.5, userAgent: String = "mox",
        offline: Bool = false
    ) {
        self.offline = offline
        self.concurrency = concurrency
        self.connectTimeout = connectTimeout
        self.lowSpeedLimit = lowSpeedLimit
        self.lowSpeedTime = lowSpeedTime
        self.totalTimeout = totalTimeout
        self.retries = retries
        self.backoff = backoff
        self.userAgent = userAgent
    }

    /// The pause before retry round `round` (1, 2, ...).
    func delay(beforeRound round: Int) -> Double {
        backoff * Double(1 << min(round - 1, 16)) * Double.random(in: 0.75...1.25)
    }
}

/// Where a fetch stands, for a terminal progress line.
public struct FetchProgress: Sendable, Hashable {
    /// Packages in the cache and verified so far (cached ones included).
    public var packagesDone: Int
    /// Packages requested.
    public var packagesTotal: Int
    /// Bytes downloaded or copied so far.
    public var bytesDone: Int64
    /// Bytes to fetch (known sizes of packages not yet cached).
    public var bytesTotal: Int64
    /// The package that moved last.
    public var current: String
}
