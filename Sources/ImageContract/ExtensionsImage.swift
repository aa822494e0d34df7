// The extensions image as its consumers take it, in one place: compose writes it, lint checks it.
import Foundation

/// Where things are in an extensions image, and what its config must say, for the consumers:
/// the Machine Config Operator (`podman create` with no command, `podman cp`, a repo file at the
/// tree), the release pipeline's koji upload (the flat map from the last layer) and the MCO's
/// image-stream discovery (two labels).
public enum ExtensionsImage {
    /// The rpm-md tree, as the MCO's repo file points at it.
    public static let treePath = "usr/share/rpm-ostree/extensions"
    /// The flat `{name: "[E:]V-R.A"}` map koji's upload reads from the image's last layer.
    public static let flatMapPath = "usr/share/rpm-ostree/extensions.json"
    /// The label consumers look for to find an extensions image; its value is `true`.
    public static let extensionsLabel = "io.openshift.os.extensions"
    /// The label the MCO's image-stream discovery pairs with `extensionsLabel`: the OS stream served.
    public static let streamClassLabel = "io.openshift.os.streamclass"
    /// The config's command. The image holds files only and is never run: the MCO runs
    /// `podman create` (which refuses an image without a command or entrypoint) and `podman cp`,
    /// never `podman start`. The image has no /bin/false either, so a `podman run` fails at once.
    public static let command = ["/bin/false"]
    /// mox's manifest annotation naming the extensions file an image was composed from
    /// (`sha256:` of its bytes): per-arch images are merged into one index only when theirs agree.
    public static let extensionsDigestAnnotation = "dev.mox.extensions-digest"
}

/// The flat map: `{"<name>": "[E:]V-R.A", ...}`, what `dnf repoquery --queryformat
/// '"%{name}": "%{evr}.%{arch}"'` prints (the epoch only when it is not 0), read by koji's upload
/// with `vra.rsplit('.', 1)`.
public enum FlatMap {
    /// Why bytes are not a flat map.
    public enum Problem: Error, Sendable, Equatable, CustomStringConvertible {
        /// Not JSON, or not a JSON object.
        case notAnObject(String)
        /// Values that are not strings (objects, arrays, numbers): `keys` names the first few.
        case nested(keys: [String])
        /// String values that are not `[E:]V-R.A`.
        case malformedValues([String: String])

        public var description: String {
            switch self {
            case .notAnObject(let reason): "it is not a JSON object: \(reason)"
            case .nested(let keys):
                "it is not flat: " + keys.map { "'\($0)'" }.joined(separator: ", ") + " hold"
                    + (keys.count == 1 ? "s" : "") + " no \"[E:]V-R.A\" string"
                    + (keys.contains("schemaVersion") || keys.contains("arches") ? " (it looks like a full index, not the flat map)" : "")
            case .malformedValues(let values):
                "values are not \"[E:]V-R.A\": " + values.sorted { $0.key < $1.key }.prefix(5)
                    .map { "\($0.key): \"\($0.value)\"" }.joined(separator: ", ")
            }
        }
    }

    /// The value for one package: `[E:]V-R.A`, as `%{evr}.%{arch}` prints it.
    public static func value(evr: String, arch: String) -> String { "\(evr).\(arch)" }

    /// Reads a flat map as koji's upload does, refusing anything its `vra.rsplit('.', 1)` would
    /// trip on: nested values, and strings without a version, a release and an arch.
    public static func parse(_ data: Data) throws(Problem) -> [String: String] {
        let object: Any
        do { object = try JSONSerialization.jsonObject(with: data) } catch {
            throw .notAnObject("not valid JSON")
        }
        guard let members = object as? [String: Any] else { throw .notAnObject("its top level is not an object") }
        let nested = members.filter { !($0.value is String) }.keys.sorted()
        if !nested.isEmpty { throw .nested(keys: Array(nested.prefix(5))) }
        let values = members.compactMapValues { $0 as? String }
        let malformed = values.filter { !isEVRA($0.value) }
        if !malformed.isEmpty { throw .malformedValues(malformed) }
        return values
    }

    /// `[E:]V-R.A`: an arch after the last dot, a release after the last dash, a version before it.
    static func isEVRA(_ value: String) -> Bool {
        guard let dot = value.lastIndex(of: "."), value.index(after: dot) < value.endIndex else { return false }
        let evr = value[..<dot]
        guard let dash = evr.lastIndex(of: "-"), dash > evr.startIndex, evr.index(after: dash) < evr.endIndex else { return false }
        var version = evr[..<dash]
        if let colon = version.firstIndex(of: ":") {
            guard Int(version[..<colon]) != nil else { return false }
            version = version[version.index(after: colon)...]
        }
        return !version.isEmpty && !value.contains(where: \.isWhitespace)
    }
}
