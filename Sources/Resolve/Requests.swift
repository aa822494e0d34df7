import Manifest
import Modules
import Solv

/// The packages one request of an extension may install, and how they were found.
struct RequestGroup {
    /// What reports call the request: the spec as written, or `@module:stream/profile`.
    let label: String
    /// What was looked up: the spec, or a package name of a module profile.
    let spec: String
    /// The packages the solver may pick one of.
    let candidates: [PackageInfo]
    /// How they were found, in words ("name", "provides", "file path", "module profile ...").
    let how: String
}

extension Resolver {
    /// For each listed spec (a glob: each name it matches) and each package of a module profile
    /// the extension installs, the packages that may satisfy it; or failures saying why none can.
    func requestGroups(for ext: Extension, failures: inout [Failure]) -> [RequestGroup] {
        let visible = visibleRepos(ext)
        let wanted = Set((manifest.modules.enable + ext.modules.enable + ext.modules.install).map(\.name))
        for problem in modules.problems where wanted.contains(problem.module) {
            failures.append(Failure(kind: .moduleProblem, message: "module \(problem.request): \(problem.message)"))
        }
        var pinnedEVR: String? = nil
        if let baseName = ext.matchBaseEVR {
            let (evr, failure) = pinnedBaseEVR(baseName, ext: ext)
            if let failure {
                failures.append(failure)
                return []
            }
            pinnedEVR = evr
        }
        var groups: [RequestGroup] = []
        for spec in ext.packages {
            groups += specGroups(spec, ext: ext, visible: visible, pinnedEVR: pinnedEVR, failures: &failures)
        }
        for spec in ext.modules.install {
            groups += profileGroups(spec, ext: ext, visible: visible, failures: &failures)
        }
        return groups
    }

    /// The EVR of base package `baseName` (match-base-evr), or why there is no single one.
    private func pinnedBaseEVR(_ baseName: String, ext: Extension) -> (String?, Failure?) {
        let evrs = Set(pool.basePackages(named: baseName).map(\.nevra.evr)).sorted()
        if evrs.isEmpty {
            return (nil, Failure(
                kind: .noBasePackage, message: "match-base-evr: the base has no package named '\(baseName)'",
                details: ["add '\(baseName)' to the base image, or remove match-base-evr from '\(ext.name)'"]))
        }
        if evrs.count > 1 {
            return (nil, Failure(kind: .ambiguousBase, message: "match-base-evr: the base has several versions of '\(baseName)': "
                + evrs.joined(separator: ", ")))
        }
        return (evrs[0], nil)
    }

    /// The groups of one listed spec, matched as dnf's selector matches it.
    private func specGroups(_ spec: String, ext: Extension, visible: Set<String>, pinnedEVR: String?,
                            failures: inout [Failure]) -> [RequestGroup] {
        let os = ext.kind == .osExtension
        let selection = pool.select(spec: spec, in: visible, base: os)
        guard let match = selection.match else {
            failures.append(notFound(spec, ext: ext, visible: visible))
            return []
        }
        var how = match == .provides || match == .file ? "\(match.rawValue) '\(spec)'" : match.rawValue
        if selection.isGlob && match != .nevraGlob { how += " (glob)" }
        var sets: [[PackageInfo]]
        if selection.isGlob && match != .file {
            // As dnf: a glob installs every name it matches; names the base has are installed already.
            let baseNames = Set(selection.base.map(\.nevra.name))
            let byName = Dictionary(grouping: selection.available, by: \.nevra.name)
            sets = byName.keys.sorted().filter { !baseNames.contains($0) }.map { byName[$0] ?? [] }
            if sets.isEmpty {
                failures.append(Failure(kind: .alreadyInBase,
                    message: "'\(spec)' matches only packages already present in base: "
                        + Set(selection.base.map(\.nevra.name)).sorted().joined(separator: ", "),
                    details: ["an os-extension may only add packages; remove '\(spec)' from '\(ext.name)'"]))
                return []
            }
        } else {
            if let present = selection.base.first {
                let through = match == .provides || match == .file ? " (it provides '\(spec)')" : ""
                failures.append(Failure(kind: .alreadyInBase,
                    message: "'\(spec)' is already present in base as \(present.nevra)\(through)",
                    details: ["an os-extension may only add packages; remove '\(spec)' from '\(ext.name)'"]))
                return []
            }
            sets = [selection.available]
        }
        if let evr = pinnedEVR, let baseName = ext.matchBaseEVR {
            var pinned: [[PackageInfo]] = []
            for candidates in sets {
                let matching = candidates.filter { pool.compareEVR($0.nevra.evr, evr) == 0 }
                if matching.isEmpty {
                    let available = Set(candidates.map(\.nevra.evr)).sorted { pool.compareEVR($0, $1) < 0 }
                    failures.append(Failure(
                        kind: .evrNotAvailable,
                        message: "no build of '\(candidates.first?.nevra.name ?? spec)' matches the base's \(baseName) \(evr)",
                        details: ["the repos have: " + available.joined(separator: ", "),
                                  "the repos may have moved past the base; add a repo that still has \(evr)"]))
                } else {
                    pinned.append(matching)
                }
            }
            sets = pinned
        }
        return sets.map { RequestGroup(label: spec, spec: spec, candidates: $0, how: how) }
    }

