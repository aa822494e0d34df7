import Foundation

/// Turns one `[id]` section's entries into a `RepoDefinition`, checking each value's type.
struct RepoSectionReader {
    var section: RepoFileSection
    var file: String
    var variables: [String: String]

    func definition(origin: String, warnings: inout [String]) throws(RepoConfigError) -> RepoDefinition {
        var repo = RepoDefinition(id: section.id, baseURLs: [], origin: origin)
        var seen: [String: Int] = [:]
        var excludes: [String] = []
        var excludePkgs: [String] = []
        var throttle: (value: Double, percent: Bool, line: Int)?
        var bandwidth = 0
        for entry in section.entries {
            if let earlier = seen[entry.key] {
                warnings.append("\(file):\(entry.line): '\(entry.key)' already set at line \(earlier); this later value wins")
            }
            seen[entry.key] = entry.line
            switch entry.key {
            case "name": repo.name = try text(entry)
            case "baseurl": repo.baseURLs = try list(entry, required: true)
            case "metalink": repo.metalink = try optionalText(entry)
            case "mirrorlist": repo.mirrorList = try optionalText(entry)
            case "enabled": repo.enabled = try boolean(entry)
            case "gpgcheck": repo.gpgCheck = try boolean(entry)
            case "repo_gpgcheck": repo.repoGPGCheck = try boolean(entry)
            case "gpgkey": repo.gpgKeys = try list(entry, required: false)
            case "exclude": excludes = try list(entry, required: false)
            case "excludepkgs": excludePkgs = try list(entry, required: false)
            case "includepkgs": repo.includes = try list(entry, required: false)
            case "priority": repo.priority = try integer(entry)
            case "cost": repo.cost = try integer(entry)
            case "skip_if_unavailable": repo.skipIfUnavailable = try boolean(entry)
            case "module_hotfixes": repo.moduleHotfixes = try boolean(entry)
            case "fastestmirror": repo.fastestMirror = try boolean(entry)
            case "type": try checkType(entry)
            case "sslcacert": repo.connection.sslCACert = try optionalText(entry)
            case "sslverify": repo.connection.sslVerify = try boolean(entry)
            case "sslverifystatus": repo.connection.sslVerifyStatus = try boolean(entry)
            case "sslclientcert": repo.connection.sslClientCert = try optionalText(entry)
            case "sslclientkey": repo.connection.sslClientKey = try optionalText(entry)
            case "username": repo.connection.username = try optionalText(entry)
            // Passwords are taken as written: a '$' in one is not a variable.
            case "password": repo.connection.password = entry.value.isEmpty ? nil : entry.value
            // dnf: empty or _none_ leaves the proxy to the environment (http_proxy, no_proxy...).
            case "proxy":
                let value = try optionalText(entry)
                repo.connection.proxy = value == "_none_" ? nil : value
            case "proxy_username": repo.connection.proxyUsername = try optionalText(entry)
            case "proxy_password": repo.connection.proxyPassword = entry.value.isEmpty ? nil : entry.value
            case "proxy_auth_method": repo.connection.proxyAuthMethod = try choice(entry)
            case "proxy_sslcacert": repo.connection.proxySSLCACert = try optionalText(entry)
            case "proxy_sslverify": repo.connection.proxySSLVerify = try boolean(entry)
            case "proxy_sslclientcert": repo.connection.proxySSLClientCert = try optionalText(entry)
            case "proxy_sslclientkey": repo.connection.proxySSLClientKey = try optionalText(entry)
            case "timeout": repo.connection.timeout = try seconds(entry)
            case "minrate": repo.connection.minRate = try size(entry)
            case "bandwidth": bandwidth = try size(entry)
            case "throttle": throttle = try throttleValue(entry)
            case "retries": repo.connection.retries = try retries(entry, warnings: &warnings)
            case "ip_resolve": repo.connection.ipResolve = try ipResolve(entry)
            case "user_agent": repo.connection.userAgent = try optionalText(entry)
            default:
                let value = (try? substituted(entry)) ?? entry.value
                if let warning = RepoKeys.warning(key: entry.key, value: value, repo: section.id, at: "\(file):\(entry.line)") {
                    warnings.append(warning)
                }
            }
        }
        repo.excludes = excludes + excludePkgs
        if let throttle {
            // dnf: a percentage, or a value up to 1, is a share of `bandwidth`.
            let speed = throttle.percent || throttle.value <= 1 ? throttle.value * Double(bandwidth) : throttle.value
            repo.connection.maxSpeed = speed > 0 ? Int(speed) : nil
            if let maxSpeed = repo.connection.maxSpeed, maxSpeed < (repo.connection.minRate ?? 1000) {
                throw .conflict(file: file, line: throttle.line, key: "throttle",
                                reason: "it allows \(maxSpeed) bytes/s, less than minrate (\(repo.connection.minRate ?? 1000)), "
                                    + "so every download would be abandoned; raise throttle or lower minrate")
            }
        }
        if repo.connection.proxyUsername != nil && repo.connection.proxyPassword == nil, let line = seen["proxy_username"] {
            throw .conflict(file: file, line: line, key: "proxy_username", reason: "proxy_password is not set; add it")
        }
        return repo
    }

