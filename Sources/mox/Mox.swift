import ArgumentParser
import Compose
import Foundation

/// The `mox` command: compose machine-os-extensions for image-mode Linux.
struct Mox: ParsableCommand {
    static let version = MoxVersion.current

    static let configuration = CommandConfiguration(
        commandName: "mox",
        abstract: "Compose the machine-os-extensions of an image-mode OS.",
        discussion: """
            Exit codes: 0 everything resolved; 1 at least one extension failed; \
            2 invalid input or usage; 3 environment problem (unreadable repo, checksum mismatch, I/O).
            """,
        version: version,
        subcommands: [Check.self, ComposeCommand.self, ImageCommand.self, DiffCommand.self, WhyCommand.self, LintCommand.self,
                      MergeCommand.self])
}

/// Documented exit codes.
enum Exit {
    static let ok: Int32 = 0
    static let failed: Int32 = 1
    static let invalidInput: Int32 = 2
    static let environment: Int32 = 3
}

@main
enum Main {
    static func main() {
        do {
            var command = try Mox.parseAsRoot()
            try command.run()
        } catch let code as ExitCode {
            exit(code.rawValue)
        } catch {
            let code = Mox.exitCode(for: error)
            if code == .success {
                // --help and --version.
                Mox.exit(withError: error)
            }
            let message = Mox.fullMessage(for: error)
            FileHandle.standardError.write(Data(("mox: " + message + "\n").utf8))
            // ArgumentParser's usage errors become our documented "invalid input" code.
            exit(code == .validationFailure ? Exit.invalidInput : code.rawValue)
        }
    }
}
