/// Why a package list (an rpm-ostree lockfile, an rpms.lock.yaml or a NEVRA list) could not be read.
public enum LockfileError: Error, Sendable, Equatable, CustomStringConvertible {
    /// The file could not be read or is not UTF-8 text.
    case unreadable(file: String, reason: String)
    /// The lockfile is not well-formed JSON or YAML.
    case badSyntax(file: String, line: Int, reason: String)
    /// The file is neither lockfile format.
    case notLockfile(file: String)
    /// A lockfile entry (or top-level key) is malformed; `name` is its package name or key.
    case badLockEntry(file: String, line: Int, name: String, reason: String)
    /// A text line is not `name-[epoch:]version-release.arch`.
    case badLine(file: String, line: Int, entry: String)
    /// The same package is listed twice.
    case duplicate(file: String, entry: String, firstLine: Int, secondLine: Int)
    /// An rpms.lock.yaml has no entry for an architecture being resolved.
    case noArch(file: String, arch: String, present: [String])

    /// The file the problem is in.
    public var file: String {
        switch self {
        case .unreadable(let file, _), .badSyntax(let file, _, _), .notLockfile(let file),
             .badLockEntry(let file, _, _, _), .badLine(let file, _, _), .duplicate(let file, _, _, _),
             .noArch(let file, _, _):
            return file
        }
    }

    /// The 1-based line of the problem, 0 when it concerns the whole file.
    public var line: Int {
        switch self {
        case .unreadable, .notLockfile, .noArch: return 0
        case .badSyntax(_, let line, _), .badLockEntry(_, let line, _, _), .badLine(_, let line, _): return line
        case .duplicate(_, _, _, let line): return line
        }
    }

    /// What is wrong and what to do, without the file and line.
    public var message: String {
        switch self {
        case .unreadable(_, let reason):
            return "cannot read the package list: \(reason)"
        case .badSyntax(_, _, let reason):
            return "not valid JSON or YAML: \(reason); fix the lockfile or give a text list of NEVRAs"
        case .notLockfile:
            return "neither an rpm-ostree lockfile ({\"packages\": {...}}) nor an rpms.lock.yaml "
                + "(lockfileVersion: 1, arches: [...]); give one of those or a list of NEVRAs"
        case .badLockEntry(_, _, let name, let reason):
            return "'\(name)' \(reason)"
        case .badLine(_, _, let entry):
            return "'\(entry)' is not name-[epoch:]version-release.arch; "
                + "write one package per line, e.g. bash-5.2.26-3.fc40.x86_64"
        case .duplicate(_, let entry, let firstLine, _):
            return "'\(entry)' is already listed at line \(firstLine); remove one of them"
        case .noArch(_, let arch, let present):
            return "has no packages for \(arch) (it has " + (present.isEmpty ? "no arches" : present.joined(separator: ", "))
                + "); write the lockfile again for every --arch"
        }
    }

    /// `FILE:LINE: message`, or `FILE: message` for the whole file.
    public var description: String {
        line > 0 ? "\(file):\(line): \(message)" : "\(file): \(message)"
    }
}

/// Every mistake found in one package list, in file order.
public struct LockfileProblems: Error, Sendable, Equatable, CustomStringConvertible {
    public let problems: [LockfileError]

    public init(_ problems: [LockfileError]) {
        self.problems = problems.sorted { $0.line < $1.line }
    }

    public var description: String { problems.map(\.description).joined(separator: "\n") }
}
