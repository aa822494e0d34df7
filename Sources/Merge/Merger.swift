// `mox merge`: per-arch images composed on separate builders, put under one image index, the very
// index a single multi-arch compose of the same inputs writes.
import Image
import ImageContract
import ImageSource
import OCI
import SystemPackage

/// Why a merge could not be done; the CLI maps these to exit codes 2 and 3.
public enum MergeError: Error, Sendable, CustomStringConvertible {
    /// Inputs that cannot be merged (exit 2): not mox's per-arch images, other extensions files, an arch twice.
    case invalidInput([String])
    /// The environment failed (exit 3): a blob unreadable or damaged, the disk.
    case environment(String)

    public var description: String {
        switch self {
        case .invalidInput(let problems): problems.joined(separator: "\n")
        case .environment(let message): message
        }
    }
}

/// One per-arch image of the merged index, and where it came from.
public struct MergedImage: Sendable {
    /// The input it was read from, as given.
    public let source: String
    /// The arch as rpm names it.
    public let arch: String
    /// Its manifest's digest (unchanged by the merge).
    public let digest: String
}

/// Merges the per-arch images of OCI layouts into one index, in another layout.
public struct Merger {
    /// The inputs: `LAYOUT[:TAG]` or `oci:LAYOUT[:TAG]` (the layout's only image when no tag is given).
    public let sources: [String]

    public init(sources: [String]) {
        self.sources = sources
    }

    /// Reads every input's images (checking each blob), refuses what cannot be one image, and
    /// publishes the index at `layout` under `tag` in one step. Returns its digest and the images.
    public func merge(into layout: String, tag: String, log: (String) -> Void = { _ in })
        throws(MergeError) -> (digest: String, images: [MergedImage]) {
        do { try OCILayout.checkTarget(layout) } catch { throw Self.mapped(error, layout: layout) }
        var images: [(written: WrittenImage, merged: MergedImage, extensions: String?)] = []
        for source in sources {
            let found = try read(source)
            for image in found { log("\(image.merged.arch): \(image.merged.digest) from \(source)") }
            images += found
        }
        try refuseMixtures(images.map { ($0.merged, $0.extensions) })
        let digest: String
        do { digest = try OCILayout.write(merging: images.map(\.written), to: layout, tag: tag) } catch {
            throw Self.mapped(error, layout: layout)
        }
        return (digest, images.map(\.merged).sorted { Platform(rpmArch: $0.arch).architecture < Platform(rpmArch: $1.arch).architecture })
    }

    /// The images of one input, each blob checked against its digest.
    private func read(_ source: String) throws(MergeError) -> [(written: WrittenImage, merged: MergedImage, extensions: String?)] {
        do throws(ImageSourceError) {
            let reference = try ImageReference(parsing: source.hasPrefix("oci:") ? source : "oci:" + source)
            guard let directory = reference.localDirectory else { throw .invalidReference(source, reason: "not a layout") }
            let image = ImageSource(reference)
            var found: [(WrittenImage, MergedImage, String?)] = []
            for platform in try image.platforms() {
                let descriptor = try image.manifestDescriptor(for: platform)
                // Read in place: a layout's blobs are local files, nothing is copied here.
                let read = try image.image(for: platform, scratch: directory)
                for layer in read.layers { try read.verify(layer) }
                var blobs: [String: FilePath] = [:]
                for digest in [descriptor.digest, read.manifest.config.digest] + read.layers.map(\.digest) {
                    blobs[digest] = try read.blobPath(digest)
                }
                let annotations = read.manifest.annotations ?? [:]
                let written = WrittenImage(
                    manifest: Descriptor(mediaType: descriptor.mediaType, digest: descriptor.digest, size: descriptor.size,
                                         platform: read.config.platform),
                    annotations: annotations, blobs: blobs)
                found.append((written, MergedImage(source: source, arch: read.config.platform.rpmArchitecture, digest: descriptor.digest),
                              annotations[ExtensionsImage.extensionsDigestAnnotation]))
            }
            return found
        } catch {
            let message = "\(source): \(error)"
            if error.isInvalidInput { throw .invalidInput([message]) }
            if case .invalidDocument = error { throw .invalidInput([message]) }
            throw .environment(message)
        }
    }

    /// One extensions file for every image (mox records it in each), and each arch once.
    private func refuseMixtures(_ images: [(image: MergedImage, extensions: String?)]) throws(MergeError) {
        var problems: [String] = []
        let unknown = images.filter { $0.extensions == nil }
        for (image, _) in unknown {
            problems.append("\(image.source): the \(image.arch) image has no \(ExtensionsImage.extensionsDigestAnnotation) "
                + "annotation, so what it was composed from is unknown; merge images written by mox compose (this version)")
        }
        let digests = Set(images.compactMap(\.extensions))
        if digests.count > 1 {
            problems.append("the images come from different extensions files; compose every arch from the same extensions.yaml: "
                + images.map { "\($0.image.source) \($0.image.arch): \($0.extensions ?? "unknown")" }.joined(separator: ", "))
        }
        var seen: [String: String] = [:]
        for (image, _) in images {
            if let first = seen[image.arch] {
                problems.append("\(image.arch) is in both \(first) and \(image.source); give each arch once")
            } else {
                seen[image.arch] = image.source
            }
        }
        if images.isEmpty { problems.append("no images to merge") }
        if !problems.isEmpty { throw .invalidInput(problems) }
    }

    /// A layout-writing failure: the output path (or tag) is the user's to fix, I/O is the environment.
    static func mapped(_ error: ImageError, layout: String) -> MergeError {
        switch error {
        case .invalidLayout(_, let reason) where reason.contains("index.json") || reason.contains("OCI document"):
            return .environment("--oci-layout \(layout): \(error)")
        case .invalidLayout, .invalidTag, .invalidImages: return .invalidInput(["--oci-layout \(layout): \(error)"])
        default: return .environment("--oci-layout \(layout): \(error)")
        }
    }
}
