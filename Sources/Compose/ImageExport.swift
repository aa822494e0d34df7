import Createrepo
import Fetch
import Foundation
import Image
import ImageContract
import Publish
import SystemPackage

/// What `--oci-layout`, `--layer` and their companions ask for.
public struct ImageRequest: Sendable {
    /// The OCI image layout directory to write, if any.
    public var layout: String?
    public var tag: String
    /// The layer tarball alone; with several arches it must contain `{arch}`.
    public var layerFile: String?
    public var compression: LayerCompression
    public var labels: [String: String]
    /// `org.opencontainers.image.version`; default: the arch's state digest's first 12 hex digits.
    public var version: String?

    public init(layout: String?, tag: String, layerFile: String?, compression: LayerCompression,
                labels: [String: String], version: String?) {
        self.layout = layout
        self.tag = tag
        self.layerFile = layerFile
        self.compression = compression
        self.labels = labels
        self.version = version
    }

    /// True when any image output is asked for.
    public var wanted: Bool { layout != nil || layerFile != nil }

    /// Refuses, before anything is fetched or written, outputs that cannot work: a layout path
    /// that is a file or a directory mox did not write (exit 2), one whose index.json cannot be
    /// read (exit 3), a layout or layer file that is the tree or inside it, a layer file that is a
    /// directory, several arches into one layer file.
    public func check(tree: String?, arches: Int) throws(ComposeError) {
        let treePath = tree.map(TreeFiles.absolute)
        if let layout {
            let path = TreeFiles.absolute(layout)
            if let treePath, path.starts(with: treePath) || treePath.starts(with: path) {
                throw .invalidInput("--oci-layout \(layout) and --output \(tree!) overlap; the tree and the image need "
                    + "two separate paths")
            }
            do { try OCILayout.checkTarget(path.string) } catch {
                if case .invalidLayout(_, let reason) = error, reason.contains("index.json") || reason.contains("OCI document") {
                    throw .environment("--oci-layout \(layout): \(error)")
                }
                throw .invalidInput("--oci-layout \(layout): \(error)")
            }
        }
        if let layerFile {
            if arches > 1 && !layerFile.contains("{arch}") {
                throw .invalidInput("--layer \(layerFile): with several --arch, put {arch} in the file name")
            }
            let path = TreeFiles.absolute(layerFile)
            if let treePath, path.starts(with: treePath) {
                throw .invalidInput("--layer \(layerFile) is inside the tree --output \(tree!); write it elsewhere")
            }
            if let layout, path.starts(with: TreeFiles.absolute(layout)) {
                throw .invalidInput("--layer \(layerFile) is inside the --oci-layout \(layout); write it elsewhere")
            }
            var info = stat()
            if !layerFile.contains("{arch}"), stat(path.string, &info) == 0, info.st_mode & S_IFMT == S_IFDIR {
                throw .invalidInput("--layer \(layerFile) is a directory; give a file name")
            }
        }
    }
}

/// What was written.
public struct ImageOutcome: Sendable {
    /// The digest of the tagged manifest or index in the layout, when a layout was written.
    public let digest: String?
    /// Per arch, the layer's blob.
    public let layers: [String: LayerBlob]
}

/// Builds the extensions image of a tree: per arch, one layer holding the tree (or that arch's
/// view of it) at `usr/share/rpm-ostree/extensions/` and its flat map at
/// `usr/share/rpm-ostree/extensions.json`. The result is staged beside its destinations and
/// swapped in by the caller, together with the tree.
public struct ImageExport {
    /// Annotation recording the arch's state digest.
    public static let stateAnnotation = "dev.mox.state-digest"

    public let request: ImageRequest

    public init(request: ImageRequest) {
        self.request = request
    }

