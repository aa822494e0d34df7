// Layout corner cases and terminal output of `mox compose`.
import Fixtures
import Foundation
import Testing

@Suite("mox compose: layout corners and terminal progress")
struct ComposeLayoutTests {
    typealias W = ComposeWorld

    @Test func aPackageListedTwiceIsStoredOnceUnderTheFirstExtension() throws {
        // solo is listed by both; libdeep is listed by `second` and a dependency of `first`.
        let run = try ComposeRun("compose-listed-twice", yaml: """
            repos: [os]
            extensions:
              first:
                packages: [solo]
              second:
                packages: [solo, libdeep]

            """)
        let result = try run.compose()
        #expect(result.status == 0, "\(result.stderr)")
        let solo = "extensions/first/\(W.solo.fileName)", libdeep = "extensions/second/\(W.libdeep.fileName)"
        #expect(files(under: run.output).filter { $0.hasSuffix(".rpm") } == [solo, libdeep])
        func path(_ ext: String, _ package: FixturePackage) throws -> String? {
            let packages = try run.index().at("arches", "x86_64", "extensions", ext, "packages") as? [[String: Any]] ?? []
            return packages.first { $0["nevra"] as? String == package.nevra }?["path"] as? String
        }
        #expect(try path("first", W.solo) == solo)
        #expect(try path("second", W.solo) == solo)
        #expect(try path("first", W.libdeep) == libdeep)
        #expect(try path("second", W.libdeep) == libdeep)
    }

    static let scriptAvailable = FileManager.default.isExecutableFile(atPath: "/usr/bin/script")

    @Test(.enabled(if: scriptAvailable, "util-linux script(1) is not installed"))
    func onATerminalProgressIsOneRedrawnLine() throws {
        let run = try ComposeRun("compose-tty", yaml: "repos: [os]\nextensions:\n  tools:\n    packages: [toolbox]\n")
        let argv = [try Mox.binary.path, "compose"] + (try run.inputs(["--output", run.output.path]))
        let command = argv.map { "'\($0)'" }.joined(separator: " ")
        let tty = try Fixtures.run(["script", "-q", "-e", "-c", command, "/dev/null"], environment: ["TERM": "xterm"],
                                   allowFailure: true)
        #expect(tty.status == 0, "\(tty.stdout)")
        #expect(tty.stdout.contains("\r\u{1B}[Kfetching "), "\(tty.stdout.debugDescription)")
        #expect(!tty.stdout.contains("\nfetched "), "no per-package log lines on a terminal")
        #expect(tty.stdout.contains("composed 1 extension, 4 packages"), "\(tty.stdout)")
    }
}
