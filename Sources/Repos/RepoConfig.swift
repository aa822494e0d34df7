import Foundation
import SystemPackage

/// Reads dnf `.repo` files and `--repo ID=URL` options into `RepoDefinition`s.
public enum RepoConfig {
    /// Keys dnf knows but mox has no use for; they are ignored without a warning.
    static let ignoredKeys: Set<String> = [
        "skip_if_unavailable", "metadata_expire", "countme", "sslverify", "sslverifystatus", "sslcacert",
        "sslclientcert", "sslclientkey", "type", "repo_gpgcheck", "localpkg_gpgcheck",
        "cost", "enabled_metadata", "deltarpm", "deltarpm_percentage", "fastestmirror", "proxy",
        "proxy_username", "proxy_password", "proxy_auth_method", "proxy_sslverify", "proxy_sslcacert",
        "proxy_sslclientcert", "proxy_sslclientkey", "username", "password", "timeout", "minrate", "throttle",
        "bandwidth", "retries", "max_parallel_downloads", "ip_resolve", "mediaid", "user_agent",
        "gpgkey_dns_verification", "failovermethod", "keepcache", "enablegroups", "zchunk", "mirrorlist_expire",
        "max_mirror_tries", "metadata_timer_sync", "http_headers", "ssl_check_cert_permissions", "gpgcakey",
    ]

    /// Reads every `*.repo` file in `dir` in name order, applies `overrides` (`ID=URL`), and checks that
    /// every enabled repo has a baseurl. Warnings (unknown keys, ...) are returned as `FILE:LINE: text`.
    public static func loadDirectory(
        _ dir: String, variables: [String: String], overrides: [String] = []
    ) throws(RepoConfigError) -> (repos: [RepoDefinition], warnings: [String]) {
        var isDirectory: ObjCBool = false
        guard FileManager.default.fileExists(atPath: dir, isDirectory: &isDirectory), isDirectory.boolValue else {
            throw .directoryMissing(path: dir)
        }
        let names: [String]
        do {
            names = try FileManager.default.contentsOfDirectory(atPath: dir).filter { $0.hasSuffix(".repo") }.sorted()
        } catch {
            throw .unreadable(path: dir, reason: error.localizedDescription)
        }
        var repos: [RepoDefinition] = []
        var warnings: [String] = []
        for name in names {
            let path = FilePath(dir).appending(name).string
            let text: String
            do {
                text = try String(contentsOfFile: path, encoding: .utf8)
            } catch {
                throw .unreadable(path: path, reason: error.localizedDescription)
            }
            let parsed = try definitions(text: text, file: path, variables: variables)
            for repo in parsed.repos {
                if let earlier = repos.first(where: { $0.id == repo.id }) {
                    throw .duplicateRepo(id: repo.id, first: earlier.origin, second: repo.origin)
                }
                repos.append(repo)
            }
            warnings += parsed.warnings
        }
        for spec in overrides { try applyOverride(spec, to: &repos) }
        try requireBaseURLs(repos)
        return (repos, warnings)
    }

    /// Parses one `.repo` file's text; `file` is used in errors and origins.
    public static func parse(
        text: String, file: String, variables: [String: String]
    ) throws(RepoConfigError) -> (repos: [RepoDefinition], warnings: [String]) {
        let parsed = try definitions(text: text, file: file, variables: variables)
        try requireBaseURLs(parsed.repos)
        return parsed
    }

    /// Applies `--repo ID=URL`: replaces the baseurl of repo ID and enables it, or adds a new enabled repo.
    public static func applyOverride(_ spec: String, to repos: inout [RepoDefinition]) throws(RepoConfigError) {
        guard let equals = spec.firstIndex(of: "=") else { throw .badOverride(spec: spec, reason: "no '='") }
        let id = spec[..<equals].trimmingCharacters(in: .whitespaces)
        let url = spec[spec.index(after: equals)...].trimmingCharacters(in: .whitespaces)
        guard RepoFileLexer.isValidID(id) else {
            throw .badOverride(spec: spec, reason: "'\(id)' is not a repo id (letters, digits and -_.: only)")
        }
        guard !url.isEmpty else { throw .badOverride(spec: spec, reason: "no URL after '='") }
        if let index = repos.firstIndex(where: { $0.id == id }) {
            repos[index].baseURLs = [url]
            repos[index].enabled = true
            repos[index].origin += " (baseurl from --repo)"
        } else {
            repos.append(RepoDefinition(id: id, baseURLs: [url], origin: "--repo"))
        }
    }

    static func requireBaseURLs(_ repos: [RepoDefinition]) throws(RepoConfigError) {
        for repo in repos where repo.enabled && repo.baseURLs.isEmpty {
            throw .noBaseURL(id: repo.id, origin: repo.origin, mirrors: repo.metalink != nil || repo.mirrorList != nil)
        }
    }

    /// Sections to definitions without the baseurl check, so overrides can still supply one.
    static func definitions(
        text: String, file: String, variables: [String: String]
    ) throws(RepoConfigError) -> (repos: [RepoDefinition], warnings: [String]) {
        var repos: [RepoDefinition] = []
        var warnings: [String] = []
        for section in try RepoFileLexer.sections(text: text, file: file) {
            if section.id == "main" {
                warnings.append("\(file):\(section.line): [main] belongs in dnf.conf, not a .repo file; ignored")
                continue
            }
            let origin = "\(file):\(section.line)"
            if let earlier = repos.first(where: { $0.id == section.id }) {
                throw .duplicateRepo(id: section.id, first: earlier.origin, second: origin)
            }
            let reader = RepoSectionReader(section: section, file: file, variables: variables)
            repos.append(try reader.definition(origin: origin, warnings: &warnings))
        }
        return (repos, warnings)
    }
}
