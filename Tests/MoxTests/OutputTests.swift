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

    /// Every mistake of the file at once, each at its line, not only the first.
    @Test func everyMistakeOfTheExtensionsFileIsReported() throws {
        let run = try CheckRun("typos", yaml: """
            repos: [os]
            extensions:
              apps:
                pakages: [\(W.solo.name)]
              other:
                packages: [\(W.solo.name)]
                architectures: [amd64]
            """)
        let result = try run.moxOnWorld()
        #expect(result.status == 2)
        #expect(result.stderr.contains(run.manifest.path + ":4:"), "\(result.stderr)")
        #expect(result.stderr.contains(run.manifest.path + ":7:"), "\(result.stderr)")
    }

    /// CI reads JSON and JUnit: invalid input still gives both, with every error and its place.
    @Test func invalidInputStillWritesJSONAndJUnit() throws {
        let run = try CheckRun("invalid-json", yaml: """
            repos: [os]
            extensions:
              apps:
                pakages: [\(W.solo.name)]
                kind: 3
            """)
        let junit = run.directory.appendingPathComponent("report.xml")
        let result = try run.moxOnWorld(["-q", "--format", "json", "--junit", junit.path])
        #expect(result.status == 2)
        let json = try JSONDocument(result.stdout)
        #expect(json.root["status"] as? String == "invalid-input")
        #expect(json.arches.isEmpty)
        let errors = try #require(json.root["errors"] as? [[String: Any]])
        #expect(errors.count == 2, "\(errors)")
        #expect(errors.first?["file"] as? String == run.manifest.path)
        #expect(errors.first?["line"] as? Int == 4)
        #expect((errors.first?["message"] as? String)?.contains("did you mean 'packages'") == true)
        let cases = try JUnitReader.read(junit)
        #expect(cases.count == 1)
        #expect(cases.first?.outcome == "error")
        #expect(cases.first?.name == run.manifest.path)
        #expect(cases.first?.message?.contains("2 problems") == true)
    }

    /// The same for a base package list: every bad line, as JSON too.
    @Test func everyBadLineOfTheBaseListIsReported() throws {
        let run = try CheckRun("bad-base", yaml: "repos: [os]\nextensions:\n  a:\n    packages: [\(W.solo.name)]\n")
        let list = run.directory.appendingPathComponent("base.txt")
        try "bash\n\(W.glibc.nevra)\nnot a nevra\n".write(to: list, atomically: true, encoding: .utf8)
        let result = try run.moxOnWorld(["-q", "--format", "json"], base: ["--base-packages", list.path])
        #expect(result.status == 2)
        let errors = try #require(try JSONDocument(result.stdout).root["errors"] as? [[String: Any]])
        #expect(errors.compactMap { $0["line"] as? Int } == [1, 3])
    }

    /// A "billion laughs" file is refused at once, naming the cause (not a minute of walking).
    @Test func aliasBombIsInvalidInput() throws {
        var yaml = "a0: &a0 [lol, lol, lol, lol, lol, lol, lol, lol, lol, lol]\n"
        for level in 1...9 {
            yaml += "a\(level): &a\(level) [" + Array(repeating: "*a\(level - 1)", count: 10).joined(separator: ", ") + "]\n"
        }
        let run = try CheckRun("alias-bomb", yaml: yaml + "extensions:\n  bomb:\n    packages: *a9\n")
        let result = try run.moxOnWorld(["-q"])
        #expect(result.status == 2)
        #expect(result.stderr.contains("alias"), "\(result.stderr)")
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
