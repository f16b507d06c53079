/// Every rule lntrace checks, in catalog order (Documentation/rules.md: connection, format, establishment,
/// normal operation, quiescence, close, reestablish, interactive-tx, batching, splicing, gossip).
public enum Catalog {
    public static let rules: [Rule] =
        ConnectionRules.all + FormatRules.all + EstablishmentRules.all + UpdateRules.all
        + SignatureRules.all + QuiescenceRules.all + CloseRules.all + ClosingTransactionRules.all + ReestablishRules.all
        + InteractiveTxRules.all
        + BatchRules.all + SpliceRules.all + GossipRules.all + ReserveRules.all + AnswerRules.all + IgnoreRules.all

    public static func rule(_ id: String) -> Rule? { numbers[id].map { rules[$0] } }

    /// Each rule's number: its position in ``rules``.
    static let numbers: [String: Int] = Dictionary(uniqueKeysWithValues: rules.enumerated().map { ($1.info.id, $0) })

    /// The rules selected by `--rules` and `--skip` (ids, or prefixes ending in `-` or `*`).
    public static func select(only: [String], skip: [String]) throws(SelectionError) -> [Rule] {
        func matches(_ rule: Rule, _ pattern: String) -> Bool { Self.matches(rule.info.id, pattern) }
        for pattern in only + skip where !rules.contains(where: { matches($0, pattern) }) {
            throw SelectionError(pattern: pattern)
        }
        return rules.filter { rule in
            (only.isEmpty || only.contains { matches(rule, $0) }) && !skip.contains { matches(rule, $0) }
        }
    }
}

extension Catalog {
    /// Whether a rule id matches a pattern: an id, a prefix ending in `-`, or a glob with `*`
    /// anywhere (`v1-*-sig`, `commit-*`); case does not matter.
    public static func matches(_ id: String, _ pattern: String) -> Bool {
        let id = id.lowercased(), pattern = pattern.lowercased()
        if pattern.hasSuffix("-") { return id.hasPrefix(pattern) }
        guard pattern.contains("*") else { return id == pattern }
        let parts = pattern.split(separator: "*", omittingEmptySubsequences: false).map(String.init)
        guard let first = parts.first, let last = parts.last, id.hasPrefix(first), id.count >= first.count + last.count else { return false }
        var rest = Substring(id.dropFirst(first.count))
        for part in parts.dropFirst().dropLast() where !part.isEmpty {
            guard let range = rest.range(of: part) else { return false }
            rest = rest[range.upperBound...]
        }
        return rest.hasSuffix(last)
    }
}

/// A `--rules`/`--skip` pattern that names no rule.
public struct SelectionError: Error, CustomStringConvertible {
    public var pattern: String
    public var description: String { "no rule matches '\(pattern)' (see `lntrace rules`)" }
}
