// `mox lint`: any extensions image, ours or built elsewhere, checked against what its consumers
// need, for every arch of an index, in any transport skopeo reads.
import Foundation
import ImageSource
import OCI
import Resolve
import SystemPackage

/// Checks an extensions image against the consumer contract (docs/lint-json.md), arch by arch.
public struct Linter {
    /// The image, in a transport skopeo reads.
    public let reference: ImageReference
    /// How skopeo reaches registries.
    public var registry: RegistryOptions
    /// The arches to check, as rpm names them; empty: every linux arch of the image.
    public var arches: [String]
    /// extensions.yaml, the base and where the base's repos are, for the installability check;
    /// nil leaves that check out.
    public var installation: CheckSession?

    public init(reference: ImageReference, registry: RegistryOptions = RegistryOptions(), arches: [String] = [],
                installation: CheckSession? = nil) {
        self.reference = reference
        self.registry = registry
        self.arches = arches
        self.installation = installation
    }

    /// Reads the image and runs every check on each arch. Throws only when nothing can be checked:
    /// an input the user must fix (an image or arch that does not exist, no base for an arch), or
    /// a failing environment; what is wrong with the image itself is in the report.
    /// `working` is told the private directory the run works in (under $TMPDIR, removed when the
    /// run returns), so that a caller can remove it when the run is interrupted.
    public func run(log: (String) -> Void = { _ in }, working: (FilePath) -> Void = { _ in }) throws(LintError) -> LintReport {
        let source = ImageSource(reference, options: registry)
        let platforms = try Self.mapped { () throws(ImageSourceError) in try source.platforms() }
        let chosen = try choose(from: platforms)
        if let installation {
            let missing = chosen.map(\.rpmArchitecture).filter { installation.base.source(for: $0) == nil }
            if !missing.isEmpty {
                throw .invalidInput(missing.map {
                    "no base for \($0), which \(reference) has: add --base-rootfs \($0)=DIR, --base-image \($0)=REF "
                        + "or --base-packages \($0)=FILE"
                })
            }
        }
        let digest = try Self.mapped { () throws(ImageSourceError) in try source.topDigest() }
        let scratch = try Scratch()
        defer { scratch.remove() }
        working(scratch.root)
        var report = LintReport(reference: reference.description, digest: digest, arches: [])
        for platform in chosen {
            let arch = platform.rpmArchitecture
            let directory = try scratch.directory(arch)
            log("\(arch): reading \(reference) (\(platform))")
            let image = try Self.mapped { () throws(ImageSourceError) in
                try source.image(for: platform, scratch: directory.appending("copy"))
            }
            let found = try ArchLinter(image: image, arch: arch, scratch: directory, installation: installation).run(log: log)
            report.arches.append(ArchLint(arch: arch, platform: platform.description, digest: image.digest, checks: found.checks,
                                          warnings: found.warnings))
        }
        return report
    }

    /// The platforms to check: those asked for (each must be in the image), else every linux one.
    private func choose(from platforms: [Platform]) throws(LintError) -> [Platform] {
        var linux: [Platform] = []
        for platform in platforms where platform.os == "linux" && !linux.contains(where: { $0.serves(platform) }) {
            linux.append(platform)
        }
        guard !arches.isEmpty else {
            if linux.isEmpty {
                throw .invalidInput(["\(reference) has no linux image (it has "
                    + (platforms.isEmpty ? "none" : platforms.map(\.description).joined(separator: ", ")) + ")"])
            }
            return linux
        }
        var chosen: [Platform] = []
        var missing: [String] = []
        for arch in arches {
            if let found = linux.first(where: { $0.serves(Platform(rpmArch: arch)) }) { chosen.append(found) } else { missing.append(arch) }
        }
        if !missing.isEmpty {
            throw .invalidInput(missing.map {
                "\(reference) has no image for \($0) (\(Platform(rpmArch: $0))); it has "
                    + (linux.isEmpty ? "none" : linux.map(\.description).joined(separator: ", "))
            })
        }
        return chosen
    }

    /// An image-reading failure as lint's: a reference naming nothing usable, or a document the
    /// image specs do not describe, is the user's input (exit 2); skopeo, the network and the disk
    /// are the environment (exit 3).
    static func mapped<T>(_ body: () throws(ImageSourceError) -> T) throws(LintError) -> T {
        do { return try body() } catch { throw lintError(error) }
    }

    static func lintError(_ error: ImageSourceError) -> LintError {
        if error.isInvalidInput { return .invalidInput(["\(error)"]) }
        if case .invalidDocument = error { return .invalidInput(["\(error)"]) }
        return .environment("\(error)")
    }
}

/// A private working directory for one run, removed at its end.
final class Scratch {
    let root: FilePath

    init() throws(LintError) {
        let base = FilePath(ProcessInfo.processInfo.environment["TMPDIR"].flatMap { $0.isEmpty ? nil : $0 } ?? "/tmp")
        root = base.appending("mox-lint-\(getpid())-\(UInt32.random(in: 0...UInt32.max))")
        guard mkdir(root.string, 0o700) == 0 else {
            throw .environment("\(root): cannot create a working directory: \(String(cString: strerror(errno)))")
        }
    }

    /// A new directory under the root.
    func directory(_ name: String) throws(LintError) -> FilePath {
        let path = root.appending(name)
        guard mkdir(path.string, 0o700) == 0 || errno == EEXIST else {
            throw .environment("\(path): cannot create a working directory: \(String(cString: strerror(errno)))")
        }
        return path
    }

    func remove() {
        try? FileManager.default.removeItem(atPath: root.string)
    }
}
