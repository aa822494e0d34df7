// The tree as dnf and rpm-ostree read it: repodata that parses (libsolv, through Repos) and lists
// exactly the RPMs there, each with the checksum of its bytes.
import Foundation
import ImageContract
import Repos
import Solv
import SystemPackage

extension ArchLinter {
    /// repodata/repomd.xml at the tree, its metadata matching it and parsing; with the packages it lists.
    func repodata(_ contents: Contents) -> (check: ContractCheck, packages: [PackageInfo]?) {
        let repomd = contents.tree.appending("repodata/repomd.xml")
        guard FileManager.default.fileExists(atPath: repomd.string) else {
            let elsewhere = contents.strayRepodata.map { "/" + $0.removingLastComponent().removingLastComponent().string + "/" }
            return (ContractCheck(.repodata, violations: [violation(
                elsewhere.isEmpty ? "repodata-missing" : "repodata-misplaced",
                "no repodata/repomd.xml under /\(ExtensionsImage.treePath)/, where the MCO's repo file points"
                    + (elsewhere.isEmpty ? "" : "; the image has repodata at " + elsewhere.joined(separator: ", ")),
                fix: "put the RPMs and their repodata (createrepo_c) at /\(ExtensionsImage.treePath)/",
                details: contents.strayRepodata.map { "found: /\($0)" })]), nil)
        }
        let pool = Pool(arch: arch)
        let definition = RepoDefinition(id: Self.repoID, baseURLs: [contents.tree.string], origin: "the image")
        do {
            _ = try RepoLoader(cacheDirectory: nil).load([definition], into: pool)
        } catch {
            return (ContractCheck(.repodata, violations: [violation(
                "repodata-invalid", "the repodata at /\(ExtensionsImage.treePath)/ cannot be read: \(error)",
                fix: "generate it again over the tree with createrepo_c")]), nil)
        }
        let packages = pool.packages(repo: Self.repoID)
        return (ContractCheck(.repodata, violations: [], note: "\(packages.count) packages listed"), packages)
    }

    /// The RPMs present are exactly those the repodata lists, each with the checksum it records.
    func packages(_ listed: [PackageInfo], in contents: Contents) throws(LintError) -> ContractCheck {
        var found: [Violation] = []
        var hrefs = Set<String>()
        for package in listed {
            let href = FilePath(package.location).lexicallyNormalized().string
            hrefs.insert(href)
            guard let file = contents.rpms[href] else {
                found.append(violation(
                    "rpm-missing", "the repodata lists \(package.nevra) at \(href), which is not in the image",
                    fix: "ship the RPM at /\(ExtensionsImage.treePath)/\(href), or generate the repodata again over what is shipped"))
                continue
            }
            guard let expected = package.checksum else {
                found.append(violation(
                    "rpm-no-checksum", "the repodata gives no checksum for \(package.nevra) (\(href)); dnf cannot verify it",
                    fix: "generate the repodata again with createrepo_c"))
                continue
            }
            let actual: Checksum
            do { actual = try Checksum.of(file: file.string, algorithm: expected.algorithm) } catch {
                if case .unknownAlgorithm(let name) = error {
                    found.append(violation(
                        "rpm-no-checksum", "the repodata checks \(href) with '\(name)', an algorithm rpm does not know",
                        fix: "generate the repodata again with createrepo_c (sha256)"))
                    continue
                }
                throw .environment("\(file): \(error)")
            }
            if actual != expected {
                found.append(violation(
                    "rpm-checksum-mismatch",
                    "\(href) is not the RPM the repodata describes (\(package.nevra)): dnf refuses it",
                    fix: "ship the RPM the repodata was generated from, or generate the repodata again over the shipped RPMs",
                    details: ["repodata: \(expected.algorithm):\(expected.hex)", "image:    \(actual.algorithm):\(actual.hex)"]))
            }
        }
        for href in contents.rpms.keys.sorted() where !hrefs.contains(href) {
            found.append(violation(
                "rpm-unlisted", "\(href) is in the tree but not in its repodata: nothing can install it",
                fix: "generate the repodata again over the tree (createrepo_c), or remove the RPM"))
        }
        return ContractCheck(.packages, violations: found,
                             note: found.isEmpty ? "\(listed.count) RPMs, each matching its repodata checksum" : nil)
    }
}
