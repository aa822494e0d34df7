import Foundation
#if canImport(FoundationXML)
import FoundationXML
#endif
import Solv

/// A repo's metalink (Metalink 3.0 as MirrorManager serves it): the mirrors of `repomd.xml` in
/// preference order, and the hashes a current `repomd.xml` has, so a stale mirror can be told apart.
public struct Metalink: Sendable, Hashable {
    /// One mirror: the repo's base URL (the metalink's URL without `repodata/repomd.xml`).
    public struct Mirror: Sendable, Hashable {
        public var baseURL: String
        /// Higher is better (0-100).
        public var preference: Int
    }

    /// One acceptable `repomd.xml`: the current one, or a recent one MirrorManager still accepts.
    public struct Version: Sendable, Hashable {
        public var size: Int?
        public var timestamp: Int?
        public var hashes: [Checksum]

        /// The strongest hash given, the one a repomd.xml is checked against (as librepo does).
        public var strongest: Checksum? {
            hashes.max { Metalink.strength($0.algorithm) < Metalink.strength($1.algorithm) }
        }
    }

    /// Usable mirrors (http, https, file), best preference first; equal preferences keep file order.
    public let mirrors: [Mirror]
    /// The repomd.xml the metalink describes.
    public let current: Version
    /// Older repomd.xml versions a mirror may still serve and be current enough (`mm0:alternates`).
    public let alternates: [Version]

    static func strength(_ algorithm: String) -> Int {
        ["md5", "sha1", "sha224", "sha256", "sha384", "sha512"].firstIndex(of: algorithm) ?? -1
    }

    /// Parses metalink bytes; `source` (the metalink URL) names it in errors.
    public static func parse(data: Data, source: String) throws(MetalinkError) -> Metalink {
        let reader = MetalinkReader(source: source)
        return try reader.read(data)
    }

    /// Whether the repomd.xml at `path` is the current one or an accepted alternate: its hash, in
    /// the strongest algorithm each version gives, must be one of theirs.
    public func accepts(repomd path: String) throws(Checksum.Failure) -> Bool {
        var computed: [String: String] = [:]
        for version in [current] + alternates {
            guard let expected = version.strongest else { continue }
            if computed[expected.algorithm] == nil {
                computed[expected.algorithm] = try Checksum.of(file: path, algorithm: expected.algorithm).hex
            }
            if computed[expected.algorithm] == expected.hex { return true }
        }
        return false
    }
}

/// Why a metalink could not be used.
public enum MetalinkError: Error, Sendable, Equatable, CustomStringConvertible {
    /// Not well-formed XML, or not a metalink.
    case malformed(source: String, line: Int, reason: String)
    /// The metalink has no `<file name="repomd.xml">`.
    case noRepomd(source: String)
    /// The repomd.xml entry gives no hash of a known algorithm, so staleness cannot be told.
    case noHash(source: String)

    public var description: String {
        switch self {
        case let .malformed(source, line, reason):
            return "metalink \(source):\(line): \(reason); check the metalink URL (it should answer with a Metalink 3.0 XML document)"
        case let .noRepomd(source):
            return "metalink \(source) describes no repomd.xml; check the metalink URL (repo= and arch= parameters)"
        case let .noHash(source):
            return "metalink \(source) gives no usable hash of repomd.xml, so stale mirrors cannot be told apart"
        }
    }
}

/// XMLParser delegate reading the `repomd.xml` entry of a metalink.
final class MetalinkReader: NSObject, XMLParserDelegate {
    static let namespace = "http://www.metalinker.org/"
    static let mirrorManager = "http://fedorahosted.org/mirrormanager"

    let source: String
    private var parser: XMLParser?
    private var failure: MetalinkError?
    /// Element names from the root down, namespace-qualified by a prefix: "m:" metalink, "mm:" MirrorManager.
    private var path: [String] = []
    private var text = ""
    private var inRepomd = false
    private var sawRepomd = false
    private var current = Metalink.Version(size: nil, timestamp: nil, hashes: [])
    private var alternates: [Metalink.Version] = []
    private var alternate: Metalink.Version?
    private var hashType = ""
    private var mirrors: [Metalink.Mirror] = []
    private var preference = 0
    /// Set at `</metalink>`; XMLParser on Linux can report success for a truncated document.
    private var rootClosed = false

    init(source: String) {
        self.source = source
    }

