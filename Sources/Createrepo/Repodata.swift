// Repodata: rpm-md metadata (primary, filelists, other, repomd.xml) for a tree of RPMs, reproducibly.
import Foundation

/// One RPM to list in the repodata: where the file is, and where the repo says it is.
public struct RepodataPackage: Sendable, Hashable {
    /// The absolute path of the RPM file to read.
    public var path: String
    /// Its location relative to the tree root, written verbatim as `location href`.
    public var href: String
    /// The file's sha256 when the caller already knows it (verified): then only the header is read.
    public var sha256: String?

    /// A package at `path`, listed at `href` (e.g. "extensions/usbguard/usbguard-1.0-1.el9.x86_64.rpm").
    public init(path: String, href: String, sha256: String? = nil) {
        self.path = path
        self.href = href
        self.sha256 = sha256
    }
}

/// What `Repodata.write` made.
public struct RepodataResult: Sendable, Hashable {
    /// The absolute path of the new repodata/repomd.xml.
    public var repomdPath: String
    /// Each metadata type ("primary", "filelists", "other") and its href in repomd.xml.
    public var records: [String: String]
    /// How many packages the metadata lists.
    public var packages: Int
}

/// Writes the repodata/ folder of a composed tree through libcreaterepo_c.
public enum Repodata {
    /// Writes `repodata/` under `root` for `packages` (replacing any there), reproducibly: the same
    /// files and hrefs give the same bytes whatever the order, mtimes, clock, TZ or umask.
    /// `timestamp` (e.g. SOURCE_DATE_EPOCH) is the repomd revision and every time in the metadata;
    /// `changelogLimit` is how many changelog entries per package go into other.xml.
    public static func write(
        _ packages: [RepodataPackage], root: String, timestamp: Int64, changelogLimit: Int = 0
    ) throws(RepodataError) -> RepodataResult {
        let sorted = try validated(packages)
        // libcreaterepo_c, rpm and glib keep global state: one writer at a time in this process.
        return try Library.shared.serialized { () throws(RepodataError) -> RepodataResult in
            try RepodataWriter(root: root, timestamp: timestamp, changelogLimit: changelogLimit)
                .write(sorted)
        }
    }

    /// The packages in href order (byte-wise, so no locale matters), after checking each href.
    static func validated(_ packages: [RepodataPackage]) throws(RepodataError) -> [RepodataPackage] {
        let sorted = packages.sorted { $0.href.utf8.lexicographicallyPrecedes($1.href.utf8) }
        for (index, package) in sorted.enumerated() {
            let href = package.href
            if href.isEmpty || href.hasPrefix("/") {
                throw .invalidLocation(href: href, reason: "must be a path relative to the tree root")
            }
            let parts = href.split(separator: "/", omittingEmptySubsequences: false)
            if parts.contains(where: { $0.isEmpty || $0 == "." || $0 == ".." }) {
                throw .invalidLocation(href: href, reason: "must not have empty, '.' or '..' parts")
            }
            if parts.first == "repodata" {
                throw .invalidLocation(href: href, reason: "repodata/ is replaced when the metadata is written")
            }
            if index > 0, sorted[index - 1].href == href {
                throw .invalidLocation(
                    href: href, reason: "given for both \(sorted[index - 1].path) and \(package.path)")
            }
        }
        return sorted
    }
}
