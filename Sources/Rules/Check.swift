import Provenance
import Trace
import Wire

/// One rule: its catalog entry, the messages that trigger it, and the check.
///
/// A check reads the state *before* the message is applied and reports a violation, says
/// why it could not be evaluated, or (saying nothing) passes.
public struct Rule: Sendable {
    public let info: RuleInfo
    /// The kinds of message that trigger the check.
    public let triggers: Set<MessageKind>
    /// Whether every message triggers it, messages of unknown types too (``everyMessage``).
    public let triggersOnEveryMessage: Bool
    /// Whether the check may hand its costly part off (``Check/offload(_:)``).
    public let offloads: Bool
    let check: @Sendable (inout Check) -> Void

    init(_ info: RuleInfo, on triggers: Set<MessageKind>, offloads: Bool = false, _ check: @escaping @Sendable (inout Check) -> Void) {
        self.info = info
        self.triggers = triggers
        triggersOnEveryMessage = triggers == everyMessage
        self.offloads = offloads
        self.check = check
    }

    /// The triggers as the reports name them: spec names, or `*` for every message.
    public var triggerNames: [String] { triggersOnEveryMessage ? ["*"] : triggers.map(\.name).sorted() }
}

/// The trigger set of a rule that judges every message, of any type (known or not).
let everyMessage = Set(MessageKind.allCases)

extension Set<MessageKind> {
    /// Whether the set holds the kind (`false` for a message of no known kind).
    func contains(_ kind: MessageKind?) -> Bool { kind.map { contains($0) } ?? false }
}

/// A message as the rules read it: its kind and its typed fields (``TypedMessage``), from
/// the bytes or from a log summary. Fields are read through key paths (`\.amountMsat`), so a
/// misspelt field does not compile.
public struct MessageView: Sendable {
    public let name: String
    /// The message's kind; `nil` for a type the codec does not know.
    public let kind: MessageKind?
    public let typed: TypedMessage
    /// Whether the message was decoded from its bytes (so an absent TLV is really absent).
    public let decoded: Bool

    public init(_ content: MessageContent) {
        name = content.name
        kind = content.kind
        typed = TypedMessage(content)
        decoded = content.message != nil
    }

    /// A number field, widened.
    public func uint<V: FixedWidthInteger & UnsignedInteger>(_ field: KeyPath<TypedMessage, V?>) -> UInt64? {
        typed[keyPath: field].map { UInt64($0) }
    }

    public func bytes(_ field: KeyPath<TypedMessage, [UInt8]?>) -> [UInt8]? { typed[keyPath: field] }

    public func bytes<V: FixedSizeBytes>(_ field: KeyPath<TypedMessage, V?>) -> [UInt8]? { typed[keyPath: field]?.bytes }

    /// A list of fixed-size values as byte strings (`htlc_signature`).
    public func byteList<V: FixedSizeBytes>(_ field: KeyPath<TypedMessage, [V]?>) -> [[UInt8]]? {
        typed[keyPath: field]?.map(\.bytes)
    }
}

/// What a rule computed off the ordered path (``Check/offload(_:)``): its outcome, and the
/// evidence of a violation.
public struct Verdict: Sendable {
    let outcome: Check.Outcome
    let evidence: Evidence?

    static let passed = Verdict(outcome: .passed, evidence: nil)

    /// Whether the rule passed: what the engine assumed when it handed the work off.
    public var passed: Bool {
        if case .passed = outcome { return true }
        return false
    }
}

/// A rule's pure, costly part (libsecp256k1 work on values it captured), which may run on
/// another core (issue 14: verification off the ordered path).
public typealias Offloaded = @Sendable () -> Verdict

