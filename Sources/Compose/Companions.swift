import Foundation
import Lockfile
import Publish
import Resolve
import SBOM
import SystemPackage

/// Files that go with a compose for other programs: a lockfile of what it ships (for prefetchers
/// and later composes) and SPDX SBOMs of its images.
public struct CompanionRequest: Sendable {
    /// `--write-lockfile FILE`: `.yaml`/`.yml` rpms.lock.yaml, `.json` rpm-ostree's; `{arch}` gives one file per arch.
    public var lockfile: String?
    /// `--sbom DIR`: `<arch>.spdx.json` per arch, and `index.spdx.json` for several arches.
    public var sbomDirectory: String?

    public init(lockfile: String?, sbomDirectory: String?) {
        self.lockfile = lockfile
        self.sbomDirectory = sbomDirectory
    }

    /// Refuses, before anything is read, paths that cannot work (exit 2).
    public func check(arches: Int) throws(ComposeError) {
        if let lockfile {
            guard let format = LockfileWriter.format(of: lockfile) else {
                throw .invalidInput("--write-lockfile \(lockfile): name a .yaml (rpms.lock.yaml) or .json (rpm-ostree) file")
            }
            if format == .rpmOstree, arches > 1, !lockfile.contains("{arch}") {
                throw .invalidInput("--write-lockfile \(lockfile): an rpm-ostree lockfile holds one arch; with several "
                    + "--arch, put {arch} in the file name (or write a .yaml rpms.lock.yaml)")
            }
            var info = stat()
            if !lockfile.contains("{arch}"), stat(lockfile, &info) == 0, info.st_mode & S_IFMT == S_IFDIR {
                throw .invalidInput("--write-lockfile \(lockfile) is a directory; give a file name")
            }
        }
        if let sbomDirectory {
            var info = stat()
            if stat(sbomDirectory, &info) == 0, info.st_mode & S_IFMT != S_IFDIR {
                throw .invalidInput("--sbom \(sbomDirectory) exists and is not a directory; give a directory")
            }
        }
    }

    /// The lockfile(s) of what `reports` ship; `timestamp` gives an arch's time (rpm-ostree's `generated`).
    public func lockfiles(_ reports: [ArchReport], timestamp: (String) -> Int64) throws(ComposeError) -> [(path: String, data: Data)] {
        guard let lockfile else { return [] }
        let locks = reports.map { $0.lock() }
        do {
            return try LockfileWriter.files(locks, path: lockfile, generated: timestamp)
        } catch {
            throw .invalidInput("--write-lockfile \(lockfile): \(error)")
        }
    }

    /// The SBOMs of a tree's images, from its index (file sha256s, roles) and the reports (origins).
    func sboms(index: ComposeIndex, reports: [ArchReport]) -> [(path: String, data: Data)] {
        guard let sbomDirectory else { return [] }
        let directory = FilePath(sbomDirectory)
        let tool = "mox-\(MoxVersion.current)"
        var subjects: [SBOMSubject] = []
        var files: [(String, Data)] = []
        for report in reports {
            guard let view = index.view(arch: report.arch), let entry = view.arches[report.arch] else { continue }
            let subject = Self.subject(view: entry, arch: report.arch, report: report)
            subjects.append(subject)
            files.append((directory.appending("\(report.arch).spdx.json").string,
                          SPDXDocument.document(for: subject, created: entry.timestamp, tool: tool)))
        }
        if subjects.count > 1 {
            files.append((directory.appending("index.spdx.json").string,
                          SPDXDocument.index(of: subjects, stateDigest: index.stateDigest, created: index.timestamp, tool: tool)))
        }
        return files
    }

    /// One arch's packages (each file once) and extensions, as the SBOM describes them.
    static func subject(view entry: ComposeIndex.Arch, arch: String, report: ArchReport) -> SBOMSubject {
        let origins = Dictionary(report.shippedPackages.map { ($0.package.nevra.description, $0.origin) },
                                 uniquingKeysWith: { a, _ in a })
        var packages: [String: SBOMPackage] = [:]
        var extensions: [SBOMExtension] = []
        for (name, ext) in entry.extensions where ext.status == "resolved" {
            var listed: [String] = []
            var dependencies: [String: [String]] = [:]
            for p in ext.packages {
                let origin = origins[p.nevra] ?? nil
                packages[p.nevra] = SBOMPackage(
                    name: p.name, epoch: p.epoch, version: p.version, release: p.release, arch: p.arch, sha256: p.sha256,
                    sourceRPM: origin?.details.sourceRPM, vendor: origin?.details.vendor,
                    repositoryID: origin?.repoID ?? p.repo)
                if p.role == "listed" { listed.append(p.nevra) } else { dependencies[p.nevra] = p.pulledBy }
            }
            extensions.append(SBOMExtension(name: name, listed: listed, dependencies: dependencies))
        }
        return SBOMSubject(arch: arch, stateDigest: entry.stateDigest, packages: packages.values.sorted { $0.nevra < $1.nevra },
                           extensions: extensions)
    }

    /// Stages `files` beside their destinations; the caller commits them with the tree.
    static func stage(_ files: [(path: String, data: Data)], interruptible: (any Discardable) -> Void) throws(ComposeError) -> StagedFiles {
        let staged = StagedFiles()
        interruptible(staged)
        for file in files {
            do { try staged.stage(file.data, at: file.path) } catch {
                staged.discard()
                throw .environment("\(error)")
            }
        }
        return staged
    }
}
