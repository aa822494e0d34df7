import Lockfile
import Solv

/// A lock applied to one arch, with rpm-ostree's semantics: a locked name can only be its locked
/// build (NEVRA and, when given, checksum); other names resolve as usual. Resolution still runs
/// and must agree: a locked package the repos lack, or one the base now has (the base moved), fails
/// the arch; with `strict`, any package the resolution needs beyond the lock fails its extension.
struct Locking {
    let packages: [LockedPackage]
    let strict: Bool
    /// The lockfiles, for messages.
    let files: [String]

    /// What applying the lock found.
    struct Applied {
        /// Failures of the arch: locked packages missing from the repos, or in the base.
        var failures: [Failure] = []
        /// Locked packages no repo has (to name in an offline error).
        var missing: [LockedPackage] = []
        /// The lock entry of each repo build it pinned.
        var entries: [PackageRef: LockedPackage] = [:]
    }

    /// Finds every locked package in the repos and hides every other build of its name.
    func apply(to pool: Pool) -> Applied {
        var applied = Applied()
        let builds = pool.lockedBuilds(packages.map(\.spec))
        var kept: [PackageInfo] = []
        var pinnedNames = Set<String>()
        for (locked, found) in zip(packages, builds) {
            let spec = locked.spec
            if let base = pool.basePackages(named: spec.name).first {
                let same = base.nevra.evr == spec.evr && (spec.arch == nil || spec.arch == base.nevra.arch)
                applied.failures.append(Failure(kind: .lockMismatch,
                    message: "the lock pins \(describe(locked)), but the base " + (same ? "already has it" : "has \(base.nevra)")
                        + ": the base moved since the lock was written",
                    details: ["an extension may only add packages to its base; write the lock again against this base "
                              + "(--write-lockfile)"]))
                continue
            }
            guard !found.available.isEmpty else {
                applied.missing.append(locked)
                applied.failures.append(Failure(kind: .lockMismatch,
                    message: "the lock pins \(describe(locked)), which " + (found.hidden.isEmpty
                        ? "none of the repos has" : "the repos hide (a repo's excludepkgs or a module stream)"),
                    details: whatTheReposHave(locked, pool: pool)
                        + ["add the repo that has it, or write the lock again (--write-lockfile)"]))
                continue
            }
            for build in found.available { applied.entries[build.ref] = locked }
            kept += found.available
            pinnedNames.insert(spec.name)
        }
        pool.keepOnly(kept, of: pinnedNames)
        return applied
    }

    /// After resolution: with `strict`, every shipped package must be locked. Returns the locked
    /// packages nothing shipped, for a warning.
    func verify(_ report: inout ArchReport, applied: Applied) -> [LockedPackage] {
        var shipped = Set<PackageRef>()
        for index in report.extensions.indices where report.extensions[index].status == .resolved {
            let ext = report.extensions[index]
            var unlocked: [Failure] = []
            for package in ext.packages {
                shipped.insert(package.package.ref)
                guard strict, applied.entries[package.package.ref] == nil else { continue }
                let why = package.role == .listed ? "listed package" : "dependency"
                let by = package.pulledBy.isEmpty ? "" : " (for " + package.pulledBy.map { "'\($0)'" }.joined(separator: ", ") + ")"
                unlocked.append(Failure(kind: .notLocked,
                    message: "\(why) \(package.package.nevra)\(by) is not in the lock (--lockfile-strict)",
                    details: ["lockfile: " + files.joined(separator: ", "),
                              "write the lock again (--write-lockfile), or drop --lockfile-strict to resolve unlocked packages"]))
            }
            if !unlocked.isEmpty {
                report.extensions[index].status = .failed
                report.extensions[index].failures += unlocked
            }
        }
        let used = Set(applied.entries.filter { shipped.contains($0.key) }.map(\.value))
        let failed = Set(applied.missing)
        return packages.filter { !used.contains($0) && !failed.contains($0) }
    }

    /// `name-[E:]V-R.arch (sha256:...)`, with the lockfile line.
    func describe(_ locked: LockedPackage) -> String {
        var text = locked.spec.description
        if let digest = locked.spec.digest { text += " (\(digest))" }
        return text
    }

    /// What the repos have of a locked name, each with its repo and whether only the checksum differs.
    private func whatTheReposHave(_ locked: LockedPackage, pool: Pool) -> [String] {
        let builds = pool.repoBuilds(named: locked.spec.name)
        guard !builds.isEmpty else { return ["no repo has any build of '\(locked.spec.name)'"] }
        return ["the repos have: " + builds.prefix(10).map { build in
            let digest = build.checksum.map { "\($0.algorithm):\($0.hex)" }
            let sameBuild = build.nevra.evr == locked.spec.evr && (locked.spec.arch ?? build.nevra.arch) == build.nevra.arch
            let note = sameBuild && digest != locked.spec.digest ? ", another checksum: \(digest ?? "none")" : ""
            return "\(build.nevra) (repo \(build.repo)\(note))"
        }.joined(separator: ", ") + (builds.count > 10 ? ", ..." : "")]
    }
}
