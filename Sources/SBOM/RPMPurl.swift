/// The package URL of an RPM, as hermeto writes it for the packages it prefetched:
/// `pkg:rpm/<namespace>/<name>@<version>-<release>?arch=<arch>&epoch=<e>&repository_id=<id>`,
/// the namespace taken from the package's vendor (omitted when it has none), the epoch only when
/// it is not 0, qualifiers sorted by key as the purl spec asks.
public enum RPMPurl {
    /// The namespace hermeto derives from an RPM's Vendor tag: `redhat`, `fedora`, `suse` for
    /// vendors naming them, else the vendor lower-cased with spaces as `_`; nil without a vendor.
    public static func namespace(vendor: String?) -> String? {
        guard let vendor, !vendor.isEmpty else { return nil }
        for (marker, namespace) in [("Red Hat", "redhat"), ("Fedora", "fedora"), ("SUSE", "suse")] where vendor.contains(marker) {
            return namespace
        }
        return vendor.lowercased().replacingOccurrences(of: " ", with: "_")
    }

    public static func purl(name: String, epoch: Int, version: String, release: String, arch: String,
                            vendor: String?, repositoryID: String?) -> String {
        var text = "pkg:rpm/"
        if let namespace = namespace(vendor: vendor) { text += encode(namespace) + "/" }
        text += encode(name) + "@" + encode("\(version)-\(release)")
        var qualifiers: [(String, String)] = [("arch", arch)]
        if epoch != 0 { qualifiers.append(("epoch", String(epoch))) }
        if let repositoryID, !repositoryID.isEmpty { qualifiers.append(("repository_id", repositoryID)) }
        text += "?" + qualifiers.sorted { $0.0 < $1.0 }.map { "\($0.0)=\(encode($0.1))" }.joined(separator: "&")
        return text
    }

    /// Percent-encodes all but the characters purl components may hold as they are.
    static func encode(_ text: String) -> String {
        var out = ""
        for byte in text.utf8 {
            switch byte {
            case UInt8(ascii: "a")...UInt8(ascii: "z"), UInt8(ascii: "A")...UInt8(ascii: "Z"),
                 UInt8(ascii: "0")...UInt8(ascii: "9"), UInt8(ascii: "."), UInt8(ascii: "-"), UInt8(ascii: "_"),
                 UInt8(ascii: "~"), UInt8(ascii: ":"):
                out.unicodeScalars.append(Unicode.Scalar(byte))
            default:
                out += "%" + String(byte, radix: 16, uppercase: true).leftPadded(to: 2)
            }
        }
        return out
    }
}

extension String {
    fileprivate func leftPadded(to width: Int) -> String {
        count >= width ? self : String(repeating: "0", count: width - count) + self
    }
}
