// The layer's entries in tar order: every source walked, parents added, duplicates refused, sorted bytewise.
#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif
import SystemPackage

/// One entry of the layer: a directory (with or without a local counterpart) or a regular file.
struct LayerEntry: Sendable {
    /// The path in the layer, without a trailing slash.
    let path: String
    /// The file on disk; nil for directories made up as parents.
    let local: String?
    let isDirectory: Bool

    /// The name as the tar stores it (directories end in `/`), the sort key.
    var tarName: [UInt8] { Array(path.utf8) + (isDirectory ? [UInt8(ascii: "/")] : []) }
}

enum LayerEntries {
    /// All entries of `sources`, sorted bytewise by tar name. Memory grows with the number of entries
    /// (a path each), never with file sizes.
    static func collect(_ sources: [LayerSource]) throws(ImageError) -> [LayerEntry] {
        var byPath: [String: LayerEntry] = [:]
        func add(_ entry: LayerEntry) throws(ImageError) {
            if let existing = byPath[entry.path] {
                // The same directory reached twice (as a parent, or from two sources) is one directory.
                guard existing.isDirectory && entry.isDirectory else { throw .duplicatePath(entry.path) }
                if existing.local == nil { byPath[entry.path] = entry }
                return
            }
            byPath[entry.path] = entry
        }
        for source in sources {
            let components = source.path.split(separator: "/", omittingEmptySubsequences: false)
            guard !source.path.isEmpty,
                components.allSatisfy({ !$0.isEmpty && $0 != "." && $0 != ".." })
            else { throw .invalidLayerPath(source.path) }
            for depth in 1..<components.count {
                try add(LayerEntry(path: components[..<depth].joined(separator: "/"), local: nil, isDirectory: true))
            }
            try walk(source.local, as: source.path, add)
        }
        return byPath.values.map { ($0.tarName, $0) }
            .sorted { $0.0.lexicographicallyPrecedes($1.0) }
            .map(\.1)
    }

    /// Adds `local` at `path`, and everything below it if it is a directory.
    private static func walk(
        _ local: String, as path: String, _ add: (LayerEntry) throws(ImageError) -> Void
    ) throws(ImageError) {
        var pending = [(local: local, path: path)]
        while let (local, path) = pending.popLast() {
            var info = stat()
            guard lstat(local, &info) == 0 else { throw .system(local, "stat") }
            switch info.st_mode & S_IFMT {
            case S_IFREG:
                try add(LayerEntry(path: path, local: local, isDirectory: false))
            case S_IFDIR:
                try add(LayerEntry(path: path, local: local, isDirectory: true))
                for name in try children(of: local) {
                    pending.append((FilePath(local).appending(name).string, path + "/" + name))
                }
            default:
                throw .unsupportedFile(path: local, kind: fileKind(info.st_mode))
            }
        }
    }

    /// The names in a directory, without `.` and `..`; names that are not UTF-8 are refused.
    private static func children(of dir: String) throws(ImageError) -> [String] {
        guard let handle = opendir(dir) else { throw .system(dir, "open directory") }
        defer { closedir(handle) }
        var names: [String] = []
        while true {
            errno = 0
            guard let entry = readdir(handle) else {
                if errno != 0 { throw .system(dir, "read directory") }
                return names
            }
            let name: String? = withUnsafeBytes(of: entry.pointee.d_name) { raw in
                String(validatingCString: raw.baseAddress!.assumingMemoryBound(to: CChar.self))
            }
            guard let name else { throw .invalidLayerPath(dir + "/<name that is not UTF-8>") }
            if name != "." && name != ".." { names.append(name) }
        }
    }
}
