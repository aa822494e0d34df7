// The image's file system as its layers stack up (OCI whiteouts applied in order), holding only
// what a caller selected: symlinks (all of them, to resolve paths) and the chosen files, spooled
// to disk as they stream by, so memory stays flat whatever the image's size.
import Foundation
import RootedPath
import SystemPackage

/// Files selected from an image's merged layers, with every symlink of the image, so paths resolve
/// as inside the image. Made by `PlatformImage.readFiles(where:spool:)`.
public final class ImageFiles {
    /// What one path holds in the merged view.
    enum Record {
        case directory
        case symlink(FilePath)
        /// A selected file's content, spooled.
        case file(FilePath)
        /// A selected file stored as a hard link to `target` in layer `layer`, not read yet.
        case hardlink(target: FilePath, layer: Int)
        /// A file nobody selected, kept only for its size (when the caller asked for sizes).
        case unselected(size: Int64)
    }

    final class Node {
        var children: [String: Node] = [:]
        var record: Record = .directory
        /// The layer that put the record there (directories: the first layer that needed the node).
        var layer = 0
    }

    let root = Node()
    /// Where spooled files go; owned by this value's caller.
    let spool: FilePath
    /// Whether files nobody selected are kept (as their sizes) in the merged view.
    let sizingUnselected: Bool
    private var spooled = 0
    /// Re-reads layer N to fetch hard-linked targets (paths within that layer).
    let rereadLayer: (Int, Set<FilePath>, (FilePath, LayerReader) throws(ImageSourceError) -> Void) throws(ImageSourceError) -> Void

    init(spool: FilePath, sizingUnselected: Bool = false,
         rereadLayer: @escaping (Int, Set<FilePath>, (FilePath, LayerReader) throws(ImageSourceError) -> Void) throws(ImageSourceError) -> Void) {
        self.spool = spool
        self.sizingUnselected = sizingUnselected
        self.rereadLayer = rereadLayer
    }

    // MARK: Reading

    /// What `path` (root-relative) is in the merged view: a directory on the way to something
    /// selected, a symlink, a selected file, or `.missing` for anything else.
    public func entry(_ path: FilePath) -> RootedEntry {
        guard let node = node(at: path) else { return .missing }
        switch node.record {
        case .directory: return .directory
        case .symlink(let target): return .symlink(target)
        case .file, .hardlink, .unselected: return .file
        }
    }

    /// `path` with the image's symlinks followed inside the image.
    public func resolve(_ path: FilePath) throws(RootedPathError) -> RootedResolution {
        try RootedPath.resolve(path, lookup: entry)
    }

    /// The selected files, by their paths in the image (links not followed).
    public var paths: [FilePath] {
        var found: [FilePath] = []
        func walk(_ node: Node, _ path: FilePath) {
            switch node.record {
            case .file, .hardlink: found.append(path)
            default: break
            }
            for (name, child) in node.children { walk(child, path.appending(name)) }
        }
        walk(root, FilePath())
        return found.sorted { $0.string < $1.string }
    }

    /// The files nobody selected and their sizes (hard links count no bytes), in path order; empty
    /// unless sizes were asked for.
    public var unselected: [(path: FilePath, size: Int64)] {
        var found: [(path: FilePath, size: Int64)] = []
        func walk(_ node: Node, _ path: FilePath) {
            if case .unselected(let size) = node.record { found.append((path, size)) }
            for (name, child) in node.children { walk(child, path.appending(name)) }
        }
        walk(root, FilePath())
        return found.sorted { $0.path.string < $1.path.string }
    }

    /// Local copies of the selected files at `paths` (each resolved inside the image first), by the
    /// path asked for; paths that are no selected file are left out. Files stored as hard links are
    /// fetched with one more read of their layer.
    public func localFiles(_ paths: [FilePath]) throws(ImageSourceError) -> [FilePath: FilePath] {
        var result: [FilePath: FilePath] = [:]
        var pending: [Int: [FilePath: [(asked: FilePath, node: Node)]]] = [:]
        for asked in paths {
            guard let resolved = try? resolve(asked), resolved.entry == .file, let node = node(at: resolved.path) else { continue }
            switch node.record {
            case .file(let local): result[asked] = local
            case let .hardlink(target, layer): pending[layer, default: [:]][target, default: []].append((asked, node))
            default: continue
            }
        }
        for (layer, targets) in pending.sorted(by: { $0.key < $1.key }) {
            try rereadLayer(layer, Set(targets.keys)) { (target, reader) throws(ImageSourceError) in
                let local = try self.spoolContent(reader)
                for (asked, node) in targets[target] ?? [] {
                    node.record = .file(local)
                    result[asked] = local
                }
            }
        }
        return result
    }

