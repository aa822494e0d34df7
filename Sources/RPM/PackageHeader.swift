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

    public init(name: String, epoch: Int?, version: String, release: String, arch: String) {
        self.name = name
        self.epoch = epoch
        self.version = version
        self.release = release
        self.arch = arch
    }

    /// `name-[E:]V-R.arch`, the epoch shown only when non-zero.
    public var description: String {
        let e = (epoch ?? 0) != 0 ? "\(epoch!):" : ""
        return "\(name)-\(e)\(version)-\(release).\(arch)"
    }

    /// Reads the header of an RPM file without checking digests or signatures (that is
    /// `PackageVerifier`'s job); only the header is read, however large the payload.
    public static func read(file path: String) throws(PackageVerificationError) -> PackageHeader {
        let header = try HeaderReader.read(file: path)
        defer { headerFree(header) }
        func text(_ tag: rpmTag) -> String { HeaderReader.string(header, rpmTagVal(tag.rawValue)) }
        let epoch: Int? = headerIsEntry(header, rpmTagVal(RPMTAG_EPOCH.rawValue)) != 0
            ? Int(headerGetNumber(header, rpmTagVal(RPMTAG_EPOCH.rawValue))) : nil
        return PackageHeader(name: text(RPMTAG_NAME), epoch: epoch, version: text(RPMTAG_VERSION),
                             release: text(RPMTAG_RELEASE), arch: text(RPMTAG_ARCH))
    }
}
