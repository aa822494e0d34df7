import Foundation
import Solv
import Yams

/// Reads the two lockfile formats, JSON or YAML through Yams (which keeps each entry's line):
/// rpm-ostree's (`packages: {NAME: {evra | evr, digest, metadata}}`, `metadata`) and
/// rpm-lockfile-prototype's rpms.lock.yaml (`lockfileVersion: 1`, `lockfileVendor: redhat`,
/// `arches: [{arch, packages: [{url, repoid, size, checksum, name, evr, sourcerpm}], ...}]`),
/// as hermeto reads it: only `url` is required; the name and EVR, when absent, come from the
/// URL's file name. Every mistake of a file is reported, not only the first.
public enum LockfileReader {
    /// Reads one lockfile.
    public static func read(file path: String) throws(LockfileProblems) -> PackageLock {
        try parse(text: text(of: path), file: path)
    }

    /// Parses lockfile text; `file` names it in errors.
    public static func parse(text: String, file: String) throws(LockfileProblems) -> PackageLock {
        let (lock, problems) = read(text: text, file: file)
        guard let lock, problems.isEmpty else { throw LockfileProblems(problems.isEmpty ? [.notLockfile(file: file)] : problems) }
        return lock
    }

    /// The lock and every problem found; the lock is nil when the text is not a lockfile at all.
    static func read(text: String, file: String) -> (PackageLock?, [LockfileError]) {
        let root: Node?
        do {
            root = try Yams.compose(yaml: text)
        } catch {
            return (nil, [syntaxError(error, file: file)])
        }
        guard let root else { return (PackageLock(.init(file: file, format: .rpmOstree, common: [])), []) }
        guard let top = root.mapping else { return (nil, [.notLockfile(file: file)]) }
        if top["lockfileVersion"] != nil || top["arches"] != nil {
            return readRpmsLock(top, file: file)
        }
        return readRPMOstree(top, file: file)
    }

    /// A file's text, or why it cannot be read.
    static func text(of path: String) throws(LockfileProblems) -> String {
        guard let data = FileManager.default.contents(atPath: path) else {
            let reason = FileManager.default.fileExists(atPath: path) ? "permission denied or not a file" : "no such file"
            throw LockfileProblems([.unreadable(file: path, reason: reason)])
        }
        guard let text = String(data: data, encoding: .utf8) else {
            throw LockfileProblems([.unreadable(file: path, reason: "not UTF-8 text")])
        }
        return text
    }

    // MARK: rpm-ostree

    static func readRPMOstree(_ top: Node.Mapping, file: String) -> (PackageLock?, [LockfileError]) {
        var problems: [LockfileError] = []
        for key in top.keys where key.string != "packages" && key.string != "metadata" {
            problems.append(.badLockEntry(file: file, line: line(of: key), name: key.string ?? "?",
                                          reason: "is not an rpm-ostree lockfile key (packages, metadata)"))
        }
        guard let packages = top["packages"] else { return (nil, problems + [.notLockfile(file: file)]) }
        var result: [LockedPackage] = []
        if packages.tag.rawValue != Tag.Name.null.rawValue {
            guard let entries = packages.mapping else {
                return (nil, problems + [.badLockEntry(file: file, line: line(of: packages), name: "packages",
                                                       reason: "must be a mapping of name: {evra: ...}")])
            }
            for (key, value) in entries {
                switch rpmOstreeEntry(name: key.string ?? "", value, file: file, line: line(of: key)) {
                case .success(let locked): result.append(locked)
                case .failure(let problem): problems.append(problem)
                }
            }
        }
        return (PackageLock(.init(file: file, format: .rpmOstree, common: result)), problems)
    }

