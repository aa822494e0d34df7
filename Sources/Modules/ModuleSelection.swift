import Solv

/// A module stream to enable: `name` or `name:stream` (no stream: the only or the default one).
public struct ModuleRequest: Sendable, Hashable, CustomStringConvertible {
    public var name: String
    public var stream: String?

    public init(name: String, stream: String?) {
        self.name = name
        self.stream = stream
    }

    public var description: String { stream.map { "\(name):\($0)" } ?? name }
}

/// A module request that could not be met, and why.
public struct ModuleProblem: Error, Sendable, Hashable {
    /// The module the request is about.
    public var module: String { String(request.prefix { $0 != ":" && $0 != "/" }) }
    /// The request as written (`nodejs:99`), or the stream whose dependencies failed.
    public let request: String
    /// One sentence: what is wrong and what to do.
    public let message: String
}

/// Which module streams are active on one arch, and what that hides (libdnf's module filtering).
public struct ModuleState: Sendable {
    /// Module -> the stream enabled for it (requested, or pulled in by an enabled stream).
    public private(set) var enabled: [String: String] = [:]
    /// Every build of the active streams (all versions of each active `name:stream:context`).
    public private(set) var active: [ModuleStream] = []
    /// Requests that could not be met.
    public private(set) var problems: [ModuleProblem] = []
    /// What the active streams hide from the repos.
    public private(set) var filter = PackageFilter()
    /// Default profiles, for `modules.install` without a profile.
    let defaultProfiles: [String: [String: [String]]]
    /// RPM identity -> the active `name:stream` that ships it.
    private var streamOfArtifact: [NEVRA: String] = [:]
    /// RPM name -> every `name:stream` (active or not) that ships an RPM of that name.
    private var streamsShipping: [String: Set<String>] = [:]

    /// No module metadata, nothing enabled.
    public static let none = ModuleState(defaultProfiles: [:])

    init(defaultProfiles: [String: [String: [String]]]) {
        self.defaultProfiles = defaultProfiles
    }

    /// The active stream (`name:stream`) whose build ships `nevra`, if any.
    public func stream(shipping nevra: NEVRA) -> String? {
        var key = nevra
        if key.epoch == 0 { key.epoch = nil }
        return streamOfArtifact[key]
    }

    /// The streams, active or not, that ship an RPM named `name` (sorted).
    public func streams(shipping name: String) -> [String] {
        (streamsShipping[name] ?? []).sorted()
    }

    /// The RPM names a profile of an active stream installs, and that stream's RPMs; the profile
    /// defaults to the stream's default profiles. Fails with a sentence when it cannot be found.
    public func profile(_ request: ModuleRequest, profile: String?) -> Result<(names: [String], artifacts: Set<NEVRA>), ModuleProblem> {
        let spec = request.description + (profile.map { "/\($0)" } ?? "")
        guard let stream = request.stream ?? enabled[request.name] else {
            return .failure(ModuleProblem(request: spec, message: "module '\(request.name)' is not enabled"))
        }
        let builds = active.filter { $0.name == request.name && $0.stream == stream }
        guard let latest = builds.max(by: { $0.version < $1.version }) else {
            return .failure(ModuleProblem(request: spec, message: "stream \(request.name):\(stream) is not active"))
        }
        let names: [String]
        if let profile {
            guard let found = latest.profiles[profile] else {
                let known = latest.profiles.keys.sorted().joined(separator: ", ")
                return .failure(ModuleProblem(request: spec, message: "stream \(request.name):\(stream) has no profile "
                    + "'\(profile)' (profiles: \(known.isEmpty ? "none" : known))"))
            }
            names = found
        } else {
            let defaults = defaultProfiles[request.name]?[stream] ?? []
            names = defaults.flatMap { latest.profiles[$0] ?? [] }
            if names.isEmpty {
                return .failure(ModuleProblem(request: spec, message: "stream \(request.name):\(stream) has no default "
                    + "profile; name one (\(spec)/PROFILE)"))
            }
        }
        var seen = Set<String>()
        let artifacts = Set(builds.flatMap(\.artifacts).compactMap(Self.identity))
        return .success((names.filter { seen.insert($0).inserted }, artifacts))
    }

    /// An artifact string (`name-epoch:version-release.arch`) as an identity, epoch 0 as none.
    static func identity(_ artifact: String) -> NEVRA? {
        guard var nevra = NEVRA(parsing: artifact) else { return nil }
        if nevra.epoch == 0 { nevra.epoch = nil }
        return nevra
    }

