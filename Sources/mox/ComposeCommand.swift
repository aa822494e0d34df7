import ArgumentParser
import Compose
import Fetch
import Foundation
import Image
import Publish
import Report
import Resolve

/// `mox compose`: resolve, fetch, verify and publish the extensions tree with its JSON index.
struct ComposeCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "compose",
        abstract: "Resolve, fetch and verify the extensions, and publish them as an rpm-md tree with a JSON index.",
        discussion: """
            The tree at --output holds extensions/<name>/, dependencies/, repodata/, mox-index.json and \
            (one arch) extensions.json. It is built beside the output, with its image when asked for, and \
            both are swapped in together: a failed or interrupted run leaves the previous tree and image \
            as they were. Exit codes are those of check.
            """)

    @OptionGroup var inputs: InputOptions

    @Option(name: .customLong("output"), help: ArgumentHelp("Where the tree is published.", valueName: "dir"))
    var output: String

    @Option(name: .customLong("downloads"), help: "How many packages to download at once.")
    var downloads: Int = 4

    @OptionGroup var image: ImageOptions

    @Option(name: .customLong("sbom"), help: ArgumentHelp(
        "Write SPDX 2.3 SBOMs of the images here: <arch>.spdx.json, and index.spdx.json with several arches.",
        valueName: "dir"))
    var sbomDirectory: String?

    @Option(help: "Output format: text or json (the outcome, or the check report when extensions fail).")
    var format: OutputFormat = .text

    @Option(name: .customLong("junit"), help: ArgumentHelp("Also write a JUnit XML report here.", valueName: "file"))
    var junitPath: String?

    func validate() throws {
        // Refused here, before anything is read: invalid input must change nothing.
        try image.validate(arches: inputs.resolvedArches)
        guard downloads >= 1, downloads <= 64 else { throw ValidationError("--downloads must be between 1 and 64") }
        do { try companions.check(arches: inputs.resolvedArches.count) } catch { throw ValidationError("\(error)") }
    }

    func run() throws {
        let epoch = try Self.sourceDateEpoch()
        if !inputs.quiet, let warning = image.missingStreamClassWarning { Output.log("mox: " + warning) }
        let composer: Composer
        do {
            composer = Composer(session: try inputs.session(), arches: inputs.resolvedArches, output: output,
                                sourceDateEpoch: epoch,
                                fetchOptions: inputs.fetchOptions(concurrency: downloads),
                                image: try image.request(), companions: companions)
        } catch let error as CheckError {
            throw Output.fail(error)
        }
        let progress = inputs.quiet ? nil : ProgressLine.forStandardError()
        let interrupts = Interrupts()
        let outcome: ComposeOutcome
        let log: (String) -> Void = inputs.quiet ? { _ in } : { Output.log($0) }
        var onProgress: (@Sendable (FetchProgress) -> Void)? = nil
        if let progress { onProgress = { progress.update($0) } }
        do throws(ComposeError) {
            outcome = try composer.run(log: log, progress: onProgress, interruptible: { interrupts.protect($0) })
            interrupts.settle()
            progress?.finish()
        } catch {
            interrupts.settle()
            progress?.finish()
            Output.log("mox: error: \(error)")
            switch error {
            case .invalidInput: throw ExitCode(Exit.invalidInput)
            case .environment: throw ExitCode(Exit.environment)
            }
        }
        switch outcome {
        case .failed(let arches):
            let report = inputs.report(arches)
            switch format {
            case .text: Output.print(TextReport.render(report, color: Output.stdoutIsColorTerminal))
            case .json: Output.print(JSONReport.render(report))
            }
            try Output.writeJUnit(report, to: junitPath)
            Output.log("mox: nothing written: fix the failing extensions and run again")
            throw ExitCode(Exit.failed)
        case .unchanged(let index, let arches, let provenance, let written):
            try Output.writeJUnit(inputs.report(arches), to: junitPath)
            switch format {
            case .text:
                Output.print("no change: \(output) is up to date (\(index.stateDigest))\n" + image.describe(written))
            case .json:
                Output.print(summaryJSON(status: "unchanged", index: index, summary: nil, provenance: provenance, arches: arches,
                                         image: written))
            }
        case .published(let summary, let arches, let provenance, let written):
            try Output.writeJUnit(inputs.report(arches), to: junitPath)
            switch format {
            case .text:
                Output.print("composed \(count(summary.extensions, "extension")), \(count(summary.packages, "package")), "
                    + "\(ByteCount.format(summary.bytes)) (fetched \(summary.fetched), \(ByteCount.format(summary.fetchedBytes))) "
                    + "into \(summary.output)\n" + image.describe(written) + (summary.changes.map { DiffCommand.render($0, limit: 40) } ?? ""))
            case .json:
                Output.print(summaryJSON(status: "published", index: summary.index, summary: summary, provenance: provenance,
                                         arches: arches, image: written))
            }
        }
    }

    /// The lockfile and SBOMs asked for.
    var companions: CompanionRequest {
        CompanionRequest(lockfile: inputs.hermetic.writeLockfile, sbomDirectory: sbomDirectory)
    }

    /// The outcome for machines (`--format json`); documented in docs/index-json.md.
    private func summaryJSON(status: String, index: ComposeIndex, summary: ComposeSummary?, provenance: Provenance,
                             arches: [ArchReport], image written: ImageOutcome?) -> String {
        let tree = Publisher.absolute(output)
        var document: [String: Any] = [
            "schemaVersion": 2, "status": status, "stateDigest": index.stateDigest,
            "output": tree.string, "index": tree.appending(ComposeIndex.fileName).string,
            "provenance": [
                "extensions": provenance.extensions,
                "bases": provenance.bases.map { ["arch": $0.arch, "kind": $0.kind, "source": $0.source] },
                "repos": provenance.repos.map { repo -> [String: Any] in
                    var entry: [String: Any] = ["arch": repo.arch, "id": repo.id, "baseurl": repo.baseurl,
                                                "repomdSha256": repo.repomdSha256]
                    if let revision = repo.revision { entry["revision"] = revision }
                    return entry
                },
            ] as [String: Any],
        ]
        if let summary {
            document["extensions"] = summary.extensions
            document["packages"] = summary.packages
            document["bytes"] = summary.bytes
            document["fetched"] = ["packages": summary.fetched, "bytes": summary.fetchedBytes]
            if let changes = summary.changes { document["changes"] = DiffCommand.json(changes) }
        }
        if let image = image.json(written) { document["image"] = image }
        let warnings = arches.flatMap { arch in
            arch.extensions.flatMap { ext in
                ext.warnings.map { ["arch": arch.arch, "extension": ext.name, "message": $0] }
            }
        }
        if !warnings.isEmpty { document["warnings"] = warnings }
        let options: JSONSerialization.WritingOptions = [.prettyPrinted, .sortedKeys, .withoutEscapingSlashes]
        let data = (try? JSONSerialization.data(withJSONObject: document, options: options)) ?? Data("{}".utf8)
        return String(decoding: data, as: UTF8.self) + "\n"
    }

    /// SOURCE_DATE_EPOCH, when set, must be a whole number of seconds.
    static func sourceDateEpoch() throws -> Int64? {
        guard let text = ProcessInfo.processInfo.environment["SOURCE_DATE_EPOCH"], !text.isEmpty else { return nil }
        guard let value = Int64(text), value >= 0 else {
            Output.log("mox: error: SOURCE_DATE_EPOCH='\(text)' is not a number of seconds since 1970")
            throw ExitCode(Exit.invalidInput)
        }
        return value
    }
}

/// Human-readable byte counts.
enum ByteCount {
    static func format(_ bytes: Int64) -> String {
        let units = ["B", "KiB", "MiB", "GiB", "TiB"]
        var value = Double(bytes)
        var unit = 0
        while value >= 1024, unit < units.count - 1 {
            value /= 1024
            unit += 1
        }
        return unit == 0 ? "\(bytes) B" : String(format: "%.1f %@", value, units[unit])
    }
}
