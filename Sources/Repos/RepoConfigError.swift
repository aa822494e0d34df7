/// Why `.repo` files or a `--repo` option could not be turned into repo definitions.
public enum RepoConfigError: Error, Sendable, Equatable, CustomStringConvertible {
    /// The repo directory does not exist or is not a directory.
    case directoryMissing(path: String)
    /// A file could not be read.
    case unreadable(path: String, reason: String)
    /// A `key = value` line appears before any `[section]`.
    case lineOutsideSection(file: String, line: Int, text: String)
    /// A line is neither a section header, a comment, nor `key = value`.
    case missingEquals(file: String, line: Int, text: String)
    /// A `[section]` header is malformed or names an id dnf would reject.
    case badSection(file: String, line: Int, text: String)
    /// The same repo id is defined in two places (origins as `FILE:LINE`).
    case duplicateRepo(id: String, first: String, second: String)
    /// A key that needs a value has none.
    case emptyValue(file: String, line: Int, key: String)
    /// A boolean key has a value dnf does not accept.
    case badBoolean(file: String, line: Int, key: String, value: String)
    /// An integer key has a value that is not an integer.
    case badInteger(file: String, line: Int, key: String, value: String)
    /// A value is not of the kind the key takes; `expected` says what it takes.
    case badValue(file: String, line: Int, key: String, value: String, expected: String)
    /// A value contradicts another setting of the same repo.
    case conflict(file: String, line: Int, key: String, reason: String)
    /// A `$variable` has no value in the variables given.
    case unknownVariable(file: String, line: Int, key: String, name: String)
    /// An enabled repo has no `baseurl`, `metalink` or `mirrorlist`.
    case noBaseURL(id: String, origin: String)
    /// A `--repo` value is not `ID=URL`.
    case badOverride(spec: String, reason: String)

    /// What is wrong, where, and what to do about it.
    public var description: String {
        switch self {
        case .directoryMissing(let path):
            return "repo directory '\(path)' does not exist or is not a directory; create it or pass the right path"
        case .unreadable(let path, let reason):
            return "\(path): cannot read: \(reason)"
        case .lineOutsideSection(let file, let line, let text):
            return "\(file):\(line): '\(text)' comes before any [section]; add a [repo-id] header above it"
        case .missingEquals(let file, let line, let text):
            return "\(file):\(line): '\(text)' is not 'key = value'; add '=' or comment the line out with '#'"
        case .badSection(let file, let line, let text):
            return "\(file):\(line): '\(text)' is not a valid section header; write [id] with an id of letters, digits and -_.:"
        case .duplicateRepo(let id, let first, let second):
            return "repo '\(id)' defined twice: \(first) and \(second); remove or rename one of them"
        case .emptyValue(let file, let line, let key):
            let hint = key == "baseurl" ? "give at least one URL or path" : "give a value or remove the line"
            return "\(file):\(line): '\(key)' has no value; \(hint)"
        case .badBoolean(let file, let line, let key, let value):
            return "\(file):\(line): '\(key)' must be a boolean, not '\(value)'; use 1/0, true/false, yes/no or on/off"
        case .badInteger(let file, let line, let key, let value):
            return "\(file):\(line): '\(key)' must be an integer, not '\(value)'"
        case .badValue(let file, let line, let key, let value, let expected):
            return "\(file):\(line): '\(key)' must be \(expected), not '\(value)'"
        case .conflict(let file, let line, let key, let reason):
            return "\(file):\(line): '\(key)': \(reason)"
        case .unknownVariable(let file, let line, let key, let name):
            return "\(file):\(line): unknown variable $\(name) in \(key); give it a value or write the value out literally"
        case .noBaseURL(let id, let origin):
            return "\(origin): repo '\(id)' is enabled but has no baseurl, metalink or mirrorlist; "
                + "add one, pass --repo \(id)=URL, or set enabled=0"
        case .badOverride(let spec, let reason):
            return "--repo '\(spec)': \(reason); write --repo ID=URL, e.g. --repo baseos=https://example.com/baseos/"
        }
    }
}
