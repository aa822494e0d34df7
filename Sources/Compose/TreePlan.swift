import Resolve
import Solv

/// Where one package goes in the composed tree, and who ships it.
public struct PlannedPackage: Sendable, Hashable {
    /// The package as the repo metadata describes it.
    public let package: PackageInfo
    /// Path relative to the tree root: `extensions/<name>/<file>` or `dependencies/<file>`.
    public let path: String
    /// The architectures whose resolution ships it, in `--arch` order (their repo definitions say where it is).
    public let arches: [String]
}

/// Why a tree cannot be laid out from a resolution.
public enum TreePlanError: Error, Sendable, CustomStringConvertible {
    /// Two different files would land on the same path (same NEVRA, different content).
    case clash(path: String, first: PackageInfo, second: PackageInfo)
    /// A NEVRA that cannot be a file name (a '/' or a leading '.').
    case unsafeName(NEVRA, repo: String)

    public var description: String {
        switch self {
        case let .clash(path, first, second):
            "\(path): \(first.nevra) from repo '\(first.repo)' and from repo '\(second.repo)' have different "
                + "checksums; the repos disagree about one build: fix or drop one of them"
        case let .unsafeName(nevra, repo):
            "repo '\(repo)' has a package named '\(nevra)', which is not a safe file name; refusing to ship it"
        }
    }
}

/// The layout of the composed tree: each RPM file once, under the first extension that lists it,
/// else under `dependencies/`; file names come from the NEVRA, never from the repo's `location href`.
public struct TreePlan: Sendable {
    /// Every file of the tree, sorted by path.
    public let packages: [PlannedPackage]
    /// Path of each package (by NEVRA and repo) in the tree.
    public let pathOf: [PackageRef: String]

    public init(reports: [ArchReport]) throws(TreePlanError) {
        var byPath: [String: PackageInfo] = [:]
        var archesOf: [String: [String]] = [:]
        var pathOf: [PackageRef: String] = [:]
        // A listed package goes under the first extension of the file (by position) that lists it
        // on any arch given; `ComposeIndex.layout` applies the same rule to one arch's index.
        var listedIn: [NEVRA: (position: Int, name: String)] = [:]
        for report in reports {
            for (position, ext) in report.extensions.enumerated() where ext.status == .resolved {
                for p in ext.packages where p.role == .listed {
                    if let known = listedIn[p.package.nevra], known.position <= position { continue }
                    listedIn[p.package.nevra] = (position, ext.name)
                }
            }
        }
        for report in reports {
            for ext in report.extensions where ext.status == .resolved {
                for p in ext.packages {
                    let info = p.package
                    guard Self.isSafe(info.nevra) else { throw .unsafeName(info.nevra, repo: info.repo) }
                    let dir = listedIn[info.nevra].map { "extensions/\($0.name)" } ?? "dependencies"
                    let path = "\(dir)/\(info.nevra.fileName)"
                    if let existing = byPath[path], existing.checksum != info.checksum || existing.size != info.size {
                        throw .clash(path: path, first: existing, second: info)
                    }
                    byPath[path] = byPath[path] ?? info
                    if !(archesOf[path] ?? []).contains(report.arch) { archesOf[path, default: []].append(report.arch) }
                    pathOf[info.ref] = path
                }
            }
        }
        packages = byPath.map { PlannedPackage(package: $0.value, path: $0.key, arches: archesOf[$0.key] ?? []) }
            .sorted { $0.path < $1.path }
        self.pathOf = pathOf
    }

    /// A NEVRA is a safe file name when no part holds a '/' or NUL and the name does not start with '.'.
    static func isSafe(_ n: NEVRA) -> Bool {
        let parts = [n.name, n.version, n.release, n.arch]
        return !n.name.hasPrefix(".") && !parts.contains { $0.isEmpty || $0.contains("/") || $0.contains("\0") }
    }

    /// Total bytes of the tree's RPMs as the repo metadata gives them.
    public var totalSize: Int64 { packages.reduce(0) { $0 + $1.package.size } }
}
