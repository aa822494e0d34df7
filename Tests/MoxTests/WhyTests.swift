// `mox why`: the requires/recommends chains that bring a package into a composed tree, read from
// its index alone.
import Fixtures
import Foundation
import Testing

@Suite("mox why")
struct WhyTests {
    typealias W = ComposeWorld

    /// One composed tree of the compose world, shared by the tests.
    static let tree: Result<ComposeRun, any Error> = Result {
        let run = try ComposeRun("why-tree")
        let result = try run.compose()
        guard result.status == 0 else { throw MoxTestError("compose failed: \(result.stderr)") }
        return run
    }

    func why(_ arguments: [String]) throws -> CommandResult {
        try Fixtures.run([try Mox.binary.path, "why"] + arguments, allowFailure: true)
    }

    @Test func aThreeLevelChainIsShownWhole() throws {
        let run = try Self.tree.get()
        let result = try why([W.libdeep.name, run.output.path, "--format", "json"])
        #expect(result.status == 0, "\(result.stderr)")
        let document = try JSONSerialization.jsonObject(with: Data(result.stdout.utf8)) as? [String: Any] ?? [:]
        let chains = document["chains"] as? [[String: Any]] ?? []
        let usbguard = chains.first { $0["extension"] as? String == "usbguard" }
        let steps = usbguard?["steps"] as? [[String: Any]] ?? []
        // usbguard requires libusbguard, which requires libshared, which requires libdeep.
        #expect(steps.compactMap { $0["nevra"] as? String } == [W.usbguard, W.libusbguard, W.libshared, W.libdeep].map(\.nevra),
                "\(result.stdout)")
        #expect(steps.dropFirst().compactMap { $0["dependency"] as? String } == ["libusbguard", "libshared", "libdeep"])
        #expect(steps.dropFirst().allSatisfy { $0["kind"] as? String == "requires" })
        // Every extension that ships it says how: tools through toolbox, extra through extratool.
        #expect(Set(chains.compactMap { $0["extension"] as? String }) == ["usbguard", "tools", "extra"], "\(result.stdout)")
        let tools = chains.first { $0["extension"] as? String == "tools" }?["steps"] as? [[String: Any]] ?? []
        #expect(tools.compactMap { $0["nevra"] as? String } == [W.toolbox, W.libshared, W.libdeep].map(\.nevra))
    }

    @Test func textShowsTheListedPackageFirstAndThePackageLast() throws {
        let run = try Self.tree.get()
        let result = try why([W.libdeep.nevra, run.output.appendingPathComponent("mox-index.json").path, "--arch", "x86_64"])
        #expect(result.status == 0, "\(result.stderr)")
        let lines = result.stdout.split(separator: "\n").map(String.init)
        guard let start = lines.firstIndex(of: "x86_64 usbguard:"), lines.count > start + 4 else {
            Issue.record("no usbguard chain:\n\(result.stdout)"); return
        }
        #expect(lines[start + 1].trimmingCharacters(in: .whitespaces) == "\(W.usbguard.nevra) (listed)")
        #expect(lines[start + 4].trimmingCharacters(in: .whitespaces) == "requires libdeep: \(W.libdeep.nevra)", "\(result.stdout)")
    }

    @Test func aListedPackageIsItsOwnChainAndAnAbsentOneExitsOne() throws {
        let run = try Self.tree.get()
        let listed = try why([W.toolbox.name, run.output.path])
        #expect(listed.status == 0)
        #expect(listed.stdout.contains("x86_64 tools:\n  \(W.toolbox.nevra) (listed)\n"), "\(listed.stdout)")
        let absent = try why([W.bash.name, run.output.path])
        #expect(absent.status == 1, "bash is in the base, not in the tree")
        #expect(absent.stdout.contains("not in any extension"), "\(absent.stdout)")
        let badArch = try why([W.toolbox.name, run.output.path, "--arch", "s390x"])
        #expect(badArch.status == 2 && badArch.stderr.contains("s390x"), "\(badArch.stderr)")
        let noTree = try why([W.toolbox.name, run.directory.appendingPathComponent("nowhere").path])
        #expect(noTree.status == 2)
    }

    @Test func aTreeFromAnEarlierMoxIsComposedAgainToTheSameDigest() throws {
        let run = try ComposeRun("why-earlier-index")
        #expect(try run.compose().status == 0)
        // The index as a mox without needs and header facts wrote it.
        let file = run.output.appendingPathComponent("mox-index.json")
        var index = try run.index()
        let digest = index["stateDigest"] as? String
        var arches = index["arches"] as? [String: Any] ?? [:]
        for (arch, value) in arches {
            var entry = value as? [String: Any] ?? [:]
            var extensions = entry["extensions"] as? [String: Any] ?? [:]
            for (name, ext) in extensions {
                var ext = ext as? [String: Any] ?? [:]
                ext["packages"] = (ext["packages"] as? [[String: Any]] ?? []).map { package in
                    package.filter { !["needs", "installedSize", "configFiles", "scriptlets"].contains($0.key) }
                }
                extensions[name] = ext
            }
            entry["extensions"] = extensions
            arches[arch] = entry
        }
        index["arches"] = arches
        try JSONSerialization.data(withJSONObject: index, options: [.sortedKeys]).write(to: file)
        let old = try why([W.libdeep.name, run.output.path])
        #expect(old.status == 2 && old.stderr.contains("compose it again"), "\(old.stderr)")

        let again = try run.compose(["--format", "json"])
        #expect(again.status == 0, "\(again.stderr)")
        let outcome = try JSONDocument(again.stdout).root
        #expect(outcome["status"] as? String == "published", "an index without the graph is not up to date")
        #expect(outcome["stateDigest"] as? String == digest, "the same inputs give the same digest")
        #expect(try why([W.libdeep.name, run.output.path]).status == 0)
        #expect((try run.compose(["--format", "json"]).stdout).contains("\"unchanged\""))
    }
}
