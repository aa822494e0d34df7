import ArgumentParser
import Foundation
import Merge

/// `mox merge`: per-arch OCI layouts from separate builders into one multi-arch image index.
struct MergeCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "merge",
        abstract: "Merge per-arch extensions images (OCI layouts composed on separate builders) into one image index.",
        discussion: """
            The index is the one a single `mox compose --arch A --arch B ...` of the same inputs writes, byte for \
            byte. Images composed from different extensions files, or an arch given twice, are refused. The layout \
            is published in one step (other tags in it are kept); push it with skopeo copy --all. \
            Exit 0 on success, 2 for invalid input, 3 for I/O failures.
            """)

    @Argument(help: ArgumentHelp("A per-arch OCI layout written by mox compose --oci-layout (its only image, or TAG).",
                                 valueName: "layout[:tag]"))
    var sources: [String]

    @Option(name: .customLong("oci-layout"), help: ArgumentHelp("Where the merged image is written.", valueName: "dir"))
    var layout: String

    @Option(help: "The tag of the merged image in the OCI layout.")
    var tag: String = "latest"

    @Option(help: "Output format: text or json.")
    var format: OutputFormat = .text

    @Flag(name: .shortAndLong, help: "Print only the outcome, no progress lines.")
    var quiet = false

    func validate() throws {
        guard !sources.isEmpty else { throw ValidationError("give the per-arch layouts to merge") }
    }

    func run() throws {
        let merged: (digest: String, images: [MergedImage])
        do {
            merged = try Merger(sources: sources).merge(into: layout, tag: tag, log: quiet ? { _ in } : { Output.log($0) })
        } catch {
            switch error {
            case .invalidInput(let problems):
                for problem in problems { Output.log("mox: error: \(problem)") }
                throw ExitCode(Exit.invalidInput)
            case .environment(let message):
                Output.log("mox: error: \(message)")
                throw ExitCode(Exit.environment)
            }
        }
        switch format {
        case .text:
            Output.print("image \(layout):\(tag) \(merged.digest) (" + merged.images.map(\.arch).joined(separator: ", ") + ")\n")
        case .json:
            let document: [String: Any] = [
                "layout": ["path": layout, "tag": tag, "digest": merged.digest],
                "manifests": merged.images.map { ["arch": $0.arch, "digest": $0.digest, "source": $0.source] },
            ]
            let data = (try? JSONSerialization.data(withJSONObject: document, options: [.prettyPrinted, .sortedKeys, .withoutEscapingSlashes]))
                ?? Data("{}".utf8)
            Output.print(String(decoding: data, as: UTF8.self) + "\n")
        }
    }
}
