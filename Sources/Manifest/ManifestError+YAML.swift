import Yams

extension ManifestError {
    /// Converts an error thrown by Yams into a positioned `ManifestError`.
    init(yamlError error: any Error, yaml: String, file: String) {
        let at = { (position: Position, message: String) in
            ManifestError(
                file: file, line: position.line, column: position.column, key: "", reason: .syntax, message: message)
        }
        guard let error = error as? YamlError else {
            self = at(Position(line: 0, column: 0), "invalid YAML: \(error)")
            return
        }
        switch error {
        case let .scanner(context, problem, mark, _), let .parser(context, problem, mark, _),
            let .composer(context, problem, mark, _):
            var advice = context.map { " (\($0.text) at line \($0.mark.line))" } ?? ""
            let lines = yaml.split(separator: "\n", omittingEmptySubsequences: false)
            if mark.line >= 1, mark.line <= lines.count, lines[mark.line - 1].contains("\t") {
                advice += "; YAML does not allow tabs for indentation, use spaces"
            } else if problem.contains("another document") {
                advice = "; the file must hold one YAML document, so remove the '---' and what follows"
            }
            self = at(Position(line: mark.line, column: mark.column), "invalid YAML: \(problem)\(advice)")
        case let .duplicatedKeysInMapping(duplicates, context):
            let first = Position(line: context.mark.line, column: context.mark.column)
            self = Self.duplicateKey(duplicates.first ?? "?", firstAt: first, yaml: yaml, file: file)
        case let .reader(problem, offset, _, _):
            let position = offset.map { Self.position(ofByteOffset: $0, in: yaml) } ?? Position(line: 0, column: 0)
            self = at(position, "invalid text: \(problem)")
        default:
            self = at(Position(line: 0, column: 0), "invalid YAML: \(error)")
        }
    }

    /// The 1-based line and column of a UTF-8 byte offset.
    private static func position(ofByteOffset offset: Int, in text: String) -> Position {
        let prefix = text.utf8.prefix(offset)
        let line = prefix.filter { $0 == UInt8(ascii: "\n") }.count + 1
        let column = prefix.reversed().prefix { $0 != UInt8(ascii: "\n") }.count + 1
        return Position(line: line, column: column)
    }
}
