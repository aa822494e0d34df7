// MetadataFile: one gzip-compressed primary, filelists or other XML file and its repomd record.
internal import CCreaterepo
import Foundation

/// An open `<type>.xml.gz` being written package by package; owns the cr_XmlFile and its stats.
final class MetadataFile {
    /// The metadata type as repomd.xml names it: "primary", "filelists" or "other".
    let type: String
    /// Where the file is written (renamed to "<sha256>-<type>.xml.gz" by `record`).
    let path: String
    private var file: UnsafeMutablePointer<cr_XmlFile>?
    // Checksum and size of the uncompressed XML, gathered while writing (repomd's open-checksum).
    private let openStat: UnsafeMutablePointer<cr_ContentStat>

    /// The three files every rpm-md repo has, in repomd order.
    static let kinds: [(type: String, kind: cr_XmlFileType)] = [
        ("primary", CR_XMLFILE_PRIMARY), ("filelists", CR_XMLFILE_FILELISTS), ("other", CR_XMLFILE_OTHER),
    ]

    /// Creates `<directory>/<type>.xml.gz` announcing `packages` packages.
    /// zlib's gzopen writes a header without mtime or file name, so the bytes depend only on the XML.
    init(type: String, kind: cr_XmlFileType, directory: String, packages: Int) throws(RepodataError) {
        self.type = type
        self.path = "\(directory)/\(type).xml.gz"
        let path = self.path
        let fail = { (message: String) in RepodataError.writeFailed(path: path, message: message) }
        openStat = try withGError(fail) { cr_contentstat_new(CR_CHECKSUM_SHA256, $0) }
        let opened = try withGError(fail) {
            cr_xmlfile_sopen(path, kind, CR_CW_GZ_COMPRESSION, openStat, $0)
        }
        guard let opened else { throw fail("cr_xmlfile_sopen returned no file") }
        file = opened
        _ = try withGError(fail) { cr_xmlfile_set_num_of_pkgs(opened, packages, $0) }
    }

    deinit {
        if let file { cr_xmlfile_close(file, nil) }
        cr_contentstat_free(openStat, nil)
    }

    /// Appends the package's element (its primary, filelists or other part, by this file's kind).
    func add(_ package: UnsafeMutablePointer<cr_Package>) throws(RepodataError) {
        guard let file else { throw .writeFailed(path: path, message: "already closed") }
        let path = self.path
        _ = try withGError({ .writeFailed(path: path, message: $0) }) { cr_xmlfile_add_pkg(file, package, $0) }
    }

    /// Finishes the XML and the gzip stream; the content stats are complete afterwards.
    func close() throws(RepodataError) {
        guard let file else { return }
        self.file = nil
        let path = self.path
        _ = try withGError({ .writeFailed(path: path, message: $0) }) { cr_xmlfile_close(file, $0) }
    }

    /// Closes the file, renames it to "<sha256>-<type>.xml.gz" and returns its repomd record,
    /// stamped with `timestamp` instead of the file's mtime. The caller owns the record.
    func record(timestamp: Int64) throws(RepodataError) -> UnsafeMutablePointer<cr_RepomdRecord> {
        try close()
        let path = self.path
        let fail = { (message: String) in RepodataError.writeFailed(path: path, message: message) }
        guard let record = cr_repomd_record_new(type, path) else { throw fail("cr_repomd_record_new failed") }
        do throws(RepodataError) {
            cr_repomd_record_load_contentstat(record, openStat)
            _ = try withGError(fail) { cr_repomd_record_fill(record, CR_CHECKSUM_SHA256, $0) }
            cr_repomd_record_set_timestamp(record, gint64(timestamp))
            _ = try withGError(fail) { cr_repomd_record_rename_file(record, $0) }
        } catch {
            cr_repomd_record_free(record)
            throw error
        }
        return record
    }
}
