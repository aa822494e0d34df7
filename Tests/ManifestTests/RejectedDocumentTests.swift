import Manifest
import Testing

/// A document that must be rejected, with where and why (positions counted by hand from `yaml`).
struct BadDocument: Sendable, CustomTestStringConvertible {
    let name: String
    let yaml: String
    let line: Int
    let column: Int
    let key: String
    let reason: ManifestError.Reason
    let phrase: String

    var testDescription: String { name }
}

let badDocuments: [BadDocument] = [
    .init(name: "misspelled key", yaml: """
        extensions:
          usbguard:
            pakages: [usbguard]
        """, line: 3, column: 5, key: "extensions.usbguard.pakages", reason: .unknownKey,
        phrase: "unknown key 'pakages' in extension 'usbguard'; did you mean 'packages'?"),
    .init(name: "unknown top-level key", yaml: """
        extensions:
          usbguard:
            packages: [usbguard]
        arches: [x86_64]
        """, line: 4, column: 1, key: "arches", reason: .unknownKey, phrase: "unknown key 'arches' at the top level"),
    .init(name: "packages is a scalar", yaml: """
        extensions:
          usbguard:
            packages: usbguard
        """, line: 3, column: 15, key: "extensions.usbguard.packages", reason: .wrongType,
        phrase: "'packages' must be a list, found the string 'usbguard'; write 'packages: [usbguard]'"),
    .init(name: "extensions is a list", yaml: """
        extensions:
          - usbguard
        """, line: 2, column: 3, key: "extensions", reason: .wrongType, phrase: "must be a mapping"),
    .init(name: "document is a list", yaml: """
        - usbguard
        """, line: 1, column: 1, key: "", reason: .wrongType, phrase: "found a list"),
    .init(name: "kind is a number", yaml: """
        extensions:
          kernel-devel:
            kind: 3
            packages: [kernel-devel]
        """, line: 3, column: 11, key: "extensions.kernel-devel.kind", reason: .wrongType,
        phrase: "'kind' must be a string, found the number 3"),
    .init(name: "list item is a mapping", yaml: """
        extensions:
          usbguard:
            packages:
              - name: usbguard
        """, line: 4, column: 9, key: "extensions.usbguard.packages[0]", reason: .wrongType,
        phrase: "an item of 'packages' must be a string, found a mapping"),
    .init(name: "match-base-evr is a list", yaml: """
        extensions:
          kernel-rt:
            packages: [kernel-rt-core]
            match-base-evr: [kernel]
        """, line: 4, column: 21, key: "extensions.kernel-rt.match-base-evr", reason: .wrongType,
        phrase: "'match-base-evr' must be a string, found a list"),
    .init(name: "empty packages", yaml: """
        extensions:
          usbguard:
            packages: []
        """, line: 3, column: 15, key: "extensions.usbguard.packages", reason: .empty,
        phrase: "'packages' is an empty list"),
    .init(name: "packages without value", yaml: """
        extensions:
          usbguard:
            packages:
        """, line: 3, column: 5, key: "extensions.usbguard.packages", reason: .empty,
        phrase: "'packages' has no value"),
    .init(name: "empty architectures", yaml: """
        extensions:
          usbguard:
            architectures: []
            packages: [usbguard]
        """, line: 3, column: 20, key: "extensions.usbguard.architectures", reason: .empty,
        phrase: "'architectures' is an empty list"),
    .init(name: "empty top-level repos", yaml: """
        repos: []
        extensions:
          usbguard:
            packages: [usbguard]
        """, line: 1, column: 8, key: "repos", reason: .empty, phrase: "'repos' is an empty list"),
    .init(name: "empty string item", yaml: """
        extensions:
          usbguard:
            packages: [usbguard, ""]
        """, line: 3, column: 26, key: "extensions.usbguard.packages[1]", reason: .empty,
        phrase: "an item of 'packages' is an empty string"),
    .init(name: "item listed twice", yaml: """
        extensions:
          usbguard:
            packages:
              - usbguard
              - usbguard-selinux
              - usbguard
        """, line: 6, column: 9, key: "extensions.usbguard.packages[2]", reason: .duplicate,
        phrase: "'usbguard' is listed twice in 'packages' (first at line 4)"),
    .init(name: "extension defined twice", yaml: """
        extensions:
          usbguard:
            packages: [usbguard]
          kerberos:
            packages: [krb5-workstation]
          usbguard:
            packages: [usbguard-selinux]
        """, line: 6, column: 3, key: "extensions.usbguard", reason: .duplicate,
        phrase: "extension 'usbguard' is defined twice (first at line 2)"),
    .init(name: "key repeated in an extension", yaml: """
        extensions:
          usbguard:
            packages: [usbguard]
            packages: [usbguard-selinux]
        """, line: 4, column: 5, key: "extensions.usbguard.packages", reason: .duplicate,
        phrase: "key 'packages' is repeated (first at line 3)"),
    .init(name: "unknown architecture", yaml: """
        extensions:
          kernel-rt:
            architectures: [x86_64, x86-64]
            packages: [kernel-rt-core]
        """, line: 3, column: 29, key: "extensions.kernel-rt.architectures[1]", reason: .unknownArchitecture,
        phrase: "unknown architecture 'x86-64'; did you mean 'x86_64'?"),
    .init(name: "unknown kind", yaml: """
        extensions:
          kernel-devel:
            kind: devel
            packages: [kernel-devel]
        """, line: 3, column: 11, key: "extensions.kernel-devel.kind", reason: .unknownKind,
        phrase: "unknown kind 'devel'; did you mean 'development'?"),
    .init(name: "missing packages", yaml: """
        extensions:
          usbguard:
            kind: os-extension
        """, line: 2, column: 3, key: "extensions.usbguard.packages", reason: .missingKey,
        phrase: "extension 'usbguard' has no 'packages:'"),
    .init(name: "extension without body", yaml: """
        extensions:
          usbguard:
        """, line: 2, column: 3, key: "extensions.usbguard", reason: .empty,
        phrase: "extension 'usbguard' is empty"),
    .init(name: "missing extensions", yaml: """
        repos: [rhel-9-baseos]
        """, line: 1, column: 1, key: "extensions", reason: .missingKey, phrase: "no 'extensions:' mapping"),
    .init(name: "empty extensions mapping", yaml: """
        extensions: {}
        """, line: 1, column: 13, key: "extensions", reason: .empty, phrase: "'extensions' is empty"),
    .init(name: "extensions without value", yaml: """
        repos: [rhel-9-baseos]
        extensions:
        """, line: 2, column: 1, key: "extensions", reason: .empty, phrase: "'extensions' is empty"),
    .init(name: "empty document", yaml: "", line: 1, column: 1, key: "", reason: .empty,
          phrase: "the document is empty"),
    .init(name: "document of comments only", yaml: """
        # nothing yet
        """, line: 1, column: 1, key: "", reason: .empty, phrase: "the document is empty"),
    .init(name: "YAML syntax error", yaml: """
        extensions:
          usbguard:
            packages: a: b
        """, line: 3, column: 16, key: "", reason: .syntax, phrase: "mapping values are not allowed"),
    .init(name: "null list item", yaml: """
        extensions:
          usbguard:
            packages: [usbguard, ~]
        """, line: 3, column: 26, key: "extensions.usbguard.packages[1]", reason: .empty,
        phrase: "an item of 'packages' is empty"),
    .init(name: "boolean list item", yaml: """
        extensions:
          usbguard:
            packages: [usbguard, true]
        """, line: 3, column: 26, key: "extensions.usbguard.packages[1]", reason: .wrongType,
        phrase: "found the boolean true; quote it"),
    .init(name: "tab indentation", yaml: "extensions:\n  usbguard:\n\tpackages: [usbguard]\n",
          line: 3, column: 1, key: "", reason: .syntax, phrase: "use spaces"),
    .init(name: "second YAML document", yaml: """
        extensions: {usbguard: {packages: [usbguard]}}
        ---
        extensions: {}
        """, line: 2, column: 1, key: "", reason: .syntax, phrase: "must hold one YAML document"),
    .init(name: "slash in extension name", yaml: """
        extensions:
          kernel/rt:
            packages: [kernel-rt-core]
        """, line: 2, column: 3, key: "extensions.kernel/rt", reason: .invalidName, phrase: "contains '/'"),
    .init(name: "dot-dot extension name", yaml: """
        extensions:
          ..:
            packages: [kernel-rt-core]
        """, line: 2, column: 3, key: "extensions...", reason: .invalidName, phrase: "cannot be a directory name"),
    .init(name: "hidden extension name", yaml: """
        extensions:
          .rt:
            packages: [kernel-rt-core]
        """, line: 2, column: 3, key: "extensions..rt", reason: .invalidName, phrase: "starts with '.'"),
    .init(name: "space in extension name", yaml: """
        extensions:
          "kernel rt":
            packages: [kernel-rt-core]
        """, line: 2, column: 3, key: "extensions.kernel rt", reason: .invalidName, phrase: "contains ' '"),
    .init(name: "top-level modules.install", yaml: """
        modules:
          install: [nodejs:20/common]
        extensions:
          node:
            packages: [npm]
        """, line: 2, column: 3, key: "modules.install", reason: .unsupported,
        phrase: "has no extension to ship its packages in"),
    .init(name: "profile in modules.enable", yaml: """
        extensions:
          node:
            packages: [npm]
            modules:
              enable: [nodejs:20/common]
        """, line: 5, column: 16, key: "extensions.node.modules.enable[0]", reason: .invalidModule,
        phrase: "a profile is only installed by 'install'"),
    .init(name: "module version in modules.install", yaml: """
        extensions:
          node:
            packages: [npm]
            modules:
              install: ["nodejs:20:9020:abc/common"]
        """, line: 5, column: 17, key: "extensions.node.modules.install[0]", reason: .invalidModule,
        phrase: "not a version or context"),
    .init(name: "misspelled modules key", yaml: """
        extensions:
          node:
            packages: [npm]
            modules:
              enabel: [nodejs:20]
        """, line: 5, column: 7, key: "extensions.node.modules.enabel", reason: .unknownKey,
        phrase: "did you mean 'enable'?"),
    .init(name: "modules is a list", yaml: """
        modules: [nodejs:20]
        extensions:
          node:
            packages: [npm]
        """, line: 1, column: 10, key: "modules", reason: .wrongType, phrase: "must be a mapping"),
    .init(name: "two streams of one module on one arch", yaml: """
        modules:
          enable: [nodejs:18]
        extensions:
          node:
            packages: [npm]
            modules:
              enable: [nodejs:20]
        """, line: 7, column: 16, key: "extensions.node.modules", reason: .conflictingStreams,
        phrase: "module 'nodejs' stream '20' contradicts stream '18' at line 2"),
    .init(name: "merge key", yaml: """
        extensions:
          usbguard:
            <<: {kind: development}
            packages: [usbguard]
        """, line: 3, column: 5, key: "extensions.usbguard.<<", reason: .unsupported,
        phrase: "merge keys ('<<') are not supported"),
]

