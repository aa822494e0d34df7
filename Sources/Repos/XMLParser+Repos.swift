import Foundation
#if canImport(FoundationXML)
import FoundationXML
#endif

extension XMLParser {
    /// A parser for repo metadata (repomd.xml, metalinks): namespaces resolved, nothing external fetched.
    static func forRepoMetadata(_ data: Data, delegate: XMLParserDelegate) -> XMLParser {
        let parser = XMLParser(data: data)
        parser.shouldProcessNamespaces = true
        parser.shouldResolveExternalEntities = false
        parser.delegate = delegate
        return parser
    }

    /// Why parsing failed, in the parser's words.
    var failureText: String {
        parserError.map { "\($0.localizedDescription)" } ?? "unknown parser error"
    }
}
