// The layer tarball: a reproducible tar of the composed tree, compressed and hashed in one pass,
// the hashing and compressing on threads of their own.
import Synchronization
import Threads
#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// A file or directory on disk and where it goes in the layer.
public struct LayerSource: Sendable, Hashable {
    /// The path inside the layer, relative, e.g. `usr/share/rpm-ostree/extensions`.
    public var path: String
    /// The file or directory on disk; directories are walked recursively.
    public var local: String

    public init(path: String, local: String) {
        self.path = path
        self.local = local
    }
}

/// How the layer tarball is compressed.
public enum LayerCompression: String, Sendable, CaseIterable {
    case gzip, zstd, none

    /// The OCI media type of a layer compressed this way.
    public var mediaType: String {
        switch self {
        case .gzip: "application/vnd.oci.image.layer.v1.tar+gzip"
        case .zstd: "application/vnd.oci.image.layer.v1.tar+zstd"
        case .none: "application/vnd.oci.image.layer.v1.tar"
        }
    }
}

/// A written layer file with what a manifest and config need to know about it.
public struct LayerBlob: Sendable, Hashable {
    /// Where the layer was written.
    public let file: String
    /// sha256 of the uncompressed tar (`sha256:...`), for the config's `rootfs.diff_ids`.
    public let diffID: String
    /// sha256 of the bytes in `file` (`sha256:...`), the blob's name.
    public let digest: String
    /// Size of `file` in bytes.
    public let size: Int64
    /// The OCI media type, which says the compression.
    public let mediaType: String

    public init(file: String, diffID: String, digest: String, size: Int64, mediaType: String) {
        self.file = file
        self.diffID = diffID
        self.digest = digest
        self.size = size
        self.mediaType = mediaType
    }
}

/// Writes layer tarballs.
///
/// Every entry has owner 0:0 without names, mode 0755 (directories) or 0644 (files) and mtime `mtime`;
/// entries are sorted bytewise by their name in the tar (directories end in `/`), so parents come first;
/// the parents of each source path are added. Regular files and directories only: a symbolic link,
/// device or socket fails with `unsupportedFile` (a link would point at the host, not into the image);
/// hard links are stored as separate files. Files are read in 1 MiB chunks, so memory stays flat.
public enum Layer {
    /// Writes the sources as one layer to `file` and returns its digests; the tar is hashed (diff_id) on
    /// its way into the compressor, and the compressed bytes (digest) on their way to disk.
    /// The bytes depend on the inputs only, never on the number of cores that compress them.
    public static func write(
        _ sources: [LayerSource], to file: String, compression: LayerCompression, mtime: Int64
    ) throws(ImageError) -> LayerBlob {
        try write(sources, to: file, compression: compression, mtime: mtime, workers: sysconf(Int32(_SC_NPROCESSORS_ONLN)))
    }

    /// `write` with `workers` compressing threads.
    static func write(
        _ sources: [LayerSource], to file: String, compression: LayerCompression, mtime: Int64, workers: Int
    ) throws(ImageError) -> LayerBlob {
        let entries = try LayerEntries.collect(sources)
        let output = try BlobFile(creating: file, hashing: compression != .none)
        let workers = max(1, workers)
        // The tar goes to the diff_id hash and to the compressor in blocks: pigz's 128 KiB for gzip
        // (the block size fixes the gzip bytes), 1 MiB elsewhere, where nothing depends on it.
        let blocks = BlockPool(capacity: compression == .gzip ? 1 << 17 : 1 << 20)
        let compressor: LayerCompressor = switch compression {
        case .gzip: .gzip(GzipBlocks(level: 6, workers: workers, blockSize: blocks.capacity))
        case .zstd: .zstd(ZstdStream(level: 3, workers: workers))
        case .none: .none(Channel(capacity: 8))
        }
        // A few MiB ahead of the slowest consumer, whatever the block size.
        let tarBlocks = Channel<Block>(capacity: (8 << 20) / blocks.capacity)
        let diffID = SHA256()
        let failure = FirstFailure()
        let threads = 3 + (compression == .gzip ? workers : compression == .zstd ? 1 : 0)
        Threads.run(threads) { thread in
            do throws(ImageError) {
                switch thread {
                case 0:
                    try produce(entries, mtime: mtime, blocks: blocks, into: compressor, and: tarBlocks)
                case 1:
                    // The diff_id on a thread of its own: hashing is the costliest step after compressing.
                    while let block = tarBlocks.receive() { diffID.update(block.storage, count: block.count) }
                case 2:
                    try compressor.write { (bytes, count) throws(ImageError) in try output.append(bytes, count: count) }
                default:
                    switch compressor {
                    case .gzip(let gzip): try gzip.work()
                    case .zstd(let zstd): try zstd.compress()
                    case .none: break
                    }
                }
            } catch {
                failure.record(error)
                compressor.abandon()
                tarBlocks.cancel()
            }
        }
        if let error = failure.first { throw error }
        let digest = try output.finish()
        let diff = diffID.finish()
        return LayerBlob(
            file: file, diffID: diff, digest: digest ?? diff, size: output.size,
            mediaType: compression.mediaType)
    }

