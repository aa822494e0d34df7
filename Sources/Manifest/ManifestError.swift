/// A problem in an extensions.yaml file, located at the offending line and column.
public struct ManifestError: Error, Sendable, Equatable, CustomStringConvertible {
    /// What went wrong, for callers that react differently to each kind of problem.
    public enum Reason: String, Sendable, Equatable {
        /// The file could not be read or is not UTF-8 text.
        case unreadable
        /// The text is not well-formed YAML.
        case syntax
        /// The YAML uses a feature this tool rejects on purpose (merge keys).
        case unsupported
        /// Aliases expand the document beyond what mox reads (an alias bomb).
        case tooLarge
        /// A key the schema does not define.
        case unknownKey
        /// A value of the wrong YAML type (scalar where a list is expected, and so on).
        case wrongType
        /// A required key is absent.
        case missingKey
        /// An empty document, list or string where content is required.
        case empty
        /// The same list item or mapping key appears twice.
        case duplicate
        /// An architecture name that is not in `Extension.knownArchitectures`.
        case unknownArchitecture
        /// A `kind` value that is not in `Extension.Kind`.
        case unknownKind
        /// An extension name that cannot be used as a directory name.
        case invalidName
        /// A repo id that no loaded .repo file defines.
        case undefinedRepo
        /// A `modules` item that is not `name[:stream]` (`enable`) or `name[:stream][/profile]` (`install`).
        case invalidModule
        /// Two places ask for different streams of one module on the same architecture.
        case conflictingStreams
    }

    /// The path of the file as given by the caller.
    public let file: String
    /// The 1-based line of the problem, or 0 when it concerns the whole file.
    public let line: Int
    /// The 1-based column of the problem, or 0 when it concerns the whole file.
    public let column: Int
    /// The dotted key path of the offending value, e.g. `extensions.kernel-rt.packages[1]`.
    public let key: String
    /// The kind of problem.
    public let reason: Reason
    /// A sentence saying what is wrong and what to do about it.
    public let message: String

    /// Creates an error; line and column are 1-based, 0 meaning "the whole file".
    public init(file: String, line: Int, column: Int, key: String, reason: Reason, message: String) {
        self.file = file
        self.line = line
        self.column = column
        self.key = key
        self.reason = reason
        self.message = message
    }

    /// `FILE:LINE:COLUMN: message`, or `FILE: message` when no position applies.
    public var description: String {
        line > 0 ? "\(file):\(line):\(column): \(message)" : "\(file): \(message)"
    }
}

/// Every problem of one extensions file, in document order.
public struct ManifestProblems: Error, Sendable, Equatable, CustomStringConvertible {
    public let problems: [ManifestError]

    public init(problems: [ManifestError]) {
        self.problems = problems
    }

    public var description: String { problems.map(\.description).joined(separator: "\n") }
}
