import Manifest
import Modules
import Repos
import Solv
import SystemPackage

extension CheckSession {
    /// The module streams enabled on `arch`: the top-level ones, then those of every extension
    /// that applies there (rpm-ostree applies an extension's modules to the whole arch), and the
    /// streams of every `install`.
    func moduleRequests(arch: String) -> [ModuleRequest] {
        var specs = manifest.modules.enable
        for ext in manifest.extensions where ext.applies(to: arch) {
            specs += ext.modules.enable + ext.modules.install
        }
        var seen = Set<ModuleRequest>()
        return specs.map { ModuleRequest(name: $0.name, stream: $0.stream) }.filter { seen.insert($0).inserted }
    }

    /// Reads the repos' modules.yaml, decides which streams are active on `arch` as libdnf does,
    /// and hides from `pool` what they hide (never the base, never a `module_hotfixes` repo).
    func applyModules(to pool: Pool, repos: [LoadedRepo], definitions: [RepoDefinition], arch: String,
                      log: (String) -> Void) throws(CheckError) -> ModuleState {
        var metadata = ModuleMetadata()
        for repo in repos {
            guard let file = repo.modules else { continue }
            // Keyed by the repomd.xml checksum, as the .solv cache is: new metadata, new file.
            let cache = cacheDirectory.map {
                FilePath($0).appending("modules").appending("\(repo.repomdChecksum.prefix(32))-modules.json")
            }
            do {
                metadata.merge(try ModuleMetadata.read(file: FilePath(file), repo: repo.id, cache: cache))
            } catch {
                throw .environment("repo '\(repo.id)': \(error)")
            }
        }
        let requests = moduleRequests(arch: arch)
        if metadata.isEmpty && requests.isEmpty { return .none }
        let hotfixes = Set(definitions.filter(\.moduleHotfixes).map(\.id))
        let platform = ModuleState.platform(in: pool)
        let state = ModuleState.resolve(metadata, enable: requests, platform: platform, arch: arch, exemptRepos: hotfixes)
        let hidden = pool.hide(state.filter)
        let active = Set(state.active.map(\.nameStream)).sorted()
        log("\(arch): modules: \(metadata.streams.count) stream builds, active: "
            + (active.isEmpty ? "none" : active.joined(separator: ", "))
            + "; \(hidden) packages hidden" + (platform.map { " (platform \($0))" } ?? ""))
        return state
    }
}
