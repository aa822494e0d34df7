internal import CRPM
import Foundation

/// Reads package headers with librpm, checking nothing (verifying is `PackageVerifier`'s job):
/// only the header is read, however large the payload.
enum HeaderReader {
    /// The header of the RPM at `path`; the caller frees it with `headerFree`.
    static func read(file path: String) throws(PackageVerificationError) -> Header {
        var payloadOffset: Int64 = 0
        return try read(file: path, payloadOffset: &payloadOffset)
    }

    /// The header of the RPM at `path`, and where its payload starts (where librpm stopped reading).
    static func read(file path: String, payloadOffset: inout Int64) throws(PackageVerificationError) -> Header {
        RPMConfig.load()
        guard let fd = Fopen(path, "r.ufdio"), Ferror(fd) == 0 else {
            throw .unreadable(path: path, reason: String(cString: strerror(errno)))
        }
        defer { Fclose(fd) }
        guard let ts = unverifyingTransaction() else {
            throw .notAnRPM(path: path, message: "librpm could not create a transaction set")
        }
        defer { rpmtsFree(ts) }
        var header: Header?
        let rc = rpmReadPackageFile(ts, fd, path, &header)
        guard rc == RPMRC_OK || rc == RPMRC_NOKEY || rc == RPMRC_NOTTRUSTED, let header else {
            throw .notAnRPM(path: path, message: "librpm could not read a package header")
        }
        payloadOffset = Int64(Ftell(fd))
        return header
    }

    /// A transaction set that checks no digest or signature, with an empty keyring of its own:
    /// otherwise librpm opens the rpmdb to load one (and Debian's rpm runs a shell to find it).
    static func unverifyingTransaction() -> rpmts? {
        guard let ts = rpmtsCreate() else { return nil }
        if let keyring = rpmKeyringNew() {
            rpmtsSetKeyring(ts, keyring)
            rpmKeyringFree(keyring)
        }
        let none = [RPMVSF_NOSHA1HEADER, RPMVSF_NOSHA256HEADER, RPMVSF_NOPAYLOAD, RPMVSF_NOMD5,
                    RPMVSF_NODSAHEADER, RPMVSF_NORSAHEADER, RPMVSF_NODSA, RPMVSF_NORSA].reduce(0) { $0 | $1.rawValue }
        rpmtsSetVfyFlags(ts, rpmVSFlags(none))
        rpmtsSetVSFlags(ts, rpmVSFlags(none))
        rpmtsSetVfyLevel(ts, 0)
        return ts
    }

    /// A string tag's value, "" when absent.
    static func string(_ header: Header, _ tag: rpmTagVal) -> String {
        headerGetString(header, tag).map { String(cString: $0) } ?? ""
    }

    /// `name-[E:]V-R.arch` of a header, the epoch only when it is not 0.
    static func nevra(_ header: Header) -> String {
        let epoch = headerGetNumber(header, rpmTagVal(RPMTAG_EPOCH.rawValue))
        return string(header, rpmTagVal(RPMTAG_NAME.rawValue)) + "-" + (epoch != 0 ? "\(epoch):" : "")
            + string(header, rpmTagVal(RPMTAG_VERSION.rawValue)) + "-" + string(header, rpmTagVal(RPMTAG_RELEASE.rawValue))
            + "." + string(header, rpmTagVal(RPMTAG_ARCH.rawValue))
    }

    /// Every string of a string or string-array tag, in order; empty when absent.
    static func strings(_ header: Header, _ tag: rpmTagVal) -> [String] {
        values(header, tag) { td in rpmtdNextString(td).map { String(cString: $0) } }
    }

    /// Every number of an integer tag, in order; empty when absent.
    static func numbers(_ header: Header, _ tag: rpmTagVal) -> [UInt64] {
        values(header, tag) { td in rpmtdNext(td) >= 0 ? rpmtdGetNumber(td) : nil }
    }

    /// The values `next` takes from a tag's data, one by one until it returns nil.
    private static func values<T>(_ header: Header, _ tag: rpmTagVal, _ next: (rpmtd) -> T?) -> [T] {
        guard let td = rpmtdNew() else { return [] }
        defer { rpmtdFree(td) }
        guard headerGet(header, tag, td, headerGetFlags(HEADERGET_MINMEM.rawValue)) != 0 else { return [] }
        defer { rpmtdFreeData(td) }
        var values: [T] = []
        while let value = next(td) { values.append(value) }
        return values
    }
}
