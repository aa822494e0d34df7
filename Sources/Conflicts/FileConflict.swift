import RPM

/// Two packages that may not both be installed because of one path, by rpm's rules.
public struct FileConflict: Sendable, Hashable {
    /// The path both packages own.
    public let path: String
    /// The extension package (`name-[E:]V-R.arch`) and the extensions that ship it.
    public let package: String
    public let extensions: [String]
    /// The other package, and the extensions that ship it (none: a base package).
    public let other: String
    public let otherExtensions: [String]
    /// The two entries at the path: the extension package's, and the other's.
    public let entry: FileEntry
    public let otherEntry: FileEntry

    /// Whether the other package is in the base.
    public var otherIsBase: Bool { otherExtensions.isEmpty }

    /// How the entries differ, in words (`mode 0755 vs 0700`), the package's side first or,
    /// `reversed`, the other's.
    public func difference(reversed: Bool = false) -> String {
        reversed ? otherEntry.difference(from: entry) : entry.difference(from: otherEntry)
    }
}

/// A path an extension package shares with a base package whose header could not be read, so
/// rpm's rules could not be applied: it may or may not conflict.
public struct FileOverlap: Sendable, Hashable {
    public let path: String
    public let package: String
    public let extensions: [String]
    /// The base package owning the path.
    public let base: String
    /// Why its header could not be read.
    public let reason: String
}

/// What a conflict check found for one arch.
public struct ConflictFindings: Sendable, Hashable {
    public var conflicts: [FileConflict] = []
    public var overlaps: [FileOverlap] = []

    public init(conflicts: [FileConflict] = [], overlaps: [FileOverlap] = []) {
        self.conflicts = conflicts
        self.overlaps = overlaps
    }
}

extension FileEntry {
    /// The entry in a few words: `file 0644 root:root, 12 bytes, sha256 1f2e3d4c5b6a`.
    public var summary: String {
        var text = "\(kind.rawValue) \(Self.octal(permissions)) \(user):\(group)"
        switch kind {
        case .regular: text += ", \(size) bytes, digest \(digest.prefix(12))"
        case .symlink: text += ", to \(linkTarget)"
        default: break
        }
        if isConfig { text += isNoReplace ? ", %config(noreplace)" : ", %config" }
        if color != 0 { text += ", color \(color)" }
        return text
    }

    /// How this entry and `other` differ, in the terms rpm compares (type, mode, owner, size,
    /// content, link target); `%config` is said when either side is one.
    func difference(from other: FileEntry) -> String {
        var parts: [String] = []
        if kind != other.kind {
            parts.append("\(kind.rawValue) vs \(other.kind.rawValue)")
        } else {
            if permissions != other.permissions, kind != .symlink {
                parts.append("mode \(Self.octal(permissions)) vs \(Self.octal(other.permissions))")
            }
            if user != other.user || group != other.group {
                parts.append("owner \(user):\(group) vs \(other.user):\(other.group)")
            }
            switch kind {
            case .symlink where linkTarget != other.linkTarget:
                parts.append("link to \(linkTarget) vs \(other.linkTarget)")
            case .regular where digest != other.digest || size != other.size:
                parts.append("content differs")
            case .device:
                parts.append("device differs")
            default: break
            }
        }
        if parts.isEmpty { parts.append("entries differ") }
        let config = isConfig || other.isConfig ? "%config \(isConfig ? kind.rawValue : other.kind.rawValue): " : ""
        return config + parts.joined(separator: "; ")
    }

    static func octal(_ value: UInt16) -> String {
        let digits = String(value, radix: 8)
        return String(repeating: "0", count: max(0, 4 - digits.count)) + digits
    }
}
