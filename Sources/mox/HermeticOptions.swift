import ArgumentParser
import Compose
import Lockfile
import Repos
import Resolve

/// Options for hermetic builds: locks in and out, no network, repos as the build system names them.
struct HermeticOptions: ParsableArguments {
    @Option(name: .customLong("lockfile"), help: ArgumentHelp(
        "Pin packages to a lockfile (rpms.lock.yaml, or rpm-ostree's JSON/YAML): a locked name can only be its "
            + "locked build; other packages resolve as usual; repeatable, later files override earlier ones.",
        valueName: "file"))
    var lockfiles: [String] = []

    @Flag(name: .customLong("lockfile-strict"), help: "Fail when the resolution needs a package the lockfile lacks.")
    var lockfileStrict = false

    @Flag(name: .customLong("offline"), help: ArgumentHelp(
        "Open no network connection: repos must be local (prefetched); what is missing is named (exit 3)."))
    var offline = false

    @Option(name: .customLong("map-repo"), help: ArgumentHelp(
        "Read a repo id of the extensions file as the build system's repo(s); repeatable.",
        valueName: "manifest-id=real-id[,real-id...]"))
    var mapRepo: [String] = []

    @Flag(name: .customLong("all-repos"), help: ArgumentHelp(
        "Use every enabled repo of --repos-dir in place of the extensions file's top-level repos."))
    var allRepos = false

    @Option(name: .customLong("write-lockfile"), help: ArgumentHelp(
        "Write what resolves (compose: what the tree ships) as a lockfile: .yaml rpms.lock.yaml (hermeto), "
            + ".json rpm-ostree's; {arch} in the name gives one file per arch.",
        valueName: "file"))
    var writeLockfile: String?

    func validate() throws {
        if lockfileStrict && lockfiles.isEmpty { throw ValidationError("--lockfile-strict needs --lockfile FILE") }
        do { _ = try RepoMapping(specs: mapRepo, allRepos: allRepos) } catch { throw ValidationError("\(error)") }
    }

    /// Applies these options to a session: the mapping, the lock (read now: its mistakes are input errors).
    func apply(to session: inout CheckSession) throws(CheckError) {
        do {
            session.repoMapping = try RepoMapping(specs: mapRepo, allRepos: allRepos)
        } catch {
            throw .invalidInput("\(error)")
        }
        session.offline = offline
        session.lockStrict = lockfileStrict
        for file in lockfiles {
            do {
                let lock = try LockfileReader.read(file: file)
                if session.lock == nil { session.lock = lock } else { session.lock?.merge(lock) }
            } catch {
                throw .invalidFiles(error.problems.map(InputProblem.init))
            }
        }
    }

    /// The lockfile to write with a check (a compose writes it through its companions).
    var companions: CompanionRequest { CompanionRequest(lockfile: writeLockfile, sbomDirectory: nil) }
}
