// match-base-evr pinning, development extensions, unknown packages and architectures.
import Fixtures
import Manifest
import Resolve
import Testing

@Suite("match-base-evr, development, unknown packages, architectures", .serialized)
struct PinningAndKindTests {
    typealias W = CheckWorld

    @Test func matchBaseEVRPicksTheBaseBuildOverANewerOne() throws {
        let got = try checkOne(Extension(name: "kdevel", packages: [W.kernelDevelBase.name], matchBaseEVR: W.kernelBase.name))
        #expect(got.status == .resolved)
        #expect(got.package(W.kernelDevelBase.name)?.package.nevra.description == W.kernelDevelBase.nevra)
        // Without the pin the newest build wins: proves the pin is what chose the old one.
        let unpinned = try checkOne(Extension(name: "kdevel", packages: [W.kernelDevelNew.name]))
        #expect(unpinned.package(W.kernelDevelNew.name)?.package.nevra.description == W.kernelDevelNew.nevra)
    }

    @Test func matchBaseEVRWithoutSuchBasePackageFails() throws {
        let got = try checkOne(Extension(name: "kdevel", packages: [W.kernelDevelBase.name], matchBaseEVR: "kernel-rt"))
        #expect(got.status == .failed)
        #expect(got.failures.first?.message.contains("kernel-rt") == true)
    }

    @Test func matchBaseEVRWithoutThatBuildListsTheEVRsTheReposHave() throws {
        let got = try checkOne(Extension(name: "ktools", packages: [W.kernelToolsOld.name], matchBaseEVR: W.kernelBase.name))
        #expect(got.status == .failed)
        let text = got.failureText
        #expect(text.contains(W.kernelToolsOld.name))
        #expect(text.contains(W.kernelBase.evr))
        #expect(text.contains(W.kernelToolsOld.evr))
        #expect(text.contains(W.kernelToolsNew.evr))
    }

    @Test func unknownPackageFailsNamingItTheReposSearchedAndCloseNames() throws {
        let misspelt = "usbgaurd"
        let got = try checkOne(Extension(name: "usb", packages: [misspelt], repos: ["extra"]))
        #expect(got.status == .failed)
        let failure = try #require(got.failures.first)
        #expect(failure.message.contains(misspelt))
        let text = got.failureText
        #expect(text.contains("os") && text.contains("extra"), "names the repos searched: \(text)")
        #expect(text.contains(W.usbguard.name), "suggests the close name: \(text)")
    }

    @Test func unknownPackageWithNothingCloseSuggestsNothing() throws {
        let got = try checkOne(Extension(name: "zz", packages: ["qqqqqqqqqqqq"]))
        #expect(got.status == .failed)
        #expect(!got.failureText.contains("did you mean"))
    }

    @Test func developmentExtensionIsTheListedPackagesPinnedWithoutDependencies() throws {
        // kernel is in the base (fine for development); kernel-devel requires kernel-headers (not pulled).
        let got = try checkOne(Extension(name: "kernel", packages: [W.kernelBase.name, W.kernelDevelBase.name],
                                         matchBaseEVR: W.kernelBase.name, kind: .development))
        #expect(got.status == .resolved)
        #expect(got.nevras == [W.kernelBase.nevra, W.kernelDevelBase.nevra])
        #expect(got.packages.allSatisfy { $0.role == .listed })
    }

    @Test func developmentExtensionWithoutPinTakesTheBestMatchEvenOverTheBase() throws {
        let got = try checkOne(Extension(name: "dev", packages: [W.libfooBase.name, W.needsNewFoo.name], kind: .development))
        #expect(got.status == .resolved)
        // needsnewfoo would fail as an os-extension; development packages are not checked against the base.
        #expect(got.nevras == [W.libfooNew.nevra, W.needsNewFoo.nevra])
    }

    @Test func extensionForOtherArchitecturesIsSkippedNotFailed() throws {
        let got = try checkOne(Extension(name: "arm-only", packages: ["no-such-package"], architectures: ["aarch64"]))
        #expect(got.status == .skipped)
        #expect(got.failures.isEmpty)
        #expect(got.note?.contains("aarch64") == true)
    }

    @Test func eachArchitectureResolvesItsOwnBuilds() throws {
        let reports = try check([Extension(name: "tool", packages: [W.archToolX86.name])], arches: ["x86_64", "aarch64"])
        #expect(reports.map(\.arch) == ["x86_64", "aarch64"])
        let x86 = try #require(reports[0].extensions.first)
        let arm = try #require(reports[1].extensions.first)
        #expect(x86.nevras == [W.archToolX86.nevra, W.archLibX86.nevra])
        #expect(arm.nevras == [W.archToolARM.nevra, W.archLibARM.nevra])
    }

    @Test func architectureListSkipsPerArch() throws {
        let ext = Extension(name: "x86-only", packages: [W.archToolX86.name], architectures: ["x86_64"])
        let reports = try check([ext], arches: ["x86_64", "aarch64"])
        #expect(reports[0].extensions.first?.status == .resolved)
        #expect(reports[1].extensions.first?.status == .skipped)
    }

    @Test func fileDependencyOnlyInFilelistsResolves() throws {
        let got = try checkOne(Extension(name: "files", packages: [W.fileDep.name]), repos: ["files"])
        #expect(got.status == .resolved, "\(got.failureText)")
        #expect(got.nevras == [W.fileDep.nevra, W.fooData.nevra])
        #expect(got.package(W.fooData.name)?.pulledBy == [W.fileDep.name])
    }
}
