import Foundation
#if canImport(FoundationXML)
import FoundationXML
#endif
import Solv

/// XMLParser delegate that collects repomd.xml's `<revision>` and `<data>` records.
final class RepoMDReader: NSObject, XMLParserDelegate {
    static let namespace = "http://linux.duke.edu/metadata/repo"

    let file: String
    private(set) var revision: String?
    private(set) var records: [String: RepoMD.Record] = [:]
    private var failure: RepoMDError?
    private var parser: XMLParser?
    private var depth = 0
    /// Set at `</repomd>`; XMLParser on Linux can report success for a truncated document.
    private var rootClosed = false
    private var text = ""
    /// The `<data>` being read: its type, start line, and the parts seen so far.
    private var current: (type: String, line: Int, href: String?, checksum: Checksum?, open: Checksum?,
                          size: Int?, openSize: Int?, timestamp: Int?)?
    private var checksumType = ""

    init(file: String) {
        self.file = file
    }

    func read(_ data: Data) throws(RepoMDError) -> (revision: String?, records: [String: RepoMD.Record]) {
        let parser = XMLParser.forRepoMetadata(data, delegate: self)
        self.parser = parser
        let ok = parser.parse()
        self.parser = nil
        if let failure { throw failure }
        guard ok else { throw .notXML(file: file, line: parser.lineNumber, reason: parser.failureText) }
        guard rootClosed else { throw .notXML(file: file, line: parser.lineNumber, reason: "document ends before </repomd>") }
        return (revision, records)
    }

    private func fail(_ error: RepoMDError) {
        if failure == nil { failure = error }
        parser?.abortParsing()
    }

    private var line: Int { parser?.lineNumber ?? 0 }

    func parser(_ parser: XMLParser, didStartElement name: String, namespaceURI: String?,
                qualifiedName: String?, attributes: [String: String] = [:]) {
        depth += 1
        text = ""
        if depth == 1 {
            if name != "repomd" || namespaceURI != Self.namespace { fail(.notRepoMD(file: file, root: qualifiedName ?? name)) }
            return
        }
        guard namespaceURI == Self.namespace else { return }
        if depth == 2, name == "data" {
            guard let type = attributes["type"], !type.isEmpty else {
                return fail(.missingField(file: file, line: line, type: "?", field: "type attribute"))
            }
            current = (type, line, nil, nil, nil, nil, nil, nil)
        } else if depth == 3, current != nil {
            switch name {
            case "location": current?.href = attributes["href"]
            case "checksum", "open-checksum": checksumType = attributes["type"] ?? ""
            default: break
            }
        }
    }

    func parser(_ parser: XMLParser, foundCharacters string: String) {
        text += string
    }

    func parser(_ parser: XMLParser, didEndElement name: String, namespaceURI: String?, qualifiedName: String?) {
        defer { depth -= 1 }
        if depth == 1 { rootClosed = true }
        let value = text.trimmingCharacters(in: .whitespacesAndNewlines)
        text = ""
        guard namespaceURI == Self.namespace else { return }
        if depth == 2, name == "revision" {
            revision = value
        } else if depth == 2, name == "data" {
            finishRecord()
        } else if depth == 3, current != nil {
            switch name {
            case "checksum": current?.checksum = checksum(value)
            case "open-checksum": current?.open = checksum(value)
            case "size": current?.size = number(value, field: name)
            case "open-size": current?.openSize = number(value, field: name)
            case "timestamp": current?.timestamp = number(value, field: name)
            default: break
            }
        }
    }

    private func checksum(_ hex: String) -> Checksum? {
        guard !checksumType.isEmpty, !hex.isEmpty else { return nil }
        return Checksum(algorithm: checksumType, hex: hex)
    }

    private func number(_ value: String, field: String) -> Int? {
        guard let number = Int(value) else {
            fail(.badNumber(file: file, line: line, field: field, value: value))
            return nil
        }
        return number
    }

    private func finishRecord() {
        guard let data = current else { return }
        current = nil
        guard let href = data.href, !href.isEmpty else {
            return fail(.missingField(file: file, line: data.line, type: data.type, field: "<location href>"))
        }
        guard let checksum = data.checksum else {
            return fail(.missingField(file: file, line: data.line, type: data.type, field: "<checksum type=...>"))
        }
        guard records[data.type] == nil else { return fail(.duplicateType(file: file, line: data.line, type: data.type)) }
        records[data.type] = RepoMD.Record(
            type: data.type, href: href, checksum: checksum, openChecksum: data.open,
            size: data.size, openSize: data.openSize, timestamp: data.timestamp)
    }
}
