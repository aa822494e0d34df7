// os-extension rules: packages on top of a locked base, base packages never in the result.
import Fixtures
import Manifest
import Resolve
import Testing

/// rpm's global configuration (the dbpath macro) is process-wide: load rootfs bases one at a time.
@Suite("os-extension resolution", .serialized)
struct OSExtensionTests {
    typealias W = CheckWorld

    @Test func listedPackagesAndMissingDependenciesAreTheResultAndBaseIsNot() throws {
        let got = try checkOne(Extension(name: "apps", packages: [W.appA.name, W.appB.name]))
        #expect(got.status == .resolved)
        #expect(got.failures.isEmpty)
        #expect(got.nevras == Set([W.appA, W.appB, W.libshared, W.libdeep].map(\.nevra)))
        // appA requires glibc, which the base has: it must not be shipped again.
        #expect(got.package(W.glibc.name) == nil)
        #expect(got.package(W.appA.name)?.role == .listed)
        #expect(got.package(W.libshared.name)?.role == .dependency)
    }

    @Test func sharedDependencyIsCreditedToEveryListedPackageReachingIt() throws {
        let got = try checkOne(Extension(name: "apps", packages: [W.appA.name, W.appB.name]))
        #expect(got.package(W.libshared.name)?.pulledBy.sorted() == [W.appA.name, W.appB.name].sorted())
        // libdeep is two steps away, through libshared.
        #expect(got.package(W.libdeep.name)?.pulledBy.sorted() == [W.appA.name, W.appB.name].sorted())
    }

    @Test func dependencyOfOneListedPackageNamesOnlyThatPackage() throws {
        let got = try checkOne(Extension(name: "mixed", packages: [W.appB.name, W.solo.name]))
        #expect(got.status == .resolved)
        #expect(got.package(W.libshared.name)?.pulledBy == [W.appB.name])
    }

    @Test func resolvedPackagesCarryRepoLocationChecksumAndSize() throws {
        let got = try checkOne(Extension(name: "solo", packages: [W.solo.name]))
        let solo = try #require(got.package(W.solo.name))
        #expect(solo.package.repo == "os")
        #expect(solo.package.location == W.solo.fileName)
        #expect(solo.package.checksum?.algorithm == "sha256")
        #expect(solo.package.checksum?.hex.count == 64)
        let rpm = try CheckWorld.get().osRepo.appendingPathComponent(W.solo.fileName)
        let size = try rpm.resourceValues(forKeys: [.fileSizeKey]).fileSize
        #expect(solo.package.size == Int64(size ?? -1))
    }

    /// A listed package whose only solutions change the base: each must fail naming the base package
    /// and the extension package that wanted it.
    @Test(arguments: [
        (W.needsNewFoo, W.libfooBase, W.needsNewFoo),  // would upgrade libfoo
        (W.newbar, W.oldbar, W.newbar),                 // obsoletes oldbar
        (W.clasher, W.basesvc, W.clasher),              // conflicts with basesvc
        (W.needsGone, W.basenet, W.netstackNG),         // its dependency needs basenet removed
    ])
    func extensionThatWouldChangeBaseFails(listed: FixturePackage, basePackage: FixturePackage,
                                           wanter: FixturePackage) throws {
        let got = try checkOne(Extension(name: "changer", packages: [listed.name]))
        #expect(got.status == .failed)
        #expect(got.packages.isEmpty)
        let failure = try #require(got.failures.first)
        #expect(!failure.solutions.isEmpty, "libsolv's suggestions are shown")
        #expect(failure.message.contains(wanter.name), "\(failure.message)")
        #expect(failure.message.contains(basePackage.nevra), "\(failure.message)")
    }

    /// The report leads with the rule that fails (the conflict, the unmet requirement), then the
    /// base packages that would change.
    @Test(arguments: [
        (W.clasher, "package \(W.clasher.nevra) conflicts with \(W.basesvc.name)"),
        (W.needsNewFoo, "package \(W.needsNewFoo.nevra) requires libfoo >= 2.0"),
    ])
    func baseChangeFailureLeadsWithTheRuleThatFails(listed: FixturePackage, cause: String) throws {
        let got = try checkOne(Extension(name: "changer", packages: [listed.name]))
        let message = try #require(got.failures.first?.message)
        #expect(message.hasPrefix(cause), "\(message)")
        #expect(message.contains("would be"), "the base changes follow the cause: \(message)")
    }