    /// One `name: {evra|evr: ..., digest: ..., metadata: {sourcerpm: ...}}` entry.
    private static func rpmOstreeEntry(name: String, _ value: Node, file: String, line entryLine: Int)
        -> Result<LockedPackage, LockfileError> {
        func bad(_ line: Int, _ reason: String) -> Result<LockedPackage, LockfileError> {
            .failure(.badLockEntry(file: file, line: line, name: name, reason: reason))
        }
        guard let fields = value.mapping else { return bad(entryLine, "must be a mapping with \"evra\" or \"evr\"") }
        for key in fields.keys where !["evra", "evr", "digest", "metadata"].contains(key.string ?? "") {
            return bad(line(of: key), "has an unknown key '\(key.string ?? "?")' (evra, evr, digest, metadata)")
        }
        let digest = fields["digest"]?.string
        let source = fields["metadata"]?.mapping?["sourcerpm"]?.string
        switch (fields["evra"], fields["evr"]) {
        case (.some, .some):
            return bad(entryLine, "has both \"evra\" and \"evr\"; keep one")
        case (let evraNode?, nil):
            guard let evra = evraNode.string, !evra.contains(where: \.isWhitespace),
                  let nevra = NEVRA(parsing: "\(name)-\(evra)"), nevra.name == name else {
                return bad(line(of: evraNode), "\"evra\": \"\(evraNode.string ?? "")\" is not [epoch:]version-release.arch")
            }
            return .success(LockedPackage(spec: BasePackageSpec(nevra, digest: digest), sourceRPM: source, line: entryLine))
        case (nil, let evrNode?):
            // No arch: as rpm-ostree does, any arch the repos have for this name and EVR.
            guard let evr = evrNode.string, let spec = spec(name: name, evr: evr, arch: nil, digest: digest) else {
                return bad(line(of: evrNode), "\"evr\": \"\(evrNode.string ?? "")\" is not [epoch:]version-release")
            }
            return .success(LockedPackage(spec: spec, sourceRPM: source, line: entryLine))
        case (nil, nil):
            return bad(entryLine, "has no \"evra\" or \"evr\"; give \"evra\": \"[E:]V-R.ARCH\"")
        }
    }

    // MARK: rpms.lock.yaml

    static func readRpmsLock(_ top: Node.Mapping, file: String) -> (PackageLock?, [LockfileError]) {
        var problems: [LockfileError] = []
        func bad(_ node: Node?, _ name: String, _ reason: String) {
            problems.append(.badLockEntry(file: file, line: line(of: node), name: name, reason: reason))
        }
        // The header as hermeto validates it.
        if top["lockfileVersion"]?.int != 1 {
            bad(top["lockfileVersion"], "lockfileVersion", "must be 1 (the only rpms.lock.yaml version)")
        }
        if top["lockfileVendor"]?.string != "redhat" {
            bad(top["lockfileVendor"], "lockfileVendor", "must be \"redhat\"")
        }
        guard let arches = top["arches"]?.sequence else {
            bad(top["arches"], "arches", "must be a list of {arch, packages, source, module_metadata}")
            return (nil, problems)
        }
        var perArch: [String: [LockedPackage]] = [:]
        for (n, entry) in arches.enumerated() {
            guard let fields = entry.mapping, let arch = fields["arch"]?.string, !arch.isEmpty else {
                bad(entry, "arches[\(n)]", "must be a mapping with an \"arch\"")
                continue
            }
            if perArch[arch] != nil { bad(fields["arch"], "arches[\(n)]", "repeats arch \(arch); keep one entry per arch") }
            for key in ["packages", "source", "module_metadata"] {
                if let list = fields[key], list.tag.rawValue != Tag.Name.null.rawValue, list.sequence == nil {
                    bad(list, "arches[\(n)].\(key)", "must be a list")
                }
            }
            var packages: [LockedPackage] = []
            for (i, item) in (fields["packages"]?.sequence.map(Array.init) ?? []).enumerated() {
                switch rpmsLockEntry(item, file: file, place: "arches[\(n)].packages[\(i)]") {
                case .success(let locked): packages.append(locked)
                case .failure(let problem): problems.append(problem)
                }
            }
            perArch[arch] = packages
        }
        return (PackageLock(.init(file: file, format: .rpmsLock, common: [], perArch: perArch)), problems)
    }

