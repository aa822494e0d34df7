// A layer tarball read once, front to back, with libarchive (gzip, zstd or uncompressed, detected
// from the bytes), its digest checked over the same bytes as they go by.
internal import CArchive
import Foundation
import OCI
import RPM
import SystemPackage

/// One entry of a layer, with its path normalised (no leading `/` or `./`).
public struct LayerEntry: Sendable, Hashable {
    /// What the entry is.
    public enum Kind: Sendable, Hashable {
        case file
        case directory
        /// A symbolic link and its target as stored.
        case symlink(FilePath)
        /// A hard link to another path of the same layer (normalised like `path`).
        case hardlink(FilePath)
        /// Devices, fifos and the like.
        case other
    }

    /// The path inside the image, relative to its root.
    public let path: FilePath
    /// File, directory, link, or something else.
    public let kind: Kind
    /// Bytes of content (regular files only).
    public let size: Int64
    /// Permission bits.
    public let mode: UInt32

    /// For `.wh.NAME`, the path it hides in lower layers (`dir/NAME`); nil for other entries and for `.wh..wh..opq`.
    public var whiteoutTarget: FilePath? {
        guard let name = path.lastComponent?.string, name.hasPrefix(".wh."), name != Self.opaqueMarker,
              let hidden = FilePath.Component(String(name.dropFirst(4))) else { return nil }
        return path.removingLastComponent().appending(hidden)
    }

    /// True for `.wh..wh..opq`: the directory holding it hides everything lower layers put in it.
    public var isOpaqueMarker: Bool { path.lastComponent?.string == Self.opaqueMarker }

    static let opaqueMarker = ".wh..wh..opq"
}

/// Reads one layer blob. Use `next()` for each entry, `read(into:)` for a file's content, then `finish()`.
final class LayerReader {
    private var handle: OpaquePointer?
    private let source: BlobSource
    private let descriptor: Descriptor
    private let reference: String

    init(blob file: FilePath, descriptor: Descriptor, reference: String) throws(ImageSourceError) {
        self.descriptor = descriptor
        self.reference = reference
        source = try BlobSource(file: file, digest: descriptor.digest, reference: reference)
        guard let handle = archive_read_new() else {
            throw .layer(reference: reference, digest: descriptor.digest, message: "out of memory")
        }
        self.handle = handle
        archive_read_support_filter_gzip(handle)
        archive_read_support_filter_zstd(handle)
        archive_read_support_filter_none(handle)
        archive_read_support_format_tar(handle)
        archive_read_support_format_empty(handle)
        let context = Unmanaged.passUnretained(source).toOpaque()
        let status = archive_read_open2(handle, context, nil, { _, context, buffer in
            guard let context, let buffer else { return -1 }
            let source = Unmanaged<BlobSource>.fromOpaque(context).takeUnretainedValue()
            return source.nextChunk(buffer)
        }, nil, nil)
        try check(status)
    }

    deinit {
        if let handle { archive_read_free(handle) }
    }

    /// The next entry, or nil at the end of the layer.
    func next() throws(ImageSourceError) -> LayerEntry? {
        var entry: OpaquePointer?
        while true {
            let status = archive_read_next_header(handle, &entry)
            if status == ARCHIVE_EOF { return nil }
            if status == ARCHIVE_RETRY { continue }
            if status < ARCHIVE_WARN { try check(status) }
            guard let entry, let raw = archive_entry_pathname(entry) else { continue }
            guard let path = Self.normalise(String(cString: raw)) else { continue }
            let size = archive_entry_size(entry)
            let mode = UInt32(archive_entry_perm(entry))
            if let target = archive_entry_hardlink(entry) {
                guard let target = Self.normalise(String(cString: target)) else { continue }
                return LayerEntry(path: path, kind: .hardlink(target), size: 0, mode: mode)
            }
            let kind: LayerEntry.Kind
            switch UInt32(archive_entry_filetype(entry)) {
            case 0o100000: kind = .file
            case 0o040000: kind = .directory
            case 0o120000: kind = .symlink(FilePath(archive_entry_symlink(entry).map { String(cString: $0) } ?? ""))
            default: kind = .other
            }
            return LayerEntry(path: path, kind: kind, size: kind == .file ? size : 0, mode: mode)
        }
    }

