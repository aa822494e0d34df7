import Foundation
import Solv

/// Reads `--base-packages FILE`: an rpm-ostree lockfile (JSON) or a text list of NEVRAs, one per line.
public enum BasePackageList {
    /// Reads the file and returns its packages in file order; an empty file is an empty base.
    public static func load(file path: String) throws(BasePackageListError) -> [NEVRA] {
        guard let data = FileManager.default.contents(atPath: path) else {
            let reason = FileManager.default.fileExists(atPath: path) ? "permission denied or not a file" : "no such file"
            throw .unreadable(file: path, reason: reason)
        }
        guard let text = String(data: data, encoding: .utf8) else {
            throw .unreadable(file: path, reason: "not UTF-8 text")
        }
        return try parse(text: text, file: path)
    }

    /// Parses file contents; JSON when the first non-space character is `{`. `file` names the source in errors.
    public static func parse(text: String, file: String) throws(BasePackageListError) -> [NEVRA] {
        if text.first(where: { !$0.isWhitespace }) == "{" {
            return try parseLockfile(text: text, file: file)
        }
        return try parseList(text: text, file: file)
    }

    /// rpm-ostree lockfile: `{"packages": {"name": {"evra": "[E:]V-R.A", ...}, ...}}`.
    static func parseLockfile(text: String, file: String) throws(BasePackageListError) -> [NEVRA] {
        let root: OrderedJSON
        do {
            root = try OrderedJSON.parse(text)
        } catch {
            throw .badJSON(file: file, line: error.line, reason: error.reason)
        }
        guard case .object(let top) = root else { throw .notLockfile(file: file) }
        guard let packages = top.last(where: { $0.key == "packages" }) else { throw .notLockfile(file: file) }
        guard case .object(let entries) = packages.value else {
            throw .badLockEntry(file: file, line: packages.line, name: "packages", reason: "'packages' must be an object of name: {\"evra\": ...}")
        }
        var result: [NEVRA] = []
        var lines: [String: Int] = [:]
        for entry in entries {
            if let first = lines[entry.key] {
                throw .duplicate(file: file, entry: entry.key, firstLine: first, secondLine: entry.line)
            }
            lines[entry.key] = entry.line
            guard case .object(let fields) = entry.value else {
                throw .badLockEntry(file: file, line: entry.line, name: entry.key, reason: "must be an object with \"evra\"")
            }
            guard let evraField = fields.last(where: { $0.key == "evra" }), case .string(let evra) = evraField.value else {
                let reason = fields.contains(where: { $0.key == "evr" })
                    ? "has \"evr\" but no architecture; give \"evra\": \"[E:]V-R.ARCH\""
                    : "has no \"evra\" string; give \"evra\": \"[E:]V-R.ARCH\""
                throw .badLockEntry(file: file, line: entry.line, name: entry.key, reason: reason)
            }
            guard let nevra = NEVRA(parsing: "\(entry.key)-\(evra)"), nevra.name == entry.key,
                  !evra.contains(where: \.isWhitespace) else {
                throw .badLockEntry(file: file, line: evraField.line, name: entry.key,
                                    reason: "\"evra\": \"\(evra)\" is not [epoch:]version-release.arch")
            }
            result.append(normalized(nevra))
        }
        return result
    }

    /// One NEVRA per line; blank lines and `#` comments skipped; a trailing `.rpm` allowed.
    static func parseList(text: String, file: String) throws(BasePackageListError) -> [NEVRA] {
        var result: [NEVRA] = []
        var lines: [NEVRA: Int] = [:]
        for (index, raw) in text.split(omittingEmptySubsequences: false, whereSeparator: \.isNewline).enumerated() {
            let entry = raw.trimmingCharacters(in: .whitespacesAndNewlines)
            if entry.isEmpty || entry.hasPrefix("#") { continue }
            guard !entry.contains(where: \.isWhitespace), let parsed = NEVRA(parsing: entry) else {
                throw .badLine(file: file, line: index + 1, entry: entry)
            }
            let nevra = normalized(parsed)
            if let first = lines[nevra] {
                throw .duplicate(file: file, entry: entry, firstLine: first, secondLine: index + 1)
            }
            lines[nevra] = index + 1
            result.append(nevra)
        }
        return result
    }

    /// Epoch 0 and no epoch are the same package to rpm; keep one spelling so sets compare equal.
    private static func normalized(_ nevra: NEVRA) -> NEVRA {
        var copy = nevra
        if copy.epoch == 0 { copy.epoch = nil }
        return copy
    }
}
