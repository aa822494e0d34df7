/// The `.repo` keys dnf documents (dnf.conf(5), "Repo Options" and "Options for both [main] and
/// Repo") that mox reads but does not act on. Every other documented key is honoured by
/// `RepoSectionReader`; anything else is unknown. Each entry says when the value already is what
/// mox does (then nothing is said) and otherwise why mox does not do it (a warning with file:line).
enum RepoKeys {
    struct NotHonoured: Sendable {
        /// Which values ask for nothing mox leaves undone.
        var harmless: Harmless
        /// Why mox does not act on the key.
        var why: String
    }

    enum Harmless: Sendable {
        case always, never, whenFalse, whenEmpty, whenEmptyOrFalse

        func covers(_ value: String) -> Bool {
            switch self {
            case .always: true
            case .never: false
            case .whenFalse: RepoKeys.isFalse(value)
            case .whenEmpty: value.isEmpty
            case .whenEmptyOrFalse: value.isEmpty || RepoKeys.isFalse(value)
            }
        }
    }

    static let notHonoured: [String: NotHonoured] = [
        "countme": .init(harmless: .whenFalse, why: "mox is a build tool, not a system to be counted, and sends no countme flag"),
        "deltarpm": .init(harmless: .whenFalse, why: "mox downloads whole RPMs"),
        // Only meaningful with deltarpm, which warns by itself.
        "deltarpm_percentage": .init(harmless: .always, why: ""),
        "max_parallel_downloads": .init(harmless: .never, why: "mox sets downloads at once for the whole run: use --downloads"),
        // mox asks for repomd.xml on every run: its metadata is never older than any expiry.
        "metadata_expire": .init(harmless: .always, why: ""),
        // mox reads no comps groups: the extensions file lists packages.
        "enablegroups": .init(harmless: .always, why: ""),
        "enabled_metadata": .init(harmless: .whenEmptyOrFalse,
                                  why: "mox loads the metadata of the repos the extensions file names, and of no other"),
        // mox never installs package files given by path, which is all this key is about.
        "localpkg_gpgcheck": .init(harmless: .always, why: ""),
        "mediaid": .init(harmless: .whenEmpty, why: "mox does not read installation media"),
    ]

    /// dnf.conf `[main]` options that dnf does not read in a repo section either.
    static let mainOnly: Set<String> = [
        "keepcache", "metadata_timer_sync", "zchunk", "installonly_limit", "installonlypkgs", "best", "cachedir",
        "gpgkey_dns_verification", "protected_packages", "reposdir", "varsdir", "debuglevel", "logdir",
        "exclude_from_weak", "exclude_from_weak_autodetect", "install_weak_deps", "clean_requirements_on_remove",
        "multilib_policy", "obsoletes", "plugins", "pluginpath", "pluginconfpath", "strict", "tsflags",
    ]

    /// Keys older tools (yum) wrote that dnf no longer documents.
    static let yumOnly: [String: String] = [
        "failovermethod": "dnf always tries baseurls in order, as failovermethod=priority did",
        "mirrorlist_expire": "mox asks for the mirrorlist on every run",
        "http_caching": "mox sends no caching directives",
    ]

    static func isFalse(_ value: String) -> Bool {
        ["0", "false", "no", "off"].contains(value.lowercased())
    }

    /// The warning for a key `RepoSectionReader` does not honour, or nil when there is nothing to say.
    static func warning(key: String, value: String, repo: String, at place: String) -> String? {
        if let entry = notHonoured[key] {
            if entry.harmless.covers(value) { return nil }
            return "\(place): '\(key)=\(value)' in repo '\(repo)' is not supported and has no effect: \(entry.why)"
        }
        if let why = yumOnly[key] {
            return "\(place): '\(key)' in repo '\(repo)' is a yum key dnf no longer reads; ignored (\(why))"
        }
        if mainOnly.contains(key) {
            return "\(place): '\(key)' is a [main] option of dnf.conf, not a repo option; ignored in repo '\(repo)'"
        }
        return "\(place): unknown key '\(key)' in repo '\(repo)' ignored"
    }
}
