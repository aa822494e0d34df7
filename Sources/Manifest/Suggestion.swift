/// Did-you-mean hints for misspelled keys, architectures, kinds, repo ids and package names.
public enum Suggestion {
    /// Common names for an architecture that rpm spells differently.
    static let architectureAliases: [String: String] = [
        "amd64": "x86_64", "x64": "x86_64", "arm64": "aarch64", "ppc64el": "ppc64le",
        "i386": "i686", "x86": "i686", "armhf": "armv7hl", "riscv": "riscv64",
    ]

    /// The candidate closest to `word`, if it is close enough to be a plausible typo.
    static func closest(to word: String, in candidates: some Collection<String>) -> String? {
        let lowered = word.lowercased()
        // A clipped word ('arch', 'match') is as telling as a typo.
        if lowered.count >= 4, let prefixed = candidates.first(where: { $0.lowercased().hasPrefix(lowered) }) {
            return prefixed
        }
        var best: (candidate: String, distance: Int)?
        for candidate in candidates {
            let distance = editDistance(lowered, candidate.lowercased())
            if distance < best?.distance ?? .max { best = (candidate, distance) }
        }
        guard let best else { return nil }
        // Allow about one edit per three characters, and at least two, so 'pakages' finds
        // 'packages' but 'foo' does not find 'kind'.
        let allowed = max(2, min(word.count, best.candidate.count) / 3)
        return best.distance <= allowed ? best.candidate : nil
    }

    /// `"; did you mean 'x'?"`, or an empty string when nothing is close.
    static func hint(for word: String, in candidates: some Collection<String>) -> String {
        closest(to: word, in: candidates).map { "; did you mean '\($0)'?" } ?? ""
    }

    /// Up to `limit` of `names` close enough to `word` to be what was meant (package names in
    /// repos: many candidates, so each distance gives up once it exceeds a quarter of the word).
    public static func closeNames(to word: String, among names: Set<String>, limit: Int = 3) -> [String] {
        let lowered = word.lowercased()
        let budget = max(1, word.count / 4)
        var scored: [(distance: Int, name: String)] = []
        for name in names where abs(name.count - word.count) <= budget {
            let distance = editDistance(lowered, name.lowercased(), giveUpAbove: budget)
            if distance <= budget { scored.append((distance, name)) }
        }
        return scored.sorted { ($0.distance, $0.name) < ($1.distance, $1.name) }.prefix(limit).map(\.name)
    }

    /// Levenshtein distance over Unicode characters (insert, delete, substitute each cost 1).
    /// With `giveUpAbove`, returns that bound + 1 as soon as the distance must exceed it.
    static func editDistance(_ a: String, _ b: String, giveUpAbove bound: Int = .max) -> Int {
        let a = Array(a), b = Array(b)
        if a.isEmpty { return b.count }
        var previous = Array(0...b.count)
        var current = previous
        for i in 1...a.count {
            current[0] = i
            var rowMinimum = i
            for j in stride(from: 1, through: b.count, by: 1) {
                let substitution = previous[j - 1] + (a[i - 1] == b[j - 1] ? 0 : 1)
                current[j] = min(substitution, previous[j] + 1, current[j - 1] + 1)
                rowMinimum = min(rowMinimum, current[j])
            }
            if rowMinimum > bound { return bound + 1 }
            swap(&previous, &current)
        }
        return previous[b.count]
    }
}
