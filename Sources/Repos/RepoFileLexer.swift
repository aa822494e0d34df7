import Foundation

/// A `key = value` line of a `.repo` file, continuation lines already joined.
struct RepoFileEntry: Equatable {
    var key: String
    var value: String
    var line: Int
}

/// A `[id]` section of a `.repo` file with its entries in file order.
struct RepoFileSection: Equatable {
    var id: String
    var line: Int
    var entries: [RepoFileEntry]
}

/// Splits dnf-style INI text into sections, the way dnf's config parser reads it.
enum RepoFileLexer {
    /// Characters dnf allows in a repo id.
    static func isValidID(_ id: String) -> Bool {
        !id.isEmpty && id.unicodeScalars.allSatisfy { s in
            (s.isASCII && (s.properties.isAlphabetic || ("0"..."9").contains(s))) || "-_.:".unicodeScalars.contains(s)
        }
    }

    static func sections(text: String, file: String) throws(RepoConfigError) -> [RepoFileSection] {
        var sections: [RepoFileSection] = []
        // An indented line continues the previous value until a blank line or a new key.
        var continuing = false
        let lines = text.split(omittingEmptySubsequences: false, whereSeparator: \.isNewline)
        for (index, raw) in lines.enumerated() {
            let number = index + 1
            let line = raw
            let trimmed = line.trimmingCharacters(in: .whitespaces)
            if trimmed.isEmpty {
                continuing = false
                continue
            }
            if trimmed.hasPrefix("#") || trimmed.hasPrefix(";") { continue }
            if let first = line.first, first == " " || first == "\t", continuing,
               let last = sections.indices.last, !sections[last].entries.isEmpty {
                let entry = sections[last].entries.count - 1
                let old = sections[last].entries[entry].value
                sections[last].entries[entry].value = old.isEmpty ? trimmed : old + "\n" + trimmed
                continue
            }
            if trimmed.hasPrefix("[") {
                guard trimmed.hasSuffix("]"), trimmed.count >= 2 else {
                    throw .badSection(file: file, line: number, text: trimmed)
                }
                let id = trimmed.dropFirst().dropLast().trimmingCharacters(in: .whitespaces)
                guard isValidID(id) else { throw .badSection(file: file, line: number, text: trimmed) }
                sections.append(RepoFileSection(id: id, line: number, entries: []))
                continuing = false
                continue
            }
            guard let equals = trimmed.firstIndex(of: "=") else {
                throw .missingEquals(file: file, line: number, text: trimmed)
            }
            let key = trimmed[..<equals].trimmingCharacters(in: .whitespaces).lowercased()
            guard !key.isEmpty else { throw .missingEquals(file: file, line: number, text: trimmed) }
            guard let last = sections.indices.last else {
                throw .lineOutsideSection(file: file, line: number, text: trimmed)
            }
            let value = trimmed[trimmed.index(after: equals)...].trimmingCharacters(in: .whitespaces)
            sections[last].entries.append(RepoFileEntry(key: key, value: value, line: number))
            continuing = true
        }
        return sections
    }
}
