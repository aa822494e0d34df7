/// A package identity: name, epoch, version, release, architecture.
public struct NEVRA: Sendable, Hashable, Comparable, CustomStringConvertible {
    public var name: String
    /// nil when the package has no epoch (rpm treats that as 0).
    public var epoch: Int?
    public var version: String
    public var release: String
    public var arch: String

    public init(name: String, epoch: Int? = nil, version: String, release: String, arch: String) {
        self.name = name
        self.epoch = epoch
        self.version = version
        self.release = release
        self.arch = arch
    }

    /// `[E:]V-R`, the epoch shown only when non-zero, as rpm and libsolv print it.
    public var evr: String {
        if let epoch, epoch != 0 { return "\(epoch):\(version)-\(release)" }
        return "\(version)-\(release)"
    }

    /// `name-[E:]V-R.arch`.
    public var description: String { "\(name)-\(evr).\(arch)" }

    /// The RPM file name this package has by convention (epoch never appears in it).
    public var fileName: String { "\(name)-\(version)-\(release).\(arch).rpm" }

    /// Parses `name-[E:]V-R.arch`, also accepting a trailing `.rpm`. nil if it is not of that shape.
    public init?(parsing text: String) {
        var s = Substring(text)
        // Trimming through Foundation is slow; most text has nothing to trim.
        if s.first?.isWhitespace == true || s.last?.isWhitespace == true {
            s = Substring(text.trimmingCharacters(in: .whitespaces))
        }
        // The separators are ASCII: looked for in the UTF-8 bytes, not character by character
        // (modules list thousands of NEVRAs; bytes are many times faster).
        let bytes = s.utf8
        if bytes.count > 4, bytes.suffix(4).elementsEqual(".rpm".utf8) { s = s.dropLast(4) }
        let utf8 = s.utf8
        guard let dot = utf8.lastIndex(of: UInt8(ascii: ".")), dot != utf8.startIndex else { return nil }
        let arch = s[utf8.index(after: dot)...]
        let nvr = s[..<dot]
        guard let relDash = nvr.utf8.lastIndex(of: UInt8(ascii: "-")) else { return nil }
        let release = nvr[nvr.utf8.index(after: relDash)...]
        let nv = nvr[..<relDash]
        guard let verDash = nv.utf8.lastIndex(of: UInt8(ascii: "-")) else { return nil }
        var version = nv[nv.utf8.index(after: verDash)...]
        let name = nv[..<verDash]
        var epoch: Int? = nil
        if let colon = version.utf8.firstIndex(of: UInt8(ascii: ":")) {
            guard let e = Int(version[..<colon]) else { return nil }
            epoch = e
            version = version[version.utf8.index(after: colon)...]
        }
        guard !name.isEmpty, !version.isEmpty, !release.isEmpty, !arch.isEmpty else { return nil }
        self.init(name: String(name), epoch: epoch, version: String(version), release: String(release), arch: String(arch))
    }

    /// Ordered as their `description`s are, mostly without building them: sorting thousands of
    /// packages compares far more often than it has packages, and names usually decide.
    public static func < (a: NEVRA, b: NEVRA) -> Bool {
        if let order = nameOrder(a, b) { return order }
        return a.description < b.description
    }

    /// The order of `a` and `b` when their names decide it in plain ASCII (`name-` is how each
    /// description starts); nil when the rest of the descriptions must be compared.
    private static func nameOrder(_ a: NEVRA, _ b: NEVRA) -> Bool? {
        let order = a.name.utf8.withContiguousStorageIfAvailable { x in
            b.name.utf8.withContiguousStorageIfAvailable { y -> Bool? in
                let common = min(x.count, y.count)
                var i = 0
                while i < common, x[i] == y[i] {
                    if x[i] >= 0x80 { return nil }
                    i += 1
                }
                // Past the shorter name, its description goes on with "-".
                let p = i < x.count ? x[i] : UInt8(ascii: "-")
                let q = i < y.count ? y[i] : UInt8(ascii: "-")
                guard p != q, p < 0x80, q < 0x80 else { return nil }
                return p < q
            }
        }
        // Nil from either view (a string not stored as UTF-8) or from the bytes: undecided.
        guard case .some(.some(.some(let decided))) = order else { return nil }
        return decided
    }
}
