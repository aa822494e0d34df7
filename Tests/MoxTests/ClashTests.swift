// The os-extensions of an arch must install together: every clashing pair is found and named,
// however many extensions there are and however the clashes are spread among them.
import Fixtures
import Foundation
import Testing

@Suite("clashes between extensions")
struct ClashTests {
    /// `hub` conflicts with two packages; `red`/`blue` are a second, separate pair; `either`
    /// needs one of two packages, each of which `noleft`/`noright` conflicts with: those three
    /// clash only all together. `calm*` clash with nothing.
    static let hub = FixturePackage("hub", conflicts: ["spoke1", "spoke2"])
    static let spoke1 = FixturePackage("spoke1")
    static let spoke2 = FixturePackage("spoke2")
    static let red = FixturePackage("red", conflicts: ["blue"])
    static let blue = FixturePackage("blue")
    static let either = FixturePackage("either", requires: ["(left-half or right-half)"])
    static let leftHalf = FixturePackage("left-half")
    static let rightHalf = FixturePackage("right-half")
    static let noLeft = FixturePackage("noleft", conflicts: ["left-half"])
    static let noRight = FixturePackage("noright", conflicts: ["right-half"])
    static let calm = (1...6).map { FixturePackage("calm\($0)") }

    static let repo: Result<URL, any Error> = Result {
        let dir = try Fixtures.temporaryDirectory("clash-repo")
        removeAtExit(dir)
        let all = [hub, spoke1, spoke2, red, blue, either, leftHalf, rightHalf, noLeft, noRight] + calm
        _ = try Fixtures.buildRPMs(all, into: dir)
        try Fixtures.createRepo(dir)
        return dir
    }

    /// Checks one extension per package name (named `e-NAME`) against an empty base.
    func check(_ names: [String], label: String) throws -> JSONDocument {
        let yaml = "repos: [clash]\nextensions:\n" + names.map { "  e-\($0):\n    packages: [\($0)]\n" }.joined()
        let run = try CheckRun(label, yaml: yaml)
        try "[clash]\nname=clash\nbaseurl=\(try Self.repo.get().absoluteString)\ngpgcheck=0\n"
            .write(to: run.directory.appendingPathComponent("clash.repo"), atomically: true, encoding: .utf8)
        let empty = run.directory.appendingPathComponent("base.txt")
        try Data().write(to: empty)
        let result = try run.mox(["-q", "--format", "json", "--base-packages", empty.path])
        #expect(result.status == 1, "\(result.stderr)")
        return try JSONDocument(result.stdout)
    }

    /// For each extension, the extensions its failures name, from "together with extension 'e-x'".
    func partners(_ json: JSONDocument, _ names: [String]) throws -> [String: [String]] {
        var out: [String: [String]] = [:]
        for name in names {
            let messages = try json.failures("e-\(name)").compactMap { $0["message"] as? String }
            out[name] = messages.compactMap { message in
                guard let open = message.firstIndex(of: "'"), let close = message.lastIndex(of: "'"), open < close else {
                    return nil
                }
                return String(message[message.index(after: open)..<close].dropFirst("e-".count))
            }
        }
        return out.filter { !$0.value.isEmpty }
    }

    @Test func everyClashingPairIsNamedAndNothingElseFails() throws {
        let names = [Self.calm[0].name, Self.hub.name, Self.calm[1].name, Self.spoke1.name, Self.red.name,
                     Self.calm[2].name, Self.spoke2.name, Self.blue.name, Self.calm[3].name]
        let json = try check(names, label: "clash-pairs")
        // hub clashes with both spokes, red with blue; the spokes do not clash with each other.
        #expect(try partners(json, names) == [
            "hub": ["spoke1", "spoke2"], "spoke1": ["hub"], "spoke2": ["hub"], "red": ["blue"], "blue": ["red"],
        ])
        for calm in Self.calm.prefix(4) { #expect(try json.status("e-\(calm.name)") == "resolved") }
    }

    @Test func threeThatClashOnlyTogetherAllFailNamingTheOthers() throws {
        let names = [Self.either.name, Self.calm[4].name, Self.noLeft.name, Self.noRight.name, Self.calm[5].name]
        let json = try check(names, label: "clash-three")
        // No pair clashes: the three whose requests the failure involves fail, each naming the
        // other two; the calm ones install with them.
        let three = [Self.either.name, Self.noLeft.name, Self.noRight.name]
        for name in three {
            let messages = try json.failures("e-\(name)").compactMap { $0["message"] as? String }
            let others = three.filter { $0 != name }.map { "'e-\($0)'" }.joined(separator: ", ")
            #expect(messages == ["cannot be installed together with extensions " + others], "\(name): \(messages)")
        }
        #expect(try json.status("e-\(Self.calm[4].name)") == "resolved")
        #expect(try json.status("e-\(Self.calm[5].name)") == "resolved")
    }
}
