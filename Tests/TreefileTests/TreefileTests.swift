// Treefiles as rpm-ostree compose extensions reads their repos: includes, arch-includes,
// conditional includes with variables, its merge order, and the mistakes it refuses.
import Fixtures
import Foundation
import Testing
import Treefile

@Suite("Treefile repos")
struct TreefileTests {
    /// A folder with the given files.
    func folder(_ files: [String: String]) throws -> URL {
        let dir = try Fixtures.temporaryDirectory("treefile")
        removeAtExit(dir)
        for (name, text) in files {
            let url = dir.appendingPathComponent(name)
            try FileManager.default.createDirectory(at: url.deletingLastPathComponent(), withIntermediateDirectories: true)
            try text.write(to: url, atomically: true, encoding: .utf8)
        }
        return dir
    }

    func load(_ dir: URL, _ name: String, arch: String = "x86_64") throws -> Treefile {
        try Treefile.load(path: dir.appendingPathComponent(name).path, basearch: arch)
    }

    func failure(_ dir: URL, _ name: String, arch: String = "x86_64") -> TreefileError? {
        do { _ = try load(dir, name, arch: arch); return nil } catch let error as TreefileError { return error } catch { return nil }
    }

    @Test func includedFilesAddTheirReposBeforeTheIncludingFilesOnes() throws {
        let dir = try folder([
            "manifest.yaml": "include: common/base.json\nrepos: [rhel-appstream]\nref: rhcos/${basearch}\n",
            "common/base.json": #"{"repos": ["rhel-baseos"], "include": "more.yaml", "releasever": 9}"#,
            "common/more.yaml": "repos: [fast-datapath]\nreleasever: \"8\"\nrepovars: {stream: rhel-9.6}\n",
        ])
        let tree = try load(dir, "manifest.yaml")
        #expect(tree.repos == ["fast-datapath", "rhel-baseos", "rhel-appstream"])
        #expect(tree.releasever == "9", "the including file's releasever wins")
        #expect(tree.repovars == ["stream": "rhel-9.6"])
    }

    @Test func archIncludesApplyToTheirArchOnly() throws {
        let dir = try folder([
            "manifest.yaml": "repos: [baseos]\narch-include:\n  x86_64: x86.yaml\n  aarch64: [arm.yaml]\n",
            "x86.yaml": "repos: [x86-only]\n",
            "arm.yaml": "repos: [arm-only]\n",
        ])
        #expect(try load(dir, "manifest.yaml").repos == ["x86-only", "baseos"])
        #expect(try load(dir, "manifest.yaml", arch: "aarch64").repos == ["arm-only", "baseos"])
        #expect(try load(dir, "manifest.yaml", arch: "s390x").repos == ["baseos"])
    }

    @Test func conditionalIncludesFollowTheirVariables() throws {
        let dir = try folder([
            "manifest.yaml": """
                variables:
                  osversion: "rhel-9.8"
                  rhel_major: 9
                  okd: false
                include: packages-openshift.yaml

                """,
            // As openshift/os writes it: the repos come from inline includes chosen by osversion.
            "packages-openshift.yaml": """
                conditional-include:
                  - if:
                    - osversion != "rhel-9.8"
                    - osversion != "c9s"
                    include:
                      repos: [ENOEXIST]
                  - if: osversion == "rhel-9.8"
                    include:
                      repos: [rhel-9.8-baseos, rhel-9.8-appstream]
                  - if: rhel_major >= 9
                    include: el9.yaml
                  - if: [okd == true, basearch == "x86_64"]
                    include: {repos: [okd]}

                """,
            "el9.yaml": "repos: [el9-extras]\n",
        ])
        #expect(try load(dir, "manifest.yaml").repos == ["el9-extras", "rhel-9.8-baseos", "rhel-9.8-appstream"])
    }

    @Test func includeLoopsAndRepeatsAreRefusedAsRpmOstreeDoes() throws {
        let loop = try folder(["a.yaml": "include: b.yaml\n", "b.yaml": "include: [a.yaml]\n"])
        let error = failure(loop, "a.yaml")
        #expect(error?.message.contains("include loop") == true, "\(String(describing: error))")
        #expect(error?.message.contains("a.yaml -> ") == true && error?.message.contains("b.yaml") == true)
        // A file included twice without a loop: rpm-ostree refuses it too.
        let twice = try folder(["top.yaml": "include: [x.yaml, y.yaml]\n", "x.yaml": "include: common.yaml\n",
                                "y.yaml": "include: common.yaml\n", "common.yaml": "repos: [a]\n"])
        #expect(failure(twice, "top.yaml")?.message.contains("already included") == true)
    }

    @Test func mistakesNameTheFileAndWhatToDo() throws {
        let dir = try folder([
            "missing.yaml": "include: nowhere.yaml\n",
            "undefined.yaml": "conditional-include:\n  - if: flavor == \"x\"\n    include: {repos: [a]}\n",
            "badcondition.yaml": "conditional-include:\n  - if: basearch = x86_64\n    include: {repos: [a]}\n",
            "mistyped.yaml": "variables: {major: 9}\nconditional-include:\n  - if: major == \"9\"\n    include: {repos: [a]}\n",
            "arch.yaml": "basearch: aarch64\nrepos: [a]\n",
            "repos.yaml": "repos: baseos\n",
            "float.yaml": "releasever: 9.6\n",
        ])
        let missing = failure(dir, "missing.yaml")
        #expect(missing?.file.hasSuffix("nowhere.yaml") == true && missing?.message.contains("included by") == true)
        #expect(failure(dir, "undefined.yaml")?.message.contains("undefined variable 'flavor'") == true)
        #expect(failure(dir, "badcondition.yaml")?.message.contains("invalid condition") == true)
        #expect(failure(dir, "mistyped.yaml")?.message.contains("same type") == true)
        #expect(failure(dir, "arch.yaml")?.message.contains("aarch64") == true)
        #expect(failure(dir, "repos.yaml")?.message.contains("list of repo ids") == true)
        #expect(failure(dir, "float.yaml")?.message.contains("quote") == true)
    }
}
