/// "Did you mean" help for misspelled package names.
enum Suggest {
    /// Up to `limit` names close to `word`: same name ignoring case, a containing name, or within a small edit distance.
    static func closeNames(to word: String, among names: Set<String>, limit: Int = 3) -> [String] {
        let lower = word.lowercased()
        let budget = max(1, word.count / 4)
        var scored: [(Int, String)] = []
        for name in names {
            let candidate = name.lowercased()
            if candidate == lower { scored.append((0, name)); continue }
            if abs(candidate.count - lower.count) > budget { continue }
            let d = distance(lower, candidate, limit: budget)
            if d <= budget { scored.append((d, name)) }
        }
        return scored.sorted { ($0.0, $0.1) < ($1.0, $1.1) }.prefix(limit).map(\.1)
    }

    /// Levenshtein distance, giving up (returning limit + 1) once it exceeds `limit`.
    static func distance(_ a: String, _ b: String, limit: Int) -> Int {
        let a = Array(a.utf8), b = Array(b.utf8)
        var previous = Array(0...b.count)
        for i in 1...max(a.count, 1) where !a.isEmpty {
            var current = [i] + Array(repeating: 0, count: b.count)
            var rowMin = i
            for j in 1...max(b.count, 1) where !b.isEmpty {
                let cost = a[i - 1] == b[j - 1] ? 0 : 1
                current[j] = min(previous[j] + 1, current[j - 1] + 1, previous[j - 1] + cost)
                rowMin = min(rowMin, current[j])
            }
            if rowMin > limit { return limit + 1 }
            previous = current
        }
        return a.isEmpty ? b.count : previous[b.count]
    }
}
