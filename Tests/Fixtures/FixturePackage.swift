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
    /// The Vendor tag, if any.
    public var vendor: String? = nil

    /// Describes a package; only the name is required.
    public init(
        _ name: String, version: String = "1.0", release: String = "1", epoch: Int? = nil,
        arch: String = "noarch", requires: [String] = [], provides: [String] = [],
        conflicts: [String] = [], obsoletes: [String] = [], recommends: [String] = [],
        files: [String] = [], size: Int = 0
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
        for path in files where !path.hasPrefix("/") || path.contains(where: { $0.isWhitespace || $0 == "'" || $0 == "\"" }) {
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
        if size > 0 {
            lines.append("mkdir -p '%{buildroot}\(Self.payloadDirectory)'")
            lines.append("head -c \(size) /dev/urandom > '%{buildroot}\(payloadPath)'")
        }
        lines += ["", "%files"]
        lines += files.map(literal)
        if size > 0 { lines.append(payloadPath) }
        return lines.joined(separator: "\n") + "\n"
    }
}
