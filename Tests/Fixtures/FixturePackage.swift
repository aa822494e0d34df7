// FixturePackage: the description of one test RPM, and the spec file rpmbuild makes from it.
import Foundation

/// One RPM to build for a test: its identity, its dependencies and the files it owns.
public struct FixturePackage: Sendable, Hashable {
    /// The package name.
    public var name: String
    /// The version (the V of EVR).
    public var version: String = "1.0"
    /// The release (the R of EVR).
    public var release: String = "1"
    /// The epoch, or nil for none (which rpm treats as 0).
    public var epoch: Int? = nil
    /// "noarch", "x86_64", "aarch64", "s390x" or "ppc64le".
    public var arch: String = "noarch"
    /// Requires, one dependency each: "libfoo >= 2.0", "/usr/bin/foo", "(a or b)".
    public var requires: [String] = []
    /// Provides besides the package's own name (which rpm adds).
    public var provides: [String] = []
    /// Conflicts.
    public var conflicts: [String] = []
    /// Obsoletes.
    public var obsoletes: [String] = []
    /// Recommends (weak dependencies).
    public var recommends: [String] = []
    /// Absolute paths the package owns; each becomes a small file containing its own path.
    public var files: [String] = []
    /// Bytes of pseudo-random payload (one extra file), to make packages heavy for benchmarks.
    public var size: Int = 0
    /// Files with more to say than their path: content, type, mode, owner, `%config`, `%ghost`.
    public var entries: [FixtureFile] = []
    /// Scriptlets by section name without the `%` (`post`, `preun`, `posttrans`), each a shell body.
    public var scriptlets: [String: String] = [:]
    /// The Vendor tag, if any.
    public var vendor: String? = nil

    /// Describes a package; only the name is required.
    public init(
        _ name: String, version: String = "1.0", release: String = "1", epoch: Int? = nil,
        arch: String = "noarch", requires: [String] = [], provides: [String] = [],
        conflicts: [String] = [], obsoletes: [String] = [], recommends: [String] = [],
        files: [String] = [], size: Int = 0, entries: [FixtureFile] = [], scriptlets: [String: String] = [:]
    ) {
        self.name = name
        self.version = version
        self.release = release
        self.epoch = epoch
        self.arch = arch
        self.requires = requires
        self.provides = provides
        self.conflicts = conflicts
        self.obsoletes = obsoletes
        self.recommends = recommends
        self.files = files
        self.size = size
        self.entries = entries
        self.scriptlets = scriptlets
    }

    /// "name-[E:]V-R.arch", the way rpm and dnf print a package.
    public var nevra: String {
        let e = epoch.map { "\($0):" } ?? ""
        return "\(name)-\(e)\(version)-\(release).\(arch)"
    }

    /// "[E:]V-R", for comparing with what a resolver picked.
    public var evr: String {
        let e = epoch.map { "\($0):" } ?? ""
        return "\(e)\(version)-\(release)"
    }

    /// The file name rpmbuild gives the package ("name-V-R.arch.rpm"; the epoch is not in it).
    public var fileName: String { "\(name)-\(version)-\(release).\(arch).rpm" }

    /// Where the `size` payload goes: unique per name and arch so packages never share it.
    var payloadPath: String { "\(Self.payloadDirectory)/\(name).\(arch).bin" }
    static let payloadDirectory = "/usr/share/fixture-payload"

    /// Rejects what the spec file could not express, before rpmbuild gives a vaguer error.
    func validate() throws {
        func fail(_ reason: String) -> FixtureError { .invalidPackage(name: name, reason: reason) }
        let plain = CharacterSet.alphanumerics.union(CharacterSet(charactersIn: "._+-~^"))
        for (field, value) in [("name", name), ("version", version), ("release", release), ("arch", arch)] {
            if value.isEmpty || value.unicodeScalars.contains(where: { !plain.contains($0) }) {
                throw fail("\(field) '\(value)' is empty or has characters rpm does not allow")
            }
        }
        if version.contains("-") || release.contains("-") {
            throw fail("version and release must not contain '-'")
        }
        if let epoch, epoch < 0 { throw fail("epoch must not be negative") }
        if size < 0 { throw fail("size must not be negative") }
        for path in files + entries.map(\.path) where !path.hasPrefix("/") || path.contains(where: { $0.isWhitespace || $0 == "'" || $0 == "\"" }) {
            throw fail("file '\(path)' must be an absolute path without spaces or quotes")
        }
    }

