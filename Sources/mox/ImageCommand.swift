import ArgumentParser
import Compose
import Foundation
import Image

/// `mox image`: write the extensions image of a tree `mox compose` already published.
struct ImageCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "image",
        abstract: "Write the OCI image (layout and/or layer) of a composed extensions tree.",
        discussion: """
            The same image `mox compose --oci-layout/--layer` writes, from a tree already composed (it reads \
            the tree's extensions.json): for pipelines that compose and package in separate steps. \
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
        guard let index = ComposeIndex.read(from: tree + "/" + Composer.indexName) else {
            Output.log("mox: error: \(tree)/\(Composer.indexName): missing or not a mox index; run mox compose --output \(tree) first")
            throw ExitCode(Exit.invalidInput)
        }
        if index.arches.count > 1, let layer = image.layerFile, !layer.contains("{arch}") {
            Output.log("mox: error: --layer \(layer): the tree has several arches; put {arch} in the file name")
            throw ExitCode(Exit.invalidInput)
        }
        Output.print(image.describe(try image.export(tree: tree, index: index, quiet: false)))
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

    /// True when any image output is asked for.
    var wanted: Bool { ociLayout != nil || layerFile != nil }

    /// Checks what can be checked before anything is written; `arches` when known in advance.
    func validate(arches: [String]?) throws {
        _ = try parsedLabels()
        if !tag.allSatisfy({ $0.isLetter || $0.isNumber || "._-".contains($0) }) || tag.isEmpty || tag.count > 128 {
            throw ValidationError("--tag '\(tag)': use letters, digits, '.', '_' and '-' (at most 128)")
        }
        if let ociLayout, let entries = try? FileManager.default.contentsOfDirectory(atPath: ociLayout),
           !entries.isEmpty, !entries.contains("oci-layout") {
            throw ValidationError("--oci-layout \(ociLayout): an existing directory that is not an OCI image layout; "
                + "give a new path or an existing layout")
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

    /// Writes the image of the tree at `tree`, when an image output was asked for; nil otherwise.
    func export(tree: String, index: ComposeIndex, quiet: Bool) throws -> ImageOutcome? {
        let request = ImageRequest(layout: ociLayout, tag: tag, layerFile: layerFile, compression: compression,
                                   labels: try parsedLabels(), version: imageVersion)
        guard request.wanted else { return nil }
        do throws(ComposeError) {
            return try ImageExport(tree: tree, index: index, request: request)
                .run(log: quiet ? { _ in } : { Output.log($0) })
        } catch {
            Output.log("mox: error: \(error)")
            switch error {
            case .invalidInput: throw ExitCode(Exit.invalidInput)
            case .environment: throw ExitCode(Exit.environment)
            }
        }
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
