// libarchive's writer behind one owner: the handle is freed in deinit or by an explicit close that
// reports errors, and every failure carries libarchive's own message.
internal import CArchive
#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// libarchive's file types (AE_IFREG, AE_IFDIR: macros with casts Swift does not import).
private let regularFile: UInt32 = 0o100000
private let directory: UInt32 = 0o040000

/// Where an archive's output bytes go; a failure is kept so the caller sees it rather than "write failed".
final class ByteSink {
    let consume: (UnsafeRawPointer, Int) throws(ImageError) -> Void
    var failure: ImageError?
    init(_ consume: @escaping (UnsafeRawPointer, Int) throws(ImageError) -> Void) { self.consume = consume }
}

/// One libarchive write handle with its output going to a `ByteSink`.
final class ArchiveWriter {
    private var handle: OpaquePointer?
    private let sink: ByteSink

    /// A pax (restricted) tar writer: pax headers only where ustar cannot say it (long names, big files).
    static func tar(to sink: ByteSink) throws(ImageError) -> ArchiveWriter {
        let writer = try ArchiveWriter(sink: sink)
        try writer.check(archive_write_set_format_pax_restricted(writer.handle), "set tar format")
        try writer.open()
        return writer
    }

    private init(sink: ByteSink) throws(ImageError) {
        guard let handle = archive_write_new() else {
            throw .archive(operation: "create writer", code: ARCHIVE_FATAL, message: "out of memory")
        }
        self.handle = handle
        self.sink = sink
    }

    deinit {
        if let handle { archive_write_free(handle) }
    }

    private func open() throws(ImageError) {
        let context = Unmanaged.passUnretained(sink).toOpaque()
        let status = archive_write_open2(
            handle, context, nil,
            { _, context, bytes, count in
                guard let context, let bytes else { return -1 }
                let sink = Unmanaged<ByteSink>.fromOpaque(context).takeUnretainedValue()
                do throws(ImageError) {
                    try sink.consume(bytes, count)
                    return count
                } catch {
                    sink.failure = error
                    return -1
                }
            },
            nil, nil)
        try check(status, "open")
    }

    /// Writes a directory or regular-file header with the fields that make layers reproducible:
    /// owner 0:0 without names, the given mode and mtime, and nothing else (no atime, ctime, xattrs).
    func writeHeader(path: String, isDirectory: Bool, size: Int64, mode: UInt32, mtime: Int64) throws(ImageError) {
        let entry = archive_entry_new()
        defer { archive_entry_free(entry) }
        // The UTF-8 setter: the process locale (usually "C") must not change how names are stored.
        archive_entry_set_pathname_utf8(entry, path)
        archive_entry_set_filetype(entry, isDirectory ? directory : regularFile)
        archive_entry_set_perm(entry, mode)
        archive_entry_set_size(entry, isDirectory ? 0 : size)
        archive_entry_set_uid(entry, 0)
        archive_entry_set_gid(entry, 0)
        archive_entry_set_mtime(entry, time_t(mtime), 0)
        try check(archive_write_header(handle, entry), "write header of \(path)")
    }

    /// Writes the next `count` bytes of the current entry.
    func writeData(_ bytes: UnsafeRawPointer, count: Int) throws(ImageError) {
        let written = archive_write_data(handle, bytes, count)
        if written < 0 || written != count {
            try check(Int32(written < 0 ? Int(written) : Int(ARCHIVE_FATAL)), "write data")
        }
    }

    /// Runs `body` with this thread's character type (LC_CTYPE) set to C.UTF-8, so libarchive stores UTF-8 names as they are.
    /// libarchive converts names through the locale's charset; in the "C" locale a non-ASCII name fails
    /// to convert (and libarchive 3.6 then dereferences NULL). `uselocale` is per thread, unlike `setlocale`.
    static func withUTF8Names<T>(_ body: () throws(ImageError) -> T) throws(ImageError) -> T {
        guard let utf8 = newlocale(1 << LC_CTYPE, "C.UTF-8", nil) else {
            throw .archive(operation: "select the C.UTF-8 locale", code: ARCHIVE_FATAL, message: "newlocale failed")
        }
        let previous = uselocale(utf8)
        defer {
            uselocale(previous)
            freelocale(utf8)
        }
        return try body()
    }

    /// Flushes everything (tar end blocks, compressor trailer) to the sink and frees the handle.
    func close() throws(ImageError) {
        guard let handle else { return }
        let status = archive_write_close(handle)
        let error = failure(status, "finish")
        archive_write_free(handle)
        self.handle = nil
        if let error { throw error }
    }

    private func check(_ status: Int32, _ operation: String) throws(ImageError) {
        if let error = failure(status, operation) { throw error }
    }

    /// A warning is a failure too: a layer written with warnings is not the layer that was asked for.
    private func failure(_ status: Int32, _ operation: String) -> ImageError? {
        guard status != ARCHIVE_OK else { return nil }
        if let failure = sink.failure { return failure }
        let message = archive_error_string(handle).map { String(cString: $0) } ?? "no details"
        return .archive(operation: operation, code: status, message: message)
    }
}
