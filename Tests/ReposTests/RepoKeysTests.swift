// Every key dnf documents for a repo (dnf.conf(5)) is honoured or warned about, never dropped.
import Testing
@testable import Repos

private let vars = ["basearch": "x86_64", "arch": "x86_64", "releasever": "9"]

private func read(_ lines: String) throws(RepoConfigError) -> (repo: RepoDefinition, warnings: [String]) {
    let parsed = try RepoConfig.parse(text: "[r]\nbaseurl=/srv/r\n" + lines, file: "t.repo", variables: vars)
    return (parsed.repos[0], parsed.warnings)
}

@Test func connectionKeysAreRead() throws {
    let (repo, warnings) = try read("""
        sslcacert=/etc/pki/ca.pem
        sslverify=0
        sslverifystatus=1
        sslclientcert=/etc/pki/entitlement/1.pem
        sslclientkey=/etc/pki/entitlement/1-key.pem
        username=$basearch-user
        password=pa$$word
        proxy=http://proxy.example:3128
        proxy_username=pu
        proxy_password=pp
        proxy_auth_method=basic
        proxy_sslcacert=/etc/pki/proxy-ca.pem
        proxy_sslverify=false
        proxy_sslclientcert=/etc/pki/proxy.pem
        proxy_sslclientkey=/etc/pki/proxy-key.pem
        timeout=2m
        minrate=2k
        bandwidth=1M
        throttle=50%
        retries=4
        ip_resolve=6
        user_agent=builder/1
        """)
    #expect(warnings == [])
    #expect(repo.connection == RepoConnection(
        sslCACert: "/etc/pki/ca.pem", sslVerify: false, sslVerifyStatus: true,
        sslClientCert: "/etc/pki/entitlement/1.pem", sslClientKey: "/etc/pki/entitlement/1-key.pem",
        username: "x86_64-user", password: "pa$$word", proxy: "http://proxy.example:3128",
        proxyUsername: "pu", proxyPassword: "pp", proxyAuthMethod: .basic, proxySSLCACert: "/etc/pki/proxy-ca.pem",
        proxySSLVerify: false, proxySSLClientCert: "/etc/pki/proxy.pem", proxySSLClientKey: "/etc/pki/proxy-key.pem",
        timeout: 120, minRate: 2048, maxSpeed: 524_288, retries: 4, ipResolve: .v6, userAgent: "builder/1"))
}

@Test func repoKeysAreRead() throws {
    let (repo, warnings) = try read("""
        metalink=https://mirrors.example/metalink?repo=r-$releasever&arch=$basearch
        mirrorlist=https://mirrors.example/list
        repo_gpgcheck=1
        cost=500
        skip_if_unavailable=true
        module_hotfixes=1
        fastestmirror=1
        type=rpm-md
        """)
    #expect(warnings == [])
    #expect(repo.metalink == "https://mirrors.example/metalink?repo=r-9&arch=x86_64")
    #expect(repo.mirrorList == "https://mirrors.example/list")
    #expect(repo.repoGPGCheck && repo.skipIfUnavailable && repo.moduleHotfixes && repo.fastestMirror)
    #expect(repo.cost == 500)
}

/// Each documented key with a value dnf would act on: either the definition changes, or a
/// warning names the file, the line and the key.
@Test(arguments: [
    "baseurl=/other", "cost=1", "enabled=0", "gpgkey=file:///k", "metalink=https://m/", "mirrorlist=https://l/",
    "module_hotfixes=1", "name=R", "priority=1", "type=rpm", "bandwidth=1k", "countme=1", "deltarpm=1",
    "enablegroups=0", "excludepkgs=x", "exclude=x", "fastestmirror=1", "gpgcheck=1", "includepkgs=x",
    "ip_resolve=4", "localpkg_gpgcheck=1", "max_parallel_downloads=9", "metadata_expire=1", "minrate=1k",
    "password=p", "proxy=http://p/", "proxy_auth_method=ntlm", "proxy_password=p", "proxy_sslcacert=/c",
    "proxy_sslverify=0", "proxy_sslclientcert=/c", "proxy_sslclientkey=/k", "proxy_username=u\nproxy_password=p",
    "repo_gpgcheck=1", "retries=1", "skip_if_unavailable=1", "sslcacert=/c", "sslverify=0", "sslverifystatus=1",
    "sslclientcert=/c", "sslclientkey=/k", "throttle=1M", "timeout=1", "username=u", "user_agent=a",
    "deltarpm_percentage=10", "enabled_metadata=1", "mediaid=x",
])
func everyDocumentedKeyIsHonouredOrWarned(line: String) throws {
    let (plain, _) = try read("")
    let (repo, warnings) = try read(line + "\n")
    let key = String(line.prefix { $0 != "=" })
    let warned = warnings.contains { $0.hasPrefix("t.repo:3:") && $0.contains("'\(key)") }
    // Keys whose every value is already what mox does (metadata is never older than any expiry,
    // no local package files, no comps groups, deltas off, rpm-md the only type) need neither;
    // bandwidth acts only through throttle (as in dnf), tested below.
    let vacuous = ["metadata_expire", "localpkg_gpgcheck", "enablegroups", "deltarpm_percentage", "type", "bandwidth"]
        .contains(key)
    #expect(repo != plain || warned || vacuous, "\(line): neither honoured nor warned about: \(warnings)")
}

