// What `mox check` prints and exits with: text, --format json, --junit, usage and input errors.
import Fixtures
import Foundation
import Testing

@Suite("mox check output and exit codes")
struct OutputTests {
    typealias W = CheckWorld

    /// One resolving, one failing (would upgrade the base) and one aarch64-only extension.
    static let mixedYAML = """
        repos:
          - os
        extensions:
          apps:
            packages:
              - \(W.appA.name)
              - \(W.appB.name)
          upgrader:
            packages:
              - \(W.needsNewFoo.name)
          arm-only:
            architectures:
              - aarch64
            packages:
              - \(W.archToolARM.name)
        """

    @Test func allResolvedExitsZeroWithOneLinePerExtension() throws {
        let run = try CheckRun("ok", yaml: """
            repos: [os]
            extensions:
              apps:
                packages: [\(W.appA.name)]
              single:
                packages: [\(W.solo.name)]
            """)
        let result = try run.moxOnWorld(["-q"])
        #expect(result.status == 0, "\(result.stderr)")
        let lines = result.stdout.split(separator: "\n")
        #expect(lines.filter { $0.contains("apps") }.count == 1)
        #expect(lines.filter { $0.contains("single") }.count == 1)
        #expect(result.stderr.isEmpty, "-q prints no progress")
    }

    @Test func failedExtensionExitsOneAndTextExplainsEveryProblemAndSolution() throws {
        let run = try CheckRun("fail", yaml: Self.mixedYAML)
        let text = try run.moxOnWorld(["-q"])
        #expect(text.status == 1)
        let json = try JSONDocument(try run.moxOnWorld(["-q", "--format", "json"]).stdout)
        let failures = try json.failures("upgrader")
        #expect(!failures.isEmpty)
        // The text report carries libsolv's explanation and every suggested solution.
        for failure in failures {
            #expect(text.stdout.contains(failure["message"] as? String ?? "<none>"))
            for line in failure["details"] as? [String] ?? [] { #expect(text.stdout.contains(line)) }
            for steps in failure["solutions"] as? [[String]] ?? [] {
                for step in steps { #expect(text.stdout.contains(step)) }
            }
        }
        #expect(text.stdout.contains(W.needsNewFoo.name))
    }

    @Test func jsonReportDescribesEachExtensionPackageAndFailure() throws {
        let run = try CheckRun("json", yaml: Self.mixedYAML)
        let result = try run.moxOnWorld(["-q", "--format", "json"])
        #expect(result.status == 1)
        let json = try JSONDocument(result.stdout)
        #expect(json.root["schemaVersion"] is Int)
        #expect(json.basePackages() == W.base.count)
        #expect(try json.status("apps") == "resolved")
        #expect(try json.status("upgrader") == "failed")
        #expect(try json.status("arm-only") == "skipped")

        let world = try CheckWorld.get()
        let packages = try json.packages("apps")
        #expect(Set(packages.compactMap { $0["nevra"] as? String })
                == Set([W.appA, W.appB, W.libshared, W.libdeep].map(\.nevra)))
        let libshared = try #require(packages.first { $0["nevra"] as? String == W.libshared.nevra })
        let rpm = world.osRepo.appendingPathComponent(W.libshared.fileName)
        #expect(libshared["repo"] as? String == "os")
        #expect(libshared["location"] as? String == W.libshared.fileName)
        #expect(libshared["checksum"] as? String == "sha256:" + (try sha256(of: rpm)))
        let size = try rpm.resourceValues(forKeys: [.fileSizeKey]).fileSize
        #expect(libshared["size"] as? Int == size)
        #expect((libshared["pulledBy"] as? [String])?.sorted() == [W.appA.name, W.appB.name].sorted())

        let failure = try #require(try json.failures("upgrader").first)
        #expect(failure["kind"] is String)
        #expect((failure["message"] as? String)?.contains(W.needsNewFoo.name) == true)
        #expect(failure["details"] is [String])
        #expect(!((failure["solutions"] as? [[String]]) ?? []).isEmpty)
    }

    @Test func junitHasOneTestcasePerExtensionAndArch() throws {
        let run = try CheckRun("junit", yaml: Self.mixedYAML)
        let junit = run.directory.appendingPathComponent("report.xml")
        let result = try run.moxOnWorld(["-q", "--arch", "x86_64", "--arch", "aarch64", "--junit", junit.path])
        #expect(result.status == 1)
        let cases = try JUnitReader.read(junit)
        #expect(cases.count == 3 * 2)
        func outcome(_ name: String, _ arch: String) -> String?? {
            cases.first { $0.name == name && $0.suite == arch }.map(\.outcome)
        }
        for arch in ["x86_64", "aarch64"] {
            #expect(outcome("apps", arch) == .some(nil), "apps passes on \(arch)")
            #expect(outcome("upgrader", arch) == "failure", "upgrader fails on \(arch)")
        }
        #expect(outcome("arm-only", "x86_64") == "skipped")
        #expect(outcome("arm-only", "aarch64") == .some(nil))
        let failure = cases.first { $0.name == "upgrader" }
        #expect(failure?.message?.contains(W.needsNewFoo.name) == true)
    }

    @Test func misspelledKeyIsInvalidInputWithSuggestion() throws {
        let run = try CheckRun("typo", yaml: """
            repos: [os]
            extensions:
              apps:
                pakages: [\(W.solo.name)]
            """)
        let result = try run.moxOnWorld()
        #expect(result.status == 2)
        #expect(result.stderr.contains("did you mean 'packages'"), "\(result.stderr)")
        #expect(result.stderr.contains(run.manifest.path + ":4:"), "points at the line: \(result.stderr)")
    }

    @Test(arguments: [
        [String](),                                                    // no base at all
        ["--base-rootfs", "/", "--base-packages", "/dev/null"],        // two bases
        ["--base-packages", "/dev/null", "--arch", "sparc"],           // unknown arch
        ["--base-packages", "/dev/null", "--format", "yaml"],          // unknown format
    ])
    func usageErrorsExitTwo(arguments: [String]) throws {
        let run = try CheckRun("usage", yaml: "repos: [os]\nextensions:\n  a:\n    packages: [\(W.solo.name)]\n")
        let world = try CheckWorld.get()
        let result = try run.mox(["--repos-dir", world.reposDirectory.path] + arguments)
        #expect(result.status == 2, "\(result.stderr)")
        #expect(!result.stderr.isEmpty)
        #expect(result.stdout.isEmpty)
    }

    @Test func missingExtensionsFileIsInvalidInput() throws {
        let run = try CheckRun("nofile", yaml: "")
        let world = try CheckWorld.get()
        let result = try Fixtures.run([try Mox.binary.path, "check", run.directory.appendingPathComponent("nope.yaml").path,
                                       "--repos-dir", world.reposDirectory.path, "--base-rootfs", world.rootfs.path],
                                      allowFailure: true)
        #expect(result.status == 2)
        #expect(result.stderr.contains("nope.yaml"))
    }
}