    private func substituted(_ entry: RepoFileEntry) throws(RepoConfigError) -> String {
        do {
            return try RepoVariables.substitute(entry.value, variables)
        } catch {
            throw .unknownVariable(file: file, line: entry.line, key: entry.key, name: error.name)
        }
    }

    private func text(_ entry: RepoFileEntry) throws(RepoConfigError) -> String {
        let value = try substituted(entry).replacingOccurrences(of: "\n", with: " ")
        guard !value.isEmpty else { throw .emptyValue(file: file, line: entry.line, key: entry.key) }
        return value
    }

    private func optionalText(_ entry: RepoFileEntry) throws(RepoConfigError) -> String? {
        let value = try substituted(entry).trimmingCharacters(in: .whitespacesAndNewlines)
        return value.isEmpty ? nil : value
    }

    /// dnf splits list values on commas and whitespace, including newlines from continuation lines.
    private func list(_ entry: RepoFileEntry, required: Bool) throws(RepoConfigError) -> [String] {
        let items = try substituted(entry)
            .split(whereSeparator: { $0 == "," || $0.isWhitespace })
            .map(String.init)
        if required && items.isEmpty { throw .emptyValue(file: file, line: entry.line, key: entry.key) }
        return items
    }

    private func boolean(_ entry: RepoFileEntry) throws(RepoConfigError) -> Bool {
        let value = try substituted(entry)
        switch value.lowercased() {
        case "1", "true", "yes", "on": return true
        case "0", "false", "no", "off": return false
        case "": throw .emptyValue(file: file, line: entry.line, key: entry.key)
        default: throw .badBoolean(file: file, line: entry.line, key: entry.key, value: value)
        }
    }

    private func integer(_ entry: RepoFileEntry) throws(RepoConfigError) -> Int {
        let value = try substituted(entry)
        guard !value.isEmpty else { throw .emptyValue(file: file, line: entry.line, key: entry.key) }
        guard let number = Int(value) else {
            throw .badInteger(file: file, line: entry.line, key: entry.key, value: value)
        }
        return number
    }

    private func bad(_ entry: RepoFileEntry, _ value: String, expected: String) -> RepoConfigError {
        .badValue(file: file, line: entry.line, key: entry.key, value: value, expected: expected)
    }

    /// dnf's storage sizes: a number with an optional k, M or G (1k = 1024).
    private func size(_ entry: RepoFileEntry) throws(RepoConfigError) -> Int {
        let value = try substituted(entry).trimmingCharacters(in: .whitespaces)
        guard let bytes = Self.bytes(value) else {
            throw bad(entry, value, expected: "a size in bytes, optionally with k, M or G (e.g. 100k)")
        }
        return bytes
    }

    static func bytes(_ value: String) -> Int? {
        amount(value).map { Int($0) }
    }

