internal import CRPM
import Foundation

/// What installing a package does to a node beyond its files' names: its installed size, its
/// `%config` files and its scriptlets, read from its header. Release notes compare these.
public struct PackageFacts: Sendable, Hashable, Codable {
    /// A `%config` file: its content digest and whether it is `%config(noreplace)`.
    public struct ConfigFile: Sendable, Hashable, Codable {
        /// Hex digest of a regular file, `-> TARGET` for a symlink, `directory` for a directory.
        public var digest: String
        public var noreplace: Bool

        public init(digest: String, noreplace: Bool) {
            self.digest = digest
            self.noreplace = noreplace
        }
    }

    /// Bytes the package occupies once installed.
    public var installedSize: Int64
    /// Shipped `%config` files (not `%ghost` ones) by path.
    public var configFiles: [String: ConfigFile]
    /// sha256 of each scriptlet the package has (interpreter, flags and body), by name:
    /// `pretrans`, `pre`, `post`, `preun`, `postun`, `posttrans`, `verify`, `triggers`,
    /// `filetriggers`, `transfiletriggers`.
    public var scriptlets: [String: String]

    public init(installedSize: Int64, configFiles: [String: ConfigFile], scriptlets: [String: String]) {
        self.installedSize = installedSize
        self.configFiles = configFiles
        self.scriptlets = scriptlets
    }

    /// The facts of the RPM at `path` (only its header is read, nothing is verified).
    public static func read(file path: String) throws(PackageVerificationError) -> PackageFacts {
        let header = try HeaderReader.read(file: path)
        defer { headerFree(header) }
        let files = try PackageFiles(header: header)
        var config: [String: ConfigFile] = [:]
        for index in 0..<files.count {
            let entry = files.entry(index)
            guard entry.isConfig, !entry.isGhost else { continue }
            let digest = switch entry.kind {
            case .regular: entry.digest
            case .symlink: "-> " + entry.linkTarget
            default: entry.kind.rawValue
            }
            config[entry.path] = ConfigFile(digest: digest, noreplace: entry.isNoReplace)
        }
        var scriptlets: [String: String] = [:]
        for (name, tags) in scriptletTags {
            var present = false
            let digest = StreamingDigest(algorithm: "sha256")
            for tag in tags {
                let value = rpmTagVal(tag.rawValue)
                guard headerIsEntry(header, value) != 0 else { continue }
                present = true
                // Each tag's values, and a separator, so moving text between tags changes the digest.
                let text = HeaderReader.strings(header, value).joined(separator: "\u{0}")
                    + HeaderReader.numbers(header, value).map(String.init).joined(separator: ",") + "\u{1}"
                Array(text.utf8).withUnsafeBytes { digest?.update($0) }
            }
            if present, let digest { scriptlets[name] = digest.finish() }
        }
        let long = headerGetNumber(header, rpmTagVal(RPMTAG_LONGSIZE.rawValue))
        let size = long != 0 ? long : headerGetNumber(header, rpmTagVal(RPMTAG_SIZE.rawValue))
        return PackageFacts(installedSize: Int64(size), configFiles: config, scriptlets: scriptlets)
    }

    /// The header tags of each scriptlet: its body, interpreter and flags (and for triggers, what fires them).
    static let scriptletTags: [(String, [rpmTag])] = [
        ("pretrans", [RPMTAG_PRETRANS, RPMTAG_PRETRANSPROG, RPMTAG_PRETRANSFLAGS]),
        ("pre", [RPMTAG_PREIN, RPMTAG_PREINPROG, RPMTAG_PREINFLAGS]),
        ("post", [RPMTAG_POSTIN, RPMTAG_POSTINPROG, RPMTAG_POSTINFLAGS]),
        ("preun", [RPMTAG_PREUN, RPMTAG_PREUNPROG, RPMTAG_PREUNFLAGS]),
        ("postun", [RPMTAG_POSTUN, RPMTAG_POSTUNPROG, RPMTAG_POSTUNFLAGS]),
        ("posttrans", [RPMTAG_POSTTRANS, RPMTAG_POSTTRANSPROG, RPMTAG_POSTTRANSFLAGS]),
        ("verify", [RPMTAG_VERIFYSCRIPT, RPMTAG_VERIFYSCRIPTPROG, RPMTAG_VERIFYSCRIPTFLAGS]),
        ("triggers", [RPMTAG_TRIGGERSCRIPTS, RPMTAG_TRIGGERSCRIPTPROG, RPMTAG_TRIGGERSCRIPTFLAGS, RPMTAG_TRIGGERNAME,
                      RPMTAG_TRIGGERVERSION, RPMTAG_TRIGGERFLAGS, RPMTAG_TRIGGERINDEX]),
        ("filetriggers", [RPMTAG_FILETRIGGERSCRIPTS, RPMTAG_FILETRIGGERSCRIPTPROG, RPMTAG_FILETRIGGERSCRIPTFLAGS,
                          RPMTAG_FILETRIGGERNAME, RPMTAG_FILETRIGGERVERSION, RPMTAG_FILETRIGGERFLAGS,
                          RPMTAG_FILETRIGGERINDEX, RPMTAG_FILETRIGGERPRIORITIES]),
        ("transfiletriggers", [RPMTAG_TRANSFILETRIGGERSCRIPTS, RPMTAG_TRANSFILETRIGGERSCRIPTPROG,
                               RPMTAG_TRANSFILETRIGGERSCRIPTFLAGS, RPMTAG_TRANSFILETRIGGERNAME,
                               RPMTAG_TRANSFILETRIGGERVERSION, RPMTAG_TRANSFILETRIGGERFLAGS,
                               RPMTAG_TRANSFILETRIGGERINDEX, RPMTAG_TRANSFILETRIGGERPRIORITIES]),
    ]
}
