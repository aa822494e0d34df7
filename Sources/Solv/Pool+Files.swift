internal import CSolv
import Foundation

/// A base package (of a base given as a package list) owning a path an extension package also owns.
public struct BaseFileOwner: Sendable, Hashable {
    /// The shared path.
    public let path: String
    /// The base package as the repo holding it describes it (where it is, its checksum).
    public let base: PackageInfo
    /// Bytes from the start of its file to the end of its header (rpm-md's `header-range end`):
    /// what to read or request to have its header; 0 when the metadata does not say.
    public let headerEnd: Int64
}

extension Pool {
    /// For a base built from a package list: the base packages whose file lists (from the repos'
    /// filelists) share a path with one of `packages`. Only meaningful with filelists loaded.
    public func baseFileOwners(sharing packages: [PackageRef]) -> [BaseFileOwner] {
        var paths = Set<String>()
        for ref in packages {
            guard let p = id(of: ref) else { continue }
            forEachFile(of: p) { paths.insert($0) }
        }
        guard !paths.isEmpty, let installed = installedRepo else { return [] }
        var owners: [BaseFileOwner] = []
        for copy in solvables(of: installed) {
            guard let source = baseSources[copy] else { continue }
            var shared: [String] = []
            forEachFile(of: source) { if paths.contains($0) { shared.append($0) } }
            guard !shared.isEmpty else { continue }
            let info = info(source)
            let end = Int64(solvable_lookup_num(solvable(source), Id(SOLVABLE_HEADEREND.rawValue), 0))
            owners += shared.map { BaseFileOwner(path: $0, base: info, headerEnd: end) }
        }
        return owners.sorted { ($0.path, $0.base) < ($1.path, $1.base) }
    }

    /// Where the header of a repo package ends in its file (rpm-md's `header-range end`), 0 when unknown.
    public func headerEnd(of ref: PackageRef) -> Int64 {
        guard let p = id(of: ref) else { return 0 }
        return Int64(solvable_lookup_num(solvable(p), Id(SOLVABLE_HEADEREND.rawValue), 0))
    }

    /// Calls `body` with each path in the file list of solvable `p`.
    func forEachFile(of p: Id, _ body: (String) -> Void) {
        var di = Dataiterator()
        dataiterator_init(&di, raw, nil, p, Id(SOLVABLE_FILELIST.rawValue), nil, Int32(SEARCH_FILES))
        defer { dataiterator_free(&di) }
        while dataiterator_step(&di) != 0 {
            if let path = di.kv.str { body(String(cString: path)) }
        }
    }
}
