// The rules real EL repos exercise, on ModularWorld: module streams, module_hotfixes, multilib and
// every form of package spec.
import Fixtures
import Foundation
import Manifest
import Resolve
import Testing

/// Checks `extensions` on x86_64 against ModularWorld's base; `repos` are the top-level repos.
private func checkEL(_ extensions: [Extension], repos: [String] = ["os", "appstream"],
                     modules: ModuleRequests = .none) throws -> [ArchReport] {
    let world = try ModularWorld.get()
    let manifest = ExtensionsFile(path: "extensions.yaml", repos: repos, modules: modules, extensions: extensions)
    let session = CheckSession(manifest: manifest, reposDirectory: world.reposDirectory.path, repoOverrides: [],
                               releasever: nil, base: BaseSelection(shared: .rootfs(world.rootfs.path)),
                               cacheDirectory: nil)
    return try session.check(arches: ["x86_64"])
}

private func checkOneEL(_ ext: Extension, repos: [String] = ["os", "appstream"],
                        modules: ModuleRequests = .none) throws -> ExtensionResult {
    try result(ext.name, in: checkEL([ext], repos: repos, modules: modules))
}

@Suite("module streams as libdnf applies them", .serialized)
struct ModuleStreamTests {
    typealias W = ModularWorld

    @Test func withNoStreamEnabledTheNonModularBuildIsTaken() throws {
        let got = try checkOneEL(Extension(name: "node", packages: [W.nodejsPlain.name]))
        #expect(got.status == .resolved, "\(got.failureText)")
        #expect(got.nevras == [W.nodejsPlain.nevra], "the newer modular builds of streams nobody enabled are hidden")
    }

    @Test func enabledStreamReplacesTheNonModularPackageOfTheSameName() throws {
        let modules = ModuleRequests(enable: [ModuleSpec(name: "nodejs", stream: "10")], install: [])
        let got = try checkOneEL(Extension(name: "node", packages: [W.usesNode.name]), modules: modules)
        #expect(got.nevras == [W.usesNode.nevra, W.nodejs10.nevra])
        #expect(got.package(W.nodejs10.name)?.pulledBy == [W.usesNode.name])
    }

    @Test func anExtensionsOwnModulesApplyToItsPackages() throws {
        let ext = Extension(name: "node", packages: [W.nodejsPlain.name],
                            modules: ModuleRequests(enable: [ModuleSpec(name: "nodejs", stream: "12")], install: []))
        let got = try checkOneEL(ext)
        #expect(got.nevras == [W.nodejs12.nevra])
        #expect(got.package(W.nodejs12.name)?.match?.contains("module stream nodejs:12") == true)
    }

    @Test func defaultStreamIsActiveWithoutBeingEnabled() throws {
        let got = try checkOneEL(Extension(name: "db", packages: [W.dbPlain.name]))
        #expect(got.nevras == [W.db2.nevra])
    }

    @Test func enablingAStreamEnablesTheStreamsItsModuleNeeds() throws {
        let modules = ModuleRequests(enable: [ModuleSpec(name: "app", stream: "1")], install: [])
        let got = try checkOneEL(Extension(name: "app", packages: [W.appd.name]), modules: modules)
        #expect(got.nevras == [W.appd.nevra, W.nodejs12.nevra], "app:1 requires nodejs:12, so its nodejs is the one")
    }

    @Test func moduleInstallInstallsTheProfileFromTheStream() throws {
        let ext = Extension(name: "node", packages: [W.usesNode.name],
                            modules: ModuleRequests(enable: [], install: [ModuleSpec(name: "nodejs", stream: "12", profile: "default")]))
        let got = try checkOneEL(ext)
        #expect(got.nevras == [W.usesNode.nevra, W.nodejs12.nevra, W.npm12.nevra])
        #expect(got.package(W.npm12.name)?.role == .listed)
        #expect(got.package(W.npm12.name)?.pulledBy == ["@nodejs:12/default"])
    }

    @Test func unknownStreamFailsNamingTheStreamsThereAre() throws {
        let modules = ModuleRequests(enable: [ModuleSpec(name: "nodejs", stream: "99")], install: [])
        let got = try checkOneEL(Extension(name: "node", packages: [W.usesNode.name]), modules: modules)
        #expect(got.status == .failed)
        #expect(got.failures.map(\.kind).contains(.moduleProblem))
        #expect(got.failureText.contains("no stream '99'") && got.failureText.contains("10, 12"), "\(got.failureText)")
    }

    @Test func packageOfAStreamNobodyEnabledSaysWhichStreamShipsIt() throws {
        let got = try checkOneEL(Extension(name: "npm", packages: [W.npm10.name]))
        #expect(got.status == .failed)
        #expect(got.failureText.contains("nodejs:10") && got.failureText.contains("nodejs:12"), "\(got.failureText)")
    }

    @Test func moduleHotfixesRepoIsNotFiltered() throws {
        let modules = ModuleRequests(enable: [ModuleSpec(name: "nodejs", stream: "12")], install: [])
        let ext = Extension(name: "node", packages: [W.nodejsPlain.name], repos: ["hotfix"])
        #expect(try checkOneEL(ext, modules: modules).nevras == [W.nodejsHotfix.nevra])
        // The same repo without module_hotfixes: its nodejs is hidden by the enabled stream.
        let plain = Extension(name: "node", packages: [W.nodejsPlain.name], repos: ["plainfix"])
        #expect(try checkOneEL(plain, modules: modules).nevras == [W.nodejs12.nevra])
    }
}

