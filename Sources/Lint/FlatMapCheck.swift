// The flat extensions.json as koji's upload takes it: from the image's last layer only
// (`oc image extract IMG[-1]`), split with `vra.rsplit('.', 1)`.
import Foundation
import ImageContract
import ImageSource
import Solv
import SystemPackage

extension ArchLinter {
    /// The flat map is in the last layer, flat, and equal to what the repodata lists (when it parses).
    func flatMap(_ contents: Contents, repodata listed: [PackageInfo]?) throws(LintError) -> ContractCheck {
        let path = FilePath(ExtensionsImage.flatMapPath)
        guard let last = image.layers.indices.last else {
            return ContractCheck(.flatMap, violations: [violation(
                "flat-map-missing", "the image has no layers", fix: "ship the tree and /\(path) in a layer")])
        }
        var data: Data? = nil
        var linked = false
        do {
            try image.readLayer(last) { entry, content in
                guard entry.path == path else { return }
                switch entry.kind {
                case .file: data = try content()
                case .hardlink: linked = true
                default: break
                }
            }
        } catch let error as ImageSourceError {
            throw Linter.lintError(error)
        } catch {
            throw .environment("\(error)")
        }
        if linked, let local = try Linter.mapped({ () throws(ImageSourceError) in try contents.files.localFiles([path]) })[path] {
            data = FileManager.default.contents(atPath: local.string)
        }
        guard let data else {
            if contents.files.entry(path) == .file {
                return ContractCheck(.flatMap, violations: [violation(
                    "flat-map-not-in-last-layer",
                    "/\(path) is in a lower layer of the image, not in its last one (layer \(last + 1)), the only layer koji's upload reads",
                    fix: "write /\(path) in the image's last layer (the last step of the Containerfile)")])
            }
            return ContractCheck(.flatMap, violations: [violation(
                "flat-map-missing", "the image has no /\(path), which koji's upload reads from the last layer",
                fix: "write the flat {name: \"[E:]V-R.A\"} map of the shipped RPMs there, in the last layer")])
        }
        let map: [String: String]
        do { map = try FlatMap.parse(data) } catch {
            return ContractCheck(.flatMap, violations: [violation(
                "flat-map-not-flat", "/\(path) is not the flat map koji's upload splits with vra.rsplit('.', 1): \(error)",
                fix: "write the flat {name: \"[E:]V-R.A\"} map there (what dnf repoquery --queryformat "
                    + "'\"%{name}\": \"%{evr}.%{arch}\"' prints); mox 0.2 put its full index there, a current mox does not")])
        }
        guard let listed else {
            return ContractCheck(.flatMap, violations: [], note: "\(map.count) packages (not compared: the repodata did not parse)")
        }
        return compare(map, with: listed)
    }

    /// Every package name of the repodata in the map with the value of one of its builds, and no other name.
    private func compare(_ map: [String: String], with listed: [PackageInfo]) -> ContractCheck {
        var builds: [String: [String]] = [:]
        for package in listed {
            builds[package.nevra.name, default: []].append(FlatMap.value(evr: package.nevra.evr, arch: package.nevra.arch))
        }
        var details: [String] = []
        for name in builds.keys.sorted() {
            let values = builds[name] ?? []
            guard let value = map[name] else {
                details.append("missing: \(name) (the repodata has \(values.joined(separator: ", ")))")
                continue
            }
            if !values.contains(value) { details.append("differs: \(name) is \(value), the repodata has \(values.joined(separator: ", "))") }
        }
        for name in map.keys.sorted() where builds[name] == nil {
            details.append("extra: \(name) \(map[name] ?? "") is not in the repodata")
        }
        guard details.isEmpty else {
            return ContractCheck(.flatMap, violations: [violation(
                "flat-map-mismatch",
                "/\(ExtensionsImage.flatMapPath) does not list what the repodata lists (\(details.count) difference"
                    + (details.count == 1 ? "" : "s") + ")",
                fix: "write the map from the shipped RPMs (dnf repoquery --repofrompath over the tree), in the last layer",
                details: details)])
        }
        return ContractCheck(.flatMap, violations: [], note: "\(map.count) packages, as the repodata lists them")
    }
}
