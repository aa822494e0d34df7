// A file being written as a blob: every byte is counted and hashed on its way to disk.
internal import CLinux
#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// An output file whose size and sha256 are known when it is closed. One thread at a time uses it.
final class BlobFile: @unchecked Sendable {
    let path: String
    private var fd: Int32
    private let hasher: SHA256?
    private(set) var size: Int64 = 0
    private let capacity = 1 << 20
    private let buffer: UnsafeMutableRawPointer
    private var buffered = 0
    /// Bytes written to the file, and where the range not yet handed to the disk starts.
    private var written: Int64 = 0
    private var writebackStart: Int64 = 0

    /// Creates (or truncates) `path` with mode 0644; `hashing: false` when the caller already hashes
    /// the same bytes (an uncompressed layer), since hashing is the slowest step after compression.
    init(creating path: String, hashing: Bool = true) throws(ImageError) {
        self.path = path
        hasher = hashing ? SHA256() : nil
        buffer = UnsafeMutableRawPointer.allocate(byteCount: capacity, alignment: 16)
        fd = open(path, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0o644)
        guard fd >= 0 else { throw .system(path, "create") }
        // Readable by others whatever the umask: a layout is read by podman or a push as another user.
        fchmod(fd, 0o644)
    }

    deinit {
        if fd >= 0 { _ = close(fd) }
        buffer.deallocate()
    }

    /// Appends bytes; they reach the file in 1 MiB writes (libarchive hands them over in 10 KiB blocks).
    func append(_ bytes: UnsafeRawPointer, count: Int) throws(ImageError) {
        hasher?.update(bytes, count: count)
        size += Int64(count)
        if buffered + count > capacity { try flush() }
        if count >= capacity { return try writeAll(bytes, count: count) }
        (buffer + buffered).copyMemory(from: bytes, byteCount: count)
        buffered += count
    }

    private func flush() throws(ImageError) {
        try writeAll(buffer, count: buffered)
        buffered = 0
    }

    private func writeAll(_ bytes: UnsafeRawPointer, count: Int) throws(ImageError) {
        var offset = 0
        while offset < count {
            let n = write(fd, bytes + offset, count - offset)
            if n < 0 {
                if errno == EINTR { continue }
                throw .system(path, "write")
            }
            offset += n
        }
        written += Int64(count)
        // Every 8 MiB, have the disk start on what came before: the sync at the end then waits for
        // the tail only, not for the whole file.
        if written - writebackStart >= 8 << 20 {
            _ = mox_start_writeback(fd, writebackStart, written - writebackStart)
            writebackStart = written
        }
    }

    /// Appends bytes.
    func append(_ bytes: [UInt8]) throws(ImageError) {
        let result = bytes.withUnsafeBytes { raw -> Result<Void, ImageError> in
            guard let base = raw.baseAddress else { return .success(()) }
            do throws(ImageError) { return .success(try append(base, count: raw.count)) } catch { return .failure(error) }
        }
        try result.get()
    }

    /// Flushes to disk, closes and returns the digest (`sha256:...`), nil when not hashing.
    @discardableResult
    func finish() throws(ImageError) -> String? {
        try flush()
        let synced = fsync(fd) == 0
        let reason = synced ? nil : ImageError.system(path, "fsync")
        let closed = close(fd) == 0
        fd = -1
        if let reason { throw reason }
        if !closed { throw .system(path, "close") }
        return hasher?.finish()
    }
}

extension ImageError {
    /// An `io` error for `path` with the current errno text.
    static func system(_ path: String, _ operation: String) -> ImageError {
        .io(path: path, operation: operation, reason: String(cString: strerror(errno)))
    }
}
