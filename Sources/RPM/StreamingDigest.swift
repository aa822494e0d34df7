internal import CRPM
import Foundation

/// A digest fed piece by piece (librpm's crypto), so a download is hashed while it is written.
/// One owner at a time: not for sharing between threads.
public final class StreamingDigest {
    /// The algorithm as rpm-md spells it (`sha256`, `sha1`, ...).
    public let algorithm: String
    private var context: OpaquePointer?

    /// rpm-md algorithm names and librpm's numbers for them ("sha" is rpm-md's old name for sha1).
    private static let algorithms: [String: pgpHashAlgo] = [
        "md5": PGPHASHALGO_MD5, "sha": PGPHASHALGO_SHA1, "sha1": PGPHASHALGO_SHA1,
        "sha224": PGPHASHALGO_SHA224, "sha256": PGPHASHALGO_SHA256,
        "sha384": PGPHASHALGO_SHA384, "sha512": PGPHASHALGO_SHA512,
    ]

    /// Starts a digest; nil when librpm has no such algorithm.
    public init?(algorithm: String) {
        RPMConfig.load()
        let name = algorithm.lowercased()
        guard let number = Self.algorithms[name], let context = rpmDigestInit(Int32(number.rawValue), rpmDigestFlags(RPMDIGEST_NONE.rawValue))
        else { return nil }
        self.algorithm = name == "sha" ? "sha1" : name
        self.context = context
    }

    /// Adds bytes to the digest.
    public func update(_ bytes: UnsafeRawBufferPointer) {
        guard let context, let base = bytes.baseAddress, bytes.count > 0 else { return }
        rpmDigestUpdate(context, base, bytes.count)
    }

    /// Ends the digest and returns it as lower-case hex; later calls return "".
    public func finish() -> String {
        guard let context else { return "" }
        self.context = nil
        var hex: UnsafeMutableRawPointer?
        var length = 0
        rpmDigestFinal(context, &hex, &length, 1)
        guard let hex else { return "" }
        defer { free(hex) }
        return String(cString: hex.assumingMemoryBound(to: CChar.self))
    }

    deinit {
        if let context { rpmDigestFinal(context, nil, nil, 0) }
    }
}
