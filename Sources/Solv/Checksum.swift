internal import CSolv
import Foundation

/// A streaming file digest computed with libsolv's checksum code (sha1, sha224, sha256, sha384, sha512, md5).
public struct Checksum: Sendable, Hashable {
    /// The algorithm name as rpm-md spells it (`sha256`, ...).
    public let algorithm: String
    /// Lower-case hex digest.
    public let hex: String

    /// Errors computing a digest.
    public enum Failure: Error, Sendable, Equatable {
        /// rpm-md named an algorithm libsolv does not know.
        case unknownAlgorithm(String)
        /// The file could not be read; carries the path and strerror text.
        case unreadable(path: String, reason: String)
    }

    public init(algorithm: String, hex: String) {
        self.algorithm = algorithm.lowercased()
        self.hex = hex.lowercased()
    }

    /// Hashes a file in 1 MiB chunks, so memory stays flat whatever its size.
    public static func of(file path: String, algorithm: String = "sha256") throws(Failure) -> Checksum {
        let normalized = algorithm.lowercased() == "sha" ? "sha1" : algorithm.lowercased()
        let type = solv_chksum_str2type(normalized)
        guard type != 0, let ctx = solv_chksum_create(type) else { throw .unknownAlgorithm(algorithm) }
        let fd = open(path, O_RDONLY | O_CLOEXEC)
        guard fd >= 0 else {
            solv_chksum_free(ctx, nil)
            throw .unreadable(path: path, reason: String(cString: strerror(errno)))
        }
        defer { close(fd) }
        let size = 1 << 20
        let buffer = UnsafeMutableRawPointer.allocate(byteCount: size, alignment: 16)
        defer { buffer.deallocate() }
        while true {
            let n = read(fd, buffer, size)
            if n < 0 {
                if errno == EINTR { continue }
                solv_chksum_free(ctx, nil)
                throw .unreadable(path: path, reason: String(cString: strerror(errno)))
            }
            if n == 0 { break }
            solv_chksum_add(ctx, buffer, Int32(n))
        }
        return Checksum(algorithm: normalized, hex: finish(ctx))
    }

    /// Hashes bytes in memory.
    public static func of(bytes: [UInt8], algorithm: String = "sha256") throws(Failure) -> Checksum {
        let normalized = algorithm.lowercased() == "sha" ? "sha1" : algorithm.lowercased()
        let type = solv_chksum_str2type(normalized)
        guard type != 0, let ctx = solv_chksum_create(type) else { throw .unknownAlgorithm(algorithm) }
        bytes.withUnsafeBytes { raw in solv_chksum_add(ctx, raw.baseAddress, Int32(raw.count)) }
        return Checksum(algorithm: normalized, hex: finish(ctx))
    }

    private static func finish(_ ctx: OpaquePointer) -> String {
        var length: Int32 = 0
        let raw = solv_chksum_get(ctx, &length)
        var hex = ""
        if let raw {
            for i in 0..<Int(length) { hex += String(format: "%02x", raw[i]) }
        }
        solv_chksum_free(ctx, nil)
        return hex
    }
}
