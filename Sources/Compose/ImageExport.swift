import Createrepo
import Fetch
import Foundation
import Image

/// What `--oci-layout`, `--layer` and their companions ask for.
public struct ImageRequest: Sendable {
    /// The OCI image layout directory to write, if any.
    public var layout: String?
    public var tag: String
    /// The layer tarball alone; with several arches it must contain `{arch}`.
    public var layerFile: String?
    public var compression: LayerCompression
    public var labels: [String: String]
    /// `org.opencontainers.image.version`; default: the state digest's first 12 hex digits.
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
}

/// What was written.
public struct ImageOutcome: Sendable {
    /// The digest of the tagged manifest or index in the layout, when a layout was written.
    public let digest: String?
    /// Per arch, the layer's blob.
    public let layers: [String: LayerBlob]
}

/// Builds the extensions image from a published tree: per arch, one layer holding
/// `usr/share/rpm-ostree/extensions/` and `usr/share/rpm-ostree/extensions.json`.
public struct ImageExport {
    /// Where the image keeps the tree and the index.
    public static let treePath = "usr/share/rpm-ostree/extensions"
    public static let indexPath = "usr/share/rpm-ostree/extensions.json"
    /// Annotation recording the tree's state digest, so an unchanged tree need not be re-imaged.
    public static let stateAnnotation = "dev.mox.state-digest"

    public let tree: String
    public let index: ComposeIndex
    public let request: ImageRequest

    public init(tree: String, index: ComposeIndex, request: ImageRequest) {
        self.tree = tree
        self.index = index
        self.request = request
    }

    /// Writes the layer(s) and the layout. With one arch the tree is used as is; with several,
    /// each image gets that arch's packages only, with their own repodata and index.
    public func run(log: (String) -> Void) throws(ComposeError) -> ImageOutcome {
        let arches = index.arches.keys.sorted()
        if arches.count > 1, let layerFile = request.layerFile, !layerFile.contains("{arch}") {
            throw .invalidInput("--layer \(layerFile): with several --arch, put {arch} in the file name")
        }
        // Beside the output, never inside it: "image/" must not become "image/.mox-image-N".
        var next = request.layout ?? request.layerFile ?? tree
        while next.count > 1 && next.hasSuffix("/") { next.removeLast() }
        let scratch = Self.scratchDirectory(beside: next)
        defer { try? FileManager.default.removeItem(atPath: scratch) }
        var images: [(spec: ImageSpec, layer: LayerBlob)] = []
        var layers: [String: LayerBlob] = [:]
        do {
            try FileManager.default.createDirectory(atPath: scratch, withIntermediateDirectories: true)
            for arch in arches {
                let view = arches.count == 1 ? tree : try archView(arch, in: scratch + "/tree-\(arch)")
                // Written in the scratch directory; a --layer file gets it only once all went well.
                let file = scratch + "/layer-\(arch)"
                let blob = try Layer.write(sources(of: view), to: file, compression: request.compression,
                                           mtime: index.timestamp)
                log("\(arch): layer \(blob.digest) (\(blob.size) bytes, diff_id \(blob.diffID))")
                layers[arch] = blob
                images.append((spec(arch), blob))
            }
            var digest: String? = nil
            if let layout = request.layout {
                digest = try OCILayout.write(images: images, to: layout, tag: request.tag)
            }
            if let layerFile = request.layerFile {
                for arch in arches {
                    try Self.place(scratch + "/layer-\(arch)", at: layerFile.replacingOccurrences(of: "{arch}", with: arch))
                }
            }
            return ImageOutcome(digest: digest, layers: layers)
        } catch let error as ComposeError {
            throw error
        } catch {
            throw .environment("image: \(error)")
        }
    }

    /// Moves a finished layer to `destination` in one rename (copying beside it first when it is on
    /// another file system), so a `--layer` file is either the old one or the new one, never partial.
    static func place(_ source: String, at destination: String) throws {
        let parent = (destination as NSString).deletingLastPathComponent
        if !parent.isEmpty {
            try FileManager.default.createDirectory(atPath: parent, withIntermediateDirectories: true)
        }
        if rename(source, destination) == 0 { return }
        let temporary = (parent.isEmpty ? "." : parent) + "/.\((destination as NSString).lastPathComponent).mox-tmp-\(getpid())"
        try? FileManager.default.removeItem(atPath: temporary)
        try FileManager.default.copyItem(atPath: source, toPath: temporary)
        guard rename(temporary, destination) == 0 else {
            unlink(temporary)
            throw ComposeError.environment("\(destination): cannot move the layer in place: \(String(cString: strerror(errno)))")
        }
    }

