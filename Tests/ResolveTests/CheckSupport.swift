// Runs the library's check on the shared CheckWorld with a manifest made in code.
import Fixtures
import Foundation
import Manifest
import Resolve

/// Checks `extensions` against the shared world's base (or `base`) for each of `arches`.
/// `repos` are the file's top-level repos, visible to every extension.
func check(_ extensions: [Extension], repos: [String] = ["os"], arches: [String] = ["x86_64"],
           base: BaseSource? = nil) throws -> [ArchReport] {
    let world = try CheckWorld.get()
    let manifest = ExtensionsFile(path: "extensions.yaml", repos: repos, extensions: extensions)
    let session = CheckSession(manifest: manifest, reposDirectory: world.reposDirectory.path, repoOverrides: [],
                               releasever: nil, base: BaseSelection(shared: base ?? .rootfs(world.rootfs.path)),
                               cacheDirectory: nil)
    return try session.check(arches: arches)
}

/// The result of the one extension named `name` on the single architecture checked.
func result(_ name: String, in reports: [ArchReport]) throws -> ExtensionResult {
    guard reports.count == 1, let found = reports[0].extensions.first(where: { $0.name == name }) else {
        throw TestSetupError("no single-arch result for extension '\(name)'")
    }
    return found
}

/// Checks one extension on x86_64 and returns its result.
func checkOne(_ ext: Extension, repos: [String] = ["os"]) throws -> ExtensionResult {
    try result(ext.name, in: check([ext], repos: repos))
}

struct TestSetupError: Error, CustomStringConvertible {
    let description: String
    init(_ description: String) { self.description = description }
}

extension ExtensionResult {
    /// NEVRAs of the resolved packages, as a set.
    var nevras: Set<String> { Set(packages.map(\.package.nevra.description)) }
    /// Every failure's message, details and solutions in one text, for "names X" checks.
    var failureText: String {
        failures.map { ([$0.message] + $0.details + $0.solutions.flatMap { $0 }).joined(separator: "\n") }
            .joined(separator: "\n")
    }
    /// The resolved package with `name`, if any.
    func package(_ name: String) -> ResolvedPackage? { packages.first { $0.package.nevra.name == name } }
}
