import Provenance
import Trace
import Wire

/// A message the trace waits for: what a "MUST respond" requirement asks of a node (BOLT #2
/// §"commitment_signed": "MUST respond with a `revoke_and_ack`"), judged when it comes or
/// when the connection ends (Documentation/rules.md, "Answers").
///
/// A rule names it at the message that asks (``Check/awaitAnswer(_:)``); the engine keeps it
/// with the connection. The answer settles it; an `error` or `warning` either way excuses it
/// (the channel or the connection is failing). When the connection ends (a TCP FIN or reset,
/// or a node log's reconnection) with the answer still owed, and the node that owes it sent
/// something after the question, the rule is broken; a node that sent nothing more may have
/// been cut off, and a trace that simply stops cannot tell: both are "not evaluated".
public struct Answer: Sendable {
    /// Which node owes the answer: the message's receiver (a reply) or its sender (a
    /// retransmission its `channel_reestablish` makes due).
    public enum Owner: Sendable { case receiver, sender }

    public var owner: Owner
    /// The messages that answer.
    public var kinds: Set<MessageKind>
    /// What the reason calls the answer (`revoke_and_ack`).
    public var what: String
    /// Whether the answer belongs to the asking message's channel (else to its connection).
    public var sameChannel: Bool
    /// Whether any message of the owing node on the connection shows it going on without the
    /// answer (else only its messages on the answer's channel do).
    public var anyMessageCounts: Bool
    /// Messages on the channel, from either node, after which the answer may no longer be due
    /// (an update makes the channel unclean again): they settle it unjudged.
    public var excusedBy: Set<MessageKind>
    /// Whether the answer is still due when the connection ends, judged on the channel's
    /// state then: `nil` if it is, else why not (the receiver of `shutdown` replies once its
    /// own updates are settled).
    public var dueAtEnd: (@Sendable (ChannelModel) -> String?)?
    /// When the answer may never have become due for reasons the trace cannot show (the
    /// funding's depth at the receiver): a missing answer is then not evaluated, for this reason.
    public var unjudgeable: String?
    /// Whether the node MUST ignore the message instead (an "ignore" requirement, BOLT #1
    /// §"Lightning Message Format": "MUST ignore the received message"): its next message is
    /// watched, and an `error` or `warning` there for the channel or the connection, before the
    /// asking node sent anything more, is the reaction it must not have
    /// (Documentation/rules.md, "Ignored messages").
    public var mustIgnore = false
    /// For a message to ignore: the rules whose violation at the message leaves the watch
    /// standing (the sender's side of the same requirement); a violation of any other rule
    /// may be what the reaction answers.
    public var tolerated: Set<String> = []

    /// Watches the receiver's reaction to a message it MUST ignore (`what`: what the reason
    /// calls the message).
    public static func ignored(_ what: String, sameChannel: Bool = true, tolerating tolerated: Set<String> = []) -> Answer {
        var answer = Answer([], what: what, sameChannel: sameChannel)
        answer.mustIgnore = true
        answer.tolerated = tolerated
        return answer
    }

    public init(
        from owner: Owner = .receiver, _ kinds: Set<MessageKind>, what: String, sameChannel: Bool = true, anyMessageCounts: Bool = false,
        excusedBy: Set<MessageKind> = [], unjudgeable: String? = nil, dueAtEnd: (@Sendable (ChannelModel) -> String?)? = nil
    ) {
        self.dueAtEnd = dueAtEnd
        self.excusedBy = excusedBy
        self.owner = owner
        self.kinds = kinds
        self.what = what
        self.sameChannel = sameChannel
        self.anyMessageCounts = anyMessageCounts || !sameChannel
        self.unjudgeable = unjudgeable
    }
}

/// An answer the engine waits for on one connection.
struct AwaitedAnswer: Sendable {
    /// The rule's index in the engine's rules.
    var rule: Int
    var answer: Answer
    /// The direction the answer travels.
    var direction: Direction
    /// The asking message's channel (its serial), if any.
    var serial: Int?
    /// The channel's key in reports.
    var channel: String?
    /// The asking message (where a missing answer is reported) and its context.
    var question: MessageEvent
    var context: [MessageEvent]
    /// Messages the owing node sent (on the channel, or the connection) since the question.
    var sentSince = 0
    /// Messages the asking node sent since the question (for a message to ignore: a reaction
    /// after them may be theirs).
    var askedSince = 0

    /// How one message of the connection bears on the awaited answer; for a message to
    /// ignore, `reacts` is an `error` or `warning` in the owing node's next message and
    /// `excuses` any other message of it.
    enum Effect { case answers, excuses, voids, other, none, reacts, asks }

    func effect(of kind: MessageKind?, direction d: Direction, serial messageSerial: Int?) -> Effect {
        let onChannel = messageSerial == serial
        let failing = kind == .error || kind == .warning
        if answer.mustIgnore {
            if d == direction { return failing && (onChannel || messageSerial == nil) ? .reacts : .excuses }
            return failing ? .excuses : .asks
        }
        if d == direction, onChannel || !answer.sameChannel, let kind, answer.kinds.contains(kind) { return .answers }
        if failing { return .excuses }
        if onChannel, answer.excusedBy.contains(kind) { return .voids }
        return d == direction && (onChannel || answer.anyMessageCounts) ? .other : .none
    }
}
