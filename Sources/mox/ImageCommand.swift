import ArgumentParser
import Compose
import Foundation
import Image
import ImageContract
import SystemPackage

/// `mox image`: write the extensions image of a tree `mox compose` already published.
struct ImageCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "image",
        abstract: "Write the OCI image (layout and/or layer) of a composed extensions tree.",
        discussion: """
            The same image `mox compose --oci-layout/--layer` writes, from a tree already composed (it reads \
            the tree's mox-index.json): for pipelines that compose and package in separate steps. \
            Exit 0 on success, 2 for invalid input, 3 for I/O failures.
            """)

    @Argument(help: ArgumentHelp("A tree written by mox compose --output.", valueName: "tree"))
    var tree: String

    @OptionGroup var image: ImageOptions

    func validate() throws {
        try image.validate(arches: nil)
        guard image.wanted else { throw ValidationError("give --oci-layout DIR and/or --layer FILE") }
    }

    func run() throws {
        guard let index = ComposeIndex.read(tree: tree) else {
            Output.log("mox: error: \(FilePath(tree).appending(ComposeIndex.fileName)): missing or not an index of this "
                + "mox version; run mox compose --output \(tree) first")
            throw ExitCode(Exit.invalidInput)
        }
        if let warning = image.missingStreamClassWarning { Output.log("mox: " + warning) }
        let interrupts = Interrupts()
        do throws(ComposeError) {
            let request = try image.request()
            try request.check(tree: tree, arches: index.arches.count)
            let written = try ImageExport.write(request, of: tree, index: index, log: { Output.log($0) },
                                                interruptible: { interrupts.protect($0) })
            interrupts.settle()
            Output.print(image.describe(written))
        } catch {
            interrupts.settle()
            Output.log("mox: error: \(error)")
            switch error {
            case .invalidInput: throw ExitCode(Exit.invalidInput)
            case .environment: throw ExitCode(Exit.environment)
            }
        }
    }
}

/// The image options `compose` and `image` share.
struct ImageOptions: ParsableArguments {
    @Option(name: .customLong("oci-layout"), help: ArgumentHelp(
        "Write the extensions image as an OCI image layout here.", valueName: "dir"))
    var ociLayout: String?

    @Option(help: "The tag of the image in the OCI layout.")
    var tag: String = "latest"

    @Option(name: .customLong("layer"), help: ArgumentHelp(
        "Write the image's layer tarball here ({arch} in the name when several arches).", valueName: "file"))
    var layerFile: String?

    @Option(help: "Layer compression: gzip, zstd or none.")
    var compression: LayerCompression = .gzip

    @Option(name: .customLong("label"), help: ArgumentHelp("An image config label; repeatable.", valueName: "key=value"))
    var labels: [String] = []

    @Option(name: .customLong("image-version"), help: "org.opencontainers.image.version (default: from the state digest).")
    var imageVersion: String?

    @Option(name: .customLong("stream-class"), help: ArgumentHelp(
        "The OS stream this image serves (label io.openshift.os.streamclass), as the MCO's image-stream discovery needs.",
        valueName: "name"))
    var streamClass: String?

    /// True when any image output is asked for.
    var wanted: Bool { ociLayout != nil || layerFile != nil }

    /// Checks what can be checked before anything is written; `arches` when known in advance.
    func validate(arches: [String]?) throws {
        _ = try parsedLabels()
        if !tag.allSatisfy({ $0.isLetter || $0.isNumber || "._-".contains($0) }) || tag.isEmpty || tag.count > 128 {
            throw ValidationError("--tag '\(tag)': use letters, digits, '.', '_' and '-' (at most 128)")
        }
        if let streamClass, streamClass.isEmpty || streamClass.contains(where: \.isWhitespace) {
            throw ValidationError("--stream-class '\(streamClass)': give a name without spaces, e.g. rhel-9")
        }
        if let layerFile, let arches, arches.count > 1, !layerFile.contains("{arch}") {
            throw ValidationError("--layer \(layerFile): with several --arch, put {arch} in the file name")
        }
    }

    /// `--label key=value` pairs; a key given twice keeps the last value.
    func parsedLabels() throws -> [String: String] {
        var result: [String: String] = [:]
        for label in labels {
            guard let equals = label.firstIndex(of: "="), equals != label.startIndex else {
                throw ValidationError("--label '\(label)': expected key=value")
            }
            result[String(label[..<equals])] = String(label[label.index(after: equals)...])
        }
        return result
    }

    /// The image asked for (`wanted` is false when neither --oci-layout nor --layer is given).
    /// `--stream-class` wins over a `--label` of the same key.
    func request() throws(ComposeError) -> ImageRequest {
        var labels: [String: String]
        do { labels = try parsedLabels() } catch { throw .invalidInput("\(error)") }
        if let streamClass { labels[ExtensionsImage.streamClassLabel] = streamClass }
        return ImageRequest(layout: ociLayout, tag: tag, layerFile: layerFile, compression: compression,
                            labels: labels, version: imageVersion)
    }

    /// Said before an image is written without the label the MCO's image-stream discovery needs
    /// (`mox lint` fails such an image); nil when there is nothing to say.
    var missingStreamClassWarning: String? {
        guard ociLayout != nil, streamClass == nil,
              (try? parsedLabels())?[ExtensionsImage.streamClassLabel] == nil else { return nil }
        return "warning: the image gets no \(ExtensionsImage.streamClassLabel) label, so the MCO's image-stream "
            + "discovery will not use it (and mox lint fails it); add --stream-class NAME, e.g. --stream-class rhel-9"
    }

    /// One line per output written: `image IMG:TAG DIGEST`, `layer FILE DIGEST`.
    func describe(_ outcome: ImageOutcome?) -> String {
        guard let outcome else { return "" }
        var text = ""
        if let layout = ociLayout, let digest = outcome.digest { text += "image \(layout):\(tag) \(digest)\n" }
        if let layerFile {
            for (arch, blob) in outcome.layers.sorted(by: { $0.key < $1.key }) {
                text += "layer \(layerFile.replacingOccurrences(of: "{arch}", with: arch)) \(blob.digest)\n"
            }
        }
        return text
    }

    /// The same, for `--format json`.
    func json(_ outcome: ImageOutcome?) -> [String: Any]? {
        guard let outcome else { return nil }
        var result: [String: Any] = [:]
        if let layout = ociLayout, let digest = outcome.digest {
            result["layout"] = ["path": layout, "tag": tag, "digest": digest]
        }
        var layers: [String: Any] = [:]
        for (arch, blob) in outcome.layers {
            var entry: [String: Any] = ["digest": blob.digest, "diffID": blob.diffID, "size": blob.size,
                                        "mediaType": blob.mediaType]
            if let layerFile { entry["file"] = layerFile.replacingOccurrences(of: "{arch}", with: arch) }
            layers[arch] = entry
        }
        result["layers"] = layers
        return result
    }
}

extension LayerCompression: ExpressibleByArgument {}
