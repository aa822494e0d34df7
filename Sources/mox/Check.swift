import ArgumentParser
import Compose
import Fetch
import Foundation
import Report
import Resolve

/// `mox check`: depsolve every extension against the base, as a CI gate.
struct Check: ParsableCommand {
    static let configuration = CommandConfiguration(
        abstract: "Depsolve every extension against the base and report.",
        discussion: "Exit 0: all resolved; 1: an extension failed; 2: invalid input; 3: environment problem.")

    @OptionGroup var inputs: InputOptions

    @Option(help: "Report format: text or json.")
    var format: OutputFormat = .text

    @Option(name: .customLong("junit"), help: ArgumentHelp("Also write a JUnit XML report here.", valueName: "file"))
    var junitPath: String?

    @Flag(name: .shortAndLong, help: "List every package of each extension and why it is there.")
    var verbose = false

    func run() throws {
        let report: CheckReport
        do {
            var session = try inputs.session()
            // http(s) repos: metadata comes through the same downloader compose uses.
            let fetcher = Fetcher(cache: PackageCache(directory: inputs.cachePath))
            session.download = Composer.metadataDownloader(fetcher, directory: inputs.cachePath + "/metadata")
            let log: (String) -> Void = inputs.quiet ? { _ in } : { Output.log($0) }
            let arches = try session.check(arches: inputs.resolvedArches, log: log)
            report = CheckReport(moxVersion: Mox.version, manifestPath: inputs.extensions,
                                 baseSource: (try? inputs.base)?.description ?? "", arches: arches)
        } catch let error as CheckError {
            throw Output.fail(error)
        }
        switch format {
        case .text: Output.print(TextReport.render(report, verbose: verbose, color: Output.stdoutIsColorTerminal))
        case .json: Output.print(JSONReport.render(report))
        }
        if let junitPath {
            do {
                try Output.writeAtomically(JUnitReport.render(report), to: junitPath)
            } catch {
                Output.log("error: cannot write JUnit report to \(junitPath): \(error.localizedDescription)")
                throw ExitCode(Exit.environment)
            }
        }
        throw ExitCode(report.failed ? Exit.failed : Exit.ok)
    }
}

/// `--format` values.
enum OutputFormat: String, ExpressibleByArgument, CaseIterable {
    case text, json
}
