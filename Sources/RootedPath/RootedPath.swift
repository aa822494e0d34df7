// Paths inside an image's root filesystem, resolved the way the image itself would see them.
import SystemPackage

/// What one path inside a root is, as far as resolving paths needs to know.
public enum RootedEntry: Sendable, Equatable {
    /// Nothing there (or nothing the caller knows of).
    case missing
    /// A directory.
    case directory
    /// Anything that is neither a directory nor a symlink.
    case file
    /// A symbolic link and its target, as stored.
    case symlink(FilePath)
}

/// Why a path could not be resolved.
public enum RootedPathError: Error, Sendable, Equatable, CustomStringConvertible {
    /// More than `RootedPath.maximumLinks` links were followed (a loop, most likely) resolving `path`.
    case tooManyLinks(FilePath)

    public var description: String {
        switch self {
        case .tooManyLinks(let path): "\(path): too many levels of symbolic links (a loop?)"
        }
    }
}

/// A path resolved inside a root: where it leads and what is there.
public struct RootedResolution: Sendable, Equatable {
    /// The resolved path relative to the root (no leading `/`; empty for the root itself).
    public var path: FilePath
    /// What is at `path`: never `.symlink` (links are followed); `.missing` when a component is absent.
    public var entry: RootedEntry
    /// The links followed on the way, root-relative, in order (for messages).
    public var links: [FilePath]
}

/// Resolution of paths inside a root, as a process chrooted there would: an absolute link target
/// starts again at the root and `..` stops at it, so no result ever leaves the root.
public enum RootedPath {
    /// How many links one resolution follows before it gives up (Linux's limit).
    public static let maximumLinks = 40

    /// Resolves `path` (absolute or relative: both are taken from the root) inside the root whose
    /// entries `lookup` describes, given root-relative paths. Every symlink is followed, the last
    /// component's too.
    public static func resolve(
        _ path: FilePath, lookup: (FilePath) -> RootedEntry
    ) throws(RootedPathError) -> RootedResolution {
        var resolved = FilePath()
        var pending = Array(path.components.reversed())
        var links: [FilePath] = []
        var entry = RootedEntry.directory
        while let component = pending.popLast() {
            switch component.kind {
            case .currentDirectory:
                continue
            case .parentDirectory:
                _ = resolved.removeLastComponent()
                entry = .directory
                continue
            case .regular:
                break
            }
            guard entry == .directory else {
                // A component under a file or a missing one: nothing can be there.
                resolved.append(component)
                pending.reversed().forEach { resolved.append($0) }
                return RootedResolution(path: resolved.lexicallyNormalized(), entry: .missing, links: links)
            }
            let candidate = resolved.appending(component)
            switch lookup(candidate) {
            case .symlink(let target):
                links.append(candidate)
                guard links.count <= maximumLinks else { throw .tooManyLinks(path) }
                if target.isAbsolute { resolved = FilePath() }
                pending += target.components.reversed()
                entry = .directory
            case let found:
                resolved = candidate
                entry = found
            }
        }
        return RootedResolution(path: resolved, entry: entry, links: links)
    }
}
