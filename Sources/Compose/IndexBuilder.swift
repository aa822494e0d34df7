import Foundation
import Resolve
import Solv

/// Builds the JSON index of a tree, and the digest that says whether a tree would change.
struct IndexBuilder {
    let reports: [ArchReport]
    let plan: TreePlan
    let manifestPath: String
    let manifestSha256: String
    let timestamp: Int64

    /// sha256 over everything the tree depends on: an index with sha256s left out, which already
    /// holds the inputs (manifest digest, repomd digests, base identity) and every planned file's
    /// repo checksum.
    var stateDigest: String {
        let skeleton = index(sha256: [:], stateDigest: "")
        let files = plan.packages.map { "\($0.path) \($0.package.checksum.map { "\($0.algorithm):\($0.hex)" } ?? "-")" }
        var bytes = (try? skeleton.encoded()) ?? Data()
        bytes.append(contentsOf: Array(("schema \(ComposeIndex.currentSchemaVersion)\n" + files.joined(separator: "\n")).utf8))
        return "sha256:" + ((try? Checksum.of(bytes: Array(bytes)).hex) ?? "")
    }

    /// The index; `sha256` gives each tree path's sha256 (computed from the files once they are in place).
    func index(sha256: [String: String], stateDigest: String) -> ComposeIndex {
        var arches: [String: ComposeIndex.Arch] = [:]
        var repos: [ComposeIndex.Repo] = []
        for report in reports {
            var extensions: [String: ComposeIndex.Extension] = [:]
            var flat: [String: String] = [:]
            for ext in report.extensions {
                let packages = ext.packages.map { p -> ComposeIndex.Package in
                    let n = p.package.nevra
                    let path = plan.pathOf[p.package.ref] ?? ""
                    flat[n.name] = "\(n.evr).\(n.arch)"
                    return ComposeIndex.Package(
                        nevra: n.description, name: n.name, epoch: n.epoch ?? 0, version: n.version,
                        release: n.release, arch: n.arch, path: path, sha256: sha256[path] ?? "",
                        size: p.package.size, repo: p.package.repo, role: p.role.rawValue,
                        pulledBy: p.role == .dependency ? p.pulledBy : [])
                }
                extensions[ext.name] = ComposeIndex.Extension(status: ext.status.rawValue, kind: ext.kind,
                                                              note: ext.note, packages: packages)
            }
            arches[report.arch] = ComposeIndex.Arch(basePackages: report.basePackageCount,
                                                    baseSha256: report.baseSha256,
                                                    extensions: extensions, packages: flat)
            repos += report.repos.map {
                ComposeIndex.Repo(arch: report.arch, id: $0.id, baseurl: $0.baseURL,
                                  repomdSha256: $0.repomdChecksum, revision: $0.revision)
            }
        }
        return ComposeIndex(
            schemaVersion: ComposeIndex.currentSchemaVersion, mox: MoxVersion.current, stateDigest: stateDigest,
            timestamp: timestamp,
            inputs: .init(extensions: .init(path: manifestPath, sha256: manifestSha256),
                          base: reports.compactMap { report in
                              report.base.map {
                                  ComposeIndex.Base(arch: report.arch, kind: $0.kind, source: $0.path,
                                                    digest: report.baseImage?.digest, name: report.baseImage?.name)
                              }
                          },
                          repos: repos),
            arches: arches,
            packages: reports.count == 1 ? arches[reports[0].arch]?.packages : nil)
    }
}
