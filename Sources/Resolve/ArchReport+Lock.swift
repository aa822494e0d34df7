import Foundation
import Lockfile
import Repos
import Solv

extension ArchReport {
    /// Every package this arch ships (each once, whichever extensions ship it), with its origin.
    public var shippedPackages: [(package: PackageInfo, origin: PackageOrigin?)] {
        var seen = Set<PackageRef>()
        var result: [(PackageInfo, PackageOrigin?)] = []
        for ext in extensions where ext.status == .resolved {
            for resolved in ext.packages where seen.insert(resolved.package.ref).inserted {
                result.append((resolved.package, origins[resolved.package.ref]))
            }
        }
        return result.sorted { $0.0 < $1.0 }
    }

    /// What this arch ships, as a lockfile records it: each package with its digest, size, URL,
    /// repo id and source RPM; the module metadata of the repos that ship modular packages; and
    /// the repos, with when their metadata was generated.
    public func lock() -> ArchLock {
        let repoByID = Dictionary(repos.map { ($0.id, $0) }, uniquingKeysWith: { a, _ in a })
        var packages: [LockedPackage] = []
        var modules: [String: LockedModuleMetadata] = [:]
        var generated: [String: Int64] = [:]
        for (package, origin) in shippedPackages {
            let repoID = origin?.repoID ?? package.repo
            packages.append(LockedPackage(
                spec: BasePackageSpec(package.nevra, digest: package.checksum.map { "\($0.algorithm):\($0.hex)" }),
                repoID: repoID, url: origin?.url ?? package.location, size: package.size,
                sourceRPM: origin?.details.sourceRPM))
            guard let repo = repoByID[package.repo] else { continue }
            generated[repoID] = max(generated[repoID] ?? 0, repo.generated ?? 0)
            if origin?.modular == true, modules[repo.id] == nil, let entry = Self.moduleMetadata(of: repo, as: repoID) {
                modules[repo.id] = entry
            }
        }
        return ArchLock(arch: arch, packages: packages, moduleMetadata: modules.values.sorted { $0.url < $1.url },
                        repos: generated.sorted { $0.key < $1.key }.map { ($0.key, $0.value) })
    }

    /// The module metadata file of a repo, as rpm-lockfile-prototype lists it: its URL, and the
    /// size and sha256 of the file as stored.
    static func moduleMetadata(of repo: LoadedRepo, as repoID: String) -> LockedModuleMetadata? {
        guard let record = repo.modulesRecord, let file = repo.modules,
              let sha256 = try? Checksum.of(file: file).hex,
              let size = (try? FileManager.default.attributesOfItem(atPath: file)[.size] as? NSNumber)?.int64Value
        else { return nil }
        return LockedModuleMetadata(url: CheckSession.url(base: repo.baseURL, location: record.href), repoID: repoID,
                                    size: size, checksum: "sha256:\(sha256)")
    }
}
