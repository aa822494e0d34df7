import ArgumentParser
import Fetch
import Foundation
import ImageSource
import Lint
import Manifest
import Report
import Resolve
import SystemPackage

/// `mox lint`: check any extensions image against what its consumers need, as a CI gate.
struct LintCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "lint",
        abstract: "Check an extensions image (any builder's) against what the MCO, koji's upload and dnf need.",
        discussion: """
            Every arch of an index (or each --arch): both labels, a command for podman create, repodata at \
            usr/share/rpm-ostree/extensions/ listing exactly its RPMs with their checksums, the flat \
            extensions.json in the last layer equal to the repodata; given EXTENSIONS and the base, every \
            os-extension installs from the image's repo alone and every development extension's packages are \
            there. Exit 0: the image passes; 1: contract violations (each listed with what to do); \
            2: invalid input; 3: environment problem.
            """)

    @Argument(help: ArgumentHelp(
        "The image, in a transport skopeo reads: oci:DIR[:TAG], oci-archive:FILE, docker-archive:FILE, "
            + "docker://REGISTRY/NAME[:TAG|@DIGEST], containers-storage:NAME.", valueName: "image"))
    var image: String

    @Argument(help: ArgumentHelp("The extensions file, to check installability (needs a base).", valueName: "extensions.yaml"))
    var extensions: String?

    @OptionGroup(title: "Base (for the installability check)") var base: BaseOptions

    @Option(name: .customLong("repos-dir"), help: ArgumentHelp(
        "With --base-packages: the *.repo files the base's packages are looked up in (default: the extensions file's directory).",
        valueName: "dir"))
    var reposDirectory: String?

    @Option(name: .customLong("repo"), help: ArgumentHelp("With --base-packages: define or override one repo; repeatable.",
                                                          valueName: "id=url"))
    var repoOverrides: [String] = []

    @Option(help: "Value of $releasever in .repo files.")
    var releasever: String?

    @Option(name: .customLong("arch"), help: ArgumentHelp(
        "An arch to check; repeatable (default: every arch of the image).", valueName: "arch"))
    var arches: [String] = []

    @OptionGroup(title: "Registries") var registry: RegistryAccessOptions

    @Option(name: .customLong("cachedir"), help: ArgumentHelp(
        "Cache for parsed metadata and base images (default: $XDG_CACHE_HOME/mox or ~/.cache/mox).", valueName: "dir"))
    var cacheDirectory: String?

    @Option(help: "Report format: text or json.")
    var format: OutputFormat = .text

    @Option(name: .customLong("junit"), help: ArgumentHelp("Also write a JUnit XML report here.", valueName: "file"))
    var junitPath: String?

    @Flag(name: .shortAndLong, help: "Print only the report, no progress lines.")
    var quiet = false

    func validate() throws {
        if extensions != nil && base.isEmpty {
            throw ValidationError("the installability check needs the base: --base-rootfs DIR, --base-image REF or --base-packages FILE")
        }
        if extensions == nil && !base.isEmpty {
            throw ValidationError("a base is only used with the extensions file: mox lint IMAGE EXTENSIONS.yaml --base-...")
        }
        for arch in arches where !Extension.knownArchitectures.contains(arch) {
            throw ValidationError("unknown --arch '\(arch)'; known: " + Extension.knownArchitectures.sorted().joined(separator: ", "))
        }
    }

    func run() throws {
        let log: (String) -> Void = quiet ? { _ in } : { Output.log($0) }
        // Interrupted, the run's working directory (a copy of the image, its files) goes too.
        let interrupts = Interrupts()
        let report: LintReport
        do {
            let reference: ImageReference
            do { reference = try ImageReference(parsing: image) } catch { throw LintError.invalidInput(["\(error)"]) }
            var linter = Linter(reference: reference, registry: registry.options, arches: arches)
            linter.installation = try installation()
            report = try linter.run(log: log, working: { interrupts.protect(WorkingDirectory($0)) })
            interrupts.settle()
        } catch let error as LintError {
            interrupts.settle()
            if format == .json { Output.print(LintRendering.json(error, reference: image, mox: Mox.version)) }
            try write(LintRendering.junit(error, reference: image))
            for problem in error.problems { Output.log("mox: error: \(problem)") }
            switch error {
            case .invalidInput: throw ExitCode(Exit.invalidInput)
            case .environment: throw ExitCode(Exit.environment)
            }
        }
        switch format {
        case .text: Output.print(LintRendering.text(report, color: Output.stdoutIsColorTerminal))
        case .json: Output.print(LintRendering.json(report, mox: Mox.version))
        }
        try write(LintRendering.junit(report))
        throw ExitCode(report.passed ? Exit.ok : Exit.failed)
    }

    /// The inputs of the installability check, when the extensions file is given.
    private func installation() throws(LintError) -> CheckSession? {
        guard let extensions else { return nil }
        let manifest: ExtensionsFile
        do { manifest = try ExtensionsFile.load(path: extensions) } catch {
            throw .invalidInput(error.problems.map { InputProblem($0).description })
        }
        let bases: BaseSelection
        do { bases = try base.selection } catch {
            throw .invalidInput(["\(error)"])
        }
        let parent = FilePath(extensions).removingLastComponent()
        let cache = InputOptions.cachePath(cacheDirectory)
        var session = CheckSession(manifest: manifest, reposDirectory: reposDirectory ?? (parent.isEmpty ? "." : parent.string),
                                   repoOverrides: repoOverrides, releasever: releasever, base: bases, cacheDirectory: cache)
        // http(s) repos, to look a package-list base up in: their metadata is downloaded into the cache.
        session.downloader = Fetcher(cache: PackageCache(directory: cache), options: FetchOptions())
        session.registry = registry.options
        return session
    }

    private func write(_ junit: String) throws {
        guard let junitPath else { return }
        do { try Output.writeAtomically(junit, to: junitPath) } catch {
            Output.log("mox: error: cannot write JUnit report to \(junitPath): \(error.localizedDescription)")
            throw ExitCode(Exit.environment)
        }
    }
}
