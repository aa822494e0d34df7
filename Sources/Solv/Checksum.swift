import Foundation
import RPM

/// A digest as rpm-md records it: an algorithm name and lower-case hex.
/// Computed with librpm's crypto (libgcrypt, hardware-accelerated where the CPU can).
public struct Checksum: Sendable, Hashable {
    /// The algorithm name as rpm-md spells it (`sha256`, ...; rpm-md's old `sha` is `sha1`).
    public let algorithm: String
    /// Lower-case hex digest.
    public let hex: String

    /// Errors computing a digest.
    public enum Failure: Error, Sendable, Equatable {
        /// rpm-md named an algorithm librpm does not know.
        case unknownAlgorithm(String)
        /// The file could not be read; carries the path and strerror text.
        case unreadable(path: String, reason: String)
    }

    public init(algorithm: String, hex: String) {
        let name = algorithm.lowercased()
        self.algorithm = name == "sha" ? "sha1" : name
        self.hex = hex.lowercased()
    }

    /// Hashes a file in 1 MiB chunks, so memory stays flat whatever its size.
    public static func of(file path: String, algorithm: String = "sha256") throws(Failure) -> Checksum {
        guard let digest = StreamingDigest(algorithm: algorithm) else { throw .unknownAlgorithm(algorithm) }
        let fd = open(path, O_RDONLY | O_CLOEXEC)
        guard fd >= 0 else { throw .unreadable(path: path, reason: String(cString: strerror(errno))) }
        defer { close(fd) }
        let size = 1 << 20
        let buffer = UnsafeMutableRawPointer.allocate(byteCount: size, alignment: 16)
        defer { buffer.deallocate() }
        while true {
            let n = read(fd, buffer, size)
            if n < 0 {
                if errno == EINTR { continue }
                throw .unreadable(path: path, reason: String(cString: strerror(errno)))
            }
            if n == 0 { break }
            digest.update(UnsafeRawBufferPointer(start: buffer, count: n))
        }
        return Checksum(algorithm: digest.algorithm, hex: digest.finish())
    }

    /// Hashes bytes in memory.
    public static func of(bytes: [UInt8], algorithm: String = "sha256") throws(Failure) -> Checksum {
        guard let digest = StreamingDigest(algorithm: algorithm) else { throw .unknownAlgorithm(algorithm) }
        bytes.withUnsafeBytes { digest.update($0) }
        return Checksum(algorithm: digest.algorithm, hex: digest.finish())
    }
}