@Test(arguments: [
    ("countme=1", "countme"), ("max_parallel_downloads=9", "--downloads"),
    ("keepcache=1", "[main]"), ("failovermethod=priority", "yum"), ("frobnicate=1", "unknown key"),
])
func unsupportedKeysAreWarnedWithFileAndLine(line: String, says: String) throws {
    let (_, warnings) = try read("name=r\n" + line + "\n")
    #expect(warnings.count == 1)
    #expect(warnings.first?.hasPrefix("t.repo:4: ") == true, "\(warnings)")
    #expect(warnings.first?.contains(says) == true, "\(warnings)")
}

@Test(arguments: ["countme=0", "deltarpm=0", "fastestmirror=false", "metadata_expire=7d", "enablegroups=1",
                  "localpkg_gpgcheck=1", "deltarpm_percentage=75", "mediaid=", "retries=10"])
func keysWhoseValueIsWhatMoxDoesAreQuiet(line: String) throws {
    #expect(try read(line + "\n").warnings == [])
}

@Test func retriesZeroMeansForeverToDnfAndIsWarned() throws {
    let (repo, warnings) = try read("retries=0\n")
    #expect(repo.connection.retries == nil)
    #expect(warnings.count == 1 && warnings[0].hasPrefix("t.repo:3:") && warnings[0].contains("forever"))
}

@Test(arguments: [
    ("throttle=100", "throttle"),  // 100 bytes/s is below the default minrate: every download would stall
    ("proxy_username=u", "proxy_username"),
])
func contradictionsAreErrorsAtTheirLine(line: String, key: String) {
    #expect {
        try read(line + "\n")
    } throws: { error in
        guard case let .conflict(file, at, k, _) = error as? RepoConfigError else { return false }
        return file == "t.repo" && at == 3 && k == key
    }
}

@Test(arguments: [
    ("timeout=soon", "timeout"), ("minrate=fast", "minrate"), ("throttle=150%", "throttle"), ("bandwidth=1T", "bandwidth"),
    ("ip_resolve=7", "ip_resolve"), ("proxy_auth_method=magic", "proxy_auth_method"), ("type=yast2", "type"),
    ("retries=-1", "retries"),
])
func badValuesAreErrorsAtTheirLine(line: String, key: String) {
    #expect {
        try read(line + "\n")
    } throws: { error in
        guard case let .badValue(file, at, k, _, _) = error as? RepoConfigError else { return false }
        return file == "t.repo" && at == 3 && k == key
    }
}

@Test(arguments: [("1000", 1000), ("1k", 1024), ("1.5M", 1_572_864), ("2G", 2_147_483_648), ("0", 0)])
func sizesUseDnfUnits(text: String, bytes: Int) {
    #expect(RepoSectionReader.bytes(text) == bytes)
}

@Test func throttleFractionIsShareOfBandwidthAsInLibdnf() throws {
    #expect(try read("bandwidth=10M\nthrottle=0.5\n").repo.connection.maxSpeed == 5 * 1024 * 1024)
    #expect(try read("throttle=2M\n").repo.connection.maxSpeed == 2 * 1024 * 1024)
    #expect(try read("throttle=0\n").repo.connection.maxSpeed == nil)
}

@Test func proxyNoneLeavesTheEnvironmentInCharge() throws {
    #expect(try read("proxy=_none_\n").repo.connection.proxy == nil)
    #expect(try read("proxy=\n").repo.connection.proxy == nil)
}

@Test func aRepoWithOnlyAMetalinkOrMirrorlistNeedsNoBaseurl() throws {
    let parsed = try RepoConfig.parse(text: "[a]\nmetalink=https://m/\n[b]\nmirrorlist=https://l/\n", file: "t.repo",
                                      variables: vars)
    #expect(parsed.repos.map(\.baseURLs) == [[], []])
}
