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
            case "gpgkey": repo.gpgKeys = try list(entry, required: false)
            case "exclude": excludes = try list(entry, required: false)
            case "excludepkgs": excludePkgs = try list(entry, required: false)
            case "includepkgs": repo.includes = try list(entry, required: false)
            case "priority": repo.priority = try integer(entry)
            case "module_hotfixes": repo.moduleHotfixes = try boolean(entry)
            default:
                if !RepoConfig.ignoredKeys.contains(entry.key) {
                    warnings.append("\(file):\(entry.line): unknown key '\(entry.key)' in repo '\(section.id)' ignored")
                }
            }
        }
        repo.excludes = excludes + excludePkgs
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
}
