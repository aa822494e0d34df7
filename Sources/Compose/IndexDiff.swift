/// What changed between two indexes: per arch and extension, packages added, removed or
/// moved to another version. For release engineers comparing trees, and for compose's summary.
public struct IndexDiff: Sendable, Equatable {
    /// One difference, already in words a reader scans.
    public struct Change: Sendable, Equatable, Comparable {
        public enum Kind: String, Sendable, Codable {
            case extensionAdded = "extension-added", extensionRemoved = "extension-removed"
            case added, removed, updated
        }
        public let arch: String
        public let `extension`: String
        public let kind: Kind
        /// name.arch of the package (empty for extension changes).
        public let package: String
        public let old: String?
        public let new: String?

        public static func < (a: Change, b: Change) -> Bool {
            (a.arch, a.extension, a.package, a.kind.rawValue) < (b.arch, b.extension, b.package, b.kind.rawValue)
        }

        /// `x86_64 usbguard: usbguard.x86_64 1.0.0-15.el9 -> 1.0.0-16.el9`.
        public var text: String {
            let place = "\(arch) \(self.extension)"
            switch kind {
            case .extensionAdded: return "\(place): new extension"
            case .extensionRemoved: return "\(place): extension removed"
            case .added: return "\(place): + \(package) \(new ?? "")"
            case .removed: return "\(place): - \(package) \(old ?? "")"
            case .updated: return "\(place): \(package) \(old ?? "") -> \(new ?? "")"
            }
        }
    }

    public let changes: [Change]
    /// Per extension in both trees: `%config` files, scriptlets and sizes that changed.
    public let extensions: [ExtensionChanges]

    /// Whether the trees differ at all.
    public var isEmpty: Bool { changes.isEmpty && extensions.allSatisfy(\.isEmpty) }

    /// The differences from `old` to `new`; with no `old`, everything is new.
    public init(old: ComposeIndex?, new: ComposeIndex) {
        var changes: [Change] = []
        let arches = Set(new.arches.keys).union(old?.arches.keys ?? [String: ComposeIndex.Arch]().keys)
        for arch in arches {
            let before = Self.shipped(old?.arches[arch])
            let after = Self.shipped(new.arches[arch])
            for name in Set(before.keys).union(after.keys) {
                switch (before[name], after[name]) {
                case (nil, .some): changes.append(Change(arch: arch, extension: name, kind: .extensionAdded,
                                                         package: "", old: nil, new: nil))
                case (.some, nil): changes.append(Change(arch: arch, extension: name, kind: .extensionRemoved,
                                                         package: "", old: nil, new: nil))
                case let (.some(a), .some(b)):
                    for package in Set(a.keys).union(b.keys) {
                        switch (a[package], b[package]) {
                        case let (nil, evr?): changes.append(Change(arch: arch, extension: name, kind: .added,
                                                                    package: package, old: nil, new: evr))
                        case let (evr?, nil): changes.append(Change(arch: arch, extension: name, kind: .removed,
                                                                    package: package, old: evr, new: nil))
                        case let (x?, y?) where x != y:
                            changes.append(Change(arch: arch, extension: name, kind: .updated,
                                                  package: package, old: x, new: y))
                        default: break
                        }
                    }
                default: break
                }
            }
        }
        self.changes = changes.sorted()
        extensions = ExtensionChanges.between(old, new)
    }

    /// Per resolved extension: name.arch -> evr of what it ships.
    private static func shipped(_ arch: ComposeIndex.Arch?) -> [String: [String: String]] {
        var result: [String: [String: String]] = [:]
        for (name, ext) in arch?.extensions ?? [:] where ext.status == "resolved" {
            var packages: [String: String] = [:]
            for p in ext.packages {
                let evr = p.epoch == 0 ? "\(p.version)-\(p.release)" : "\(p.epoch):\(p.version)-\(p.release)"
                packages["\(p.name).\(p.arch)"] = evr
            }
            result[name] = packages
        }
        return result
    }
}
