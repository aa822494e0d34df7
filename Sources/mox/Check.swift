import ArgumentParser
import Compose
import Foundation
import Publish
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

    @Flag(name: .customLong("file-conflicts"), help: ArgumentHelp(
        "Also check file conflicts as compose does, reading only the packages' headers (local files, the package "
            + "cache, or HTTP range requests)."))
    var fileConflicts = false

    func run() throws {
        let report: CheckReport
        do {
            let log: (String) -> Void = inputs.quiet ? { _ in } : { Output.log($0) }
            var session = try inputs.session()
            session.recordOrigins = inputs.hermetic.writeLockfile != nil
            if fileConflicts {
                do throws(ComposeError) {
                    report = inputs.report(try HeaderCheck(session: session, arches: inputs.resolvedArches,
                                                           fetchOptions: inputs.fetchOptions()).run(log: log))
                } catch {
                    switch error {
                    case .invalidInput(let message): throw CheckError.invalidInput(message)
                    case .environment(let message): throw CheckError.environment(message)
                    }
                }
            } else {
                report = inputs.report(try session.check(arches: inputs.resolvedArches, log: log))
            }
        } catch let error as CheckError {
            // Pipelines and dashboards get a document even when nothing could be checked.
            let failed = CheckFailureReport(moxVersion: Mox.version, manifestPath: inputs.extensions,
                                            baseSource: (try? inputs.base.selection)?.description ?? "", error: error)
            if format == .json { Output.print(JSONReport.render(failed)) }
            try Output.writeJUnit(failed, to: junitPath)
            throw Output.fail(error)
        }
        switch format {
        case .text: Output.print(TextReport.render(report, verbose: verbose, color: Output.stdoutIsColorTerminal))
        case .json: Output.print(JSONReport.render(report))
        }
        try Output.writeJUnit(report, to: junitPath)
        if !report.failed { try writeLockfile(report.arches) }
        throw ExitCode(report.failed ? Exit.failed : Exit.ok)
    }

    /// `--write-lockfile`: what resolved, each arch's time SOURCE_DATE_EPOCH or its newest build time.
    func writeLockfile(_ arches: [ArchReport]) throws {
        guard inputs.hermetic.writeLockfile != nil else { return }
        let epoch = try ComposeCommand.sourceDateEpoch()
        let times = Dictionary(arches.map { report in
            (report.arch, epoch ?? report.shippedPackages.map(\.package.buildTime).max() ?? 0)
        }, uniquingKeysWith: { a, _ in a })
        do throws(ComposeError) {
            let files = try inputs.hermetic.companions.lockfiles(arches) { times[$0] ?? 0 }
            let staged = StagedFiles()
            for file in files {
                do { try staged.stage(file.data, at: file.path) } catch { throw .environment("\(error)") }
            }
            do { try staged.commit() } catch { throw .environment("\(error)") }
        } catch {
            Output.log("mox: error: \(error)")
            switch error {
            case .invalidInput: throw ExitCode(Exit.invalidInput)
            case .environment: throw ExitCode(Exit.environment)
            }
        }
    }
}

/// `--format` values.
enum OutputFormat: String, ExpressibleByArgument, CaseIterable {
    case text, json
}