/// What a rule sees of one message, and how it reports.
public struct Check: Sendable {
    public let event: MessageEvent
    public let view: MessageView
    /// The message's spec name.
    public var name: String { view.name }
    public var kind: MessageKind? { view.kind }
    /// The channel's state before the message, when the message belongs to a channel. The
    /// engine moves the model in while the rules run and takes it back (no copy per message).
    public internal(set) var channel: ChannelModel?
    /// The sender's side in `channel`.
    public let sender: ChannelModel.Side
    public let connection: ConnectionModel
    /// For a `channel_update` about a channel of this connection (its short channel id named
    /// by `channel_ready` or `announcement_signatures`): that channel's state, and the
    /// sender's side in it.
    public internal(set) var updatedChannel: (model: ChannelModel, sender: ChannelModel.Side)?
    /// For a `peer_storage_retrieval`: digests (SHA-256) of the blobs its receiver stored with
    /// its sender earlier in the trace (`peer_storage`), the latest last.
    public internal(set) var storedBlobs: [[UInt8]]?
    /// For an `error` (or `warning`) answering a `funding_created`, `funding_signed`,
    /// `closing_signed` or `commitment_signed` whose signature a rule found invalid: that
    /// message's kind.
    public internal(set) var answersInvalidSignature: MessageKind?

    enum Outcome: Sendable {
        case passed
        /// A violation; `crossing` when messages crossing on the wire could explain it
        /// (Documentation/channel-model.md, "Sides and vantage"), so only the sender's own record makes it certain.
        case violation(String, crossing: Bool)
        case notEvaluated(String)
    }

    var outcome: Outcome = .passed
    /// What the rule computed, reported with a violation.
    public var evidence: Evidence?
    /// The number compared, reported with a violation (``compared(_:_:expected:minimum:maximum:)``).
    public var comparison: Comparison?
    /// Whether the engine runs offloaded work elsewhere (``offload(_:)``).
    var offloading = false
    /// Work handed off for this message, for the engine to collect.
    var offloaded: [Offloaded] = []
    /// The answer the message asks for, which the engine then waits for (``awaitAnswer(_:)``).
    var awaited: Answer?

    init(event: MessageEvent, view: MessageView, channel: ChannelModel?, sender: ChannelModel.Side, connection: ConnectionModel) {
        self.event = event
        self.view = view
        self.channel = channel
        self.sender = sender
        self.connection = connection
    }

    /// The peer's side in `channel`.
    public var peer: ChannelModel.Side { sender.other }

    /// Whether the sender is the connection's initiator (`out`).
    public var fromInitiator: Bool { event.direction != .in }

    /// The sender's direction on the connection (`out`: from the initiator).
    var direction: Direction { event.direction ?? .out }

    // MARK: Reporting

    public mutating func violation(_ reason: String) {
        outcome = .violation(reason, crossing: false)
    }

    /// A violation that the peer's message crossing the sender's on the wire could explain:
    /// certain only when the trace was recorded at the sender.
    public mutating func crossingViolation(_ reason: String) {
        outcome = .violation(reason, crossing: true)
    }

    /// A violation of a numeric requirement: `field` was `actual`, and should have been
    /// `expected` (or within `minimum`…`maximum`).
    public mutating func violation(
        _ reason: String, field: String, actual: UInt64, expected: UInt64? = nil,
        minimum: UInt64? = nil, maximum: UInt64? = nil
    ) {
        comparison = Comparison(field: field, actual: actual, expected: expected, minimum: minimum, maximum: maximum)
        violation(reason)
    }

    /// The same for a message field, named from its key path.
    public mutating func violation(
        _ reason: String, field: PartialKeyPath<TypedMessage>, actual: UInt64, expected: UInt64? = nil,
        minimum: UInt64? = nil, maximum: UInt64? = nil
    ) {
        violation(reason, field: TypedMessage.fieldName(field) ?? "field", actual: actual, expected: expected, minimum: minimum, maximum: maximum)
    }

    /// Runs a rule's pure, costly part: here, or (when the engine offloads) on another core,
    /// the engine then taking it to pass and its caller making sure (``RuleEngine/takeOffloaded()``):
    /// a verdict that does not pass makes the caller check the messages again, here.
    public mutating func offload(_ work: @escaping Offloaded) {
        if offloading {
            offloaded.append(work)
        } else {
            apply(work())
        }
    }

    /// Takes on a verdict's outcome and evidence.
    mutating func apply(_ verdict: Verdict) {
        switch verdict.outcome {
        case .passed: break
        case .violation: outcome = verdict.outcome
        case let .notEvaluated(reason): notEvaluated(reason)
        }
        if let evidence = verdict.evidence { self.evidence = evidence }
    }

