/// rpm-ostree's `modules:` mapping: module streams to enable, and module profiles to install.
public struct ModuleRequests: Sendable, Hashable {
    /// `name[:stream]` items of `enable`.
    public var enable: [ModuleSpec]
    /// `name[:stream][/profile]` items of `install`.
    public var install: [ModuleSpec]

    /// No `modules:` at all.
    public static let none = ModuleRequests(enable: [], install: [])

    public init(enable: [ModuleSpec], install: [ModuleSpec]) {
        self.enable = enable
        self.install = install
    }

    /// Whether neither list has an item.
    public var isEmpty: Bool { enable.isEmpty && install.isEmpty }
}

/// One item of `modules.enable` or `modules.install`: `name`, `name:stream`, `name:stream/profile`.
public struct ModuleSpec: Sendable, Hashable, CustomStringConvertible {
    /// The module name.
    public var name: String
    /// The stream; nil means the module's only or default stream.
    public var stream: String?
    /// The profile to install (`install` only); nil means the stream's default profiles.
    public var profile: String?
    /// The 1-based line and column of the item, 0 when made in code.
    public var line: Int
    public var column: Int

    public init(name: String, stream: String? = nil, profile: String? = nil, line: Int = 0, column: Int = 0) {
        self.name = name
        self.stream = stream
        self.profile = profile
        self.line = line
        self.column = column
    }

    /// The item as written: `name[:stream][/profile]`.
    public var description: String {
        name + (stream.map { ":\($0)" } ?? "") + (profile.map { "/\($0)" } ?? "")
    }

    /// Splits `text` (`name[:stream][/profile]`), or says why it is not of that form.
    static func parse(_ text: String, allowProfile: Bool) -> Result<ModuleSpec, SpecFormError> {
        var rest = Substring(text)
        var profile: String? = nil
        if let slash = rest.firstIndex(of: "/") {
            profile = String(rest[rest.index(after: slash)...])
            rest = rest[..<slash]
            guard allowProfile else { return .failure(.profileInEnable) }
            guard profile?.isEmpty == false else { return .failure(.malformed) }
        }
        let parts = rest.split(separator: ":", omittingEmptySubsequences: false)
        guard parts.count <= 2, parts.allSatisfy({ !$0.isEmpty && !$0.contains(where: \.isWhitespace) }) else {
            return .failure(parts.count > 2 ? .versionOrContext : .malformed)
        }
        return .success(ModuleSpec(name: String(parts[0]), stream: parts.count == 2 ? String(parts[1]) : nil,
                                   profile: profile))
    }

    /// Why an item is not a module spec.
    enum SpecFormError: Error {
        case malformed, profileInEnable, versionOrContext
    }
}