    /// One `{url, repoid, size, checksum, name, evr, sourcerpm}` entry; other keys are ignored, as hermeto ignores them.
    private static func rpmsLockEntry(_ node: Node, file: String, place: String) -> Result<LockedPackage, LockfileError> {
        func bad(_ at: Node?, _ reason: String) -> Result<LockedPackage, LockfileError> {
            .failure(.badLockEntry(file: file, line: line(of: at ?? node), name: place, reason: reason))
        }
        guard let fields = node.mapping else { return bad(node, "must be a mapping with a \"url\"") }
        guard let url = fields["url"]?.string, !url.isEmpty else { return bad(fields["url"], "has no \"url\"") }
        let fileName = url.split(separator: "/").last.map(String.init) ?? url
        let fromURL = NEVRA(parsing: fileName)
        let name = fields["name"]?.string ?? fromURL?.name
        let evr = fields["evr"]?.string ?? fromURL?.evr
        guard let name, let evr else {
            return bad(node, "has no \"name\" and \"evr\", and its URL's file name '\(fileName)' is not name-version-release.arch.rpm")
        }
        var digest: String?
        if let checksumNode = fields["checksum"] {
            guard let text = checksumNode.string, let colon = text.firstIndex(of: ":"), colon != text.startIndex,
                  text.index(after: colon) != text.endIndex else {
                return bad(checksumNode, "\"checksum\" must be \"algorithm:hex\", e.g. \"sha256:...\"")
            }
            digest = text.lowercased()
        }
        var size: Int64?
        if let sizeNode = fields["size"] {
            guard let value = sizeNode.int, value >= 0 else { return bad(sizeNode, "\"size\" must be a number of bytes") }
            size = Int64(value)
        }
        guard var spec = spec(name: name, evr: evr, arch: nil, digest: digest) else {
            return bad(fields["evr"], "\"evr\": \"\(evr)\" is not [epoch:]version-release")
        }
        // The arch is not a field: the file name gives it when it names this very package (file
        // names carry no epoch).
        if let fromURL, fromURL.name == name, fromURL.version == spec.version, fromURL.release == spec.release {
            spec.arch = fromURL.arch
        }
        return .success(LockedPackage(spec: spec, repoID: fields["repoid"]?.string, url: url, size: size,
                                      sourceRPM: fields["sourcerpm"]?.string, line: line(of: node)))
    }

    // MARK: Shared

    /// A spec from a name and `[E:]V-R`; nil when the EVR is not of that shape.
    static func spec(name: String, evr: String, arch: String?, digest: String?) -> BasePackageSpec? {
        guard !evr.contains(where: \.isWhitespace), let parsed = NEVRA(parsing: "\(name)-\(evr).noarch"),
              parsed.name == name else { return nil }
        return BasePackageSpec(name: name, epoch: parsed.epoch, version: parsed.version, release: parsed.release,
                               arch: arch, digest: digest)
    }

    static func line(of node: Node?) -> Int { node?.mark?.line ?? 0 }

    /// A Yams error as a positioned problem.
    static func syntaxError(_ error: any Error, file: String) -> LockfileError {
        guard let error = error as? YamlError else { return .badSyntax(file: file, line: 0, reason: "\(error)") }
        switch error {
        case let .scanner(_, problem, mark, _), let .parser(_, problem, mark, _), let .composer(_, problem, mark, _):
            return .badSyntax(file: file, line: mark.line, reason: problem)
        case let .duplicatedKeysInMapping(duplicates, context):
            let name = duplicates.first ?? "?"
            return .badSyntax(file: file, line: context.mark.line, reason: "'\(name)' is listed twice")
        default:
            return .badSyntax(file: file, line: 0, reason: "\(error)")
        }
    }
}
