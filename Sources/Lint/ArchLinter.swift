// One arch's image: its config, its tree and its last layer, each checked as a consumer takes it.
import Foundation
import ImageContract
import ImageSource
import OCI
import Resolve
import Solv
import SystemPackage

/// Runs every check on one arch's image.
struct ArchLinter {
    let image: PlatformImage
    let arch: String
    /// This arch's working directory (the spooled files and the tree rebuilt from them).
    let scratch: FilePath
    let installation: CheckSession?

    /// The repo id the image's tree gets, as the MCO's repo file names it.
    static let repoID = "coreos-extensions"

    func run(log: (String) -> Void) throws(LintError) -> (checks: [ContractCheck], warnings: [Violation]) {
        var checks = [labels(), command()]
        let contents = try readContents()
        log("\(arch): \(contents.rpms.count) RPMs under \(ExtensionsImage.treePath)/")
        let warnings = [minimal(contents)].compactMap { $0 }
        let repo = repodata(contents)
        checks.append(repo.check)
        if let packages = repo.packages {
            checks.append(try self.packages(packages, in: contents))
        } else {
            checks.append(.skipped(.packages, "needs repodata that parses"))
        }
        checks.append(try flatMap(contents, repodata: repo.packages))
        checks.append(try installable(repo: repo.packages == nil ? nil : contents.tree, log: log))
        return (checks, warnings)
    }

    func violation(_ code: String, _ message: String, fix: String, details: [String] = []) -> Violation {
        Violation(code: code, arch: arch, message: message, fix: fix, details: details)
    }

    // MARK: What the image holds

    /// The files lint reads out of the merged layers, the tree rebuilt from them on disk.
    struct Contents {
        /// The image's files under usr/share/rpm-ostree/ and any repodata/repomd.xml.
        let files: ImageFiles
        /// The tree as a local directory (what `podman cp` would give under the tree path).
        let tree: FilePath
        /// The tree's RPMs by their path relative to the tree.
        let rpms: [String: FilePath]
        /// repodata/repomd.xml found elsewhere in the image, by image path.
        let strayRepodata: [FilePath]
        /// Every other file of the image (outside usr/share/rpm-ostree/) and its size.
        let others: [(path: FilePath, size: Int64)]
    }

    /// Streams the layers once, keeping what lint reads, and rebuilds the tree from it.
    func readContents() throws(LintError) -> Contents {
        let treeRoot = FilePath(ExtensionsImage.treePath)
        let spool = scratch.appending("spool"), tree = scratch.appending("tree")
        try makeDirectory(spool)
        try makeDirectory(tree)
        let files = try Linter.mapped { () throws(ImageSourceError) in
            try image.readFiles(where: { path in
                path.starts(with: FilePath("usr/share/rpm-ostree")) || path.lastComponent?.string == "repomd.xml"
            }, spool: spool, sizingUnselected: true)
        }
        let inTree = files.paths.filter { $0.starts(with: treeRoot) && $0 != treeRoot }
        let local = try Linter.mapped { () throws(ImageSourceError) in try files.localFiles(inTree) }
        var rpms: [String: FilePath] = [:]
        for (path, file) in local.sorted(by: { $0.key.string < $1.key.string }) {
            var relative = FilePath()
            for component in path.components.dropFirst(treeRoot.components.count) { relative.append(component) }
            let destination = tree.appending(relative.components)
            try makeDirectory(destination.removingLastComponent(), parents: true)
            guard link(file.string, destination.string) == 0 || copy(file, to: destination) else {
                throw .environment("\(destination): cannot write: \(String(cString: strerror(errno)))")
            }
            if relative.extension == "rpm" { rpms[relative.string] = destination }
        }
        let stray = files.paths.filter {
            $0.lastComponent?.string == "repomd.xml" && $0.removingLastComponent().lastComponent?.string == "repodata"
                && $0 != treeRoot.appending("repodata/repomd.xml")
        }
        return Contents(files: files, tree: tree, rpms: rpms, strayRepodata: stray, others: files.unselected)
    }

    private func copy(_ source: FilePath, to destination: FilePath) -> Bool {
        (try? FileManager.default.copyItem(atPath: source.string, toPath: destination.string)) != nil
    }

    private func makeDirectory(_ path: FilePath, parents: Bool = false) throws(LintError) {
        do { try FileManager.default.createDirectory(atPath: path.string, withIntermediateDirectories: parents) } catch {
            throw .environment("\(path): cannot create a working directory: \(error.localizedDescription)")
        }
    }
}
