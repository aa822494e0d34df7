import Foundation
import SystemPackage

/// Reads dnf `.repo` files and `--repo ID=URL` options into `RepoDefinition`s.
public enum RepoConfig {
    /// Reads every `*.repo` file in `dir` in name order, applies `overrides` (`ID=URL`, with
    /// `variables` substituted in the URL), and checks that every enabled repo has somewhere to come
    /// from. Warnings (unknown keys, ...) are returned as `FILE:LINE: text`.
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
        for spec in overrides { try applyOverride(spec, to: &repos, variables: variables) }
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

    /// Applies `--repo ID=URL`: makes URL the only source of repo ID (no metalink or mirrorlist) and
    /// enables it, or adds a new enabled repo. `$basearch`, `$arch`, `$releasever` in URL are
    /// substituted from `variables` as in `.repo` files.
    public static func applyOverride(
        _ spec: String, to repos: inout [RepoDefinition], variables: [String: String] = [:]
    ) throws(RepoConfigError) {
        guard let equals = spec.firstIndex(of: "=") else { throw .badOverride(spec: spec, reason: "no '='") }
        let id = spec[..<equals].trimmingCharacters(in: .whitespaces)
        let written = spec[spec.index(after: equals)...].trimmingCharacters(in: .whitespaces)
        let url: String
        do {
            url = try RepoVariables.substitute(written, variables)
        } catch {
            throw .badOverride(spec: spec, reason: "unknown variable $\(error.name) (known: "
                + variables.keys.sorted().map { "$" + $0 }.joined(separator: ", ") + ")")
        }
        guard RepoFileLexer.isValidID(id) else {
            throw .badOverride(spec: spec, reason: "'\(id)' is not a repo id (letters, digits and -_.: only)")
        }
        guard !url.isEmpty else { throw .badOverride(spec: spec, reason: "no URL after '='") }
        if let index = repos.firstIndex(where: { $0.id == id }) {
            repos[index].baseURLs = [url]
            repos[index].metalink = nil
            repos[index].mirrorList = nil
            repos[index].enabled = true
            repos[index].origin += " (baseurl from --repo)"
        } else {
            repos.append(RepoDefinition(id: id, baseURLs: [url], origin: "--repo"))
        }
    }

    static func requireBaseURLs(_ repos: [RepoDefinition]) throws(RepoConfigError) {
        for repo in repos where repo.enabled && repo.baseURLs.isEmpty && repo.metalink == nil && repo.mirrorList == nil {
            throw .noBaseURL(id: repo.id, origin: repo.origin)
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
