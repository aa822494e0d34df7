import Foundation
import Solv
import Yams

/// What one arch ships, to be written as a lockfile.
public struct ArchLock: Sendable {
    public var arch: String
    /// Every package shipped, each with its arch, digest, size, URL and repo id.
    public var packages: [LockedPackage]
    /// The module metadata of the repos that shipped modular packages (rpms.lock.yaml only).
    public var moduleMetadata: [LockedModuleMetadata]
    /// The repos resolution used and when their metadata was generated (rpm-ostree's `metadata.rpmmd_repos`).
    public var repos: [(id: String, generated: Int64)]

    public init(arch: String, packages: [LockedPackage], moduleMetadata: [LockedModuleMetadata] = [],
                repos: [(id: String, generated: Int64)] = []) {
        self.arch = arch
        self.packages = packages
        self.moduleMetadata = moduleMetadata
        self.repos = repos
    }
}

/// Why a lockfile cannot be written in the format asked for.
public enum LockfileWriteError: Error, Sendable, CustomStringConvertible {
    /// rpm-ostree lockfiles hold one build per package name.
    case severalBuilds(arch: String, name: String, builds: [String])

    public var description: String {
        switch self {
        case let .severalBuilds(arch, name, builds):
            "an rpm-ostree lockfile holds one build per name, but \(arch) ships \(builds.count) builds of \(name) ("
                + builds.joined(separator: ", ") + "); write an rpms.lock.yaml (a .yaml FILE) instead"
        }
    }
}

/// Writes the two lockfile formats, deterministically: the same packages give the same bytes.
public enum LockfileWriter {
    /// The format a file name asks for: `.yaml`/`.yml` rpms.lock.yaml, `.json` rpm-ostree's; nil otherwise.
    public static func format(of path: String) -> PackageLock.Format? {
        let lower = path.lowercased()
        if lower.hasSuffix(".yaml") || lower.hasSuffix(".yml") { return .rpmsLock }
        if lower.hasSuffix(".json") { return .rpmOstree }
        return nil
    }

    /// The files `--write-lockfile path` writes for `arches`: in the format its name asks for, one
    /// per arch when it holds `{arch}`, else one (rpms.lock.yaml holds every arch; an rpm-ostree
    /// lockfile one). `generated` gives an arch's time for rpm-ostree's `generated`.
    public static func files(_ arches: [ArchLock], path: String, generated: (String) -> Int64)
        throws(LockfileWriteError) -> [(path: String, data: Data)] {
        let format = format(of: path) ?? .rpmsLock
        let groups = path.contains("{arch}") ? arches.map { [$0] } : [arches]
        var files: [(path: String, data: Data)] = []
        for group in groups {
            let name = group.count == 1 ? path.replacingOccurrences(of: "{arch}", with: group[0].arch) : path
            switch format {
            case .rpmsLock:
                files.append((name, rpmsLock(group)))
            case .rpmOstree:
                for arch in group { files.append((name, try rpmOstree(arch, generated: generated(arch.arch)))) }
            }
        }
        return files
    }

    /// rpm-lockfile-prototype's rpms.lock.yaml, as hermeto prefetches from it: one entry per arch
    /// (sorted), packages sorted by URL as that tool sorts them, no source RPMs.
    public static func rpmsLock(_ arches: [ArchLock]) -> Data {
        var archNodes: [Node] = []
        for arch in arches.sorted(by: { $0.arch < $1.arch }) {
            let packages = arch.packages.sorted { ($0.url ?? "", $0.repoID ?? "", $0.spec.description) < ($1.url ?? "", $1.repoID ?? "", $1.spec.description) }
            let packageNodes = packages.map { p -> Node in
                var pairs: [(Node, Node)] = [
                    ("url", text(p.url ?? "")), ("repoid", text(p.repoID ?? "")), ("size", number(p.size ?? 0)),
                    ("checksum", text(p.spec.digest ?? "")), ("name", text(p.spec.name)), ("evr", text(p.spec.evr)),
                ]
                if let source = p.sourceRPM { pairs.append(("sourcerpm", text(source))) }
                return Node.mapping(Node.Mapping(pairs))
            }
            let modules = arch.moduleMetadata.sorted { $0.url < $1.url }.map { m -> Node in
                Node.mapping(Node.Mapping([("url", text(m.url)), ("repoid", text(m.repoID)), ("size", number(m.size)),
                                           ("checksum", text(m.checksum))]))
            }
            archNodes.append(.mapping(Node.Mapping([
                ("arch", text(arch.arch)), ("packages", .sequence(Node.Sequence(packageNodes))),
                ("source", .sequence(Node.Sequence([]))), ("module_metadata", .sequence(Node.Sequence(modules))),
            ])))
        }
        let root = Node.mapping(Node.Mapping([
            ("lockfileVersion", number(1)), ("lockfileVendor", text("redhat")), ("arches", .sequence(Node.Sequence(archNodes))),
        ]))
        // Plain strings, ints and containers: serializing them cannot fail.
        let yaml = (try? Yams.serialize(node: root, explicitStart: true)) ?? ""
        return Data(yaml.utf8)
    }

