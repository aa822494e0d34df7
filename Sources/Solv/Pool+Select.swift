internal import CSolv
import Foundation

/// How a package spec found its packages: dnf's selector tries these in turn and stops at the
/// first that finds any (`NEVRA`, `name.arch`, `name`, `name-version-release`, `name-version`,
/// a glob over the whole NEVRA, then what packages provide, then file paths).
public enum SpecMatch: String, Sendable, Hashable, Codable {
    case nevra = "name-[epoch:]version-release.arch"
    case nameArch = "name.arch"
    case name = "name"
    case nameVersionRelease = "name-[epoch:]version-release"
    case nameVersion = "name-[epoch:]version"
    case nevraGlob = "NEVRA glob"
    case provides = "provides"
    case file = "file path"
}

/// What one package spec selects among the visible repos and the base.
public struct SpecSelection: Sendable {
    /// The form that matched; nil when nothing did.
    public var match: SpecMatch?
    /// Whether the spec holds glob characters (`*`, `?`, `[`).
    public var isGlob: Bool
    /// Matching packages of the visible repos, installable on this arch.
    public var available: [PackageInfo] = []
    /// Matching base packages.
    public var base: [PackageInfo] = []
}

extension Pool {
    /// The packages `spec` names, found as dnf's selector finds them (libdnf's `filterSubject`):
    /// the NEVRA forms (each part may be a glob), a glob over the whole NEVRA, provides (a name, a
    /// glob or `name OP version`), then file paths (`/usr/bin/sar`, `/usr/*/genprotimg`).
    /// Without `base`, base packages are left out, as if the base were not installed.
    public func select(spec: String, in visible: Set<String>, base: Bool = true) -> SpecSelection {
        index(visible: visible)
        let glob = Self.isGlob(spec)
        var selection = SpecSelection(match: nil, isGlob: glob)
        var found: [Id] = []
        for form in SpecForm.allCases {
            guard let parsed = SpecForm.parse(spec, as: form) else { continue }
            found = matching(parsed, base: base)
            if !found.isEmpty {
                selection.match = form.match
                break
            }
        }
        if found.isEmpty, !spec.contains(where: SpecForm.forbidden.contains) {
            found = visibleSolvables(base: base).filter { fnmatch(spec, nevraText(of: $0, epoch: spec.contains(":")), 0) == 0 }
            if !found.isEmpty { selection.match = .nevraGlob }
        }
        if found.isEmpty {
            found = usable(base: base, select(spec, flags: SELECTION_PROVIDES | SELECTION_REL | (glob ? SELECTION_GLOB : 0)))
            if !found.isEmpty { selection.match = .provides }
        }
        if found.isEmpty, spec.hasPrefix("/") || spec.hasPrefix("*/") {
            found = usable(base: base, select(spec, flags: SELECTION_FILELIST | (glob ? SELECTION_GLOB : 0)))
            if !found.isEmpty { selection.match = .file }
        }
        selection.base = found.filter(isInstalled).map(info)
        selection.available = found.filter { !isInstalled($0) }.map(info)
        return selection
    }

    /// Whether `text` holds shell glob characters.
    public static func isGlob(_ text: String) -> Bool {
        text.contains { $0 == "*" || $0 == "?" || $0 == "[" }
    }

    /// Solvables a parsed NEVRA form matches: the name through libsolv, the rest with fnmatch.
    private func matching(_ parsed: SpecForm.Parsed, base: Bool) -> [Id] {
        let byName: [Id]
        if parsed.name == "*" {
            byName = visibleSolvables(base: base)
        } else {
            byName = usable(base: base, select(parsed.name, flags: SELECTION_NAME | (Self.isGlob(parsed.name) ? SELECTION_GLOB : 0)))
        }
        let needsEVR = parsed.epoch != nil || parsed.version != nil || parsed.release != nil
        return byName.filter { p in
            if let arch = parsed.arch, arch != "*", fnmatch(arch, string(solvable(p).pointee.arch), 0) != 0 {
                return false
            }
            guard needsEVR else { return true }
            let n = nevra(p)
            if let epoch = parsed.epoch, (n.epoch ?? 0) != epoch { return false }
            if let version = parsed.version, version != "*", fnmatch(version, n.version, 0) != 0 { return false }
            if let release = parsed.release, release != "*", fnmatch(release, n.release, 0) != 0 { return false }
            return true
        }
    }

