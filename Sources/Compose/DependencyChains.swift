/// Why a package is in a composed tree: for each extension shipping it, the chain of requires and
/// recommends from each listed package that reaches it (the listed package first, it last), read
/// from the index alone.
public struct DependencyChains: Sendable, Equatable {
    /// One link of a chain: a package, and the dependency of the previous package it satisfies.
    public struct Step: Sendable, Equatable {
        public let nevra: String
        /// The previous package's requires or recommends this package provides (nil for the first).
        public let dependency: String?
        /// `requires` or `recommends` (nil for the first).
        public let kind: String?
    }

    /// The shortest chain from one listed package of one extension to the package asked about.
    public struct Chain: Sendable, Equatable {
        public let arch: String
        public let `extension`: String
        public let steps: [Step]
    }

    /// Why no chain was found, when none was.
    public enum Absence: Sendable, Equatable {
        /// No extension of the tree (on the arches asked about) ships such a package.
        case notShipped
        /// The index predates the dependency graph (mox before `why`): compose the tree again.
        case noGraph
    }

    public let chains: [Chain]
    public let absence: Absence?

    /// The chains to packages matching `spec` (a name, `name.arch` or a NEVRA) in `index`, on
    /// `arches` (all when empty), by arch, then extension position, then listed package.
    public init(to spec: String, in index: ComposeIndex, arches: [String] = []) {
        var chains: [Chain] = []
        var shipped = false
        var graphless = false
        for arch in index.arches.keys.sorted() where arches.isEmpty || arches.contains(arch) {
            guard let entry = index.arches[arch] else { continue }
            for (name, ext) in entry.extensions.sorted(by: { ($0.value.position, $0.key) < ($1.value.position, $1.key) })
            where ext.status == "resolved" {
                let targets = Set(ext.packages.filter { Self.matches(spec, $0) }.map(\.nevra))
                guard !targets.isEmpty else { continue }
                shipped = true
                if ext.packages.contains(where: { $0.needs == nil }) {
                    graphless = true
                    continue
                }
                let needs = Dictionary(ext.packages.map { ($0.nevra, $0.needs ?? []) }, uniquingKeysWith: { a, _ in a })
                for listed in ext.packages.filter({ $0.role == "listed" }).map(\.nevra).sorted() {
                    if let steps = Self.shortestPath(from: listed, to: targets, needs: needs) {
                        chains.append(Chain(arch: arch, extension: name, steps: steps))
                    }
                }
            }
        }
        self.chains = chains
        absence = !chains.isEmpty ? nil : graphless ? .noGraph : shipped ? nil : .notShipped
    }

    /// Breadth first over `needs`, so the chain shown is a shortest one; ties go to the
    /// alphabetically first package at each step.
    static func shortestPath(from start: String, to targets: Set<String>,
                             needs: [String: [ComposeIndex.Need]]) -> [Step]? {
        var previous: [String: (from: String, need: ComposeIndex.Need)] = [:]
        var seen: Set<String> = [start]
        var frontier = [start]
        var found: String? = targets.contains(start) ? start : nil
        while found == nil, !frontier.isEmpty {
            var next: [String] = []
            for nevra in frontier {
                for need in (needs[nevra] ?? []).sorted(by: { ($0.nevra, $0.kind, $0.dependency) < ($1.nevra, $1.kind, $1.dependency) })
                where seen.insert(need.nevra).inserted {
                    previous[need.nevra] = (nevra, need)
                    next.append(need.nevra)
                    if found == nil, targets.contains(need.nevra) { found = need.nevra }
                }
            }
            frontier = next
        }
        guard let found else { return nil }
        var steps: [Step] = []
        var current = found
        while let link = previous[current] {
            steps.append(Step(nevra: current, dependency: link.need.dependency, kind: link.need.kind))
            current = link.from
        }
        steps.append(Step(nevra: start, dependency: nil, kind: nil))
        return steps.reversed()
    }

    /// Whether a package is what `spec` names: its name, `name.arch`, or its NEVRA (with or without epoch).
    static func matches(_ spec: String, _ p: ComposeIndex.Package) -> Bool {
        let plain = "\(p.name)-\(p.version)-\(p.release).\(p.arch)"
        return spec == p.name || spec == "\(p.name).\(p.arch)" || spec == p.nevra || spec == plain
            || spec == "\(p.name)-\(p.version)-\(p.release)"
    }
}
