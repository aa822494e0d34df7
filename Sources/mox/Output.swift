import ArgumentParser
import Foundation
import Report
import Resolve

/// Where text goes: the report to stdout, progress and errors to stderr.
enum Output {
    static func print(_ text: String) {
        FileHandle.standardOutput.write(Data(text.utf8))
    }

    static func log(_ line: String) {
        FileHandle.standardError.write(Data((line + "\n").utf8))
    }

    /// Prints the error and returns the exit code it maps to.
    static func fail(_ error: CheckError) -> ExitCode {
        for problem in error.problems { log("mox: error: \(problem)") }
        switch error {
        case .invalidInput, .invalidFiles: return ExitCode(Exit.invalidInput)
        case .environment: return ExitCode(Exit.environment)
        }
    }

    static var stdoutIsColorTerminal: Bool {
        isatty(STDOUT_FILENO) == 1 && ProcessInfo.processInfo.environment["NO_COLOR"] == nil
            && ProcessInfo.processInfo.environment["TERM"] != "dumb"
    }

    /// Writes the JUnit rendering of `report` when a path was given; failing to is exit 3.
    static func writeJUnit(_ report: CheckReport, to path: String?) throws {
        guard let path else { return }
        do {
            try writeAtomically(JUnitReport.render(report), to: path)
        } catch {
            log("mox: error: cannot write JUnit report to \(path): \(error.localizedDescription)")
            throw ExitCode(Exit.environment)
        }
    }

    /// Writes the JUnit rendering of a run that could not check, when a path was given.
    static func writeJUnit(_ failed: CheckFailureReport, to path: String?) throws {
        guard let path else { return }
        do {
            try writeAtomically(JUnitReport.render(failed), to: path)
        } catch {
            log("mox: error: cannot write JUnit report to \(path): \(error.localizedDescription)")
            throw ExitCode(Exit.environment)
        }
    }

    /// Writes to a temporary file beside `path`, then renames it into place.
    static func writeAtomically(_ text: String, to path: String) throws {
        let url = URL(fileURLWithPath: path)
        try Data(text.utf8).write(to: url, options: .atomic)
    }
}
