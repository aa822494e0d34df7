import Manifest
import Testing

@Test(arguments: [
    ("pakages", "packages"),
    ("Packages", "packages"),
    ("arch", "architectures"),
    ("architecture", "architectures"),
    ("match-base-ver", "match-base-evr"),
    ("repo", "repos"),
    ("knid", "kind"),
])
func misspelledKeyIsRejectedWithSuggestion(typo: String, suggestion: String) {
    let yaml = """
        extensions:
          usbguard:
            packages: [usbguard]
            \(typo): x
        """
    let problems = ExtensionsFile.problems(yaml: yaml, file: "extensions.yaml")
    #expect(problems.first?.line == 4)
    #expect(problems.first?.message.contains("did you mean '\(suggestion)'?") == true)
}

@Test func unrelatedKeyGetsNoSuggestion() {
    let yaml = """
        extensions:
          usbguard:
            packages: [usbguard]
            enabled: true
        """
    let problems = ExtensionsFile.problems(yaml: yaml, file: "extensions.yaml")
    #expect(problems.count == 1)
    #expect(problems.first?.message.contains("did you mean") == false)
    #expect(problems.first?.message.contains("allowed: packages, repos") == true)
}

@Test(arguments: [
    ("x86-64", "x86_64"), ("amd64", "x86_64"), ("arm64", "aarch64"), ("aarch_64", "aarch64"),
    ("ppc64el", "ppc64le"), ("S390X", "s390x"), ("riscv", "riscv64"),
])
func unknownArchitectureIsRejectedWithSuggestion(typo: String, suggestion: String) {
    let yaml = """
        extensions:
          kernel-rt:
            packages: [kernel-rt-core]
            architectures: [\(typo)]
        """
    let error = #expect(throws: ManifestError.self) { try ExtensionsFile.parse(yaml: yaml, file: "e.yaml") }
    #expect(error?.reason == .unknownArchitecture)
    #expect(error?.line == 4)
    #expect(error?.column == 21)
    #expect(error?.message.contains("did you mean '\(suggestion)'?") == true)
}

let reposYAML = """
    repos:
      - rhel-9-baseos
      - rhel-9-appstrem
    extensions:
      kernel-rt:
        repos: [rhel-9-nfv]
        packages: [kernel-rt-core]
    """

@Test func undefinedRepoIsReportedAtItsIdWithSuggestion() throws {
    let file = try ExtensionsFile.parse(yaml: reposYAML, file: "extensions.yaml")
    let error = #expect(throws: ManifestError.self) {
        try file.checkRepos(defined: ["rhel-9-baseos", "rhel-9-appstream", "rhel-9-nfv"])
    }
    #expect(error?.reason == .undefinedRepo)
    #expect(error?.line == 3)
    #expect(error?.column == 5)
    #expect(error?.key == "repos[1]")
    #expect(error?.message.contains("repo 'rhel-9-appstrem' is not defined") == true)
    #expect(error?.message.contains("did you mean 'rhel-9-appstream'?") == true)
}

@Test func undefinedExtensionRepoIsReportedInsideTheExtension() throws {
    let file = try ExtensionsFile.parse(yaml: reposYAML, file: "extensions.yaml")
    let problems = file.undefinedRepos(defined: ["rhel-9-baseos", "rhel-9-appstrem"])
    #expect(problems.count == 1)
    #expect(problems.first?.key == "extensions.kernel-rt.repos[0]")
    #expect(problems.first?.line == 6)
    #expect(problems.first?.column == 13)
}

@Test func everyRepoDefinedPassesTheCheck() throws {
    let file = try ExtensionsFile.parse(yaml: reposYAML, file: "extensions.yaml")
    try file.checkRepos(defined: ["rhel-9-baseos", "rhel-9-appstrem", "rhel-9-nfv", "unused"])
}

@Test func repoCheckWithNoDefinedReposSaysSo() throws {
    let file = try ExtensionsFile.parse(yaml: reposYAML, file: "extensions.yaml")
    let problems = file.undefinedRepos(defined: [])
    #expect(problems.map(\.line) == [2, 3, 6])
    #expect(problems.allSatisfy { $0.message.contains("no .repo file defines any repo") })
}
