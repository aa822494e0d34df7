/// Did-you-mean hints for misspelled keys, architectures, kinds and repo ids.
enum Suggestion {
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

    /// Levenshtein distance over Unicode characters (insert, delete, substitute each cost 1).
    static func editDistance(_ a: String, _ b: String) -> Int {
        let a = Array(a), b = Array(b)
        if a.isEmpty { return b.count }
        var previous = Array(0...b.count)
        var current = previous
        for i in 1...a.count {
            current[0] = i
            for j in stride(from: 1, through: b.count, by: 1) {
                let substitution = previous[j - 1] + (a[i - 1] == b[j - 1] ? 0 : 1)
                current[j] = min(substitution, previous[j] + 1, current[j - 1] + 1)
            }
            swap(&previous, &current)
        }
        return previous[b.count]
    }
}