    /// rpm-ostree's JSON lockfile for one arch: `packages: {name: {evra, digest, metadata: {sourcerpm}}}`
    /// and `metadata: {generated, rpmmd_repos: {id: {generated}}}`, times as RFC 3339 (`generated`
    /// is the tree's time, never the clock).
    public static func rpmOstree(_ arch: ArchLock, generated: Int64) throws(LockfileWriteError) -> Data {
        var packages: [String: Entry] = [:]
        for (name, builds) in Dictionary(grouping: arch.packages, by: \.spec.name) {
            guard builds.count == 1, let only = builds.first else {
                throw .severalBuilds(arch: arch.arch, name: name, builds: builds.map(\.spec.description).sorted())
            }
            // rpm-ostree keeps the source package's name only: its EVR is the package's, its arch `src`.
            let source = only.sourceRPM.flatMap(Self.sourceName)
            packages[name] = Entry(evra: "\(only.spec.evr).\(only.spec.arch ?? "noarch")", digest: only.spec.digest,
                                   metadata: source.map { ["sourcerpm": $0] })
        }
        var repos: [String: [String: String]] = [:]
        for repo in arch.repos { repos[repo.id] = ["generated": timestamp(repo.generated)] }
        let document = Document(packages: packages, metadata: Metadata(generated: timestamp(generated), rpmmdRepos: repos))
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.prettyPrinted, .sortedKeys, .withoutEscapingSlashes]
        // Strings and maps of strings: encoding them cannot fail.
        var data = (try? encoder.encode(document)) ?? Data("{}".utf8)
        data.append(0x0A)
        return data
    }

    private struct Document: Encodable {
        var packages: [String: Entry]
        var metadata: Metadata
    }

    private struct Entry: Encodable {
        var evra: String
        var digest: String?
        var metadata: [String: String]?
    }

    private struct Metadata: Encodable {
        var generated: String
        var rpmmdRepos: [String: [String: String]]
        enum CodingKeys: String, CodingKey {
            case generated
            case rpmmdRepos = "rpmmd_repos"
        }
    }

    /// `name` of `name-version-release.src.rpm`.
    static func sourceName(_ file: String) -> String? {
        var stem = Substring(file)
        if stem.hasSuffix(".src.rpm") { stem = stem.dropLast(8) } else if stem.hasSuffix(".nosrc.rpm") { stem = stem.dropLast(10) }
        let parts = stem.split(separator: "-", omittingEmptySubsequences: false)
        guard parts.count >= 3 else { return nil }
        return parts.dropLast(2).joined(separator: "-")
    }

    /// Seconds since 1970 as RFC 3339 in UTC, as rpm-ostree's lockfiles write times.
    static func timestamp(_ seconds: Int64) -> String {
        let formatter = ISO8601DateFormatter()
        formatter.formatOptions = [.withInternetDateTime]
        formatter.timeZone = TimeZone(identifier: "UTC")
        return formatter.string(from: Date(timeIntervalSince1970: TimeInterval(seconds)))
    }

    /// A string scalar, quoted when YAML would otherwise read it as something else (`1.10`, `yes`, ``).
    static func text(_ value: String) -> Node {
        let plain = Node(value)
        if !value.isEmpty, Resolver.default.resolveTag(of: plain) == .str { return plain }
        return Node(value, Tag(.str), .doubleQuoted)
    }

    static func number(_ value: some BinaryInteger) -> Node {
        Node(String(value), Tag(.int))
    }
}
