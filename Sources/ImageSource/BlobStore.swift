// Where an image's blobs are on disk: an OCI layout's blobs/ALG/HEX, or skopeo's dir: format.
import Foundation
import RPM
import SystemPackage

/// A directory holding an image's blobs as files.
struct BlobStore: Sendable {
    /// The two on-disk shapes.
    enum Shape: Sendable {
        /// An OCI image layout: `blobs/sha256/HEX`, `index.json`.
        case ociLayout
        /// skopeo's `dir:` format: `manifest.json`, each other blob at `HEX`.
        case dir
    }

    let directory: FilePath
    let shape: Shape
    /// The reference, for messages.
    let reference: String

    /// The file of the blob `digest` (`sha256:HEX`).
    func path(of digest: String) throws(ImageSourceError) -> FilePath {
        let parts = digest.split(separator: ":", maxSplits: 1)
        guard parts.count == 2, parts[0].allSatisfy({ $0.isLetter || $0.isNumber }),
              !parts[1].isEmpty, parts[1].allSatisfy(\.isHexDigit) else {
            throw .invalidDocument(reference: reference, what: "descriptor", reason: "'\(digest)' is not a digest")
        }
        switch shape {
        case .ociLayout: return directory.appending(["blobs", String(parts[0]), String(parts[1])].map { FilePath.Component($0)! })
        case .dir: return directory.appending(String(parts[1]))
        }
    }

    /// A small blob (manifest, config), read whole and checked against its digest.
    func read(_ digest: String) throws(ImageSourceError) -> Data {
        let file = try path(of: digest)
        guard let data = FileManager.default.contents(atPath: file.string) else {
            throw .io(path: file, reason: "blob \(digest) of \(reference) is missing")
        }
        try Self.check(data, is: digest, reference: reference)
        return data
    }

    /// Throws unless `data` has `digest`.
    static func check(_ data: Data, is digest: String, reference: String) throws(ImageSourceError) {
        let found = Self.digest(of: data, algorithm: digest.split(separator: ":").first.map(String.init) ?? "sha256")
        guard found == digest else { throw .digestMismatch(reference: reference, digest: digest, found: found) }
    }

    /// `ALG:HEX` of `data`.
    static func digest(of data: Data, algorithm: String = "sha256") -> String {
        guard let hasher = StreamingDigest(algorithm: algorithm) else { return "unsupported algorithm \(algorithm)" }
        data.withUnsafeBytes { hasher.update($0) }
        return "\(hasher.algorithm):\(hasher.finish())"
    }
}