    func read(_ data: Data) throws(MetalinkError) -> Metalink {
        let parser = XMLParser.forRepoMetadata(data, delegate: self)
        self.parser = parser
        let ok = parser.parse()
        self.parser = nil
        if let failure { throw failure }
        guard ok else {
            throw .malformed(source: source, line: parser.lineNumber, reason: "not well-formed XML (\(parser.failureText))")
        }
        guard rootClosed else {
            throw .malformed(source: source, line: parser.lineNumber, reason: "not well-formed XML (the document ends early)")
        }
        guard sawRepomd else { throw .noRepomd(source: source) }
        guard current.strongest.map({ Metalink.strength($0.algorithm) >= 0 }) == true else { throw .noHash(source: source) }
        // Stable: mirrors of equal preference keep the metalink's order.
        let ordered = mirrors.enumerated().sorted { a, b in
            a.element.preference != b.element.preference ? a.element.preference > b.element.preference : a.offset < b.offset
        }.map(\.element)
        return Metalink(mirrors: ordered, current: current, alternates: alternates)
    }

    private func name(_ element: String, _ namespace: String?) -> String {
        switch namespace {
        case Self.namespace: "m:" + element
        case Self.mirrorManager: "mm:" + element
        default: "?:" + element
        }
    }

    func parser(_ parser: XMLParser, didStartElement element: String, namespaceURI: String?,
                qualifiedName: String?, attributes: [String: String] = [:]) {
        let qualified = name(element, namespaceURI)
        path.append(qualified)
        text = ""
        if path.count == 1, qualified != "m:metalink" {
            failure = .malformed(source: source, line: parser.lineNumber,
                                 reason: "root element is <\(qualifiedName ?? element)>, not a Metalink 3.0 <metalink>")
            parser.abortParsing()
            return
        }
        switch qualified {
        case "m:file" where path.dropLast().last == "m:files":
            inRepomd = attributes["name"] == "repomd.xml" && !sawRepomd
            sawRepomd = sawRepomd || inRepomd
        case "mm:alternate" where inRepomd:
            alternate = Metalink.Version(size: nil, timestamp: nil, hashes: [])
        case "m:hash" where inRepomd:
            hashType = attributes["type"] ?? ""
        case "m:url" where inRepomd:
            preference = attributes["preference"].flatMap { Int($0) } ?? 0
        default:
            break
        }
    }

    func parser(_ parser: XMLParser, foundCharacters string: String) {
        text += string
    }

    func parser(_ parser: XMLParser, didEndElement element: String, namespaceURI: String?, qualifiedName: String?) {
        let qualified = name(element, namespaceURI)
        defer { path.removeLast() }
        if path.count == 1 { rootClosed = true }
        let value = text.trimmingCharacters(in: .whitespacesAndNewlines)
        text = ""
        guard inRepomd else { return }
        switch qualified {
        case "m:file":
            inRepomd = false
        case "mm:alternate":
            if let alternate { alternates.append(alternate) }
            alternate = nil
        case "m:hash":
            guard !hashType.isEmpty, !value.isEmpty else { return }
            let hash = Checksum(algorithm: hashType, hex: value)
            if alternate != nil { alternate?.hashes.append(hash) } else { current.hashes.append(hash) }
        case "m:size":
            if alternate != nil { alternate?.size = Int(value) } else { current.size = Int(value) }
        case "mm:timestamp":
            if alternate != nil { alternate?.timestamp = Int(value) } else { current.timestamp = Int(value) }
        case "m:url":
            let lower = value.lowercased()
            guard lower.hasPrefix("http://") || lower.hasPrefix("https://") || lower.hasPrefix("file:") else { return }
            let suffix = "repodata/repomd.xml"
            let base = value.hasSuffix(suffix) ? String(value.dropLast(suffix.count)) : value
            mirrors.append(Metalink.Mirror(baseURL: base, preference: preference))
        default:
            break
        }
    }
}

/// A repo's mirrorlist: one URL a line; `#` starts a comment (as librepo reads it).
public enum MirrorList {
    /// The mirror URLs of `text`, in order; `$variables` in them are substituted with `variables`
    /// and lines that are neither URLs nor absolute paths are skipped.
    public static func parse(_ text: String, variables: [String: String]) -> [String] {
        text.split(whereSeparator: \.isNewline).compactMap { raw in
            let line = raw.trimmingCharacters(in: .whitespaces)
            guard !line.isEmpty, !line.hasPrefix("#"), line.contains("://") || line.hasPrefix("/") else { return nil }
            return (try? RepoVariables.substitute(line, variables)) ?? line
        }
    }
}
