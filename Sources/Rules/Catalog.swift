/// Every rule lntrace checks, in catalog order (rules-catalog.md: connection, establishment,
/// normal operation, quiescence, close, reestablish, interactive-tx).
public enum Catalog {
    public static let rules: [Rule] = ConnectionRules.all + EstablishmentRules.all + UpdateRules.all
        + SignatureRules.all + QuiescenceRules.all + CloseRules.all + ReestablishRules.all + InteractiveTxRules.all

    public static func rule(_ id: String) -> Rule? { rules.first { $0.info.id == id } }

    /// The rules selected by `--rules` and `--skip` (ids, or prefixes ending in `-` or `*`).
    public static func select(only: [String], skip: [String]) throws(SelectionError) -> [Rule] {
        func matches(_ rule: Rule, _ pattern: String) -> Bool {
            if pattern.hasSuffix("*") { return rule.info.id.hasPrefix(pattern.dropLast()) }
            if pattern.hasSuffix("-") { return rule.info.id.hasPrefix(pattern) }
            return rule.info.id == pattern
        }
        for pattern in only + skip where !rules.contains(where: { matches($0, pattern) }) {
            throw SelectionError(pattern: pattern)
        }
        return rules.filter { rule in
            (only.isEmpty || only.contains { matches(rule, $0) }) && !skip.contains { matches(rule, $0) }
        }
    }
}

/// A `--rules`/`--skip` pattern that names no rule.
public struct SelectionError: Error, CustomStringConvertible {
    public var pattern: String
    public var description: String { "no rule matches '\(pattern)' (see `lntrace rules`)" }
}
