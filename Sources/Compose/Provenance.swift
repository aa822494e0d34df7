import Resolve

/// Where a compose's inputs came from on this builder: paths, URLs, repomd checksums. It is
/// reported (`--format json`) but never shipped or hashed into the state digest, so two builders
/// with different checkouts or mirrors produce the same tree and image.
public struct Provenance: Sendable, Equatable {
    /// The extensions file as given.
    public var extensions: String
    public var bases: [Base]
    public var repos: [Repo]

    public struct Base: Sendable, Equatable {
        public var arch: String
        /// `rootfs`, `packages` or `image`.
        public var kind: String
        /// The path or image reference as given.
        public var source: String
    }

    public struct Repo: Sendable, Equatable {
        public var arch: String
        public var id: String
        public var baseurl: String
        public var repomdSha256: String
        public var revision: String?
    }

    init(manifest: String, reports: [ArchReport]) {
        extensions = manifest
        bases = reports.compactMap { report in
            report.base.map { Base(arch: report.arch, kind: $0.kind, source: $0.path) }
        }
        repos = reports.flatMap { report in
            report.repos.map {
                Repo(arch: report.arch, id: $0.id, baseurl: $0.baseURL, repomdSha256: $0.repomdChecksum, revision: $0.revision)
            }
        }
    }
}
