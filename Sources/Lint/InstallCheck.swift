// The node's view: the image's tree is the only repo (the MCO's repo file points at it), and every
// os-extension must install from it on the base, exactly as `mox check` resolves.
import Foundation
import Manifest
import Repos
import Resolve
import SystemPackage

extension ArchLinter {
    /// Resolves every extension of this arch with the image's repo standing in for every repo the
    /// extensions file names; `tree` is the image's tree on disk (nil: its repodata did not parse).
    func installable(repo tree: FilePath?, log: (String) -> Void) throws(LintError) -> ContractCheck {
        guard let installation else {
            return .skipped(.installable, "give extensions.yaml and the base (--base-rootfs, --base-image or --base-packages) to check it")
        }
        guard let tree else { return .skipped(.installable, "needs repodata that parses") }
        let (session, notes) = try standIn(for: installation, tree: tree)
        let report: ArchReport
        do { report = try session.resolve(arch: arch, log: log).report } catch {
            switch error {
            case .invalidInput(let message): throw .invalidInput([message])
            case .invalidFiles(let problems): throw .invalidInput(problems.map(\.description))
            case .environment(let message): throw .environment(message)
            }
        }
        var found: [Violation] = []
        var installs = 0, present = 0, skipped = 0
        for result in report.extensions {
            let development = result.kind == Extension.Kind.development.rawValue
            switch result.status {
            case .skipped: skipped += 1
            case .resolved: if development { present += 1 } else { installs += 1 }
            case .failed:
                for failure in result.failures {
                    var details = failure.details
                    for (n, steps) in failure.solutions.enumerated() { details.append("solution \(n + 1): " + steps.joined(separator: "; ")) }
                    found.append(development
                        ? violation("development-package-missing", "development extension '\(result.name)': \(failure.message)",
                                    fix: "ship its packages in the image", details: details)
                        : violation("not-installable",
                                    "os-extension '\(result.name)' does not install from the image's repo alone on the base: \(failure.message)",
                                    fix: "ship what it needs in the image (compose it against this base), or correct it in "
                                        + installation.manifest.path,
                                    details: details))
                }
            }
        }
        var note = "\(installs) os-extension\(installs == 1 ? "" : "s") install, \(present) development extension"
            + "\(present == 1 ? "" : "s") present, \(skipped) not for \(arch)"
        if !notes.isEmpty { note += "; " + notes.joined(separator: "; ") }
        return ContractCheck(.installable, violations: found, note: note)
    }

    /// The session that resolves as a node does: the extensions file with the image's repo as its
    /// only repo (module streams dropped: the tree has no module metadata, its RPMs are plain),
    /// the same base; the file's own repos are read only to look up a package-list base.
    private func standIn(for installation: CheckSession, tree: FilePath) throws(LintError) -> (CheckSession, [String]) {
        let original = installation.manifest
        let used = Set(original.repos + original.extensions.flatMap(\.repos))
        let id = used.contains(Self.repoID) ? Self.repoID + "-image" : Self.repoID
        var notes: [String] = []
        var extensions: [Extension] = []
        for ext in original.extensions {
            if !ext.modules.install.isEmpty {
                let profiles = ext.modules.install.map(\.description).joined(separator: ", ")
                notes.append("'\(ext.name)' installs module profiles (\(profiles)), which the image's repo cannot name "
                    + (ext.packages.isEmpty ? "(not checked)" : "(only its packages checked)"))
                if ext.packages.isEmpty { continue }
            }
            extensions.append(Extension(name: ext.name, packages: ext.packages, repos: [], architectures: ext.architectures,
                                        matchBaseEVR: ext.matchBaseEVR, kind: ext.kind, modules: .none, line: ext.line))
        }
        let manifest = ExtensionsFile(path: original.path, repos: [id], modules: .none, extensions: extensions)
        let lookup: Bool
        if case .packages? = installation.base.source(for: arch) { lookup = true } else { lookup = false }
        var reposDirectory = scratch.appending("repos.d").string
        if lookup {
            // The file's repos must be defined to look the base up in them.
            do { _ = try installation.repoDefinitions(arch: arch) } catch {
                throw .invalidInput(error.problems.map(\.description))
            }
            reposDirectory = installation.reposDirectory
        } else {
            do { try FileManager.default.createDirectory(atPath: reposDirectory, withIntermediateDirectories: true) } catch {
                throw .environment("\(reposDirectory): cannot create a working directory: \(error.localizedDescription)")
            }
        }
        var session = CheckSession(manifest: manifest, reposDirectory: reposDirectory,
                                   repoOverrides: lookup ? installation.repoOverrides : [], releasever: installation.releasever,
                                   base: installation.base, cacheDirectory: installation.cacheDirectory)
        session.downloader = installation.downloader
        session.registry = installation.registry
        // As the MCO's repo file: the copied tree, no gpgcheck; exempt from module filtering, having no module metadata.
        session.definedRepos = [RepoDefinition(id: id, name: "the extensions image", baseURLs: [tree.string],
                                               origin: "the image's tree", moduleHotfixes: true)]
        session.baseLookupRepos = lookup ? used.sorted() : []
        return (session, notes)
    }
}
