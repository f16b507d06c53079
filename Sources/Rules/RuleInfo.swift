/// How strong a requirement is, and so how a violation is reported.
public enum Severity: String, Sendable, Hashable, Comparable, CaseIterable {
    /// A SHOULD / SHOULD NOT, or an anomaly worth a look.
    case warning
    /// A MUST / MUST NOT, or a derived requirement whose breach makes the protocol impossible.
    case error

    public static func < (a: Severity, b: Severity) -> Bool { a == .warning && b == .error }
}

/// One rule of the catalog: what it checks, the spec text it enforces, and what it needs.
public struct RuleInfo: Sendable, Hashable {
    /// A stable id (listed in Documentation/rules.md), for example `add-id-increment`.
    public var id: String
    public var title: String
    /// The BOLT section enforced, for example `BOLT #2 §"Adding an HTLC: update_add_htlc"`.
    public var section: String
    public var severity: Severity
    /// The requirement in the spec's words.
    public var spec: String
    /// What the rule checks in a trace, and why it matters.
    public var explanation: String
    /// A trace fragment that breaks the rule.
    public var example: String
    /// Whether the verdict can depend on which side recorded the trace (Documentation/channel-model.md, "Sides and vantage"):
    /// the rule infers "the sender had already received N", which holds for certain only
    /// at the sender; at the peer the two messages may have crossed.
    public var vantageDependent: Bool

    public init(
        _ id: String, _ title: String, section: String, severity: Severity, spec: String, explanation: String,
        example: String, vantageDependent: Bool = false
    ) {
        self.id = id
        self.title = title
        self.section = section
        self.severity = severity
        self.spec = spec
        self.explanation = explanation
        self.example = example
        self.vantageDependent = vantageDependent
    }
}
