/// Why a `--base-packages` file could not be read as a list of packages.
public enum BasePackageListError: Error, Sendable, Equatable, CustomStringConvertible {
    /// The file could not be read or is not UTF-8 text.
    case unreadable(file: String, reason: String)
    /// The file starts with `{` but is not valid JSON.
    case badJSON(file: String, line: Int, reason: String)
    /// The JSON is not an object with a `packages` object.
    case notLockfile(file: String)
    /// A lockfile entry is malformed; `name` is its package name.
    case badLockEntry(file: String, line: Int, name: String, reason: String)
    /// A text line is not `name-[epoch:]version-release.arch`.
    case badLine(file: String, line: Int, entry: String)
    /// The same package is listed twice.
    case duplicate(file: String, entry: String, firstLine: Int, secondLine: Int)

    /// What is wrong, where, and what to do about it.
    public var description: String {
        switch self {
        case .unreadable(let file, let reason):
            return "\(file): cannot read the base package list: \(reason)"
        case .badJSON(let file, let line, let reason):
            return "\(file):\(line): not valid JSON: \(reason); fix the lockfile or give a text list of NEVRAs"
        case .notLockfile(let file):
            return "\(file): JSON without a \"packages\" object; give an rpm-ostree lockfile ({\"packages\": {...}})"
        case .badLockEntry(let file, let line, let name, let reason):
            return "\(file):\(line): package '\(name)' \(reason)"
        case .badLine(let file, let line, let entry):
            return "\(file):\(line): '\(entry)' is not name-[epoch:]version-release.arch; "
                + "write one package per line, e.g. bash-5.2.26-3.fc40.x86_64"
        case .duplicate(let file, let entry, let firstLine, let secondLine):
            return "\(file):\(secondLine): '\(entry)' is already listed at line \(firstLine); remove one of them"
        }
    }
}
