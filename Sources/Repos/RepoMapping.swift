/// Repos as the build system names them: the manifest's repo ids mapped to the ids of the `.repo`
/// files a build system provides (`--map-repo MANIFEST_ID=REAL_ID[,REAL_ID...]`), or every
/// enabled repo standing in for the manifest's global repos (`--all-repos`).
public struct RepoMapping: Sendable, Hashable {
    /// Manifest id -> the real ids it stands for, in the order given.
    public private(set) var targets: [String: [String]]
    /// Every enabled repo of the repos directory takes the place of the manifest's global `repos`.
    public var allRepos: Bool

    /// No mapping: every id is its own.
    public static let identity = RepoMapping(targets: [:], allRepos: false)

    public init(targets: [String: [String]] = [:], allRepos: Bool = false) {
        self.targets = targets
        self.allRepos = allRepos
    }

    /// Parses `--map-repo` values (`MANIFEST_ID=REAL_ID[,REAL_ID...]`, repeatable, one per manifest id).
    public init(specs: [String], allRepos: Bool) throws(RepoMappingError) {
        self.init(allRepos: allRepos)
        for spec in specs {
            guard let equals = spec.firstIndex(of: "=") else { throw .malformed(spec: spec, reason: "no '='") }
            let from = String(spec[..<equals]).trimmingCharacters(in: .whitespaces)
            let to = spec[spec.index(after: equals)...].split(separator: ",").map { $0.trimmingCharacters(in: .whitespaces) }
            guard RepoFileLexer.isValidID(from) else {
                throw .malformed(spec: spec, reason: "'\(from)' is not a repo id (letters, digits and -_.: only)")
            }
            guard !to.isEmpty, to.allSatisfy(RepoFileLexer.isValidID) else {
                throw .malformed(spec: spec, reason: "give one or more repo ids after '=', separated by commas")
            }
            guard targets[from] == nil else { throw .malformed(spec: spec, reason: "'\(from)' is mapped twice; give its ids in one --map-repo") }
            var seen = Set<String>()
            targets[from] = to.filter { seen.insert($0).inserted }
        }
    }

    /// The real ids a manifest id stands for: its mapping, or itself.
    public func realIDs(of manifestID: String) -> [String] {
        targets[manifestID] ?? [manifestID]
    }

    /// The manifest id a real repo stands for, among `manifestIDs` in their order: the first whose
    /// mapping names it, else the real id itself (unmapped repos, `--all-repos`).
    public func manifestID(of realID: String, among manifestIDs: [String]) -> String {
        manifestIDs.first { targets[$0]?.contains(realID) == true } ?? realID
    }
}

/// A `--map-repo` value that cannot be used.
public enum RepoMappingError: Error, Sendable, Equatable, CustomStringConvertible {
    case malformed(spec: String, reason: String)

    public var description: String {
        switch self {
        case let .malformed(spec, reason):
            "--map-repo '\(spec)': \(reason); write --map-repo MANIFEST_ID=REAL_ID[,REAL_ID...], "
                + "e.g. --map-repo rhel-9-baseos=rhel-9-for-x86_64-baseos-rpms"
        }
    }
}
