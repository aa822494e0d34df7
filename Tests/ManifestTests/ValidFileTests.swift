import Foundation
import Manifest
import Testing

/// A file shaped like openshift/os extensions.yaml for RHCOS.
let rhcosLike = """
    # RPMs as operating system extensions, distinct from the base image.
    repos:
      - rhel-9-baseos
      - rhel-9-appstream
    extensions:
      sandboxed-containers:
        architectures:
          - x86_64
          - s390x
        repos:
          - rhel-9-appstream
        packages:
          - kata-containers
      usbguard:
        packages:
          - usbguard
      kernel-devel:
        kind: development
        packages:
          - kernel-devel
          - kernel-headers
        match-base-evr: kernel
      kernel-rt:
        architectures: [x86_64]
        repos: [rhel-9-nfv]
        packages: [kernel-rt-core, kernel-rt-modules, kernel-rt-kvm]
        match-base-evr: kernel
      kernel-64k:
        architectures: [aarch64]
        packages: [kernel-64k-core, kernel-64k-modules]
        match-base-evr: kernel

    """

@Test func realisticFileParsesIntoExtensionsInFileOrder() throws {
    let file = try ExtensionsFile.parse(yaml: rhcosLike, file: "extensions.yaml")
    #expect(file.path == "extensions.yaml")
    #expect(file.repos == ["rhel-9-baseos", "rhel-9-appstream"])
    #expect(file.extensions.map(\.name) == [
        "sandboxed-containers", "usbguard", "kernel-devel", "kernel-rt", "kernel-64k",
    ])
    let sandboxed = file.extensions[0]
    #expect(sandboxed.architectures == ["x86_64", "s390x"])
    #expect(sandboxed.repos == ["rhel-9-appstream"])
    #expect(sandboxed.packages == ["kata-containers"])
    #expect(sandboxed.kind == .osExtension)
    #expect(sandboxed.matchBaseEVR == nil)
    #expect(sandboxed.line == 6)
    let usbguard = file.extensions[1]
    #expect(usbguard.architectures == nil)
    #expect(usbguard.repos == [])
    let devel = file.extensions[2]
    #expect(devel.kind == .development)
    #expect(devel.packages == ["kernel-devel", "kernel-headers"])
    #expect(devel.matchBaseEVR == "kernel")
    let rt = file.extensions[3]
    #expect(rt == Extension(
        name: "kernel-rt", packages: ["kernel-rt-core", "kernel-rt-modules", "kernel-rt-kvm"],
        repos: ["rhel-9-nfv"], architectures: ["x86_64"], matchBaseEVR: "kernel", kind: .osExtension, line: 23))
    #expect(ExtensionsFile.problems(yaml: rhcosLike, file: "extensions.yaml").isEmpty)
}

@Test(arguments: [
    ("x86_64", ["sandboxed-containers", "usbguard", "kernel-devel", "kernel-rt"]),
    ("aarch64", ["usbguard", "kernel-devel", "kernel-64k"]),
    ("s390x", ["sandboxed-containers", "usbguard", "kernel-devel"]),
    ("ppc64le", ["usbguard", "kernel-devel"]),
])
func extensionsApplyOnlyToTheirArchitectures(arch: String, expected: [String]) throws {
    let file = try ExtensionsFile.parse(yaml: rhcosLike, file: "extensions.yaml")
    #expect(file.extensions.filter { $0.applies(to: arch) }.map(\.name) == expected)
}

@Test func loadReadsAFileFromDisk() throws {
    let directory = FileManager.default.temporaryDirectory.appendingPathComponent("mox-manifest-\(UUID())")
    try FileManager.default.createDirectory(at: directory, withIntermediateDirectories: true)
    defer { try? FileManager.default.removeItem(at: directory) }
    let path = directory.appendingPathComponent("extensions.yaml").path
    try rhcosLike.write(toFile: path, atomically: true, encoding: .utf8)

    let file = try ExtensionsFile.load(path: path)

    #expect(file.path == path)
    #expect(file.extensions.count == 5)
}

@Test func loadOfMissingFileFailsWithoutPosition() {
    let path = "/nonexistent/mox/extensions.yaml"
    let error = #expect(throws: ManifestProblems.self) { try ExtensionsFile.load(path: path) }?.problems.first
    #expect(error?.reason == .unreadable)
    #expect(error?.file == path)
    #expect(error?.line == 0)
    #expect(error?.description == "\(path): no such file; pass the path of an extensions.yaml")
}

@Test func loadOfDirectoryFailsWithoutPosition() {
    let path = FileManager.default.temporaryDirectory.path
    let error = #expect(throws: ManifestProblems.self) { try ExtensionsFile.load(path: path) }?.problems.first
    #expect(error?.reason == .unreadable)
    #expect(error?.message.contains("is a directory") == true)
}

@Test func errorDescriptionIsFileLineColumnMessage() {
    let yaml = """
        extensions:
          usbguard:
            packages: usbguard
        """
    let error = #expect(throws: ManifestError.self) { try ExtensionsFile.parse(yaml: yaml, file: "ext.yaml") }
    #expect(error?.description.hasPrefix("ext.yaml:3:15: 'packages' must be a list") == true)
}

@Test func everyProblemIsCollectedInDocumentOrder() {
    let yaml = """
        extensions:
          usbguard:
            pakages: [usbguard]
          kernel-rt:
            architectures: [amd64]
            packages: [kernel-rt-core]
            kind: nope
        """
    let problems = ExtensionsFile.problems(yaml: yaml, file: "extensions.yaml")
    #expect(problems.map(\.reason) == [.unknownKey, .unknownArchitecture, .unknownKind])
    #expect(problems.map(\.line) == [3, 5, 7])
}

/// rpm-ostree's `modules:` at the top level and per extension.
@Test func modulesAreReadAtTheTopLevelAndPerExtension() throws {
    let yaml = """
        repos: [appstream]
        modules:
          enable: [kata:stable, redis]
        extensions:
          node:
            architectures: [x86_64]
            packages: [npm]
            modules:
              enable: [nodejs:20]
              install: [nodejs:20/common, php]
          other-arch-stream:
            architectures: [aarch64]
            packages: [npm]
            modules:
              enable: [nodejs:22]
        """
    let file = try ExtensionsFile.parse(yaml: yaml, file: "extensions.yaml")
    #expect(file.modules.enable.map(\.description) == ["kata:stable", "redis"])
    #expect(file.modules.enable[1].stream == nil)
    let node = try #require(file.extensions.first)
    #expect(node.modules.enable.map(\.description) == ["nodejs:20"])
    #expect(node.modules.install.map(\.description) == ["nodejs:20/common", "php"])
    #expect(node.modules.install[0].profile == "common")
    #expect(node.modules.install[1].stream == nil && node.modules.install[1].profile == nil)
}