@Suite("multilib: i686 beside x86_64", .serialized)
struct MultilibTests {
    typealias W = ModularWorld

    /// Implicit obsoletes respect arch colors (Fedora's libsolv): the i686 build installs beside
    /// the base's x86_64 one, with its own i686 dependencies, and the base stays as it is.
    @Test func i686BuildOfABasePackageInstallsBesideIt() throws {
        let got = try checkOneEL(Extension(name: "multi", packages: ["\(W.libmulti32.name).i686"]))
        #expect(got.status == .resolved, "\(got.failureText)")
        #expect(got.nevras == [W.libmulti32.nevra, W.libdep32.nevra, W.glibc32.nevra])
        #expect(got.package(W.libmulti32.name)?.match?.contains("name.arch") == true)
    }

    @Test func plainNameOfABasePackageIsAlreadyInBase() throws {
        let got = try checkOneEL(Extension(name: "multi", packages: [W.libmulti.name]))
        #expect(got.failures.map(\.kind) == [.alreadyInBase])
    }
}

@Suite("package specs as dnf's selector matches them", .serialized)
struct SpecFormTests {
    typealias W = ModularWorld

    @Test(arguments: [
        ("wg*", [W.wgTools, W.wgUtils]),                      // a glob installs every name it matches
        ("epochy-2:3.0-1.noarch", [W.epochNew]),              // NEVRA with epoch
        ("epochy-3.0-1.noarch", [W.epochNew]),                // NEVRA without epoch
        ("epochy-2.0-1", [W.epochOld]),                       // name-version-release
        ("epochy-2.0", [W.epochOld]),                         // name-version
        ("epochy.noarch", [W.epochNew]),                      // name.arch: the newest
        ("epochy-*-1", [W.epochNew]),                         // globs in the parts
        ("webserver", [W.webserver]),                         // what a package provides
        ("/usr/bin/helper-run", [W.helper]),                  // a path primary.xml lists
        ("/usr/libexec/helper/run", [W.helper]),              // a path only filelists.xml has
        ("/usr/libexec/*/run", [W.helper]),                   // a path glob
    ])
    func specFindsWhatDnfFinds(spec: String, expected: [FixturePackage]) throws {
        let got = try checkOneEL(Extension(name: "spec", packages: [spec]), repos: ["os"])
        #expect(got.status == .resolved, "\(got.failureText)")
        #expect(got.nevras == Set(expected.map(\.nevra)))
        #expect(got.packages.allSatisfy { $0.role == .listed && $0.pulledBy == [spec] })
    }

    @Test func verboseSaysHowTheSpecMatched() throws {
        let got = try checkOneEL(Extension(name: "spec", packages: ["webserver", "epochy"]), repos: ["os"])
        #expect(got.package(W.webserver.name)?.match == "'webserver' matched by provides 'webserver'")
        #expect(got.package(W.epochNew.name)?.match?.hasPrefix("'epochy' matched by name; the best of 2 candidates") == true)
    }

    @Test func specMatchingNothingNamesTheReposSearched() throws {
        let got = try checkOneEL(Extension(name: "spec", packages: ["nosuch*"]), repos: ["os"])
        #expect(got.failures.map(\.kind) == [.notFound])
        #expect(got.failureText.contains("searched repos: os"))
    }

    /// issue 8: an extension with no repos says so instead of "searched repos: ".
    @Test func extensionWithoutReposSaysSo() throws {
        let got = try checkOneEL(Extension(name: "spec", packages: [W.wgTools.name]), repos: [])
        #expect(got.failureText.contains("the extension has no repos"), "\(got.failureText)")
    }
}

@Suite("module metadata cache")
struct ModuleCacheTests {
    typealias W = ModularWorld

    /// libmodulemd's parse is the slow part of modules: a second run reads the cache, and a cache
    /// file that is damaged is rebuilt, with the same outcome every time.
    @Test func cachedModuleMetadataGivesTheSameOutcomeAndSurvivesDamage() throws {
        let world = try W.get()
        let cache = try Fixtures.temporaryDirectory("module-cache")
        defer { try? FileManager.default.removeItem(at: cache) }
        let modules = ModuleRequests(enable: [ModuleSpec(name: "nodejs", stream: "12")], install: [])
        let manifest = ExtensionsFile(path: "extensions.yaml", repos: ["os", "appstream"], modules: modules,
                                      extensions: [Extension(name: "node", packages: [W.usesNode.name])])
        let session = CheckSession(manifest: manifest, reposDirectory: world.reposDirectory.path, repoOverrides: [],
                                   releasever: nil, base: BaseSelection(shared: .rootfs(world.rootfs.path)),
                                   cacheDirectory: cache.path)
        let expected: Set<String> = [W.usesNode.nevra, W.nodejs12.nevra]
        #expect(try result("node", in: session.check(arches: ["x86_64"])).nevras == expected)
        let files = try FileManager.default.contentsOfDirectory(atPath: cache.appendingPathComponent("modules").path)
        #expect(files.count == 1, "one cache file for the one repo with modules: \(files)")
        #expect(try result("node", in: session.check(arches: ["x86_64"])).nevras == expected)
        let file = cache.appendingPathComponent("modules").appendingPathComponent(try #require(files.first))
        try Data("{not json".utf8).write(to: file)
        #expect(try result("node", in: session.check(arches: ["x86_64"])).nevras == expected)
    }
}