    // MARK: Building, one layer after another

    /// Applies one entry of layer `layer`: whiteouts hide what lower layers put at a path (never
    /// what this layer put there), anything else replaces what was at its path; selected files are
    /// spooled, all links recorded. `keptInLayer` maps this layer's spooled files, for hard links to them.
    func apply(_ entry: LayerEntry, layer: Int, selected: Bool, reader: LayerReader,
               keptInLayer: inout [FilePath: FilePath]) throws(ImageSourceError) {
        if entry.isOpaqueMarker {
            if let directory = node(at: entry.path.removingLastComponent()) { prune(directory, below: layer) }
            return
        }
        if let hidden = entry.whiteoutTarget {
            if let node = node(at: hidden), prune(node, below: layer) { remove(hidden) }
            return
        }
        let record: Record?
        switch entry.kind {
        case .directory:
            if let existing = node(at: entry.path), case .directory = existing.record { return }
            record = nil
        case .symlink(let target):
            record = .symlink(target)
        case .file where selected:
            let local = try spoolContent(reader)
            keptInLayer[entry.path] = local
            record = .file(local)
        case .hardlink(let target) where selected:
            record = keptInLayer[target].map(Record.file) ?? .hardlink(target: target, layer: layer)
        case .file where sizingUnselected:
            record = .unselected(size: entry.size)
        case .hardlink where sizingUnselected:
            record = .unselected(size: 0)
        default:
            record = nil
        }
        guard let record else {
            remove(entry.path)
            return
        }
        guard let name = entry.path.lastComponent?.string else { return }
        let node = Node()
        node.record = record
        node.layer = layer
        directory(at: entry.path.removingLastComponent(), layer: layer).children[name] = node
    }

    /// Copies the reader's current entry into a new spool file.
    func spoolContent(_ reader: LayerReader) throws(ImageSourceError) -> FilePath {
        spooled += 1
        let local = spool.appending("\(spooled)")
        do {
            let output = try FileDescriptor.open(local, .writeOnly, options: [.create, .truncate],
                                                 permissions: [.ownerReadWrite, .groupRead, .otherRead])
            defer { try? output.close() }
            try reader.read { (bytes) throws(ImageSourceError) in
                do { _ = try output.writeAll(bytes) } catch {
                    throw .io(path: local, reason: "cannot write: \(error)")
                }
            }
        } catch let error as ImageSourceError {
            throw error
        } catch {
            throw .io(path: local, reason: "cannot write: \(error)")
        }
        return local
    }

    private func node(at path: FilePath) -> Node? {
        var node = root
        for component in path.components {
            guard case .directory = node.record, let child = node.children[component.string] else { return nil }
            node = child
        }
        return node
    }

    /// The directory node at `path`, made (or made a directory, over a lower layer's link or file) on the way.
    private func directory(at path: FilePath, layer: Int) -> Node {
        var node = root
        for component in path.components {
            let name = component.string
            if let child = node.children[name], case .directory = child.record {
                node = child
            } else {
                let child = Node()
                child.layer = layer
                node.children[name] = child
                node = child
            }
        }
        return node
    }

    private func remove(_ path: FilePath) {
        guard let name = path.lastComponent?.string,
              let parent = node(at: path.removingLastComponent()) else { return }
        parent.children[name] = nil
    }

    /// Drops what layers below `layer` put in `node`'s subtree; true when nothing is left of it.
    @discardableResult
    private func prune(_ node: Node, below layer: Int) -> Bool {
        guard case .directory = node.record else { return node.layer < layer }
        for (name, child) in node.children where prune(child, below: layer) {
            node.children[name] = nil
        }
        return node.children.isEmpty && node.layer < layer
    }
}
