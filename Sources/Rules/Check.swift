import Provenance
import Trace
import Wire

/// One rule: its catalog entry, the messages that trigger it, and the check.
///
/// A check reads the state *before* the message is applied and reports a violation, says
/// why it could not be evaluated, or (saying nothing) passes.
public struct Rule: Sendable {
    public let info: RuleInfo
    /// Spec names of the messages that trigger the check.
    public let triggers: Set<String>
    let check: @Sendable (inout Check) -> Void

    init(_ info: RuleInfo, on triggers: Set<String>, _ check: @escaping @Sendable (inout Check) -> Void) {
        self.info = info
        self.triggers = triggers
        self.check = check
    }
}

/// What a rule sees of one message, and how it reports.
public struct Check {
    public let event: MessageEvent
    /// The message's spec name.
    public let name: String
    /// The channel's state before the message, when the message belongs to a channel.
    public let channel: ChannelModel?
    /// The sender's side in `channel`.
    public let sender: ChannelModel.Side
    public let connection: ConnectionModel
    /// Whether the connection's sender is its initiator (`out`).
    public let fromInitiator: Bool

    enum Outcome {
        case passed
        case violation(String, Finding.Certainty)
        case notEvaluated(String)
    }

    var outcome: Outcome = .passed

    init(event: MessageEvent, channel: ChannelModel?, sender: ChannelModel.Side, connection: ConnectionModel) {
        self.event = event
        self.name = event.content.name
        self.channel = channel
        self.sender = sender
        self.connection = connection
        self.fromInitiator = event.direction == .out
    }

    /// The peer's side in `channel`.
    public var peer: ChannelModel.Side { 1 - sender }

    // MARK: Reporting

    public mutating func violation(_ reason: String, certainty: Finding.Certainty = .certain) {
        outcome = .violation(reason, certainty)
    }

    public mutating func notEvaluated(_ reason: String) {
        if case .violation = outcome { return }
        outcome = .notEvaluated(reason)
    }

    // MARK: Fields

    /// What the trace calls the source, for "not evaluated" reasons.
    var source: String {
        if case .partial = event.content { return "the log line" }
        return "the message"
    }

    public func field(_ name: String) -> FieldValue? { event.content.fields[name] }

    public func uint(_ name: String) -> UInt64? {
        if case let .unsigned(value) = field(name) { return value }
        return nil
    }

    public func bytes(_ name: String) -> [UInt8]? {
        if case let .bytes(value) = field(name) { return value }
        return nil
    }

    /// A TLV record's single field, or its presence (`[]`) for a flag record.
    public func tlv(_ record: String) -> [WireField]? {
        if case let .record(fields) = event.content.tlvFields[record] { return fields }
        return nil
    }

    /// Whether the message's TLV extension is known (decoded, not a log summary).
    public var tlvsKnown: Bool { event.content.message != nil }

    /// A field the rule needs: `nil` (and "not evaluated") when the source does not give it.
    public mutating func need(_ name: String) -> UInt64? {
        guard let value = uint(name) else {
            notEvaluated("\(source) does not give `\(name)`")
            return nil
        }
        return value
    }

    public mutating func needBytes(_ name: String) -> [UInt8]? {
        guard let value = bytes(name) else {
            notEvaluated("\(source) does not give `\(name)`")
            return nil
        }
        return value
    }

    /// The channel, which the rule needs from its opening (or a reestablish).
    public mutating func known(_ minimum: ChannelModel.Origin = .reestablished) -> ChannelModel? {
        guard let channel else {
            notEvaluated("the message's channel is not known")
            return nil
        }
        switch (minimum, channel.origin) {
        case (_, .opened), (.unknown, _), (.reestablished, .reestablished):
            return channel
        case (.opened, .reestablished):
            notEvaluated("the channel was not opened in the trace (its parameters are unknown)")
        default:
            notEvaluated("the channel's state before the trace is unknown (no open or reestablish in it)")
        }
        return nil
    }
}

/// Messages that change a channel's commitments (update messages of BOLT #2).
let updateMessages: Set<String> = [
    "update_add_htlc", "update_fulfill_htlc", "update_fail_htlc", "update_fail_malformed_htlc", "update_fee",
]
let removalMessages: Set<String> = ["update_fulfill_htlc", "update_fail_htlc", "update_fail_malformed_htlc"]
