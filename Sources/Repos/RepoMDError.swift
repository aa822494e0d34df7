import Solv

/// Why a repomd.xml could not be read, or a metadata file does not match it.
public enum RepoMDError: Error, Sendable, Equatable, CustomStringConvertible {
    /// The repomd.xml file could not be read.
    case unreadable(file: String)
    /// The file is not well-formed XML; carries the parser's line and message.
    case notXML(file: String, line: Int, reason: String)
    /// The root element is not `<repomd>` in the rpm-md namespace.
    case notRepoMD(file: String, root: String)
    /// There is no `<data type="primary">`.
    case noPrimary(file: String)
    /// A `<data>` entry lacks a required part (`type`, `location href`, `checksum`).
    case missingField(file: String, line: Int, type: String, field: String)
    /// A number field holds something else.
    case badNumber(file: String, line: Int, field: String, value: String)
    /// Two `<data>` entries have the same type.
    case duplicateType(file: String, line: Int, type: String)
    /// A metadata file listed in repomd.xml is missing or unreadable.
    case missingFile(repomd: String, href: String, path: String, reason: String)
    /// A metadata file has another size than repomd.xml lists.
    case sizeMismatch(repomd: String, href: String, expected: Int, actual: Int)
    /// A metadata file has another checksum than repomd.xml lists.
    case checksumMismatch(repomd: String, href: String, expected: Checksum, actual: Checksum)
    /// repomd.xml uses a checksum algorithm that cannot be computed.
    case unknownAlgorithm(repomd: String, href: String, algorithm: String)

    /// What is wrong, where, and what to do about it.
    public var description: String {
        switch self {
        case .unreadable(let file):
            return "\(file): cannot read; check that the repo path is right and the repo has repodata/"
        case .notXML(let file, let line, let reason):
            return "\(file):\(line): not well-formed XML (\(reason)); the repo metadata is damaged, regenerate or re-fetch it"
        case .notRepoMD(let file, let root):
            return "\(file): root element is <\(root)>, not rpm-md <repomd>; point at a repo made by createrepo_c"
        case .noPrimary(let file):
            return "\(file): no <data type=\"primary\"> entry; the repo has no package list, rerun createrepo_c on it"
        case .missingField(let file, let line, let type, let field):
            return "\(file):\(line): <data type=\"\(type)\"> has no \(field); the repo metadata is damaged, regenerate it"
        case .badNumber(let file, let line, let field, let value):
            return "\(file):\(line): <\(field)> must be a whole number, not '\(value)'; regenerate the repo metadata"
        case .duplicateType(let file, let line, let type):
            return "\(file):\(line): <data type=\"\(type)\"> appears twice; regenerate the repo metadata"
        case .missingFile(let repomd, let href, let path, let reason):
            return "\(href) (listed in \(repomd)) cannot be read at \(path): \(reason); the repo is incomplete, re-sync it"
        case .sizeMismatch(let repomd, let href, let expected, let actual):
            return "\(href) is \(actual) bytes but \(repomd) says \(expected); the repo is stale or half-synced, re-sync it"
        case .checksumMismatch(let repomd, let href, let expected, let actual):
            return "\(href) has \(actual.algorithm) \(actual.hex) but \(repomd) lists \(expected.hex); "
                + "the repo is stale or half-synced, re-sync it"
        case .unknownAlgorithm(let repomd, let href, let algorithm):
            return "\(repomd): \(href) uses checksum type '\(algorithm)', which mox cannot compute"
        }
    }
}