    /// Writes every layer and the new layout beside their destinations; nothing visible changes
    /// until `StagedImage.swapIn()`. With one arch the tree is used as is; with several, each image
    /// gets that arch's view: its packages only, its own repodata, index and flat map.
    /// `ready` receives the staged image before any work, so an interrupted run can discard it.
    public func stage(tree: String, index: ComposeIndex, log: (String) -> Void,
                      ready: (StagedImage) -> Void = { _ in }) throws(ComposeError) -> StagedImage {
        let arches = index.arches.keys.sorted()
        try request.check(tree: nil, arches: arches.count)
        // Beside the outputs, never inside them: "image/" must not become "image/.mox-image-N".
        let anchor = TreeFiles.absolute(request.layout ?? request.layerFile ?? tree)
        let scratch = Self.scratchDirectory(beside: anchor)
        let staged = StagedImage(scratch: scratch)
        ready(staged)
        do throws(ComposeError) {
            try TreeFiles.makeDirectories(scratch)
            var images: [(spec: ImageSpec, layer: LayerBlob)] = []
            var layers: [String: LayerBlob] = [:]
            for arch in arches {
                guard let view = index.view(arch: arch) else { continue }
                let dir = arches.count == 1 ? FilePath(tree) : try archView(view, of: FilePath(tree), index: index,
                                                                           in: scratch.appending("tree-\(arch)"))
                let file = scratch.appending("layer-\(arch)")
                let blob: LayerBlob
                do {
                    blob = try Layer.write(sources(of: dir), to: file.string, compression: request.compression,
                                           mtime: view.timestamp)
                } catch {
                    throw .environment("image: \(error)")
                }
                log("\(arch): layer \(blob.digest) (\(blob.size) bytes, diff_id \(blob.diffID))")
                layers[arch] = blob
                images.append((spec(arch, view: view), blob))
                if let layerFile = request.layerFile {
                    staged.moves.append((file, TreeFiles.absolute(layerFile.replacingOccurrences(of: "{arch}", with: arch))))
                }
            }
            var digest: String? = nil
            if let layout = request.layout {
                do {
                    let (publisher, top) = try OCILayout.stage(images: images, to: layout, tag: request.tag)
                    staged.hold(publisher)
                    digest = top
                } catch {
                    throw .environment("image: \(error)")
                }
            }
            staged.outcome = ImageOutcome(digest: digest, layers: layers)
            return staged
        } catch {
            staged.discard()
            throw error
        }
    }

    /// The image of a tree that stays as it is (no change, or `mox image`): staged, then swapped
    /// in alone. nil when no image was asked for.
    public static func write(_ request: ImageRequest?, of tree: String, index: ComposeIndex, log: (String) -> Void,
                             interruptible: (any Discardable) -> Void = { _ in }) throws(ComposeError) -> ImageOutcome? {
        guard let request, request.wanted else { return nil }
        let staged = try ImageExport(request: request).stage(tree: tree, index: index, log: log, ready: interruptible)
        do throws(ComposeError) { try staged.swapIn() } catch {
            staged.discard()
            throw error
        }
        staged.commit()
        return staged.outcome
    }

    /// `.NAME.mox-image-PID` beside `path`; those of runs no longer alive (killed) are removed first.
    static func scratchDirectory(beside path: FilePath) -> FilePath {
        let parent = path.removingLastComponent()
        let name = path.lastComponent?.string ?? "image"
        let prefix = ".\(name).mox-image-"
        for entry in (try? FileManager.default.contentsOfDirectory(atPath: parent.string)) ?? []
        where entry.hasPrefix(prefix) {
            if let pid = Int32(entry.dropFirst(prefix.count)), pid != getpid(), kill(pid, 0) == 0 { continue }
            try? FileManager.default.removeItem(atPath: parent.appending(entry).string)
        }
        return parent.appending(prefix + "\(getpid())")
    }

    /// The layer's contents: the tree's folders, its index and flat map, and the flat map again
    /// beside the tree, where koji's upload reads it.
    func sources(of view: FilePath) -> [LayerSource] {
        var sources: [LayerSource] = []
        for name in ["dependencies", "extensions", "repodata", ComposeIndex.fileName, ComposeIndex.flatFileName]
        where access(view.appending(name).string, F_OK) == 0 {
            sources.append(LayerSource(path: ExtensionsImage.treePath + "/" + name, local: view.appending(name).string))
        }
        sources.append(LayerSource(path: ExtensionsImage.flatMapPath, local: view.appending(ComposeIndex.flatFileName).string))
        return sources
    }

