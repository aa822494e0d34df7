import ArgumentParser
import Compose
import Foundation
import SystemPackage

/// `mox diff`: what changed between two composed trees (or two mox-index.json files).
struct DiffCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "diff",
        abstract: "Show what changed between two composed trees: extensions and packages added, removed, updated; "
            + "per extension, %config files, scriptlets and sizes.",
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
        case .text: Output.print(diff.isEmpty ? "no differences\n" : Self.render(diff, limit: nil, heading: false))
        case .json:
            let document: [String: Any] = ["changes": Self.json(diff), "extensions": diff.extensions.map(Self.json)]
            let data = (try? JSONSerialization.data(withJSONObject: document,
                                                    options: [.prettyPrinted, .sortedKeys, .withoutEscapingSlashes])) ?? Data()
            Output.print(String(decoding: data, as: UTF8.self) + "\n")
        }
        throw ExitCode(diff.isEmpty ? Exit.ok : Exit.failed)
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

    /// The changes, one line each, at most `limit` of them, then what changed for the node in each extension.
    static func render(_ diff: IndexDiff, limit: Int?, heading: Bool = true) -> String {
        guard !diff.isEmpty else { return "" }
        var text = heading ? "changes since the previous tree:\n" : ""
        let lines = diff.changes.map(\.text) + diff.extensions.flatMap(Self.lines)
        let shown = limit.map { Array(lines.prefix($0)) } ?? lines
        for line in shown { text += "  \(line)\n" }
        if shown.count < lines.count { text += "  ... and \(lines.count - shown.count) more (mox diff)\n" }
        return text
    }

    /// One extension's %config, scriptlet and size changes, one line each.
    static func lines(_ changes: ExtensionChanges) -> [String] {
        let place = "\(changes.arch) \(changes.extension)"
        var lines: [String] = []
        for config in changes.configs {
            let kept = config.noreplace ? "noreplace: a node's own edits are kept" : "replaced on the node"
            lines.append("\(place): %config \(config.path) \(config.kind.rawValue) (\(config.package), \(kept))")
        }
        for (package, scriptlets) in Dictionary(grouping: changes.scriptlets, by: \.package).sorted(by: { $0.key < $1.key }) {
            lines.append("\(place): \(package) scriptlets: " + scriptlets.map { "%\($0.scriptlet) \($0.kind.rawValue)" }
                .joined(separator: ", "))
        }
        for size in changes.packageSizes { lines.append("\(place): \(size.package ?? "") size: \(describe(size))") }
        if changes.total.oldDownload != changes.total.newDownload || changes.total.oldInstalled != changes.total.newInstalled {
            lines.append("\(place): extension size: \(describe(changes.total))")
        }
        if changes.factsUnknown {
            lines.append("\(place): %config files, scriptlets and installed sizes not compared: a tree was composed by a mox "
                + "that did not record them")
        }
        return lines
    }

    /// `download 10.0 KiB -> 11.2 KiB (+1.2 KiB), installed ...`.
    static func describe(_ size: ExtensionChanges.Size) -> String {
        func delta(_ old: Int64, _ new: Int64) -> String {
            let change = new - old
            let sign = change > 0 ? "+" : change < 0 ? "-" : "±"
            return "\(ByteCount.format(old)) -> \(ByteCount.format(new)) (\(sign)\(ByteCount.format(abs(change))))"
        }
        var text = "download " + delta(size.oldDownload, size.newDownload)
        if let old = size.oldInstalled, let new = size.newInstalled { text += ", installed " + delta(old, new) }
        return text
    }

    /// One extension's changes for `--format json`.
    static func json(_ changes: ExtensionChanges) -> [String: Any] {
        func size(_ size: ExtensionChanges.Size) -> [String: Any] {
            var entry: [String: Any] = ["download": ["old": size.oldDownload, "new": size.newDownload,
                                                     "delta": size.newDownload - size.oldDownload]]
            if let old = size.oldInstalled, let new = size.newInstalled {
                entry["installed"] = ["old": old, "new": new, "delta": new - old]
            }
            if let package = size.package { entry["package"] = package }
            return entry
        }
        return [
            "arch": changes.arch, "extension": changes.extension, "factsUnknown": changes.factsUnknown,
            "config": changes.configs.map { config -> [String: Any] in
                var entry: [String: Any] = ["path": config.path, "kind": config.kind.rawValue, "package": config.package,
                                            "noreplace": config.noreplace]
                if let old = config.old { entry["old"] = old }
                if let new = config.new { entry["new"] = new }
                return entry
            },
            "scriptlets": changes.scriptlets.map { ["package": $0.package, "scriptlet": $0.scriptlet, "kind": $0.kind.rawValue] },
            "packages": changes.packageSizes.map(size),
            "size": size(changes.total),
        ]
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