    /// JSON consumers tell base changes from other problems by the failure kind.
    @Test(arguments: [W.needsNewFoo, W.newbar, W.clasher, W.needsGone])
    func baseChangeFailureHasBaseChangeKind(listed: FixturePackage) throws {
        let got = try checkOne(Extension(name: "changer", packages: [listed.name]))
        #expect(got.failures.map(\.kind) == [.baseWouldChange])
    }

    @Test func listingBasePackageFailsAsAlreadyPresentInBase() throws {
        let got = try checkOne(Extension(name: "dup", packages: [W.libfooBase.name]))
        #expect(got.status == .failed)
        let failure = try #require(got.failures.first)
        #expect(failure.message.contains("already present in base"))
        #expect(failure.message.contains(W.libfooBase.nevra))
    }

    @Test func recommendedPackageIsIncludedAndCreditedToItsListedPackage() throws {
        let got = try checkOne(Extension(name: "weak", packages: [W.withRec.name]))
        #expect(got.status == .resolved)
        #expect(got.nevras == [W.withRec.nevra, W.recdep.nevra])
        #expect(got.package(W.recdep.name)?.pulledBy == [W.withRec.name])
    }

    @Test func extensionReposAreVisibleOnlyToTheirExtension() throws {
        let owner = Extension(name: "owner", packages: [W.extraPkg.name], repos: ["extra"])
        let direct = Extension(name: "direct", packages: [W.extraPkg.name])
        let indirect = Extension(name: "indirect", packages: [W.usesExtra.name])
        let reports = try check([owner, direct, indirect])
        let ownerResult = try result("owner", in: reports)
        #expect(ownerResult.status == .resolved)
        #expect(ownerResult.package(W.extraPkg.name)?.package.repo == "extra")

        let directResult = try result("direct", in: reports)
        #expect(directResult.status == .failed)
        #expect(directResult.failures.first?.message.contains(W.extraPkg.name) == true)

        // Not even as a dependency of a package from a shared repo.
        let indirectResult = try result("indirect", in: reports)
        #expect(indirectResult.status == .failed)
        #expect(indirectResult.failureText.contains(W.extraPkg.name))
    }

    @Test func extensionsThatConflictTogetherBothFailNamingEachOther() throws {
        let l = Extension(name: "ext-left", packages: [W.left.name])
        let r = Extension(name: "ext-right", packages: [W.right.name])
        // Each alone is fine...
        #expect(try checkOne(l).status == .resolved)
        #expect(try checkOne(r).status == .resolved)
        // ...together both fail, each naming the other; an unrelated extension is unaffected.
        let reports = try check([l, r, Extension(name: "bystander", packages: [W.solo.name])])
        let leftResult = try result("ext-left", in: reports)
        let rightResult = try result("ext-right", in: reports)
        #expect(leftResult.status == .failed)
        #expect(rightResult.status == .failed)
        #expect(leftResult.failures.contains { $0.message.contains("ext-right") })
        #expect(rightResult.failures.contains { $0.message.contains("ext-left") })
        #expect(try result("bystander", in: reports).status == .resolved)
    }

    @Test func everyFailingExtensionIsReportedInOneRun() throws {
        let reports = try check([
            Extension(name: "upgrade", packages: [W.needsNewFoo.name]),
            Extension(name: "present", packages: [W.libfooBase.name]),
            Extension(name: "missing", packages: ["no-such-package"]),
            Extension(name: "fine", packages: [W.solo.name]),
        ])
        let status = Dictionary(uniqueKeysWithValues: reports[0].extensions.map { ($0.name, $0.status) })
        #expect(status == ["upgrade": .failed, "present": .failed, "missing": .failed, "fine": .resolved])
        #expect(reports[0].extensions.filter { $0.status == .failed }.allSatisfy { !$0.failures.isEmpty })
    }

    @Test func baseCountIsTheInstalledPackages() throws {
        let reports = try check([Extension(name: "solo", packages: [W.solo.name])])
        #expect(reports[0].basePackageCount == W.base.count)
    }
}
