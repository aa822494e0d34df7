import Foundation
import SystemPackage
import Yams

/// Why a treefile could not be read (exit 2): the file, and what to do.
public struct TreefileError: Error, Sendable, Equatable, CustomStringConvertible {
    public let file: String
    public let message: String

    public init(file: String, message: String) {
        self.file = file
        self.message = message
    }

    public var description: String { "\(file): \(message)" }
}

/// What an rpm-ostree treefile says about repos for one architecture, read as `rpm-ostree compose
/// extensions TREEFILE EXTENSIONS` reads it: the file and everything it includes (`include`,
/// `arch-include` for the arch, `conditional-include` whose conditions hold), merged with
/// rpm-ostree's rules. Nothing else of the treefile matters to extensions.
public struct Treefile: Sendable, Equatable {
    /// The treefile as given: rpm-ostree looks for `.repo` files in its directory.
    public let path: String
    /// Repo ids, in rpm-ostree's merged order (an included file's before the including one's).
    public let repos: [String]
    /// `releasever`, when some file sets it (the including file wins).
    public let releasever: String?
    /// `repovars`: further `$name` variables for `.repo` files (the including file wins).
    public let repovars: [String: String]

    /// rpm-ostree's limit on nested includes.
    static let maximumDepth = 50

    /// Reads the treefile at `path` for `basearch` (rpm's `$basearch`: `x86_64`, `aarch64`, `i386`).
    public static func load(path: String, basearch: String) throws(TreefileError) -> Treefile {
        var reader = Reader(basearch: basearch)
        let merged = try reader.read(FilePath(path), depth: 0, variables: [:])
        return Treefile(path: path, repos: merged.repos, releasever: merged.releasever, repovars: merged.repovars)
    }
}

/// The fields extensions use, as merged so far.
struct Fragment {
    var repos: [String] = []
    var releasever: String?
    var repovars: [String: String] = [:]

    /// rpm-ostree's merge of an included `source` into `self`: lists appended after the included
    /// one's, plain fields and map keys kept from `self` when set.
    mutating func merge(_ source: Fragment) {
        repos = source.repos + repos
        releasever = releasever ?? source.releasever
        repovars.merge(source.repovars) { mine, _ in mine }
    }
}
