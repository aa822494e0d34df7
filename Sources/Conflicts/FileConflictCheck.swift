import RPM

/// Why a conflict check could not run (an environment problem: exit 3).
public enum ConflictCheckError: Error, Sendable, CustomStringConvertible {
    /// A package file (in the cache) has no readable header.
    case unreadablePackage(nevra: String, reason: String)
    /// The base's rpmdb could not be opened.
    case unreadableBase(String)

    public var description: String {
        switch self {
        case let .unreadablePackage(nevra, reason): "\(nevra): cannot read its file list to check file conflicts: \(reason)"
        case .unreadableBase(let reason): "cannot read the base's file lists to check file conflicts: \(reason)"
        }
    }
}

/// The file conflicts of one arch's os-extensions, found as rpm's transaction test finds them:
/// every path an extension package shares with a base package or with a package of another
/// extension (they must install together) is judged by librpm's `rpmfilesCompare` (type, mode,
/// owner, size, content, link target; `%ghost` never conflicts) and rpm's multilib rule (two
/// ELF files of different colors do not conflict when one has the arch's preferred color).
public struct FileConflictCheck {
    /// One package of the os-extensions: where its file is, and the extensions that ship it.
    public struct Member: Sendable, Hashable {
        public let nevra: String
        public let file: String
        public let extensions: [String]

        public init(nevra: String, file: String, extensions: [String]) {
            self.nevra = nevra
            self.file = file
            self.extensions = extensions
        }
    }

    /// Why a package's header could not be had.
    public struct Unavailable: Error, Sendable, Hashable {
        public let reason: String
        public init(_ reason: String) { self.reason = reason }
    }

    /// A base package that owns a path some member owns (from the repos' file lists), with its
    /// header read into `header`, or why it could not be.
    public struct BaseOwner: Sendable, Hashable {
        public let path: String
        public let nevra: String
        public let header: Result<String, Unavailable>

        public init(path: String, nevra: String, header: Result<String, Unavailable>) {
            self.path = path
            self.nevra = nevra
            self.header = header
        }
    }

    /// Where the base's files are known from.
    public enum Base: Sendable {
        /// An rpmdb directory librpm may open (a private copy: librpm writes beside what it opens).
        case rpmdb(String)
        /// A base given as a package list: the owners of shared paths, from the repos' file lists.
        case owners([BaseOwner])
    }

    /// The architecture: its transaction color decides the multilib rule.
    public let arch: String

    public init(arch: String) {
        self.arch = arch
    }

    /// Checks `members` against each other and against `base`.
    public func run(_ members: [Member], base: Base) throws(ConflictCheckError) -> ConflictFindings {
        var packages: [(member: Member, files: PackageFiles)] = []
        for member in members.sorted(by: { $0.nevra < $1.nevra }) {
            do {
                packages.append((member, try PackageFiles.read(file: member.file)))
            } catch {
                throw .unreadablePackage(nevra: member.nevra, reason: "\(error)")
            }
        }
        var findings = ConflictFindings()
        // Each path to the members listing it (ghosts never conflict: rpm does not install them).
        var owners: [String: [(package: Int, index: Int)]] = [:]
        for (n, package) in packages.enumerated() {
            for index in 0..<package.files.count where !package.files.isGhost(index) {
                owners[package.files.path(index), default: []].append((n, index))
            }
        }
        for (path, listed) in owners.sorted(by: { $0.key < $1.key }) where listed.count > 1 {
            for (a, first) in listed.enumerated() {
                for second in listed[(a + 1)...] where packages[first.package].member.nevra != packages[second.package].member.nevra {
                    let x = packages[first.package], y = packages[second.package]
                    guard let (mine, theirs) = conflict(x.files, first.index, y.files, second.index) else { continue }
                    findings.conflicts.append(FileConflict(
                        path: path, package: x.member.nevra, extensions: x.member.extensions,
                        other: y.member.nevra, otherExtensions: y.member.extensions, entry: mine, otherEntry: theirs))
                }
            }
        }
        switch base {
        case .rpmdb(let directory):
            let installed: InstalledFiles
            do { installed = try InstalledFiles(database: directory) } catch { throw .unreadableBase("\(error)") }
            let installedOwners = installed.owners(of: Set(owners.keys))
            for (path, listed) in owners.sorted(by: { $0.key < $1.key }) {
                let based = installedOwners[path] ?? []
                for entry in listed {
                    let member = packages[entry.package]
                    for (other, index) in based where other.nevra != member.member.nevra {
                        // rpm compares only with files the installed package really put on disk.
                        guard other.isInstalled(index),
                              let (mine, theirs) = conflict(member.files, entry.index, other, index) else { continue }
                        findings.conflicts.append(FileConflict(
                            path: path, package: member.member.nevra, extensions: member.member.extensions,
                            other: other.nevra, otherExtensions: [], entry: mine, otherEntry: theirs))
                    }
                }
            }
        case .owners(let baseOwners):
            var headers: [String: PackageFiles] = [:]
            for owner in baseOwners.sorted(by: { ($0.path, $0.nevra) < ($1.path, $1.nevra) }) {
                for entry in owners[owner.path] ?? [] {
                    let member = packages[entry.package]
                    switch owner.header {
                    case .failure(let unavailable):
                        findings.overlaps.append(FileOverlap(path: owner.path, package: member.member.nevra,
                                                             extensions: member.member.extensions, base: owner.nevra,
                                                             reason: unavailable.reason))
                    case .success(let file):
                        let other: PackageFiles
                        if let known = headers[file] {
                            other = known
                        } else {
                            do { other = try PackageFiles.read(file: file) } catch {
                                throw .unreadableBase("base package \(owner.nevra): \(error)")
                            }
                            headers[file] = other
                        }
                        guard let index = other.index(of: owner.path),
                              let (mine, theirs) = conflict(member.files, entry.index, other, index) else { continue }
                        findings.conflicts.append(FileConflict(
                            path: owner.path, package: member.member.nevra, extensions: member.member.extensions,
                            other: other.nevra, otherExtensions: [], entry: mine, otherEntry: theirs))
                    }
                }
            }
        }
        return findings
    }

    /// The two entries at one path when they conflict, or nil when rpm lets both be installed.
    func conflict(_ a: PackageFiles, _ i: Int, _ b: PackageFiles, _ j: Int) -> (FileEntry, FileEntry)? {
        if a.isSame(i, as: b, j) { return nil }
        let x = a.entry(i), y = b.entry(j)
        if colorsResolve(x.color, y.color) { return nil }
        return (x, y)
    }

    /// rpm's multilib rule (`handleColorConflict`): two files whose colors, within the
    /// transaction color, are both set and differ, one of them the preferred color, are not a
    /// conflict (rpm installs the preferred one).
    func colorsResolve(_ a: UInt32, _ b: UInt32) -> Bool {
        let (transaction, preferred) = Self.colors(arch: arch)
        let x = a & transaction, y = b & transaction
        return x != 0 && y != 0 && x != y && (x & preferred != 0 || y & preferred != 0)
    }

    /// rpm's `%_transaction_color` for an arch (3, ELF32 and ELF64, on the 64-bit arches its
    /// platform files mark so; 0 elsewhere) and `%_prefer_color` (2, ELF64, rpm's default).
    static func colors(arch: String) -> (transaction: UInt32, preferred: UInt32) {
        let sixtyFourBit: Set = ["x86_64", "aarch64", "ppc64le", "ppc64", "s390x", "riscv64", "sparc64",
                                 "mips64", "mips64el", "loongarch64"]
        return (sixtyFourBit.contains(arch) ? 3 : 0, 2)
    }
}
