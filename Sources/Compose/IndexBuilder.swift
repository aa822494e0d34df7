import Foundation
import Resolve
import RPM
import Solv

/// Builds the JSON index of a tree, and the digests that say whether a tree would change.
///
/// Each arch's digest and time come from that arch's view (`ComposeIndex.view`) alone, so a
/// per-arch image is the same whether its arch was composed alone or beside others, in any order.
struct IndexBuilder {
    let reports: [ArchReport]
    let plan: TreePlan
    let manifestSha256: String
    /// SOURCE_DATE_EPOCH, when set.
    let sourceDateEpoch: Int64?
    /// The verdict-changing repo settings (gpgcheck, gpgkey digests) of every arch.
    let repoInputs: [ComposeIndex.Repo]

    /// The index; `sha256` gives each tree path's sha256 (known once the files are in place).
    /// Digests are always computed without the sha256s, from the repo checksums, so a tree can
    /// be judged unchanged before anything is fetched.
    func index(sha256: [String: String] = [:], facts: [String: PackageFacts] = [:]) -> ComposeIndex {
        var skeleton = assemble(sha256: [:], facts: [:]).withoutDetails()
        var full = assemble(sha256: sha256, facts: facts)
        var digests: [String] = []
        for arch in skeleton.arches.keys.sorted() {
            let digest = archDigest(skeleton.view(arch: arch)!)
            skeleton.arches[arch]?.stateDigest = digest
            full.arches[arch]?.stateDigest = digest
            digests.append("\(arch) \(digest)")
        }
        if reports.count == 1, let only = full.arches.values.first {
            full.stateDigest = only.stateDigest
            full.timestamp = only.timestamp
        } else {
            full.stateDigest = Self.digest("schema \(ComposeIndex.currentSchemaVersion)\n" + digests.joined(separator: "\n"))
        }
        return full
    }

    /// The tree's time: SOURCE_DATE_EPOCH, or the newest build time of what it ships.
    var timestamp: Int64 {
        sourceDateEpoch ?? plan.packages.map(\.package.buildTime).max() ?? 0
    }

    /// The index with empty digests.
    private func assemble(sha256: [String: String], facts: [String: PackageFacts]) -> ComposeIndex {
        var arches: [String: ComposeIndex.Arch] = [:]
        for report in reports {
            var extensions: [String: ComposeIndex.Extension] = [:]
            var flat: [String: String] = [:]
            var newest: Int64 = 0
            for (position, ext) in report.extensions.enumerated() {
                let packages = ext.packages.map { p -> ComposeIndex.Package in
                    let n = p.package.nevra
                    let path = plan.pathOf[p.package.ref] ?? ""
                    flat[n.name] = "\(n.evr).\(n.arch)"
                    newest = max(newest, p.package.buildTime)
                    let known = facts[path]
                    return ComposeIndex.Package(
                        nevra: n.description, name: n.name, epoch: n.epoch ?? 0, version: n.version,
                        release: n.release, arch: n.arch, path: path, sha256: sha256[path] ?? "",
                        size: p.package.size, repo: report.manifestRepo(of: p.package), role: p.role.rawValue,
                        pulledBy: p.role == .dependency ? p.pulledBy : [],
                        needs: p.needs.map { .init(nevra: $0.package.description, dependency: $0.dependency,
                                                   kind: $0.weak ? "recommends" : "requires") },
                        installedSize: known?.installedSize,
                        configFiles: known.map { $0.configFiles.mapValues { .init(digest: $0.digest, noreplace: $0.noreplace) } },
                        scriptlets: known?.scriptlets)
                }
                extensions[ext.name] = ComposeIndex.Extension(status: ext.status.rawValue, kind: ext.kind,
                                                              position: position, note: ext.note, packages: packages)
            }
            arches[report.arch] = ComposeIndex.Arch(basePackages: report.basePackageCount,
                                                    baseSha256: report.baseSha256,
                                                    baseImage: report.baseImage.map { .init(digest: $0.digest, name: $0.name) },
                                                    stateDigest: "",
                                                    timestamp: sourceDateEpoch ?? newest,
                                                    extensions: extensions, packages: flat)
        }
        let repos = repoInputs.sorted { ($0.arch, $0.id) < ($1.arch, $1.id) }
        return ComposeIndex(
            schemaVersion: ComposeIndex.currentSchemaVersion, mox: MoxVersion.current, stateDigest: "",
            timestamp: timestamp, inputs: .init(extensionsSha256: manifestSha256, repos: repos), arches: arches)
    }

    /// sha256 over one arch's view without digests and sha256s, and the repo checksum of each
    /// file at its path in that view.
    private func archDigest(_ view: ComposeIndex) -> String {
        var checksums: [String: String] = [:]
        for report in reports {
            for ext in report.extensions {
                for p in ext.packages {
                    checksums[p.package.nevra.description] = p.package.checksum.map { "\($0.algorithm):\($0.hex)" } ?? "-"
                }
            }
        }
        var files = Set<String>()
        for ext in view.arches.values.flatMap(\.extensions.values) {
            for p in ext.packages { files.insert("\(p.path) \(checksums[p.nevra] ?? "-")") }
        }
        var bytes = view.encoded()
        bytes.append(contentsOf: Array(("schema \(ComposeIndex.currentSchemaVersion)\n" + files.sorted().joined(separator: "\n")).utf8))
        return "sha256:" + ((try? Checksum.of(bytes: Array(bytes)).hex) ?? "")
    }

    static func digest(_ text: String) -> String {
        "sha256:" + ((try? Checksum.of(bytes: Array(text.utf8)).hex) ?? "")
    }
}