    /// The groups of one `modules.install` item: each package of the profile, from the stream's
    /// own builds (or a module_hotfixes repo) when it has that package, else any visible one.
    private func profileGroups(_ spec: ModuleSpec, ext: Extension, visible: Set<String>,
                               failures: inout [Failure]) -> [RequestGroup] {
        let label = "@\(spec)"
        let request = ModuleRequest(name: spec.name, stream: spec.stream)
        guard case .success(let profile) = modules.profile(request, profile: spec.profile) else {
            if case .failure(let problem) = modules.profile(request, profile: spec.profile),
               !modules.problems.contains(where: { $0.module == spec.name }) {
                failures.append(Failure(kind: .moduleProblem, message: "module \(problem.request): \(problem.message)"))
            }
            return []
        }
        var groups: [RequestGroup] = []
        for name in profile.names {
            let named = pool.select(spec: name, in: visible, base: ext.kind == .osExtension)
            let available = named.available.filter { $0.nevra.name == name }
            // Part of the base already: nothing to install for it (dnf says "already installed").
            if named.base.contains(where: { $0.nevra.name == name }) { continue }
            let fromStream = available.filter {
                profile.artifacts.contains(Self.identity($0.nevra)) || modules.filter.exemptRepos.contains($0.repo)
            }
            let candidates = fromStream.isEmpty ? available : fromStream
            if candidates.isEmpty {
                failures.append(Failure(kind: .notFound,
                    message: "no package '\(name)' (profile \(label)) in the repos of '\(ext.name)' for \(pool.arch)",
                    details: searched(visible)))
                continue
            }
            groups.append(RequestGroup(label: label, spec: name, candidates: candidates, how: "module profile \(label)"))
        }
        return groups
    }

    /// "No package" with where mox looked, close names, and module streams that would have it.
    private func notFound(_ spec: String, ext: Extension, visible: Set<String>) -> Failure {
        var details = searched(visible)
        let hiddenIn = modules.streams(shipping: spec)
        if !hiddenIn.isEmpty {
            details.append("only module streams that are not enabled ship it: " + hiddenIn.joined(separator: ", ")
                + "; enable one (modules: enable: [\(hiddenIn[0])])")
        }
        let close = Suggestion.closeNames(to: spec, among: pool.packageNames(in: visible))
        if !close.isEmpty { details.append("did you mean: " + close.joined(separator: ", ") + "?") }
        return Failure(kind: .notFound, message: "no package '\(spec)' in the repos of '\(ext.name)' for \(pool.arch)",
                       details: details)
    }

    /// Where mox looked, or that the extension has no repo to look in.
    private func searched(_ visible: Set<String>) -> [String] {
        visible.isEmpty
            ? ["the extension has no repos: list them in 'repos:' at the top level or in the extension"]
            : ["searched repos: " + visible.sorted().joined(separator: ", ")]
    }

    /// An identity with epoch 0 spelled as none, as module artifacts are compared.
    static func identity(_ nevra: NEVRA) -> NEVRA {
        var copy = nevra
        if copy.epoch == 0 { copy.epoch = nil }
        return copy
    }
}
