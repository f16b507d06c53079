import Provenance
import Trace
import Wire

/// A place where a message breaks a rule, with the evidence.
public struct Finding: Sendable {
    public enum Certainty: String, Sendable {
        /// The trace proves the violation.
        case certain
        /// The verdict depends on the recording side (Documentation/channel-model.md, "Sides and vantage") and that side is
        /// unknown (a capture without `--local`): the messages may have crossed.
        case possible
    }

    public var rule: RuleInfo
    public var severity: Severity
    public var certainty: Certainty
    /// The channel (`channel_id` in hex, or the source's label), if the rule is per channel.
    public var channel: String?
    /// The channel's `temporary_channel_id`, when the trace holds its opening: an alias of
    /// ``channel`` for the opening's messages.
    public var temporaryChannel: String?
    public var connection: Int?
    /// The message that broke the rule.
    public var message: MessageEvent
    /// One sentence with the values that broke the rule.
    public var reason: String
    /// The channel's (or, without a channel, the connection's) messages just before, oldest first.
    public var context: [MessageEvent] = []
    /// Earlier messages the rule refers to that are not in ``context`` (the `update_add_htlc`
    /// of the HTLC a removal names).
    public var referenced: [MessageEvent] = []
    /// What the rule computed to judge the message, to compare with a node's own records (a
    /// signature rule's rebuilt transaction, sighash and keys).
    public var evidence: Evidence?
    /// The number the rule compared and what it should have been (rules that compare numbers).
    public var comparison: Comparison?
    /// The finding's number in its report (from 1, in the order found).
    public var id = 0
    /// The root finding this one follows from (see ``Lineage``); `nil` for a root.
    public var follows: Int?

    /// Whether the finding is a root cause rather than a consequence of an earlier one.
    public var isRoot: Bool { follows == nil }

    public init(rule: RuleInfo, certainty: Certainty = .certain, channel: String?, message: MessageEvent, reason: String) {
        self.rule = rule
        self.severity = rule.severity
        self.certainty = certainty
        self.channel = channel
        self.connection = message.connection
        self.message = message
        self.reason = reason
    }
}

/// How often each rule could be evaluated on one channel (or connection), and why not.
public struct Coverage: Sendable {
    public struct Entry: Sendable {
        public var evaluated = 0
        public var notEvaluated = 0
        /// The first reason the rule could not be evaluated.
        public var reason: String?
    }

    /// By rule number (the rule's position in ``Catalog/rules``).
    public private(set) var entries: [Int: Entry] = [:]

    public init() {}

    mutating func evaluated(_ rule: Int) {
        entries[rule, default: Entry()].evaluated += 1
    }

    mutating func notEvaluated(_ rule: Int, _ reason: String) {
        entries[rule, default: Entry()].notEvaluated += 1
        if entries[rule]?.reason == nil { entries[rule]?.reason = reason }
    }

    /// Adds another scope's counts (channels summarised together).
    public mutating func merge(_ other: Coverage) {
        for (rule, entry) in other.entries {
            entries[rule, default: Entry()].evaluated += entry.evaluated
            entries[rule, default: Entry()].notEvaluated += entry.notEvaluated
            if entries[rule]?.reason == nil { entries[rule]?.reason = entry.reason }
        }
    }

    private static func id(_ number: Int) -> String {
        Catalog.rules.indices.contains(number) ? Catalog.rules[number].info.id : "rule \(number)"
    }

    /// Rules evaluated at least once.
    public var evaluatedRules: [String] { entries.filter { $0.value.evaluated > 0 }.keys.map(Self.id).sorted() }
    /// Rules that applied but never had the evidence, with the first reason.
    public var notEvaluatedRules: [(rule: String, reason: String)] {
        entries.filter { $0.value.evaluated == 0 && $0.value.notEvaluated > 0 }
            .map { (Self.id($0.key), $0.value.reason ?? "") }.sorted { $0.rule < $1.rule }
    }
    /// Rules evaluated on some messages and not on others, with counts and the first reason:
    /// a rule checked on its first commitments only would otherwise pass for checked.
    public var partlyEvaluatedRules: [(rule: String, evaluated: Int, notEvaluated: Int, reason: String)] {
        entries.filter { $0.value.evaluated > 0 && $0.value.notEvaluated > 0 }
            .map { (Self.id($0.key), $0.value.evaluated, $0.value.notEvaluated, $0.value.reason ?? "") }
            .sorted { $0.rule < $1.rule }
    }
}

/// A number a rule compared: the message's field (or a count the rule derived), its value,
/// and what the rule expected: a value, or bounds.
public struct Comparison: Sendable, Equatable {
    public var field: String
    public var actual: UInt64
    /// The value it should have been.
    public var expected: UInt64?
    /// Bounds it should have been within (inclusive).
    public var minimum: UInt64?
    public var maximum: UInt64?

    public init(field: String, actual: UInt64, expected: UInt64? = nil, minimum: UInt64? = nil, maximum: UInt64? = nil) {
        self.field = field
        self.actual = actual
        self.expected = expected
        self.minimum = minimum
        self.maximum = maximum
    }
}

/// What a rule computed, as named values in order: hex strings, numbers and text.
public struct Evidence: Sendable {
    public enum Value: Sendable {
        case hex([UInt8])
        case number(UInt64)
        case text(String)
        case list([String])
    }

    public var items: [(name: String, value: Value)] = []

    public init() {}

    public mutating func add(_ name: String, _ value: Value) { items.append((name, value)) }
}
