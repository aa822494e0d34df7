/// How to reach one repo's servers, from its `.repo` keys: TLS, credentials, proxy, timeouts and
/// speed limits. nil means "not set in the repo": the run's defaults (or libcurl's) apply.
public struct RepoConnection: Sendable, Hashable {
    /// `sslcacert`: CA certificates (PEM) the server's certificate must chain to.
    public var sslCACert: String?
    /// `sslverify` (default true): check the server's certificate and name.
    public var sslVerify: Bool
    /// `sslverifystatus`: also require a good OCSP status (stapled by the server).
    public var sslVerifyStatus: Bool
    /// `sslclientcert`: the client certificate (PEM) to present, e.g. for the RHEL CDN.
    public var sslClientCert: String?
    /// `sslclientkey`: the key of `sslClientCert`.
    public var sslClientKey: String?
    /// `username` for HTTP authentication.
    public var username: String?
    /// `password` for HTTP authentication.
    public var password: String?
    /// `proxy`: the proxy URL; nil leaves libcurl's http_proxy/https_proxy/no_proxy in charge.
    public var proxy: String?
    /// `proxy_username`.
    public var proxyUsername: String?
    /// `proxy_password`.
    public var proxyPassword: String?
    /// `proxy_auth_method` (default any).
    public var proxyAuthMethod: ProxyAuthMethod
    /// `proxy_sslcacert`.
    public var proxySSLCACert: String?
    /// `proxy_sslverify` (default true).
    public var proxySSLVerify: Bool
    /// `proxy_sslclientcert`.
    public var proxySSLClientCert: String?
    /// `proxy_sslclientkey`.
    public var proxySSLClientKey: String?
    /// `timeout`, seconds: to connect, and how long a transfer may stay below `minRate`.
    public var timeout: Double?
    /// `minrate`, bytes per second (dnf's default 1000).
    public var minRate: Int?
    /// `throttle` (with `bandwidth` for a percentage), bytes per second; nil: no limit.
    public var maxSpeed: Int?
    /// `retries`: further tries of a file after the first.
    public var retries: Int?
    /// `ip_resolve`.
    public var ipResolve: IPResolve
    /// `user_agent`.
    public var userAgent: String?

    /// `proxy_auth_method` values, as dnf names them.
    public enum ProxyAuthMethod: String, Sendable, Hashable, CaseIterable {
        case any, none, basic, digest, negotiate, ntlm
        case digestIE = "digest_ie"
        case ntlmWinbind = "ntlm_wb"
    }

    /// `ip_resolve` values.
    public enum IPResolve: String, Sendable, Hashable {
        case any = "whatever", v4 = "ipv4", v6 = "ipv6"
    }

    /// Settings as dnf defaults them.
    public init(
        sslCACert: String? = nil, sslVerify: Bool = true, sslVerifyStatus: Bool = false, sslClientCert: String? = nil,
        sslClientKey: String? = nil, username: String? = nil, password: String? = nil, proxy: String? = nil,
        proxyUsername: String? = nil, proxyPassword: String? = nil, proxyAuthMethod: ProxyAuthMethod = .any,
        proxySSLCACert: String? = nil, proxySSLVerify: Bool = true, proxySSLClientCert: String? = nil,
        proxySSLClientKey: String? = nil, timeout: Double? = nil, minRate: Int? = nil, maxSpeed: Int? = nil,
        retries: Int? = nil, ipResolve: IPResolve = .any, userAgent: String? = nil
    ) {
        self.sslCACert = sslCACert
        self.sslVerify = sslVerify
        self.sslVerifyStatus = sslVerifyStatus
        self.sslClientCert = sslClientCert
        self.sslClientKey = sslClientKey
        self.username = username
        self.password = password
        self.proxy = proxy
        self.proxyUsername = proxyUsername
        self.proxyPassword = proxyPassword
        self.proxyAuthMethod = proxyAuthMethod
        self.proxySSLCACert = proxySSLCACert
        self.proxySSLVerify = proxySSLVerify
        self.proxySSLClientCert = proxySSLClientCert
        self.proxySSLClientKey = proxySSLClientKey
        self.timeout = timeout
        self.minRate = minRate
        self.maxSpeed = maxSpeed
        self.retries = retries
        self.ipResolve = ipResolve
        self.userAgent = userAgent
    }
}
