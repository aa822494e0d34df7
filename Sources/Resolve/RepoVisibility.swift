import Manifest
import Repos

/// Which defined repos each extension sees once the manifest's repo ids are read through
/// `--map-repo` and `--all-repos`, and which manifest id each of those repos stands for (what
/// the index records, so a tree does not depend on what the build system calls its repos).
public struct RepoVisibility: Sendable {
    /// Real ids visible to every extension, in `.repo` file order under `--all-repos`, else manifest order.
    public let global: [String]
    /// Real ids each extension adds for itself.
    public let perExtension: [String: [String]]
    let mapping: RepoMapping
    /// Every repo id the manifest names, global ones first.
    let manifestIDs: [String]

    /// Reads `manifest`'s repos through `mapping` against the repos `defined` (in `.repo` file order).
    /// Throws when the mapping names a repo the manifest does not use or one no `.repo` file
    /// defines, or an unmapped manifest repo is not defined (each at its place in the file).
    public init(manifest: ExtensionsFile, mapping: RepoMapping, defined: [RepoDefinition],
                reposDirectory: String) throws(CheckError) {
        let ids = (manifest.repos + manifest.extensions.flatMap(\.repos)).uniqued()
        let definedIDs = Set(defined.map(\.id))
        for (from, targets) in mapping.targets.sorted(by: { $0.key < $1.key }) {
            guard ids.contains(from) else {
                throw .invalidInput("--map-repo \(from)=...: \(manifest.path) uses no repo '\(from)' (it uses "
                    + (ids.isEmpty ? "none" : ids.joined(separator: ", ")) + "); map the ids the manifest names")
            }
            for target in targets where !definedIDs.contains(target) {
                throw .invalidInput("--map-repo \(from)=\(targets.joined(separator: ",")): no .repo file in \(reposDirectory) "
                    + "defines '\(target)' (defined: " + definedIDs.sorted().joined(separator: ", ") + ")")
            }
        }
        // Mapped ids, and global ids under --all-repos, need no .repo section of their own.
        var satisfied = definedIDs.union(mapping.targets.keys)
        if mapping.allRepos { satisfied.formUnion(manifest.repos) }
        let undefined = manifest.undefinedRepos(defined: satisfied)
        if !undefined.isEmpty { throw .invalidFiles(undefined.map(InputProblem.init)) }

        var perExtension: [String: [String]] = [:]
        for ext in manifest.extensions {
            perExtension[ext.name] = ext.repos.flatMap(mapping.realIDs).uniqued()
        }
        if mapping.allRepos {
            // Every enabled repo, except those an extension names for itself: they stay its own.
            let own = Set(perExtension.values.joined())
            global = defined.filter { $0.enabled && !own.contains($0.id) }.map(\.id)
        } else {
            global = manifest.repos.flatMap(mapping.realIDs).uniqued()
        }
        self.perExtension = perExtension
        self.mapping = mapping
        manifestIDs = ids
    }

    /// The real repos `ext` may use.
    public func visible(to ext: Extension) -> Set<String> {
        Set(global).union(perExtension[ext.name] ?? [])
    }

    /// Every real repo some extension sees.
    public var used: Set<String> { Set(global).union(perExtension.values.joined()) }

    /// The manifest id a real repo stands for (itself when unmapped).
    public func manifestID(of realID: String) -> String {
        mapping.manifestID(of: realID, among: manifestIDs)
    }
}
