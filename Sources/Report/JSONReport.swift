import Foundation
import Resolve
import Solv

/// The report for machines; the schema is documented in docs/check-json.md.
public enum JSONReport {
    /// Bumped on any incompatible change to the document's shape.
    public static let schemaVersion = 1

    /// Renders `report` as pretty-printed JSON with sorted keys (stable for diffs).
    public static func render(_ report: CheckReport) -> String {
        let document = Document(
            schemaVersion: schemaVersion, mox: report.moxVersion, manifest: report.manifestPath,
            base: report.baseSource, status: report.failed ? "failed" : "ok", errors: [],
            summary: Summary(resolved: report.counts.resolved, skipped: report.counts.skipped, failed: report.counts.failed),
            arches: report.arches.map { arch in
                Arch(arch: arch.arch, basePackages: arch.basePackageCount,
                     baseImage: arch.baseImage.map { BaseImage(reference: $0.reference, digest: $0.digest, name: $0.name) },
                     repos: arch.repos.map {
                         Repo(id: $0.id, baseurl: $0.baseURL, repomdSha256: $0.repomdChecksum,
                              revision: $0.revision, packages: $0.packages)
                     },
                     extensions: arch.extensions.map(Ext.init),
                     failures: arch.failures.map(FailureDoc.init))
            })
        return encode(document)
    }

    /// Renders a run that could not check (exit 2 or 3): the same document with no arches and
    /// every error, so pipelines always get JSON.
    public static func render(_ failed: CheckFailureReport) -> String {
        encode(Document(
            schemaVersion: schemaVersion, mox: failed.moxVersion, manifest: failed.manifestPath,
            base: failed.baseSource, status: failed.status,
            errors: failed.error.problems.map {
                ErrorDoc(file: $0.file, line: $0.line == 0 ? nil : $0.line, column: $0.column == 0 ? nil : $0.column,
                         key: $0.key, message: $0.message)
            },
            summary: Summary(resolved: 0, skipped: 0, failed: 0), arches: []))
    }

    /// Pretty-printed JSON with sorted keys and a final newline.
    static func encode<T: Encodable>(_ document: T) -> String {
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.prettyPrinted, .sortedKeys, .withoutEscapingSlashes]
        let data = (try? encoder.encode(document)) ?? Data("{}".utf8)
        return String(decoding: data, as: UTF8.self) + "\n"
    }

    struct Document: Encodable {
        let schemaVersion: Int
        let mox: String
        let manifest: String
        let base: String
        let status: String
        let errors: [ErrorDoc]
        let summary: Summary
        let arches: [Arch]
    }

    struct ErrorDoc: Encodable {
        let file: String?
        let line: Int?
        let column: Int?
        let key: String?
        let message: String
    }

    struct Summary: Encodable {
        let resolved, skipped, failed: Int
    }

    struct Arch: Encodable {
        let arch: String
        let basePackages: Int
        let baseImage: BaseImage?
        let repos: [Repo]
        let extensions: [Ext]
        /// Problems of the arch as a whole (the lock disagrees with the repos or the base).
        let failures: [FailureDoc]
    }

    /// The image a `--base-image` base was read from.
    struct BaseImage: Encodable {
        let reference, digest: String
        let name: String?
    }

    struct Repo: Encodable {
        let id, baseurl, repomdSha256: String
        let revision: String?
        let packages: Int
    }

    struct Ext: Encodable {
        let name, kind, status: String
        let note: String?
        let packages: [Package]
        let failures: [FailureDoc]
        let warnings: [String]

        init(_ result: ExtensionResult) {
            name = result.name
            kind = result.kind
            status = result.status.rawValue
            note = result.note
            packages = result.packages.map(Package.init)
            failures = result.failures.map(FailureDoc.init)
            warnings = result.warnings
        }
    }

    struct Package: Encodable {
        let nevra, name, evr, arch, repo, location, role: String
        let epoch: Int
        let version, release: String
        let checksum: String?
        let size: Int64
        let pulledBy: [String]
        let match: String?

        init(_ p: ResolvedPackage) {
            let n = p.package.nevra
            nevra = n.description
            name = n.name
            evr = n.evr
            arch = n.arch
            epoch = n.epoch ?? 0
            version = n.version
            release = n.release
            repo = p.package.repo
            location = p.package.location
            role = p.role.rawValue
            checksum = p.package.checksum.map { "\($0.algorithm):\($0.hex)" }
            size = p.package.size
            pulledBy = p.pulledBy
            match = p.match
        }
    }

    struct FailureDoc: Encodable {
        let kind, message: String
        let details: [String]
        let solutions: [[String]]

        init(_ failure: Failure) {
            kind = failure.kind.rawValue
            message = failure.message
            details = failure.details
            solutions = failure.solutions
        }
    }
}
