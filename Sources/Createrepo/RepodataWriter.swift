// RepodataWriter: reads each RPM's header, streams the three XML files, writes repomd.xml, publishes.
internal import CCreaterepo
import Foundation

/// One run of `Repodata.write`: stages the new repodata next to the old one, then swaps them.
struct RepodataWriter {
    let root: String
    let timestamp: Int64
    let changelogLimit: Int

    private var staging: String { "\(root)/.repodata.new" }
    private var retired: String { "\(root)/.repodata.old" }
    private var published: String { "\(root)/repodata" }

    /// Writes metadata for `packages` (already sorted and checked) and makes it `root/repodata`.
    func write(_ packages: [RepodataPackage]) throws(RepodataError) -> RepodataResult {
        try prepare(staging)
        do throws(RepodataError) {
            var records: [String: String] = [:]
            let repomd = Repomd()
            let files = try MetadataFile.kinds.map { (type, kind) throws(RepodataError) in
                try MetadataFile(type: type, kind: kind, directory: staging, packages: packages.count)
            }
            for package in packages {
                try add(package, to: files)
            }
            for file in files {
                let record = try file.record(timestamp: timestamp)
                records[file.type] = String(cString: record.pointee.location_href)
                cr_repomd_set_record(repomd.pointer, record)
            }
            try repomd.write(to: "\(staging)/repomd.xml", revision: timestamp)
            try normalizeAttributes(in: staging)
            try publish()
            return RepodataResult(
                repomdPath: "\(published)/repomd.xml", records: records, packages: packages.count)
        } catch {
            try? FileManager.default.removeItem(atPath: staging)
            throw error
        }
    }

    /// Reads one RPM's header and appends it to each file. The payload is streamed through sha256,
    /// unless the caller knows the file's sha256 already: then only the header is read.
    private func add(_ package: RepodataPackage, to files: [MetadataFile]) throws(RepodataError) {
        let read = try withGError({ .unreadablePackage(path: package.path, message: $0) }) { error in
            if package.sha256 == nil {
                return cr_package_from_rpm(
                    package.path, CR_CHECKSUM_SHA256, package.href, nil, Int32(clamping: changelogLimit),
                    nil, CR_HDRR_NONE, error)
            }
            return cr_package_from_rpm_base(package.path, Int32(clamping: changelogLimit), CR_HDRR_NONE, error)
        }
        guard let read else {
            throw .unreadablePackage(path: package.path, message: "createrepo_c returned no package")
        }
        defer { cr_package_free(read) }
        if let sha256 = package.sha256 {
            try fillFileFields(read, package: package, sha256: sha256)
        }
        // The file's mtime would otherwise become <time file>.
        read.pointee.time_file = gint64(timestamp)
        for file in files {
            try file.add(read)
        }
    }

    /// What cr_package_from_rpm derives from the file itself: checksum, location, size, header range.
    private func fillFileFields(_ package: UnsafeMutablePointer<cr_Package>, package source: RepodataPackage,
                                sha256: String) throws(RepodataError) {
        let range = try withGError({ .unreadablePackage(path: source.path, message: $0) }) { error in
            cr_get_header_byte_range(source.path, error)
        }
        var info = stat()
        guard stat(source.path, &info) == 0 else {
            throw .unreadablePackage(path: source.path, message: String(cString: strerror(errno)))
        }
        let chunk = package.pointee.chunk
        package.pointee.pkgId = cr_safe_string_chunk_insert(chunk, sha256.lowercased())
        package.pointee.checksum_type = cr_safe_string_chunk_insert(chunk, "sha256")
        package.pointee.location_href = cr_safe_string_chunk_insert(chunk, source.href)
        package.pointee.size_package = gint64(info.st_size)
        package.pointee.rpm_header_start = gint64(range.start)
        package.pointee.rpm_header_end = gint64(range.end)
    }

    /// An empty `dir`, whatever an interrupted earlier run left there.
    private func prepare(_ dir: String) throws(RepodataError) {
        do {
            try? FileManager.default.removeItem(atPath: dir)
            try FileManager.default.createDirectory(atPath: dir, withIntermediateDirectories: true)
        } catch {
            throw .writeFailed(path: dir, message: "\(error)")
        }
    }

    /// Fixed modes and mtimes, so neither umask nor clock reaches a later image layer.
    private func normalizeAttributes(in dir: String) throws(RepodataError) {
        let fm = FileManager.default
        let date = Date(timeIntervalSince1970: TimeInterval(timestamp))
        do {
            for name in try fm.contentsOfDirectory(atPath: dir) {
                try fm.setAttributes(
                    [.posixPermissions: 0o644, .modificationDate: date], ofItemAtPath: "\(dir)/\(name)")
            }
            try fm.setAttributes([.posixPermissions: 0o755, .modificationDate: date], ofItemAtPath: dir)
        } catch {
            throw .writeFailed(path: dir, message: "\(error)")
        }
    }

    /// Swaps the staged folder in as repodata/ by renames, so readers never see half of it.
    private func publish() throws(RepodataError) {
        let fm = FileManager.default
        do {
            try? fm.removeItem(atPath: retired)
            if fm.fileExists(atPath: published) {
                try fm.moveItem(atPath: published, toPath: retired)
            }
            try fm.moveItem(atPath: staging, toPath: published)
            try? fm.removeItem(atPath: retired)
        } catch {
            throw .writeFailed(path: published, message: "\(error)")
        }
    }
}

/// A cr_Repomd owner: the records it holds are freed with it.
private final class Repomd {
    let pointer: UnsafeMutablePointer<cr_Repomd>

    init() { pointer = cr_repomd_new() }
    deinit { cr_repomd_free(pointer) }

    /// Writes repomd.xml with `revision` as its <revision> and the records in their standard order.
    func write(to path: String, revision: Int64) throws(RepodataError) {
        cr_repomd_set_revision(pointer, String(revision))
        cr_repomd_sort_records(pointer)
        let fail = { (message: String) in RepodataError.writeFailed(path: path, message: message) }
        let xml = try withGError(fail) { cr_xml_dump_repomd(pointer, $0) }
        guard let xml else { throw fail("cr_xml_dump_repomd returned nothing") }
        defer { free(xml) }
        let data = Data(bytes: xml, count: strlen(xml))
        do {
            try data.write(to: URL(fileURLWithPath: path))
        } catch {
            throw fail("\(error)")
        }
    }
}