    /// One arch's view of a tree of several: its packages at the paths its own layout gives them
    /// (hardlinked from the tree), its own repodata, index and flat map.
    func archView(_ view: ComposeIndex, of tree: FilePath, index: ComposeIndex, in dir: FilePath) throws(ComposeError) -> FilePath {
        guard let (arch, entry) = view.arches.first, let full = index.arches[arch] else { return tree }
        // Where each package is in the tree of all arches, by NEVRA.
        var inTree: [String: String] = [:]
        for ext in full.extensions.values { for p in ext.packages { inTree[p.nevra] = p.path } }
        var files: [String: (source: String, sha256: String)] = [:]
        for ext in entry.extensions.values where ext.status == "resolved" {
            for p in ext.packages { files[p.path] = (inTree[p.nevra] ?? p.path, p.sha256) }
        }
        try TreeFiles.makeDirectories(dir)
        for (path, file) in files.sorted(by: { $0.key < $1.key }) {
            let destination = dir.appending(path)
            try TreeFiles.makeDirectories(destination.removingLastComponent())
            let source = tree.appending(file.source).string
            if link(source, destination.string) != 0 {
                do { try FileManager.default.copyItem(atPath: source, toPath: destination.string) } catch {
                    throw .environment("\(source): cannot copy into the \(arch) image: \(String(cString: strerror(errno)))")
                }
            }
        }
        do {
            _ = try Repodata.write(files.keys.sorted().map {
                RepodataPackage(path: dir.appending($0).string, href: $0, sha256: files[$0]?.sha256.count == 64 ? files[$0]?.sha256 : nil)
            }, root: dir.string, timestamp: view.timestamp)
        } catch {
            throw .environment("\(arch) image: \(error)")
        }
        try TreeFiles.write(view.encoded(), to: dir.appending(ComposeIndex.fileName))
        try TreeFiles.write(view.flatMap(arch: arch), to: dir.appending(ComposeIndex.flatFileName))
        try TreeFiles.normalizeModes(dir)
        return dir
    }

    func spec(_ arch: String, view: ComposeIndex) -> ImageSpec {
        let entry = view.arches[arch]
        // The base annotations come from the base's identity in the index (--base-image), never from the user.
        let baseName = entry?.baseImage?.name, baseDigest = entry?.baseImage?.digest
        let extensions = entry?.extensions.filter { $0.value.status == "resolved" }.keys.sorted() ?? []
        let packages = Set(entry?.extensions.values.flatMap { $0.packages.map(\.path) } ?? []).count
        let hex = view.stateDigest.split(separator: ":").last.map(String.init) ?? view.stateDigest
        return ImageSpec(
            arch: arch, created: view.timestamp,
            version: request.version ?? String(hex.prefix(12)),
            title: "machine-os-extensions",
            description: "OS extensions for \(arch): \(extensions.count) extensions, \(packages) packages ("
                + extensions.joined(separator: ", ") + ")",
            baseName: baseName, baseDigest: baseDigest, labels: request.labels,
            annotations: [Self.stateAnnotation: view.stateDigest,
                          ExtensionsImage.extensionsDigestAnnotation: "sha256:" + view.inputs.extensionsSha256],
            comment: "mox \(view.mox)")
    }
}

/// An image written beside its destinations, waiting to be swapped in with the tree.
public final class StagedImage: Discardable, @unchecked Sendable {
    public fileprivate(set) var outcome = ImageOutcome(digest: nil, layers: [:])
    private var layoutPublisher: Publisher?
    private var layout: Publisher? { lock.withLock { layoutPublisher } }
    /// Layer files to move into place: from the scratch directory to `--layer`.
    fileprivate var moves: [(from: FilePath, to: FilePath)] = []
    private let scratch: FilePath
    private let lock = NSLock()

    fileprivate init(scratch: FilePath) {
        self.scratch = scratch
    }

    fileprivate func hold(_ publisher: Publisher) {
        lock.withLock { layoutPublisher = publisher }
    }

    /// Puts the layout in place (the old one is kept until `commit()`), then each layer file in one rename.
    public func swapIn() throws(ComposeError) {
        do throws(PublishError) { try layout?.swapIn() } catch {
            throw .environment("--oci-layout: \(error)")
        }
        for (from, to) in moves {
            let parent = to.removingLastComponent()
            try TreeFiles.makeDirectories(parent)
            if rename(from.string, to.string) == 0 { continue }
            // Another file system: a copy beside the destination, then one rename.
            let temporary = parent.appending(".\(to.lastComponent?.string ?? "layer").mox-tmp-\(getpid())")
            unlink(temporary.string)
            do { try FileManager.default.copyItem(atPath: from.string, toPath: temporary.string) } catch {
                throw .environment("\(to): cannot write the layer: \(String(cString: strerror(errno)))")
            }
            guard rename(temporary.string, to.string) == 0 else {
                let reason = String(cString: strerror(errno))
                unlink(temporary.string)
                throw .environment("\(to): cannot move the layer in place: \(reason)")
            }
        }
    }

    /// Drops the old layout and the scratch directory.
    public func commit() {
        layout?.commit()
        lock.withLock { committed = true }
        removeScratch()
    }

    private var committed = false

    /// Whether `commit()` ran.
    public var isPublished: Bool { lock.withLock { committed } }

    /// Puts the old layout back (or removes the new one) and drops the scratch directory.
    public func discard() {
        layout?.discard()
        removeScratch()
    }

    private func removeScratch() {
        lock.withLock { try? FileManager.default.removeItem(atPath: scratch.string) }
    }
}