    /// Waits for the answer the message asks for (``Answer``): the rule is judged when the
    /// answer comes or when the connection ends, not at this message.
    public mutating func awaitAnswer(_ answer: Answer) {
        awaited = answer
    }

    public mutating func notEvaluated(_ reason: String) {
        if case .violation = outcome { return }
        outcome = .notEvaluated(reason)
    }

    // MARK: Fields

    /// What the trace calls the source, for "not evaluated" reasons.
    var source: String { view.decoded ? "the message" : "the log line" }

    public func uint<V: FixedWidthInteger & UnsignedInteger>(_ field: KeyPath<TypedMessage, V?>) -> UInt64? { view.uint(field) }
    public func bytes(_ field: KeyPath<TypedMessage, [UInt8]?>) -> [UInt8]? { view.bytes(field) }
    public func bytes<V: FixedSizeBytes>(_ field: KeyPath<TypedMessage, V?>) -> [UInt8]? { view.bytes(field) }
    /// The message's typed fields and TLV records.
    public var typed: TypedMessage { view.typed }

    /// A field the rule needs: `nil` (and "not evaluated") when the source does not give it.
    public mutating func need<V: FixedWidthInteger & UnsignedInteger>(_ field: KeyPath<TypedMessage, V?>) -> UInt64? {
        guard let value = uint(field) else { return missing(field) }
        return value
    }

    public mutating func needBytes(_ field: KeyPath<TypedMessage, [UInt8]?>) -> [UInt8]? {
        guard let value = bytes(field) else { return missing(field) }
        return value
    }

    public mutating func needBytes<V: FixedSizeBytes>(_ field: KeyPath<TypedMessage, V?>) -> [UInt8]? {
        guard let value = bytes(field) else { return missing(field) }
        return value
    }

    /// "Not evaluated: the log line does not give `amount_msat`", the field named from its
    /// key path.
    public mutating func notGiven(_ field: PartialKeyPath<TypedMessage>) {
        notEvaluated("\(source) does not give `\(TypedMessage.fieldName(field) ?? "a field")`")
    }

    private mutating func missing<T>(_ field: PartialKeyPath<TypedMessage>) -> T? {
        notGiven(field)
        return nil
    }

    /// Whether the TLV stream is known: decoded bytes, not a log summary.
    public mutating func needTLVs() -> Bool {
        if !view.decoded { notEvaluated("\(source) does not give the TLV records") }
        return view.decoded
    }

    /// The channel with its whole HTLC table: opened in the trace, with every HTLC's id known.
    public mutating func htlcTable() -> ChannelModel? {
        guard let channel = known(.opened) else { return nil }
        if channel.htlcIDsUnknown {
            notEvaluated("the source does not give HTLC ids, so HTLCs cannot be told apart")
            return nil
        }
        return channel
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
            notEvaluated("the channel was not opened in the trace (its parameters and earlier HTLCs are unknown)")
        default:
            notEvaluated("the channel's state before the trace is unknown (no open or reestablish in it)")
        }
        return nil
    }
}

/// Messages that change a channel's commitments (update messages of BOLT #2).
let updateMessages: Set<MessageKind> = [
    .updateAddHTLC, .updateFulfillHTLC, .updateFailHTLC, .updateFailMalformedHTLC, .updateFee,
]
let removalMessages: Set<MessageKind> = [.updateFulfillHTLC, .updateFailHTLC, .updateFailMalformedHTLC]
/// The gossip a node generates or relays (BOLT #7).
let gossipMessages: Set<MessageKind> = [.channelAnnouncement, .nodeAnnouncement, .channelUpdate]
/// The turn-taking messages of interactive transaction construction (BOLT #2).
let interactiveTxMoves: Set<MessageKind> = [.txAddInput, .txAddOutput, .txRemoveInput, .txRemoveOutput, .txComplete]

/// Short form of a channel key for reasons.
func short(_ key: String) -> String { key.count > 16 ? key.prefix(16) + "…" : key }