    /// Of `ids`, the base packages and the visible repo packages this arch can install.
    private func usable(base: Bool, _ ids: [Id]) -> [Id] {
        ids.filter { isInstalled($0) ? base : (archIsCompatible($0) && mox_map_tst(&considered, $0) != 0) }
    }

    /// The base packages and every visible repo package this arch can install.
    private func visibleSolvables(base: Bool) -> [Id] {
        var ids: [Id] = []
        for p in 2..<mox_nsolvables(raw) where solvable(p).pointee.repo != nil {
            if isInstalled(p) ? base : (mox_map_tst(&considered, p) != 0 && archIsCompatible(p)) { ids.append(p) }
        }
        return ids
    }

    /// `name-[E:]V-R.arch`, the epoch shown when asked for (when the pattern has one) or non-zero.
    private func nevraText(of p: Id, epoch: Bool) -> String {
        let n = nevra(p)
        let e = epoch ? "\(n.epoch ?? 0):" : (n.epoch.map { $0 != 0 ? "\($0):" : "" } ?? "")
        return "\(n.name)-\(e)\(n.version)-\(n.release).\(n.arch)"
    }
}

/// The NEVRA forms of a package spec, most specific first, as libdnf's `HY_FORMS_MOST_SPEC`.
enum SpecForm: CaseIterable {
    case nevra, nameArch, name, nameVersionRelease, nameVersion

    /// The parts a form split a spec into; nil parts are not constrained.
    struct Parsed {
        var name: String
        var epoch: Int?
        var version: String?
        var release: String?
        var arch: String?
    }

    var match: SpecMatch {
        switch self {
        case .nevra: .nevra
        case .nameArch: .nameArch
        case .name: .name
        case .nameVersionRelease: .nameVersionRelease
        case .nameVersion: .nameVersion
        }
    }

    /// Characters no part of a NEVRA may hold (they belong to dependencies and paths).
    static let forbidden = Set("(/=<> ")

    /// Splits `spec` as `form` reads it, or nil when it does not have that shape.
    static func parse(_ spec: String, as form: SpecForm) -> Parsed? {
        guard !spec.isEmpty, !spec.contains(where: forbidden.contains) else { return nil }
        var rest = Substring(spec)
        var arch: String? = nil
        if form == .nevra || form == .nameArch {
            guard let dot = rest.lastIndex(of: ".") else { return nil }
            let text = rest[rest.index(after: dot)...]
            guard !text.isEmpty, !text.contains("-"), !text.contains(":") else { return nil }
            arch = String(text)
            rest = rest[..<dot]
        }
        var release: String? = nil
        if form == .nevra || form == .nameVersionRelease {
            guard let dash = rest.lastIndex(of: "-") else { return nil }
            let text = rest[rest.index(after: dash)...]
            guard !text.isEmpty, !text.contains(":") else { return nil }
            release = String(text)
            rest = rest[..<dash]
        }
        var version: String? = nil
        var epoch: Int? = nil
        if form != .name && form != .nameArch {
            guard let dash = rest.lastIndex(of: "-") else { return nil }
            var text = rest[rest.index(after: dash)...]
            if let colon = text.firstIndex(of: ":") {
                guard let number = Int(text[..<colon]), text[..<colon].allSatisfy(\.isASCII) else { return nil }
                epoch = number
                text = text[text.index(after: colon)...]
            }
            guard !text.isEmpty, !text.contains(":") else { return nil }
            version = String(text)
            rest = rest[..<dash]
        }
        guard !rest.isEmpty, !rest.contains(":") else { return nil }
        return Parsed(name: String(rest), epoch: epoch, version: version, release: release, arch: arch)
    }
}
