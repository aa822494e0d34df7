/// What changed for a node in one extension between two trees, beyond package versions: the
/// `%config` files it would get (by content digest), the scriptlets that would run, and sizes.
/// The release note a node operator reads before an upgrade.
public struct ExtensionChanges: Sendable, Equatable {
    /// A `%config` file added, removed or with other content.
    public struct Config: Sendable, Equatable {
        public enum Kind: String, Sendable { case added, removed, changed }
        public let path: String
        public let kind: Kind
        /// name.arch of the package shipping it (the new one, unless removed).
        public let package: String
        public let old: String?
        public let new: String?
        /// `%config(noreplace)` in the new build (the old one, if removed): a node keeps its own edits.
        public let noreplace: Bool
    }

    /// A scriptlet of a package added, removed or changed (`post`, `preun`, `triggers`...).
    public struct Scriptlet: Sendable, Equatable {
        public enum Kind: String, Sendable { case added, removed, changed }
        public let package: String
        public let scriptlet: String
        public let kind: Kind
    }

    /// Download (rpm file) and installed bytes, before and after.
    public struct Size: Sendable, Equatable {
        public let package: String?
        public let oldDownload: Int64
        public let newDownload: Int64
        /// nil when a tree's index does not record it (composed by an older mox).
        public let oldInstalled: Int64?
        public let newInstalled: Int64?
    }

    public let arch: String
    public let `extension`: String
    public let configs: [Config]
    public let scriptlets: [Scriptlet]
    /// The packages whose size changed (in both trees), by name.arch.
    public let packageSizes: [Size]
    /// The whole extension (every package it ships).
    public let total: Size
    /// Whether a tree's index lacks the header facts (an older mox), so config files and
    /// scriptlets could not be compared.
    public let factsUnknown: Bool

    /// Whether anything a node would notice changed.
    public var isEmpty: Bool {
        configs.isEmpty && scriptlets.isEmpty && packageSizes.isEmpty
            && total.oldDownload == total.newDownload && total.oldInstalled == total.newInstalled
    }

    /// The changes of every extension resolved in both trees, on arches both have.
    static func between(_ old: ComposeIndex?, _ new: ComposeIndex) -> [ExtensionChanges] {
        guard let old else { return [] }
        var all: [ExtensionChanges] = []
        for arch in Set(old.arches.keys).intersection(new.arches.keys).sorted() {
            let before = old.arches[arch]?.extensions ?? [:], after = new.arches[arch]?.extensions ?? [:]
            for name in Set(before.keys).intersection(after.keys).sorted() {
                guard let a = before[name], let b = after[name], a.status == "resolved", b.status == "resolved" else { continue }
                let changes = ExtensionChanges(arch: arch, name: name, old: a.packages, new: b.packages)
                if !changes.isEmpty || changes.factsUnknown { all.append(changes) }
            }
        }
        return all
    }

    init(arch: String, name: String, old: [ComposeIndex.Package], new: [ComposeIndex.Package]) {
        self.arch = arch
        self.extension = name
        let key = { (p: ComposeIndex.Package) in "\(p.name).\(p.arch)" }
        let before = Dictionary(old.map { (key($0), $0) }, uniquingKeysWith: { a, _ in a })
        let after = Dictionary(new.map { (key($0), $0) }, uniquingKeysWith: { a, _ in a })
        factsUnknown = (old + new).contains { $0.configFiles == nil || $0.scriptlets == nil || $0.installedSize == nil }

        // %config files of the whole extension, by path.
        func configs(_ packages: [String: ComposeIndex.Package]) -> [String: (file: ComposeIndex.ConfigFile, package: String)] {
            var files: [String: (file: ComposeIndex.ConfigFile, package: String)] = [:]
            for (name, p) in packages { for (path, file) in p.configFiles ?? [:] { files[path] = (file, name) } }
            return files
        }
        let oldConfigs = configs(before), newConfigs = configs(after)
        var configChanges: [Config] = []
        for path in Set(oldConfigs.keys).union(newConfigs.keys).sorted() {
            switch (oldConfigs[path], newConfigs[path]) {
            case let (nil, b?):
                configChanges.append(Config(path: path, kind: .added, package: b.package, old: nil, new: b.file.digest,
                                            noreplace: b.file.noreplace))
            case let (a?, nil):
                configChanges.append(Config(path: path, kind: .removed, package: a.package, old: a.file.digest, new: nil,
                                            noreplace: a.file.noreplace))
            case let (a?, b?) where a.file.digest != b.file.digest:
                configChanges.append(Config(path: path, kind: .changed, package: b.package, old: a.file.digest,
                                            new: b.file.digest, noreplace: b.file.noreplace))
            default: break
            }
        }
        self.configs = configChanges

        var scriptletChanges: [Scriptlet] = []
        var sizes: [Size] = []
        for name in Set(before.keys).intersection(after.keys).sorted() {
            guard let a = before[name], let b = after[name] else { continue }
            if let x = a.scriptlets, let y = b.scriptlets {
                for scriptlet in Set(x.keys).union(y.keys).sorted() {
                    switch (x[scriptlet], y[scriptlet]) {
                    case (nil, .some): scriptletChanges.append(Scriptlet(package: name, scriptlet: scriptlet, kind: .added))
                    case (.some, nil): scriptletChanges.append(Scriptlet(package: name, scriptlet: scriptlet, kind: .removed))
                    case let (p?, q?) where p != q:
                        scriptletChanges.append(Scriptlet(package: name, scriptlet: scriptlet, kind: .changed))
                    default: break
                    }
                }
            }
            if a.size != b.size || a.installedSize != b.installedSize {
                sizes.append(Size(package: name, oldDownload: a.size, newDownload: b.size,
                                  oldInstalled: a.installedSize, newInstalled: b.installedSize))
            }
        }
        self.scriptlets = scriptletChanges
        self.packageSizes = sizes
        func installed(_ packages: [ComposeIndex.Package]) -> Int64? {
            packages.reduce(Int64(0) as Int64?) { sum, p in sum.flatMap { s in p.installedSize.map { s + $0 } } }
        }
        total = Size(package: nil, oldDownload: old.reduce(0) { $0 + $1.size }, newDownload: new.reduce(0) { $0 + $1.size },
                     oldInstalled: installed(old), newInstalled: installed(new))
    }
}
