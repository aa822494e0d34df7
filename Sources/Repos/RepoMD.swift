import Foundation
import Solv

/// The index of an rpm-md repo (`repodata/repomd.xml`): one record per metadata file.
public struct RepoMD: Sendable, Hashable {
    /// One `<data type="...">` entry.
    public struct Record: Sendable, Hashable {
        /// `primary`, `filelists`, `other`, `group`, `modules`, `updateinfo`, ...
        public var type: String
        /// Path of the file relative to the repo root, e.g. `repodata/abc-primary.xml.gz`.
        public var href: String
        /// Digest of the file as stored (compressed).
        public var checksum: Checksum
        /// Digest of the decompressed content, when given.
        public var openChecksum: Checksum?
        /// Size in bytes as stored, when given.
        public var size: Int?
        /// Size in bytes decompressed, when given.
        public var openSize: Int?
        /// Unix time the file was generated, when given.
        public var timestamp: Int?

        /// Creates a record.
        public init(
            type: String, href: String, checksum: Checksum, openChecksum: Checksum? = nil,
            size: Int? = nil, openSize: Int? = nil, timestamp: Int? = nil
        ) {
            self.type = type
            self.href = href
            self.checksum = checksum
            self.openChecksum = openChecksum
            self.size = size
            self.openSize = openSize
            self.timestamp = timestamp
        }
    }

    /// The path of the repomd.xml this came from, for messages.
    public let file: String
    /// `<revision>`, usually a Unix time; nil when absent.
    public let revision: String?
    /// Records by their `type`, the primary one included.
    public let records: [String: Record]
    /// The primary metadata record, which every rpm-md repo has.
    public let primary: Record

    /// Reads and parses a repomd.xml file.
    public static func load(file path: String) throws(RepoMDError) -> RepoMD {
        guard let data = FileManager.default.contents(atPath: path) else {
            throw .unreadable(file: path)
        }
        return try parse(data: data, file: path)
    }

    /// Parses repomd.xml bytes; `file` names the source in errors.
    public static func parse(data: Data, file: String) throws(RepoMDError) -> RepoMD {
        let reader = RepoMDReader(file: file)
        let parsed = try reader.read(data)
        guard let primary = parsed.records["primary"] else { throw .noPrimary(file: file) }
        return RepoMD(file: file, revision: parsed.revision, records: parsed.records, primary: primary)
    }

    /// Checks that the metadata file at `path` has the size and checksum `record` lists.
    public func verify(record: Record, file path: String) throws(RepoMDError) {
        if let size = record.size,
           let attributes = try? FileManager.default.attributesOfItem(atPath: path),
           let actual = (attributes[.size] as? NSNumber)?.intValue, actual != size {
            throw .sizeMismatch(repomd: file, href: record.href, expected: size, actual: actual)
        }
        let actual: Checksum
        do {
            actual = try Checksum.of(file: path, algorithm: record.checksum.algorithm)
        } catch {
            switch error {
            case .unknownAlgorithm(let name):
                throw .unknownAlgorithm(repomd: file, href: record.href, algorithm: name)
            case .unreadable(_, let reason):
                throw .missingFile(repomd: file, href: record.href, path: path, reason: reason)
            }
        }
        guard actual.hex == record.checksum.hex else {
            throw .checksumMismatch(repomd: file, href: record.href, expected: record.checksum, actual: actual)
        }
    }
}