    /// Writes the tar of `entries` (on the calling thread), cut in blocks sent to the compressor and the hasher.
    private static func produce(
        _ entries: [LayerEntry], mtime: Int64, blocks: BlockPool, into compressor: LayerCompressor,
        and hasher: Channel<Block>
    ) throws(ImageError) {
        var block = blocks.take()
        // Set when a consumer stopped: it reports its own failure, the producer only stops.
        var stopped = false
        func send(_ full: Block) throws(ImageError) {
            guard hasher.send(full), compressor.send(full) else {
                stopped = true
                throw .io(path: "", operation: "write the layer", reason: "stopped")
            }
        }
        do throws(ImageError) {
            try ArchiveWriter.withUTF8Names { () throws(ImageError) in
                let tar = try ArchiveWriter.tar(
                    to: ByteSink { (bytes, count) throws(ImageError) in
                        var offset = 0
                        while offset < count {
                            let n = min(count - offset, block.capacity - block.count)
                            (block.storage + block.count).copyMemory(from: bytes + offset, byteCount: n)
                            block.count += n
                            offset += n
                            if block.count == block.capacity {
                                try send(block)
                                block = blocks.take()
                            }
                        }
                    })
                let chunk = 1 << 20
                let buffer = UnsafeMutableRawPointer.allocate(byteCount: chunk, alignment: 16)
                defer { buffer.deallocate() }
                for entry in entries {
                    guard let local = entry.local, !entry.isDirectory else {
                        try tar.writeHeader(path: entry.path, isDirectory: true, size: 0, mode: 0o755, mtime: mtime)
                        continue
                    }
                    try copy(local, as: entry.path, into: tar, mtime: mtime, buffer: buffer, chunk: chunk)
                }
                try tar.close()
            }
            if block.count > 0 {
                try send(block)
                block = blocks.take()
            }
        } catch {
            compressor.abandon()
            hasher.cancel()
            if !stopped { throw error }
            return
        }
        compressor.finish(empty: block)
        hasher.close()
    }

    /// Streams one regular file into the tar; its size must not change while it is read.
    private static func copy(
        _ local: String, as path: String, into tar: ArchiveWriter, mtime: Int64,
        buffer: UnsafeMutableRawPointer, chunk: Int
    ) throws(ImageError) {
        let fd = open(local, O_RDONLY | O_CLOEXEC)
        guard fd >= 0 else { throw .system(local, "open") }
        defer { close(fd) }
        var info = stat()
        guard fstat(fd, &info) == 0 else { throw .system(local, "stat") }
        guard info.st_mode & S_IFMT == S_IFREG else { throw .unsupportedFile(path: local, kind: fileKind(info.st_mode)) }
        let size = Int64(info.st_size)
        try tar.writeHeader(path: path, isDirectory: false, size: size, mode: 0o644, mtime: mtime)
        var remaining = size
        while true {
            let n = read(fd, buffer, chunk)
            if n < 0 {
                if errno == EINTR { continue }
                throw .system(local, "read")
            }
            if n == 0 { break }
            guard Int64(n) <= remaining else { throw .fileChanged(path: local) }
            try tar.writeData(buffer, count: n)
            remaining -= Int64(n)
        }
        guard remaining == 0 else { throw .fileChanged(path: local) }
    }
}

/// What kind of file a mode says, in words for an error message.
func fileKind(_ mode: mode_t) -> String {
    switch mode & S_IFMT {
    case S_IFREG: "regular file"
    case S_IFDIR: "directory"
    case S_IFLNK: "symbolic link"
    case S_IFIFO: "fifo"
    case S_IFSOCK: "socket"
    case S_IFCHR: "character device"
    case S_IFBLK: "block device"
    default: "unknown file type"
    }
}

/// Where the tar blocks go to be compressed and written.
enum LayerCompressor: Sendable {
    case gzip(GzipBlocks)
    case zstd(ZstdStream)
    /// Not compressed: the blocks are written as they are.
    case none(Channel<Block>)

    /// Hands a block over; false when the writer stopped.
    func send(_ block: Block) -> Bool {
        switch self {
        case .gzip(let gzip): gzip.send(block)
        case .zstd(let zstd): zstd.send(block)
        case .none(let blocks): blocks.send(block)
        }
    }

    /// No more blocks; `empty` is an empty block, for a compressor that needs one to end with.
    func finish(empty: Block) {
        switch self {
        case .gzip(let gzip): gzip.finish(empty: empty)
        case .zstd(let zstd): zstd.finish()
        case .none(let blocks): blocks.close()
        }
    }

    /// Someone failed: stop, and let nobody wait.
    func abandon() {
        switch self {
        case .gzip(let gzip): gzip.abandon()
        case .zstd(let zstd): zstd.abandon()
        case .none(let blocks): blocks.cancel()
        }
    }

    /// The writer's loop (on a thread of its own).
    func write(to output: (UnsafeRawPointer, Int) throws(ImageError) -> Void) throws(ImageError) {
        switch self {
        case .gzip(let gzip): try gzip.write(to: output)
        case .zstd(let zstd): try zstd.write(to: output)
        case .none(let blocks):
            while let block = blocks.receive() {
                do throws(ImageError) { try output(block.storage, block.count) } catch {
                    blocks.cancel()
                    throw error
                }
            }
        }
    }
}

/// The first error of several threads.
final class FirstFailure: Sendable {
    private let error = Mutex<ImageError?>(nil)
    func record(_ failure: ImageError) { error.withLock { if $0 == nil { $0 = failure } } }
    var first: ImageError? { error.withLock { $0 } }
}
