internal import CRPM
import Foundation

/// Who a package file says it is: the NEVRA in its own header, to compare with what the repo
/// metadata claims (a repo could serve package B under package A's name and checksum).
public struct PackageHeader: Sendable, Hashable, CustomStringConvertible {
    public var name: String
    /// nil when the header has no epoch.
    public var epoch: Int?
    public var version: String
    public var release: String
    public var arch: String
    /// Where the payload starts in the file (past the lead and both headers); 0 when not read from a file.
    public var payloadOffset: Int64 = 0
    /// The digest the header gives for the payload (rpm 4.14 and later): algorithm as rpm-md
    /// spells it (`sha256`) and lower-case hex; nil when the header has none.
    public var payloadDigest: (algorithm: String, hex: String)? = nil

    public init(name: String, epoch: Int?, version: String, release: String, arch: String) {
        self.name = name
        self.epoch = epoch
        self.version = version
        self.release = release
        self.arch = arch
    }

    public static func == (a: PackageHeader, b: PackageHeader) -> Bool {
        a.name == b.name && a.epoch == b.epoch && a.version == b.version && a.release == b.release && a.arch == b.arch
    }

    public func hash(into hasher: inout Hasher) {
        hasher.combine(description)
    }

    /// librpm's numbers for the payload digest algorithms (OpenPGP's), as rpm-md names them.
    private static let digestNames: [Int: String] = [1: "md5", 2: "sha1", 8: "sha256", 9: "sha384", 10: "sha512", 11: "sha224"]

    /// `name-[E:]V-R.arch`, the epoch shown only when non-zero.
    public var description: String {
        let e = (epoch ?? 0) != 0 ? "\(epoch!):" : ""
        return "\(name)-\(e)\(version)-\(release).\(arch)"
    }

    /// Reads the header of an RPM file without checking digests or signatures (that is
    /// `PackageVerifier`'s job); only the header is read, however large the payload.
    public static func read(file path: String) throws(PackageVerificationError) -> PackageHeader {
        var payloadOffset: Int64 = 0
        let header = try HeaderReader.read(file: path, payloadOffset: &payloadOffset)
        defer { headerFree(header) }
        func text(_ tag: rpmTag) -> String { HeaderReader.string(header, rpmTagVal(tag.rawValue)) }
        let epoch: Int? = headerIsEntry(header, rpmTagVal(RPMTAG_EPOCH.rawValue)) != 0
            ? Int(headerGetNumber(header, rpmTagVal(RPMTAG_EPOCH.rawValue))) : nil
        var read = PackageHeader(name: text(RPMTAG_NAME), epoch: epoch, version: text(RPMTAG_VERSION),
                                 release: text(RPMTAG_RELEASE), arch: text(RPMTAG_ARCH))
        read.payloadOffset = payloadOffset
        let digest = text(RPMTAG_PAYLOADDIGEST)
        let algorithm = headerIsEntry(header, rpmTagVal(RPMTAG_PAYLOADDIGESTALGO.rawValue)) != 0
            ? Int(headerGetNumber(header, rpmTagVal(RPMTAG_PAYLOADDIGESTALGO.rawValue))) : 8
        if !digest.isEmpty, payloadOffset > 0, let name = digestNames[algorithm] {
            read.payloadDigest = (name, digest.lowercased())
        }
        return read
    }
}
