import Yams

extension DocumentReader {
    /// Reads a `modules:` mapping (`enable: [name:stream]`, `install: [name:stream/profile]`).
    mutating func readModules(_ field: Field, path: String, topLevel: Bool) -> ModuleRequests {
        if isNull(field.value) {
            report(.empty, at: Position(field.key), key: path,
                   "'modules' has no value; give 'enable:' or 'install:', or remove the key")
            return .none
        }
        guard let mapping = field.value.mapping else {
            report(.wrongType, at: Position(field.value), key: path,
                   "'modules' must be a mapping with 'enable:' and/or 'install:', found \(describe(field.value))")
            return .none
        }
        let fields = readKeys(of: mapping, path: path, allowed: Self.moduleKeys, owner: "in 'modules'")
        if fields.isEmpty, mapping.isEmpty {
            report(.empty, at: Position(field.value), key: path,
                   "'modules' is empty; give 'enable:' or 'install:', or remove the key")
        }
        var requests = ModuleRequests.none
        if let enable = fields["enable"] {
            requests.enable = readModuleSpecs(enable, path: path + ".enable", allowProfile: false)
        }
        if let install = fields["install"] {
            if topLevel {
                report(.unsupported, at: Position(install.key), key: path + ".install",
                       "a top-level 'modules.install' has no extension to ship its packages in; move it under "
                           + "the extension that needs them (extensions.NAME.modules.install), or use "
                           + "'modules.enable' here")
            } else {
                requests.install = readModuleSpecs(install, path: path + ".install", allowProfile: true)
            }
        }
        return requests
    }

    /// The items of `enable` or `install`, each checked for its form.
    private mutating func readModuleSpecs(_ field: Field, path: String, allowProfile: Bool) -> [ModuleSpec] {
        guard let texts = stringList(field, path: path), case let .sequence(items) = field.value else { return [] }
        let form = allowProfile ? "name[:stream][/profile]" : "name[:stream]"
        var specs: [ModuleSpec] = []
        for (index, (text, item)) in zip(texts, items).enumerated() {
            switch ModuleSpec.parse(text, allowProfile: allowProfile) {
            case .success(var spec):
                spec.line = Position(item).line
                spec.column = Position(item).column
                specs.append(spec)
            case .failure(let why):
                let advice: String
                switch why {
                case .profileInEnable: advice = "a profile is only installed by 'install'; write it there or drop '/...'"
                case .versionOrContext: advice = "give the module and stream only (\(form)), not a version or context"
                case .malformed: advice = "write \(form), e.g. nodejs:20" + (allowProfile ? "/common" : "")
                }
                report(.invalidModule, at: Position(item), key: "\(path)[\(index)]", "'\(text)' is not \(form); \(advice)")
            }
        }
        return specs
    }

    /// rpm-ostree applies every extension's modules to the whole arch, so one module cannot have
    /// two streams where both apply: reports each later stream that contradicts an earlier one.
    mutating func checkStreams(_ document: Document) {
        struct Use { let spec: ModuleSpec; let arches: [String]?; let key: String }
        var uses = (document.modules.enable).map { Use(spec: $0, arches: nil, key: "modules") }
        for ext in document.extensions {
            uses += (ext.modules.enable + ext.modules.install).map {
                Use(spec: $0, arches: ext.architectures, key: "extensions.\(ext.name).modules")
            }
        }
        uses.sort { ($0.spec.line, $0.spec.column) < ($1.spec.line, $1.spec.column) }
        for (n, later) in uses.enumerated() {
            guard let stream = later.spec.stream else { continue }
            let clash = uses[..<n].first { earlier in
                earlier.spec.name == later.spec.name && earlier.spec.stream != nil && earlier.spec.stream != stream
                    && Self.shareAnArch(earlier.arches, later.arches)
            }
            if let clash, let other = clash.spec.stream {
                report(.conflictingStreams, at: Position(line: later.spec.line, column: later.spec.column), key: later.key,
                       "module '\(later.spec.name)' stream '\(stream)' contradicts stream '\(other)' at line "
                           + "\(clash.spec.line); as in rpm-ostree, modules apply to every extension of an arch, "
                           + "so pick one stream (or limit the extensions with 'architectures')")
            }
        }
    }

    private static func shareAnArch(_ a: [String]?, _ b: [String]?) -> Bool {
        guard let a, let b else { return true }
        return !Set(a).isDisjoint(with: b)
    }
}