    /// Decides which streams are active as libdnf does (`resolveActiveModulePackages`): the
    /// requested streams must be, default streams are when they can be, and what they need
    /// comes along. `filter` then hides the builds of every other stream, and the packages
    /// outside the active streams that share a name with what they ship; never those of
    /// `exemptRepos` (module_hotfixes) or the base.
    public static func resolve(_ metadata: ModuleMetadata, enable requests: [ModuleRequest], platform: String?,
                               arch: String, exemptRepos: Set<String>) -> ModuleState {
        var state = ModuleState(defaultProfiles: metadata.defaultProfiles)
        let streamsByModule = Dictionary(grouping: metadata.streams, by: \.name)
        for request in requests {
            switch state.choose(request, among: streamsByModule, defaults: metadata.defaultStreams) {
            case .success(let stream): state.enabled[request.name] = stream
            case .failure(let problem): state.problems.append(problem)
            }
        }
        let solvables = Self.solvableNames(metadata.streams)
        let pool = Pool(arch: arch)
        pool.addSynthetic(metadata.streams.enumerated().map { i, stream in
            Self.synthetic(stream, name: solvables[i])
        }, repo: "modules")
        if let platform, let (name, stream) = Self.split(platform) {
            pool.addSynthetic([SyntheticPackage(
                name: "\(name):\(stream):00000000", evr: "0", arch: "noarch",
                provides: ["module(\(name))", "module(\(name):\(stream))"])], repo: "@System", installed: true)
        }
        var jobs: [SyntheticRequest] = []
        for (name, stream) in state.enabled.sorted(by: { $0.key < $1.key }) {
            jobs.append(SyntheticRequest(provides: "module(\(name):\(stream))", weak: false))
        }
        for (name, stream) in metadata.defaultStreams.sorted(by: { $0.key < $1.key }) where state.enabled[name] == nil {
            jobs.append(SyntheticRequest(provides: "module(\(name):\(stream))", weak: true))
        }
        let installed = state.solve(pool, jobs)
        for (i, stream) in metadata.streams.enumerated() where installed.contains(solvables[i]) {
            state.active.append(stream)
            if state.enabled[stream.name] == nil, metadata.defaultStreams[stream.name] != stream.stream {
                // Pulled in by an enabled stream's dependencies: enabled with it (enableDependencyTree).
                state.enabled[stream.name] = stream.stream
            }
        }
        // Each artifact is parsed once: a modules.yaml lists thousands.
        let identities = metadata.streams.map { $0.artifacts.compactMap(identity) }
        state.filter = Self.filter(metadata.streams, identities: identities, active: state.active, exemptRepos: exemptRepos)
        for (stream, ids) in zip(metadata.streams, identities) {
            for id in ids { state.streamsShipping[id.name, default: []].insert(stream.nameStream) }
        }
        let activeIDs = Set(state.active.map(\.identity))
        for (stream, ids) in zip(metadata.streams, identities) where activeIDs.contains(stream.identity) {
            for id in ids { state.streamOfArtifact[id] = stream.nameStream }
        }
        return state
    }

    /// The stream a request enables: the one named, the module's only one, or its default.
    private func choose(_ request: ModuleRequest, among streams: [String: [ModuleStream]],
                        defaults: [String: String]) -> Result<String, ModuleProblem> {
        guard let builds = streams[request.name] else {
            return .failure(ModuleProblem(request: request.description,
                message: "no module '\(request.name)' in the repos' modules.yaml" + Self.listing(Array(streams.keys))))
        }
        let names = Set(builds.map(\.stream)).sorted()
        if let stream = request.stream {
            guard names.contains(stream) else {
                return .failure(ModuleProblem(request: request.description,
                    message: "module '\(request.name)' has no stream '\(stream)' (streams: \(names.joined(separator: ", ")))"))
            }
            if let other = enabled[request.name], other != stream {
                return .failure(ModuleProblem(request: request.description,
                    message: "module '\(request.name)' is already enabled as stream '\(other)'; a module has one enabled stream"))
            }
            return .success(stream)
        }
        if let stream = enabled[request.name] ?? (names.count == 1 ? names[0] : defaults[request.name]) {
            return .success(stream)
        }
        return .failure(ModuleProblem(request: request.description,
            message: "module '\(request.name)' has several streams (\(names.joined(separator: ", "))) and no default; "
                + "name one, e.g. \(request.name):\(names.last ?? "STREAM")"))
    }

    /// libdnf's fallbacks: all required and newest; defaults optional; not newest; then all optional
    /// (and the enabled streams that did not make it are problems).
    private mutating func solve(_ pool: Pool, _ jobs: [SyntheticRequest]) -> Set<String> {
        let strict = jobs.map { SyntheticRequest(provides: $0.provides, weak: false) }
        for (attempt, best) in [(strict, true), (jobs, true), (jobs, false)] {
            if case .success(let names) = pool.installProviders(of: attempt, forceBest: best) { return names }
        }
        let weak = jobs.map { SyntheticRequest(provides: $0.provides, weak: true) }
        let names = (try? pool.installProviders(of: weak, forceBest: false).get()) ?? []
        var why: [String] = []
        if case .failure(let failed) = pool.installProviders(of: jobs, forceBest: false) { why = failed.problems }
        for (name, stream) in enabled.sorted(by: { $0.key < $1.key })
        where !names.contains(where: { $0.hasPrefix("\(name):\(stream):") }) {
            problems.append(ModuleProblem(request: "\(name):\(stream)",
                message: "stream \(name):\(stream) cannot be enabled: its module dependencies are not met ("
                    + why.joined(separator: "; ") + ")"))
        }
        return names
    }

