import ArgumentParser
import Compose
import Foundation
import SystemPackage

/// `mox diff`: what changed between two composed trees (or two mox-index.json files).
struct DiffCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "diff",
        abstract: "Show what changed between two composed trees: extensions and packages added, removed, updated.",
        discussion: "Exit 0: no difference; 1: differences; 2: a tree or index cannot be read (as diff(1)).")

    @Argument(help: ArgumentHelp("The older tree, or its mox-index.json.", valueName: "old"))
    var old: String

    @Argument(help: ArgumentHelp("The newer tree, or its mox-index.json.", valueName: "new"))
    var new: String

    @Option(help: "Output format: text or json.")
    var format: OutputFormat = .text

    func run() throws {
        let before = try Self.index(at: old)
        let after = try Self.index(at: new)
        let diff = IndexDiff(old: before, new: after)
        switch format {
        case .text: Output.print(diff.changes.isEmpty ? "no differences\n" : Self.render(diff, limit: nil, heading: false))
        case .json:
            let data = (try? JSONSerialization.data(withJSONObject: ["changes": Self.json(diff)],
                                                    options: [.prettyPrinted, .sortedKeys])) ?? Data()
            Output.print(String(decoding: data, as: UTF8.self) + "\n")
        }
        throw ExitCode(diff.changes.isEmpty ? Exit.ok : Exit.failed)
    }

    static func index(at path: String) throws -> ComposeIndex {
        var isDirectory: ObjCBool = false
        let file = FileManager.default.fileExists(atPath: path, isDirectory: &isDirectory) && isDirectory.boolValue
            ? FilePath(path).appending(ComposeIndex.fileName).string : path
        guard let index = ComposeIndex.read(from: file) else {
            Output.log("mox: error: \(file): missing or not an index written by mox compose")
            throw ExitCode(Exit.invalidInput)
        }
        return index
    }

    /// The changes, one line each, at most `limit` of them.
    static func render(_ diff: IndexDiff, limit: Int?, heading: Bool = true) -> String {
        guard !diff.changes.isEmpty else { return "" }
        var text = heading ? "changes since the previous tree:\n" : ""
        let shown = limit.map { Array(diff.changes.prefix($0)) } ?? diff.changes
        for change in shown { text += "  \(change.text)\n" }
        if shown.count < diff.changes.count { text += "  ... and \(diff.changes.count - shown.count) more (mox diff)\n" }
        return text
    }

    static func json(_ diff: IndexDiff) -> [[String: Any]] {
        diff.changes.map { change in
            var entry: [String: Any] = ["arch": change.arch, "extension": change.extension, "kind": change.kind.rawValue]
            if !change.package.isEmpty { entry["package"] = change.package }
            if let old = change.old { entry["old"] = old }
            if let new = change.new { entry["new"] = new }
            return entry
        }
    }
}
