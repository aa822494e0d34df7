import ArgumentParser
import Compose
import Fetch
import Foundation
import Image
import Report
import Resolve

/// `mox compose`: resolve, fetch, verify and publish the extensions tree with its JSON index.
struct ComposeCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "compose",
        abstract: "Resolve, fetch and verify the extensions, and publish them as an rpm-md tree with a JSON index.",
        discussion: """
            The tree at --output holds extensions/<name>/, dependencies/, repodata/ and extensions.json. \
            It is built beside the output and swapped in whole: a failed or interrupted run leaves the \
            previous output as it was. Exit codes are those of check.
            """)

    @OptionGroup var inputs: InputOptions

    @Option(name: .customLong("output"), help: ArgumentHelp("Where the tree is published.", valueName: "dir"))
    var output: String

    @Option(name: .customLong("downloads"), help: "How many packages to download at once.")
    var downloads: Int = 4

    @Option(name: .customLong("retries"), help: "Attempts per URL after the first, with backoff.")
    var retries: Int = 3

    @Option(name: .customLong("timeout"), help: "Seconds a download may stall before it is retried.")
    var timeout: Int = 30

    @Option(name: .customLong("oci-layout"), help: ArgumentHelp(
        "Also write the extensions image as an OCI image layout here.", valueName: "dir"))
    var ociLayout: String?

    @Option(help: "The tag of the image in the OCI layout.")
    var tag: String = "latest"

    @Option(name: .customLong("layer"), help: ArgumentHelp(
        "Also write the image's layer tarball here ({arch} in the name when several --arch).", valueName: "file"))
    var layerFile: String?

    @Option(help: "Layer compression: gzip, zstd or none.")
    var compression: LayerCompression = .gzip

    @Option(name: .customLong("label"), help: ArgumentHelp("An image config label; repeatable.", valueName: "key=value"))
    var labels: [String] = []

    @Option(name: .customLong("base-image"), help: ArgumentHelp(
        "The base OS image reference (name:tag or name@sha256:...), recorded in the image annotations.",
        valueName: "ref"))
    var baseImage: String?

    @Option(name: .customLong("image-version"), help: "org.opencontainers.image.version (default: from the state digest).")
    var imageVersion: String?

    @Option(help: "Report format when extensions fail: text or json.")
    var format: OutputFormat = .text

    @Option(name: .customLong("junit"), help: ArgumentHelp("Also write a JUnit XML report here.", valueName: "file"))
    var junitPath: String?

    func validate() throws {
        _ = try parsedLabels()
        if !tag.allSatisfy({ $0.isLetter || $0.isNumber || "._-".contains($0) }) || tag.isEmpty || tag.count > 128 {
            throw ValidationError("--tag '\(tag)': use letters, digits, '.', '_' and '-' (at most 128)")
        }
        // Refused here, not after the tree is published: invalid input must change nothing.
        if let ociLayout, let entries = try? FileManager.default.contentsOfDirectory(atPath: ociLayout),
           !entries.isEmpty, !entries.contains("oci-layout") {
            throw ValidationError("--oci-layout \(ociLayout): an existing directory that is not an OCI image layout; "
                + "give a new path or an existing layout")
        }
        if let layerFile, inputs.resolvedArches.count > 1, !layerFile.contains("{arch}") {
            throw ValidationError("--layer \(layerFile): with several --arch, put {arch} in the file name")
        }
        guard downloads >= 1, downloads <= 64 else { throw ValidationError("--downloads must be between 1 and 64") }
        guard retries >= 0, retries <= 20 else { throw ValidationError("--retries must be between 0 and 20") }
        guard timeout >= 1 else { throw ValidationError("--timeout must be at least 1 second") }
    }

    func run() throws {
        let epoch = try Self.sourceDateEpoch()
        let composer: Composer
        do {
            composer = Composer(session: try inputs.session(), arches: inputs.resolvedArches, output: output,
                                sourceDateEpoch: epoch,
                                fetchOptions: FetchOptions(concurrency: downloads, lowSpeedTime: Double(timeout), retries: retries))
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
            outcome = try composer.run(log: log, progress: onProgress, publisherReady: { interrupts.protect($0) })
            progress?.finish()
        } catch {
            progress?.finish()
            Output.log("mox: error: \(error)")
            switch error {
            case .invalidInput: throw ExitCode(Exit.invalidInput)
            case .environment: throw ExitCode(Exit.environment)
            }
        }
        switch outcome {
        case .failed(let arches):
            let report = CheckReport(moxVersion: Mox.version, manifestPath: inputs.extensions,
                                     baseSource: (try? inputs.base)?.description ?? "", arches: arches)
            switch format {
            case .text: Output.print(TextReport.render(report, color: Output.stdoutIsColorTerminal))
            case .json: Output.print(JSONReport.render(report))
            }
            try writeJUnit(report)
            Output.log("mox: nothing written: fix the failing extensions and run again")
            throw ExitCode(Exit.failed)
        case .unchanged(let index, let arches):
            try writeJUnit(CheckReport(moxVersion: Mox.version, manifestPath: inputs.extensions,
                                       baseSource: (try? inputs.base)?.description ?? "", arches: arches))
            Output.print("no change: \(output) is up to date (\(index.stateDigest))\n")
            try exportImage(index)
        case .published(let summary, let arches):
            try writeJUnit(CheckReport(moxVersion: Mox.version, manifestPath: inputs.extensions,
                                       baseSource: (try? inputs.base)?.description ?? "", arches: arches))
            Output.print("composed \(summary.extensions) extensions, \(summary.packages) packages, "
                + "\(ByteCount.format(summary.bytes)) (fetched \(summary.fetched), \(ByteCount.format(summary.fetchedBytes))) "
                + "into \(summary.output)\n")
            try exportImage(summary.index)
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

    /// Writes the image from the tree at `output`, when an image output was asked for.
    private func exportImage(_ index: ComposeIndex) throws {
        let request = ImageRequest(layout: ociLayout, tag: tag, layerFile: layerFile, compression: compression,
                                   labels: try parsedLabels(), baseImage: baseImage, version: imageVersion)
        guard request.wanted else { return }
        do throws(ComposeError) {
            let outcome = try ImageExport(tree: output, index: index, request: request)
                .run(log: inputs.quiet ? { _ in } : { Output.log($0) })
            if let layout = ociLayout, let digest = outcome.digest {
                Output.print("image \(layout):\(tag) \(digest)\n")
            }
            if let layerFile {
                for (arch, blob) in outcome.layers.sorted(by: { $0.key < $1.key }) {
                    Output.print("layer \(layerFile.replacingOccurrences(of: "{arch}", with: arch)) \(blob.digest)\n")
                }
            }
        } catch {
            Output.log("mox: error: \(error)")
            switch error {
            case .invalidInput: throw ExitCode(Exit.invalidInput)
            case .environment: throw ExitCode(Exit.environment)
            }
        }
    }

    private func writeJUnit(_ report: CheckReport) throws {
        guard let junitPath else { return }
        do {
            try Output.writeAtomically(JUnitReport.render(report), to: junitPath)
        } catch {
            Output.log("mox: error: cannot write JUnit report to \(junitPath): \(error.localizedDescription)")
            throw ExitCode(Exit.environment)
        }
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

extension LayerCompression: ExpressibleByArgument {}

/// Discards the staging tree when the run is interrupted, so the output stays as it was.
final class Interrupts: @unchecked Sendable {
    private var sources: [DispatchSourceSignal] = []
    private let lock = NSLock()
    private var publisher: Publisher?

    init() {
        for signo in [SIGINT, SIGTERM, SIGHUP] {
            signal(signo, SIG_IGN)
            let source = DispatchSource.makeSignalSource(signal: signo, queue: .global())
            source.setEventHandler { [weak self] in
                self?.lock.lock()
                let publisher = self?.publisher
                self?.lock.unlock()
                publisher?.discard()
                FileHandle.standardError.write(Data("\nmox: interrupted; the output is unchanged\n".utf8))
                exit(128 + signo)
            }
            source.resume()
            sources.append(source)
        }
    }

    func protect(_ publisher: Publisher) {
        lock.lock()
        self.publisher = publisher
        lock.unlock()
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