    /// What libdnf hides (setModuleExcludes): builds of inactive streams, and outside the active
    /// streams every package named as, or providing, an RPM an active stream ships.
    static func filter(_ streams: [ModuleStream], identities artifactIDs: [[NEVRA]], active: [ModuleStream],
                       exemptRepos: Set<String>) -> PackageFilter {
        var filter = PackageFilter(exemptRepos: exemptRepos)
        let activeIDs = Set(active.map(\.identity))
        let latest = Dictionary(grouping: active, by: \.nameStream).compactMapValues { $0.max { $0.version < $1.version } }
        for (stream, identities) in zip(streams, artifactIDs) {
            if activeIDs.contains(stream.identity) {
                filter.keep.formUnion(identities)
                let demodularized = Set(latest[stream.nameStream]?.demodularized ?? [])
                for id in identities where id.arch != "src" && id.arch != "nosrc" && !demodularized.contains(id.name) {
                    filter.names.insert(id.name)
                }
            } else {
                filter.nevras.formUnion(identities)
            }
        }
        filter.provided = filter.names
        return filter
    }

    /// The solvable name of each stream: `name:stream:context`, where a non-static context is
    /// replaced by its runtime module requirements, so builds with the same needs group together.
    static func solvableNames(_ streams: [ModuleStream]) -> [String] {
        func requirements(_ stream: ModuleStream) -> String {
            stream.requires.flatMap { entry in
                entry.filter { $0.key != "platform" }.map { module, streams in
                    streams.isEmpty ? module : "\(module):[\(streams.sorted().joined(separator: ","))]"
                }
            }.sorted().joined(separator: ";")
        }
        var staticContexts: [String: String] = [:]
        for stream in streams where stream.staticContext {
            staticContexts["\(stream.nameStream)|\(requirements(stream))"] = stream.context
        }
        return streams.map { stream in
            if stream.staticContext { return "\(stream.nameStream):\(stream.context)" }
            let needs = requirements(stream)
            let context = staticContexts["\(stream.nameStream)|\(needs)"] ?? (needs.isEmpty ? "NoRequires" : needs)
            return "\(stream.nameStream):\(context)"
        }
    }

    /// A stream as libdnf's module solvable: provides `module(name)` and `module(name:stream)`,
    /// conflicts with other streams of its module, requires what its dependencies name.
    static func synthetic(_ stream: ModuleStream, name: String) -> SyntheticPackage {
        var package = SyntheticPackage(
            name: name, evr: String(stream.version), arch: stream.arch,
            provides: ["module(\(stream.name))", "module(\(stream.nameStream))"],
            conflicts: ["module(\(stream.name))"])
        for entry in stream.requires {
            for (module, streams) in entry.sorted(by: { $0.key < $1.key }) {
                let wanted = streams.filter { !$0.hasPrefix("-") }.map { "module(\(module):\($0))" }
                package.conflicts += streams.filter { $0.hasPrefix("-") }.map { "module(\(module):\($0.dropFirst()))" }
                switch wanted.count {
                case 0: package.requires.append("module(\(module))")
                case 1: package.requires.append(wanted[0])
                default: package.requires.append("(" + wanted.joined(separator: " or ") + ")")
                }
            }
        }
        return package
    }

    /// `platform:el9` -> (`platform`, `el9`).
    static func split(_ nameStream: String) -> (String, String)? {
        guard let colon = nameStream.firstIndex(of: ":") else { return nil }
        let name = String(nameStream[..<colon]), stream = String(nameStream[nameStream.index(after: colon)...])
        return name.isEmpty || stream.isEmpty ? nil : (name, stream)
    }

    /// " (modules in the repos: a, b, c)", or nothing when there are none or too many to list.
    private static func listing(_ names: [String]) -> String {
        names.isEmpty || names.count > 12 ? "" : " (modules in the repos: " + names.sorted().joined(separator: ", ") + ")"
    }

    /// The platform stream (`platform:el9`) as libdnf finds it: the `base-module(...)` provide of
    /// the newest repo packages providing `system-release`, else of the base's.
    public static func platform(in pool: Pool) -> String? {
        let providers = pool.providesOfProviders(of: "system-release")
        for fromBase in [false, true] {
            let candidates = providers.filter { ($0.package.repo == Pool.baseRepoName) == fromBase }
            var newest: [String: (package: PackageInfo, provides: [String])] = [:]
            for candidate in candidates {
                let name = candidate.package.nevra.name
                if let known = newest[name], pool.compareEVR(known.package.nevra.evr, candidate.package.nevra.evr) >= 0 {
                    continue
                }
                newest[name] = candidate
            }
            let platforms = Set(newest.values.flatMap(\.provides).compactMap { provide -> String? in
                guard provide.hasPrefix("base-module("), provide.hasSuffix(")") else { return nil }
                return String(provide.dropFirst("base-module(".count).dropLast())
            })
            if platforms.count == 1 { return platforms.first }
        }
        return nil
    }
}