    /// `.NAME.mox-image-PID` beside `path`; those of runs no longer alive (killed) are removed first.
    static func scratchDirectory(beside path: String) -> String {
        let parent = (path as NSString).deletingLastPathComponent
        let directory = parent.isEmpty ? "." : parent
        let prefix = ".\((path as NSString).lastPathComponent).mox-image-"
        for entry in (try? FileManager.default.contentsOfDirectory(atPath: directory)) ?? []
        where entry.hasPrefix(prefix) {
            if let pid = Int32(entry.dropFirst(prefix.count)), pid != getpid(), kill(pid, 0) == 0 { continue }
            try? FileManager.default.removeItem(atPath: directory + "/" + entry)
        }
        return directory + "/" + prefix + "\(getpid())"
    }

    /// The layer's contents: the tree's three directories and the index beside them.
    func sources(of view: String) -> [LayerSource] {
        var sources: [LayerSource] = []
        for dir in ["dependencies", "extensions", "repodata"]
        where FileManager.default.fileExists(atPath: view + "/" + dir) {
            sources.append(LayerSource(path: Self.treePath + "/" + dir, local: view + "/" + dir))
        }
        sources.append(LayerSource(path: Self.indexPath, local: view + "/" + Composer.indexName))
        return sources
    }

    /// A tree with only `arch`'s packages (hardlinked), its own repodata and its own index.
    func archView(_ arch: String, in dir: String) throws -> String {
        guard let entry = index.arches[arch] else { return tree }
        var paths = Set<String>()
        for ext in entry.extensions.values where ext.status == "resolved" {
            for package in ext.packages { paths.insert(package.path) }
        }
        for path in paths.sorted() {
            let destination = dir + "/" + path
            try FileManager.default.createDirectory(atPath: (destination as NSString).deletingLastPathComponent,
                                                    withIntermediateDirectories: true)
            do {
                try FileManager.default.linkItem(atPath: tree + "/" + path, toPath: destination)
            } catch {
                try FileManager.default.copyItem(atPath: tree + "/" + path, toPath: destination)
            }
        }
        var sha256: [String: String] = [:]
        for ext in entry.extensions.values {
            for package in ext.packages where package.sha256.count == 64 { sha256[package.path] = package.sha256 }
        }
        _ = try Repodata.write(paths.sorted().map { RepodataPackage(path: dir + "/" + $0, href: $0, sha256: sha256[$0]) },
                               root: dir, timestamp: index.timestamp)
        var view = index
        view.arches = [arch: entry]
        view.inputs.repos = index.inputs.repos.filter { $0.arch == arch }
        view.packages = entry.packages
        try view.encoded().write(to: URL(fileURLWithPath: dir + "/" + Composer.indexName))
        return dir
    }

    func spec(_ arch: String) -> ImageSpec {
        // The base annotations come from the base's identity in the index (--base-image), never from the user.
        let base = index.inputs.base.first { $0.arch == arch }
        let entry = index.arches[arch]
        let extensions = entry?.extensions.filter { $0.value.status == "resolved" }.keys.sorted() ?? []
        let packages = Set(entry?.extensions.values.flatMap { $0.packages.map(\.path) } ?? []).count
        let hex = index.stateDigest.split(separator: ":").last.map(String.init) ?? index.stateDigest
        return ImageSpec(
            arch: arch, created: index.timestamp,
            version: request.version ?? String(hex.prefix(12)),
            title: "machine-os-extensions",
            description: "OS extensions for \(arch): \(extensions.count) extensions, \(packages) packages ("
                + extensions.joined(separator: ", ") + ")",
            baseName: base?.name, baseDigest: base?.digest, labels: request.labels,
            annotations: [Self.stateAnnotation: index.stateDigest],
            comment: "mox \(index.mox)")
    }
}
