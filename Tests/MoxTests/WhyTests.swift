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
}
