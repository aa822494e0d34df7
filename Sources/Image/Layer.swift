// The layer tarball: a reproducible tar of the composed tree, compressed and hashed in one pass.
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
    public static func write(
        _ sources: [LayerSource], to file: String, compression: LayerCompression, mtime: Int64
    ) throws(ImageError) -> LayerBlob {
        let entries = try LayerEntries.collect(sources)
        return try ArchiveWriter.withUTF8Names { () throws(ImageError) in
            try write(entries, to: file, compression: compression, mtime: mtime)
        }
    }

    private static func write(
        _ entries: [LayerEntry], to file: String, compression: LayerCompression, mtime: Int64
    ) throws(ImageError) -> LayerBlob {
        let output = try BlobFile(creating: file, hashing: compression != .none)
        let compressor: ArchiveWriter? =
            compression == .none
            ? nil : try ArchiveWriter.compressor(compression, to: ByteSink(output.append))
        let diffID = SHA256()
        let tar = try ArchiveWriter.tar(
            to: ByteSink { (bytes, count) throws(ImageError) in
                diffID.update(bytes, count: count)
                if let compressor {
                    try compressor.writeData(bytes, count: count)
                } else {
                    try output.append(bytes, count: count)
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
        try compressor?.close()
        let digest = try output.finish()
        let diff = diffID.finish()
        return LayerBlob(
            file: file, diffID: diff, digest: digest ?? diff, size: output.size,
            mediaType: compression.mediaType)
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
