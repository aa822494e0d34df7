import Conflicts
import Fetch
import Resolve
import RPM
import Solv

/// The file-conflict gate of a compose: once every package is verified in the cache (its header
/// at hand), each arch's os-extensions are checked against the base and against each other by
/// rpm's rules. A conflict fails the extensions on both sides, as any other failure does.
/// Development extensions are not installed on nodes: they are not checked.
enum ConflictGate {
    /// Where a package's (or a base package's) header is read from, or why it cannot be.
    typealias Header = Result<String, FileConflictCheck.Unavailable>

    /// The reports with file conflicts added as failures, and what could not be judged as
    /// warnings. `package` gives the file holding an os-extension package's header (on `arch`);
    /// `baseHeader` that of a base package of a package-list base.
    static func apply(_ reports: [ArchReport], session: CheckSession, log: (String) -> Void,
                      package: (PackageInfo, _ arch: String) throws(ComposeError) -> Header,
                      baseHeader: (BaseFileOwner, _ arch: String) throws(ComposeError) -> Header)
        throws(ComposeError) -> [ArchReport] {
        var checked: [ArchReport] = []
        for var report in reports {
            var members: [String: FileConflictCheck.Member] = [:]
            for ext in report.extensions where ext.kind == "os-extension" && ext.status == .resolved {
                for p in ext.packages {
                    let nevra = p.package.nevra.description
                    if let known = members[nevra] {
                        members[nevra] = .init(nevra: nevra, file: known.file, extensions: known.extensions + [ext.name])
                        continue
                    }
                    switch try package(p.package, report.arch) {
                    case .success(let file): members[nevra] = .init(nevra: nevra, file: file, extensions: [ext.name])
                    case .failure(let unavailable):
                        let text = "\(nevra): its header could not be read (\(unavailable.reason)); its files are not checked for conflicts"
                        note(text, extension: ext.name, in: &report, log: log)
                    }
                }
            }
            // The base's rpmdb as librpm opens it: a private copy, kept while the check runs.
            let database: PrivateRPMDatabase?
            do { database = members.isEmpty ? nil : try session.baseDatabaseCopy(arch: report.arch) } catch {
                throw Composer.map(error)
            }
            guard !members.isEmpty, let base = try baseFiles(of: report, database: database, header: baseHeader) else {
                checked.append(report)
                continue
            }
            let findings: ConflictFindings
            do {
                findings = try FileConflictCheck(arch: report.arch).run(Array(members.values), base: base)
            } catch {
                throw .environment("\(report.arch): \(error)")
            }
            if !findings.conflicts.isEmpty || !findings.overlaps.isEmpty {
                log("\(report.arch): \(findings.conflicts.count) file conflict(s), \(findings.overlaps.count) unchecked overlap(s)")
            }
            checked.append(record(findings, in: report, log: log))
        }
        return checked
    }

    /// Where the base's file lists come from: its rpmdb (a rootfs or an image), or the headers of
    /// the base packages sharing a path (a package-list base).
    static func baseFiles(of report: ArchReport, database: PrivateRPMDatabase?,
                          header: (BaseFileOwner, String) throws(ComposeError) -> Header)
        throws(ComposeError) -> FileConflictCheck.Base? {
        if let database { return .rpmdb(database.directory.string) }
        switch report.base {
        case .packages:
            // One header per base package, however many paths it shares.
            var headers: [PackageRef: Header] = [:]
            var owners: [FileConflictCheck.BaseOwner] = []
            for owner in report.baseFileOwners {
                let found: Header
                if let known = headers[owner.base.ref] { found = known } else { found = try header(owner, report.arch) }
                headers[owner.base.ref] = found
                owners.append(.init(path: owner.path, nevra: owner.base.nevra.description, header: found))
            }
            return .owners(owners)
        default:
            return nil
        }
    }

    /// Adds a warning to an extension (once), and logs it.
    static func note(_ text: String, extension name: String, in report: inout ArchReport, log: (String) -> Void) {
        guard let i = report.extensions.firstIndex(where: { $0.name == name }),
              !report.extensions[i].warnings.contains(text) else { return }
        report.extensions[i].warnings.append(text)
        log("warning: \(report.arch) \(name): \(text)")
    }

    /// Each conflict as a failure of the extensions on both sides; overlaps as warnings.
    static func record(_ findings: ConflictFindings, in report: ArchReport, log: (String) -> Void) -> ArchReport {
        var report = report
        let position = Dictionary(report.extensions.enumerated().map { ($1.name, $0) }, uniquingKeysWith: { a, _ in a })
        func fail(_ name: String, _ failure: Failure) {
            guard let i = position[name], !report.extensions[i].failures.contains(failure) else { return }
            report.extensions[i].failures.append(failure)
            report.extensions[i].status = .failed
        }
        for conflict in findings.conflicts {
            let details = ["\(conflict.package): \(conflict.entry.summary)", "\(conflict.other): \(conflict.otherEntry.summary)"]
            for name in conflict.extensions {
                let owner = conflict.otherIsBase ? "base package \(conflict.other)"
                    : "package \(conflict.other) of " + describe(conflict.otherExtensions, from: name)
                fail(name, Failure(kind: .fileConflict,
                                   message: "file \(conflict.path) from install of \(conflict.package) conflicts with file from "
                                       + "\(owner): \(conflict.difference())", details: details))
            }
            for name in conflict.otherExtensions {
                fail(name, Failure(kind: .fileConflict,
                                   message: "file \(conflict.path) from install of \(conflict.other) conflicts with file from "
                                       + "package \(conflict.package) of \(describe(conflict.extensions, from: name)): "
                                       + conflict.difference(reversed: true), details: details.reversed()))
            }
        }
        for overlap in findings.overlaps {
            for name in overlap.extensions {
                note("\(overlap.path) is owned by \(overlap.package) and by base package \(overlap.base), whose header "
                     + "could not be read (\(overlap.reason)): not checked for a file conflict", extension: name, in: &report, log: log)
            }
        }
        return report
    }

    /// `extension 'b'`, `extensions 'b', 'c'`, or `this extension` when `name` is among them.
    static func describe(_ extensions: [String], from name: String) -> String {
        if extensions.contains(name) { return "this extension" }
        return (extensions.count == 1 ? "extension " : "extensions ") + extensions.map { "'\($0)'" }.joined(separator: ", ")
    }
}