    /// The spec file: no sources, no build step; %install writes the owned files.
    var specFile: String {
        // '%' would start a macro in a dependency or path: double it so rpm takes it literally.
        func literal(_ s: String) -> String { s.replacingOccurrences(of: "%", with: "%%") }
        var lines = [
            "Name: \(name)",
            "Version: \(version)",
            "Release: \(release)",
        ]
        if let epoch { lines.append("Epoch: \(epoch)") }
        if let vendor { lines.append("Vendor: \(vendor)") }
        lines += [
            "Summary: Test fixture \(name)",
            "License: MIT",
            // Only the dependencies the test asked for: no automatic ones from file contents.
            "AutoReqProv: no",
        ]
        if arch == "noarch" { lines.append("BuildArch: noarch") }
        let tagged: [(String, [String])] = [
            ("Requires", requires), ("Provides", provides), ("Conflicts", conflicts),
            ("Obsoletes", obsoletes), ("Recommends", recommends),
        ]
        for (tag, values) in tagged {
            lines += values.map { "\(tag): \(literal($0))" }
        }
        lines += ["", "%description", "Test fixture package \(name).", "", "%install"]
        for path in files {
            let file = literal(path)
            lines.append("mkdir -p \"%{buildroot}$(dirname '\(file)')\"")
            lines.append("printf '%%s\\n' '\(file)' > '%{buildroot}\(file)'")
        }
        for entry in entries { lines += entry.installCommands }
        if size > 0 {
            lines.append("mkdir -p '%{buildroot}\(Self.payloadDirectory)'")
            lines.append("head -c \(size) /dev/urandom > '%{buildroot}\(payloadPath)'")
        }
        lines += ["", "%files"]
        lines += files.map(literal)
        lines += entries.map(\.filesLine)
        if size > 0 { lines.append(payloadPath) }
        for (section, body) in scriptlets.sorted(by: { $0.key < $1.key }) {
            lines += ["", "%\(section)", body]
        }
        return lines.joined(separator: "\n") + "\n"
    }
}

/// One file of a fixture package with its content and attributes, as a spec file writes them.
public struct FixtureFile: Sendable, Hashable {
    /// What is at the path.
    public enum Content: Sendable, Hashable {
        /// A regular file with this text (and a final newline).
        case text(String)
        case directory
        case symlink(String)
        /// A minimal ELF header of a 32-bit i386 or 64-bit x86-64 executable: rpmbuild colors the
        /// file 1 (ELF32) or 2 (ELF64), as it does multilib binaries.
        case elf32, elf64
    }
    public var path: String
    public var content: Content
    /// Octal permissions (`0644`); nil: rpmbuild's default.
    public var mode: String?
    public var user: String?
    public var group: String?
    /// `%config`, `%config(noreplace)` or `%ghost` (a ghost is listed, not installed).
    public var attribute: String?

    public init(_ path: String, _ content: Content = .text("content"), mode: String? = nil, user: String? = nil,
                group: String? = nil, attribute: String? = nil) {
        self.path = path
        self.content = content
        self.mode = mode
        self.user = user
        self.group = group
        self.attribute = attribute
    }

    /// The %install lines that put it in the buildroot (none for a ghost).
    var installCommands: [String] {
        if attribute == "%ghost" { return [] }
        let target = "'%{buildroot}\(path)'"
        let parent = "mkdir -p \"%{buildroot}$(dirname '\(path)')\""
        switch content {
        case .text(let text): return [parent, "printf '%%s\\n' '\(text.replacingOccurrences(of: "%", with: "%%"))' > \(target)"]
        case .directory: return ["mkdir -p \(target)"]
        case .symlink(let to): return [parent, "ln -s '\(to)' \(target)"]
        case .elf32: return [parent, "printf '\(Self.escaped(Self.elfHeader(bits: 32)))' > \(target)"]
        case .elf64: return [parent, "printf '\(Self.escaped(Self.elfHeader(bits: 64)))' > \(target)"]
        }
    }

    /// The %files line: `%attr(...)`, the attribute, `%dir` for a directory, the path.
    var filesLine: String {
        var parts: [String] = []
        if mode != nil || user != nil || group != nil {
            parts.append("%attr(\(mode ?? "-"),\(user ?? "-"),\(group ?? "-"))")
        }
        if let attribute { parts.append(attribute) }
        if content == .directory { parts.append("%dir") }
        parts.append(path)
        return parts.joined(separator: " ")
    }

    /// The 52- or 64-byte header of an ELF executable, all the type detection rpmbuild does looks at.
    static func elfHeader(bits: Int) -> [UInt8] {
        func little(_ value: Int, _ width: Int) -> [UInt8] { (0..<width).map { UInt8((value >> (8 * $0)) & 0xFF) } }
        let wide = bits == 64
        var bytes: [UInt8] = [0x7F, 0x45, 0x4C, 0x46, wide ? 2 : 1, 1, 1, 0] + Array(repeating: 0, count: 8)
        bytes += little(2, 2) + little(wide ? 0x3E : 3, 2) + little(1, 4)           // executable, machine, version
        bytes += Array(repeating: 0, count: wide ? 24 : 12) + little(0, 4)          // entry, phoff, shoff; flags
        bytes += little(wide ? 64 : 52, 2) + Array(repeating: 0, count: 10)          // header size; the tables
        return bytes
    }

    /// Bytes as printf octal escapes.
    static func escaped(_ bytes: [UInt8]) -> String {
        bytes.map { "\\" + String(repeating: "0", count: 3 - String($0, radix: 8).count) + String($0, radix: 8) }.joined()
    }
}