    /// Hands the current entry's content to `consume`, a block at a time.
    func read(into consume: (UnsafeRawBufferPointer) throws(ImageSourceError) -> Void) throws(ImageSourceError) {
        var buffer: UnsafeRawPointer?
        var size = 0
        var offset: la_int64_t = 0
        while true {
            let status = archive_read_data_block(handle, &buffer, &size, &offset)
            if status == ARCHIVE_EOF { return }
            if status < ARCHIVE_WARN { try check(status) }
            if let buffer, size > 0 { try consume(UnsafeRawBufferPointer(start: buffer, count: size)) }
        }
    }

    /// Reads what libarchive left (padding, the compressor's trailer) and checks the blob's size and digest.
    func finish() throws(ImageSourceError) {
        if let handle {
            archive_read_free(handle)
            self.handle = nil
        }
        try source.finish(size: descriptor.size)
    }

    private func check(_ status: Int32) throws(ImageSourceError) {
        guard status < ARCHIVE_WARN else { return }
        if let failure = source.failure { throw failure }
        let message = archive_error_string(handle).map { String(cString: $0) } ?? "libarchive error \(status)"
        throw .layer(reference: reference, digest: descriptor.digest, message: message)
    }

    /// A tar path relative to the root: leading `/` and `./` dropped, `.` components removed; nil
    /// for the root itself and for paths with `..` (which no image may hold).
    static func normalise(_ text: String) -> FilePath? {
        var path = FilePath(text)
        path.root = nil
        var clean = FilePath()
        for component in path.components {
            switch component.kind {
            case .currentDirectory: continue
            case .parentDirectory: return nil
            case .regular: clean.append(component)
            }
        }
        return clean.isEmpty ? nil : clean
    }
}

/// The blob's bytes for libarchive, hashed as they are handed over.
final class BlobSource {
    private let descriptor: FileDescriptor
    private let file: FilePath
    private let hasher: StreamingDigest
    private let expected: String
    private let reference: String
    private var buffer: UnsafeMutableRawBufferPointer
    private var total: Int64 = 0
    /// An I/O failure met inside libarchive's read callback, reported instead of libarchive's vaguer one.
    var failure: ImageSourceError?

    static let chunkSize = 1 << 20

    init(file: FilePath, digest: String, reference: String) throws(ImageSourceError) {
        let algorithm = digest.split(separator: ":").first.map(String.init) ?? ""
        guard let hasher = StreamingDigest(algorithm: algorithm) else {
            throw .invalidDocument(reference: reference, what: "descriptor", reason: "unsupported digest '\(digest)'")
        }
        do {
            descriptor = try FileDescriptor.open(file, .readOnly)
        } catch {
            throw .io(path: file, reason: "cannot open the layer blob: \(error)")
        }
        self.file = file
        self.hasher = hasher
        self.expected = digest
        self.reference = reference
        buffer = .allocate(byteCount: Self.chunkSize, alignment: 64)
    }

    deinit {
        buffer.deallocate()
        try? descriptor.close()
    }

    /// libarchive's read callback: the next chunk, or 0 at the end, or -1 on failure.
    func nextChunk(_ out: UnsafeMutablePointer<UnsafeRawPointer?>) -> Int {
        do {
            let count = try descriptor.read(into: buffer)
            hasher.update(UnsafeRawBufferPointer(rebasing: buffer[..<count]))
            total += Int64(count)
            out.pointee = UnsafeRawPointer(buffer.baseAddress)
            return count
        } catch {
            failure = .io(path: file, reason: "cannot read the layer blob: \(error)")
            return -1
        }
    }

    /// Hashes the rest of the file and checks size and digest.
    func finish(size: Int64) throws(ImageSourceError) {
        let scratch: UnsafeMutablePointer<UnsafeRawPointer?> = .allocate(capacity: 1)
        defer { scratch.deallocate() }
        while true {
            let count = nextChunk(scratch)
            if let failure { throw failure }
            if count <= 0 { break }
        }
        let found = "\(hasher.algorithm):\(hasher.finish())"
        guard found == expected, total == size else {
            throw .digestMismatch(reference: reference, digest: expected,
                                  found: found == expected ? "\(total) bytes, not \(size)" : found)
        }
    }
}
