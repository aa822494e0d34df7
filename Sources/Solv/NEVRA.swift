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
        if s.hasSuffix(".rpm") { s = s.dropLast(4) }
        guard let dot = s.lastIndex(of: "."), dot != s.startIndex else { return nil }
        let arch = s[s.index(after: dot)...]
        let nvr = s[..<dot]
        guard let relDash = nvr.lastIndex(of: "-") else { return nil }
        let release = nvr[nvr.index(after: relDash)...]
        let nv = nvr[..<relDash]
        guard let verDash = nv.lastIndex(of: "-") else { return nil }
        var version = nv[nv.index(after: verDash)...]
        let name = nv[..<verDash]
        var epoch: Int? = nil
        if let colon = version.firstIndex(of: ":") {
            guard let e = Int(version[..<colon]) else { return nil }
            epoch = e
            version = version[version.index(after: colon)...]
        }
        guard !name.isEmpty, !version.isEmpty, !release.isEmpty, !arch.isEmpty else { return nil }
        self.init(name: String(name), epoch: epoch, version: String(version), release: String(release), arch: String(arch))
    }

    public static func < (a: NEVRA, b: NEVRA) -> Bool { a.description < b.description }
}

import Foundation
