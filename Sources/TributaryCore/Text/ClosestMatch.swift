/// "Did you mean …?" for configuration mistakes: the candidate nearest to a misspelt word.
///
/// Every place that reads a user's file (Sources.d, tributary.yaml, rules) suggests the closest
/// allowed word the same way, so a typo gets the same kind of help wherever it is made.
public enum ClosestMatch {
    /// The candidate within a few edits of `word`, if any (at most 2, or a third of the word).
    public static func find(_ word: String, in candidates: [String]) -> String? {
        let scored = candidates.map { ($0, distance(word, $0)) }.min { $0.1 < $1.1 }
        guard let (best, distance) = scored, distance <= max(2, word.count / 3) else { return nil }
        return best
    }

    /// "; did you mean 'x'?" or the empty string.
    public static func suggestion(_ word: String, in candidates: [String]) -> String {
        find(word, in: candidates).map { "; did you mean '\($0)'?" } ?? ""
    }

    /// Levenshtein distance (insertions, deletions, substitutions).
    public static func distance(_ a: String, _ b: String) -> Int {
        let a = Array(a), b = Array(b)
        guard !a.isEmpty else { return b.count }
        guard !b.isEmpty else { return a.count }
        var previous = Array(0...b.count)
        for i in 1...a.count {
            var current = [i] + Array(repeating: 0, count: b.count)
            for j in 1...b.count {
                current[j] = min(previous[j] + 1, current[j - 1] + 1, previous[j - 1] + (a[i - 1] == b[j - 1] ? 0 : 1))
            }
            previous = current
        }
        return previous[b.count]
    }
}