    /// A size as dnf reads it, before rounding to whole bytes.
    static func amount(_ value: String) -> Double? {
        let units: [Character: Double] = ["k": 1024, "m": 1024 * 1024, "g": 1024 * 1024 * 1024]
        var number = Substring(value)
        var factor = 1.0
        if let last = value.last?.lowercased().first, let unit = units[last] {
            factor = unit
            number = number.dropLast()
        }
        guard let amount = Double(number), amount >= 0, amount.isFinite else { return nil }
        return amount * factor
    }

    /// dnf's `throttle`: a size, or a percentage of `bandwidth`.
    private func throttleValue(_ entry: RepoFileEntry) throws(RepoConfigError) -> (value: Double, percent: Bool, line: Int) {
        let value = try substituted(entry).trimmingCharacters(in: .whitespaces)
        if value.hasSuffix("%") {
            guard let percent = Double(value.dropLast()), (0...100).contains(percent) else {
                throw bad(entry, value, expected: "a percentage from 0% to 100%, or a size such as 500k")
            }
            return (percent / 100, true, entry.line)
        }
        guard let bytes = Self.amount(value) else {
            throw bad(entry, value, expected: "a size such as 500k, or a percentage of bandwidth such as 50%")
        }
        return (bytes, false, entry.line)
    }

    /// dnf's seconds: a number with an optional s, m, h or d; -1 or `never` means no limit (nil).
    private func seconds(_ entry: RepoFileEntry) throws(RepoConfigError) -> Double? {
        let value = try substituted(entry).trimmingCharacters(in: .whitespaces).lowercased()
        if value == "-1" || value == "never" { return nil }
        let units: [Character: Double] = ["s": 1, "m": 60, "h": 3600, "d": 86400]
        var number = Substring(value)
        var factor = 1.0
        if let last = value.last, let unit = units[last] {
            factor = unit
            number = number.dropLast()
        }
        guard let amount = Double(number), amount >= 0, amount.isFinite else {
            throw bad(entry, value, expected: "a number of seconds, optionally with s, m, h or d (e.g. 30 or 2m)")
        }
        return amount > 0 ? amount * factor : nil
    }

    /// dnf's `retries`: 0 means "forever", which mox does not do: every download stays bounded.
    private func retries(_ entry: RepoFileEntry, warnings: inout [String]) throws(RepoConfigError) -> Int? {
        let number = try integer(entry)
        guard number >= 0 else { throw bad(entry, String(number), expected: "a number of retries, 0 or more") }
        if number == 0 {
            warnings.append("\(file):\(entry.line): 'retries=0' in repo '\(section.id)' means 'retry forever' to dnf; "
                + "mox keeps every download bounded and uses --retries instead")
            return nil
        }
        return number
    }

    private func choice(_ entry: RepoFileEntry) throws(RepoConfigError) -> RepoConnection.ProxyAuthMethod {
        let value = try substituted(entry).trimmingCharacters(in: .whitespaces)
        guard let method = RepoConnection.ProxyAuthMethod(rawValue: value.lowercased()) else {
            let known = RepoConnection.ProxyAuthMethod.allCases.map(\.rawValue).joined(separator: ", ")
            throw bad(entry, value, expected: "one of \(known)")
        }
        return method
    }

    private func ipResolve(_ entry: RepoFileEntry) throws(RepoConfigError) -> RepoConnection.IPResolve {
        let value = try substituted(entry).trimmingCharacters(in: .whitespaces)
        switch value.lowercased() {
        case "4", "ipv4": return .v4
        case "6", "ipv6": return .v6
        case "whatever", "": return .any
        default: throw bad(entry, value, expected: "4, 6, ipv4, ipv6 or whatever")
        }
    }

    /// dnf reads rpm-md repos only, under several names.
    private func checkType(_ entry: RepoFileEntry) throws(RepoConfigError) {
        let value = try substituted(entry).trimmingCharacters(in: .whitespaces)
        guard ["", "rpm-md", "rpm", "repomd", "rpmmd", "yum"].contains(value.lowercased()) else {
            throw bad(entry, value, expected: "rpm-md (or rpm, repomd, rpmmd, yum): mox reads rpm-md repos only")
        }
    }
}
