import ArgumentParser
import Compose
import Foundation

/// `mox why`: the chain of requires and recommends that brings a package into a composed tree.
struct WhyCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "why",
        abstract: "Show why a package is in a composed tree: the requires/recommends chain from each listed package to it.",
        discussion: "Exit 0: chains shown; 1: no extension of the tree ships the package; 2: the tree cannot be read.")

    @Argument(help: ArgumentHelp("The package: a name, name.arch or NEVRA.", valueName: "package"))
    var package: String

    @Argument(help: ArgumentHelp("A composed tree, or its mox-index.json.", valueName: "tree"))
    var tree: String

    @Option(name: .customLong("arch"), help: ArgumentHelp("Only this arch; repeatable (default: every arch of the tree).",
                                                          valueName: "arch"))
    var arches: [String] = []

    @Option(help: "Output format: text or json.")
    var format: OutputFormat = .text

    func run() throws {
        let index = try DiffCommand.index(at: tree)
        for arch in arches where index.arches[arch] == nil {
            Output.log("mox: error: the tree has no arch \(arch); it has " + index.arches.keys.sorted().joined(separator: ", "))
            throw ExitCode(Exit.invalidInput)
        }
        let why = DependencyChains(to: package, in: index, arches: arches)
        if why.absence == .noGraph {
            Output.log("mox: error: \(tree) was composed by a mox that did not record dependencies; compose it again")
            throw ExitCode(Exit.invalidInput)
        }
        switch format {
        case .text: Output.print(why.chains.isEmpty ? "\(package): not in any extension of this tree\n" : Self.render(why))
        case .json:
            let document: [String: Any] = ["package": package, "chains": why.chains.map { chain in
                ["arch": chain.arch, "extension": chain.extension, "steps": chain.steps.map { step -> [String: Any] in
                    var entry: [String: Any] = ["nevra": step.nevra]
                    if let dependency = step.dependency { entry["dependency"] = dependency }
                    if let kind = step.kind { entry["kind"] = kind }
                    return entry
                }] as [String: Any]
            }]
            let data = (try? JSONSerialization.data(withJSONObject: document, options: [.prettyPrinted, .sortedKeys,
                                                                                      .withoutEscapingSlashes])) ?? Data()
            Output.print(String(decoding: data, as: UTF8.self) + "\n")
        }
        throw ExitCode(why.chains.isEmpty ? Exit.failed : Exit.ok)
    }

    /// Each chain as an indented list: the listed package, then each step with the dependency it satisfies.
    static func render(_ why: DependencyChains) -> String {
        var text = ""
        for chain in why.chains {
            text += "\(chain.arch) \(chain.extension):\n"
            for (depth, step) in chain.steps.enumerated() {
                let indent = String(repeating: "  ", count: depth + 1)
                if let dependency = step.dependency, let kind = step.kind {
                    text += "\(indent)\(kind) \(dependency): \(step.nevra)\n"
                } else {
                    text += "\(indent)\(step.nevra) (listed)\n"
                }
            }
        }
        return text
    }
}