@Test(arguments: badDocuments)
func badDocumentIsRejectedAtItsPosition(_ document: BadDocument) {
    let error = #expect(throws: ManifestError.self) {
        try ExtensionsFile.parse(yaml: document.yaml, file: "extensions.yaml")
    }
    #expect(error?.file == "extensions.yaml")
    #expect(error?.line == document.line)
    #expect(error?.column == document.column)
    #expect(error?.key == document.key)
    #expect(error?.reason == document.reason)
    #expect(error?.message.contains(document.phrase) == true, "message: \(error?.message ?? "none")")
}

/// rpm-ostree's YAML parser accepts anchors and aliases, so mox reads them too.
@Test func aliasesAreReadAsTheirAnchoredValues() throws {
    let yaml = """
        extensions:
          usbguard:
            packages: &pkgs [usbguard, usbguard-selinux]
            architectures: &arches [x86_64]
          usbguard-copy:
            packages: *pkgs
            architectures: *arches
        """
    let file = try ExtensionsFile.parse(yaml: yaml, file: "extensions.yaml")
    #expect(file.extensions.map(\.packages) == [["usbguard", "usbguard-selinux"], ["usbguard", "usbguard-selinux"]])
    #expect(file.extensions[1].architectures == ["x86_64"])
}

/// A mistake in an anchored value is reported where it is written, once per use.
@Test func mistakeInAnAnchoredValueIsReportedAtTheAnchor() {
    let yaml = """
        extensions:
          usbguard:
            packages: &pkgs [usbguard, 3]
          usbguard-copy:
            packages: *pkgs
        """
    let problems = ExtensionsFile.problems(yaml: yaml, file: "extensions.yaml")
    #expect(problems.map(\.line) == [3, 3])
    #expect(problems.map(\.key) == ["extensions.usbguard.packages[1]", "extensions.usbguard-copy.packages[1]"])
}

/// A "billion laughs" document: nine levels of ten aliases each expand to 10^9 strings. It must
/// fail at once, naming the cause, instead of walking every expansion.
@Test func aliasBombFailsFastWithAClearError() {
    var yaml = "a0: &a0 [lol, lol, lol, lol, lol, lol, lol, lol, lol, lol]\n"
    for level in 1...9 {
        let previous = "*a\(level - 1)"
        yaml += "a\(level): &a\(level) [" + Array(repeating: previous, count: 10).joined(separator: ", ") + "]\n"
    }
    yaml += "extensions:\n  bomb:\n    packages: *a9\n"
    let problems = ExtensionsFile.problems(yaml: yaml, file: "extensions.yaml")
    #expect(problems.map(\.reason) == [.tooLarge])
    #expect(problems.first?.message.contains("alias") == true)
}
