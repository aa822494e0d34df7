// FixtureError: why a fixture could not be built, with the tool's own words.
import Foundation

/// A fixture that could not be made.
public enum FixtureError: Error, CustomStringConvertible, Equatable {
    /// A command exited non-zero (or could not start); carries its stderr.
    case commandFailed(argv: [String], status: Int32, stderr: String)
    /// A FixturePackage that no spec file can express.
    case invalidPackage(name: String, reason: String)

    /// A message for the test log: what ran, how it ended, what it said.
    public var description: String {
        switch self {
        case let .commandFailed(argv, status, stderr):
            let said = stderr.trimmingCharacters(in: .whitespacesAndNewlines)
            return "`\(argv.joined(separator: " "))` exited with status \(status)"
                + (said.isEmpty ? "" : ":\n\(said)")
        case let .invalidPackage(name, reason):
            return "fixture package '\(name)': \(reason)"
        }
    }
}
