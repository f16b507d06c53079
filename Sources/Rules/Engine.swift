import Basics
import Provenance
import Secp256k1
import Trace
import Transactions
import Wire

/// Checks one input's messages against the rules, in stream order, keeping a model of each
/// connection (BOLT #1) and each channel (BOLT #2; Documentation/channel-model.md).
///
/// Rules see the state before a message; the message is then applied. Findings come out as
/// the messages go in (nothing is held back), and ``summary`` tells, per channel, which rules
/// could be evaluated.
public struct RuleEngine {
    public let rules: [Rule]
    /// The node that recorded the trace, as the trace labels it (an address, an endpoint, or
    /// `local` in a node log); `nil` when unknown.
    public var local: String?

    /// The rules each kind of message triggers, in catalog order; `unknownPlan` for
    /// messages of no known kind.
    private var plans: [MessageKind: [Int]] = [:]
    private var unknownPlan: [Int] = []
    /// The last messages of each channel (by serial) and of each connection's channel-less
    /// traffic: a finding's context.
    private var channelContext: [Int: [MessageEvent]] = [:]
    private var connectionContext: [Int: [MessageEvent]] = [:]
    /// How many earlier messages a finding shows (`--context`).
    public var contextLength = 4
    /// Each channel's `update_add_htlc` messages by HTLC, until the HTLC is removed: the
    /// message a removal's finding refers to.
    private var htlcAdds: [Int: [HTLCRef: MessageEvent]] = [:]

    private struct HTLCRef: Hashable {
        var offerer: ChannelModel.Side
        var id: UInt64
    }
    /// Labels a capture gave known nodes on later connections (see ``attribute(_:_:_:)``).
    private var partyAlias: [String: String] = [:]
    /// Digests of the latest blobs each node stored with each peer (`peer_storage`), by the
    /// two nodes' labels: what a `peer_storage_retrieval` on a later connection returns.
    private var storedBlobs: [StoragePair: [[UInt8]]] = [:]
    static let keptBlobs = 64
    static let keptStoragePairs = 4096

    private struct StoragePair: Hashable {
        var owner: String
        var holder: String
    }

    private struct Connection {
        var model: ConnectionModel
        var token: Int
    }

    private var connections: [Int: Connection] = [:]
    /// The answers each connection (by key) waits for (``Answer``), the oldest first.
    private var awaited: [Int: [AwaitedAnswer]] = [:]
    /// Per channel (by serial): the kind and direction of a message whose signature a rule
    /// found invalid, until its receiver's next message on the channel (`conn-error-tx-hex`).
    private var invalidSignatures: [Int: (kind: MessageKind, direction: Direction)] = [:]
    /// The rules that verify the signature of a message BOLT #1's `error` requirements name.
    static let signatureRules: Set<String> = ["v1-created-sig", "v1-signed-sig", "commit-sig-valid", "v2-commit-sig", "lcs-sig-valid"]
    /// Answers awaited at most per connection and in all: each holds its question and context
    /// (a hostile capture of many connections must not grow the engine without bound).
    static let keptAnswers = 64
    static let keptAnswersInAll = 4096
    private var awaitedCount = 0
    /// Connections whose state is held (at most ``liveChannels``; the rest are forgotten, their
    /// coverage kept).
    public var liveConnections: Int { connections.count }
    /// A node log's peer streams never end as a capture's connections do: the models of the
    /// least recently active past this many are dropped.
    private var connectionRecency = RecencyBound<Int>(limit: liveChannels)
    private var nextToken = 1
    /// The live channel models by serial. At most ``liveChannels`` are held: past that the
    /// least recently active are dropped (``droppedChannels``), and a dropped channel's later
    /// messages start a new model, as a channel first seen mid-trace does.
    private var channels: [Int: ChannelModel] = [:]
    private var nextSerial = 0
    /// Which live channels had messages most recently.
    private var recency = RecencyBound<Int>(limit: liveChannels)
    public static let liveChannels = 10_000
    /// Channel models dropped for ``liveChannels``.
    public private(set) var droppedChannels = 0
    /// The summary rows of the first ``keptChannels`` channels (the rest are counted, and
    /// share one coverage entry): messages, and what a dropped channel's row showed.
    private var channelMessages: [Int] = []
    private var droppedRows: [Int: CheckSummary.Channel] = [:]
    static let keptChannels = 10_000
    private var omittedMessages = 0
    /// Channels opened on each connection (by token) whose establishment has not finished:
    /// where a message naming no known channel may belong (see ``pendingChannel(_:_:)``).
    private var establishing: [Int: [Int]] = [:]
    static let establishingPerConnection = 64
    /// How a message names its channel: its `channel_id`, a temporary id (which only one
    /// connection's open knows), or the label a log gives it.
    private enum ChannelKey: Hashable {
        case id(ChannelID)
        case temporary(connection: Int, ChannelID)
        case label(String)
    }

    /// Channel serials by every key their messages use.
    private var channelIndex: [ChannelKey: Int] = [:]
    private var coverage: [Int: Coverage] = [:]
    private var connectionCoverage: [Int: Coverage] = [:]
    /// Connections with a coverage entry of their own.
    static let coveredConnections = 10_000
    public private(set) var messages = 0
    public private(set) var findings = 0
    /// The id the next finding gets (``VantageEngines`` numbers the findings of an input's
    /// engines in one sequence).
    public var nextFindingID = 1
    /// Roots and follow-ons per channel (by serial) and per connection's channel-less traffic.
    private var channelLineage: [Int: Lineage] = [:]
    private var connectionLineage: [Int: Lineage] = [:]
    /// Each selected rule's catalog number (coverage is kept by number).
    private let numbers: [Int]

    public init(rules: [Rule], local: String? = nil, contextLength: Int = 4) {
        self.rules = rules
        numbers = rules.enumerated().map { Catalog.numbers[$1.info.id] ?? Catalog.rules.count + $0 }
        self.local = local
        self.contextLength = max(0, contextLength)
        for (index, rule) in rules.enumerated() {
            if rule.triggersOnEveryMessage { unknownPlan.append(index) }
            for kind in rule.triggers { plans[kind, default: []].append(index) }
        }
    }

    /// Called for each message with the state before it is applied: the channel's model
    /// (after a reconnection is taken into account) and the connection's. Hazard analysis
    /// keeps these to replay messages in another order.
    public var observer: ((_ event: MessageEvent, _ channel: ChannelModel?, _ connection: ConnectionModel) -> Void)?
    /// Whether rules hand their costly, pure parts off (``Check/offload(_:)``) instead of
    /// running them: the caller runs them elsewhere and takes them with ``takeOffloaded()``.
    public var offloads = false
    /// Work handed off since the last ``takeOffloaded()``, in message and rule order.
    private var offloaded: [Offloaded] = []

    /// The work rules handed off since the last call (the engine took each to pass).
    public mutating func takeOffloaded() -> [Offloaded] {
        defer { offloaded.removeAll() }
        return offloaded
    }

    /// An engine whose only channel and connection start from the given states: for
    /// replaying a channel's messages in another order (the models are values).
    ///
    /// `rules`: the rules to replay with (a hazard profile's failures are judged whatever
    /// rules the check selected); by default this engine's.
    public func replaying(channel: ChannelModel, connection: ConnectionModel, connectionKey: Int, rules replayRules: [Rule]? = nil) -> RuleEngine {
        var engine = RuleEngine(rules: replayRules ?? rules, local: local, contextLength: contextLength)
        var model = channel
        let serial = model.serial
        model.serial = 0
        let token = model.connection ?? 1
        model.connection = token
        // The connection's short channel ids name the replayed channel by its new serial.
        var connection = connection
        if !connection.gossip.channels.values.isEmpty { connection.gossip.channels.remap { $0 == serial ? 0 : nil } }
        engine.connections[connectionKey] = Connection(model: connection, token: token)
        engine.nextToken = token + 1
        engine.channels = [0: model]
        engine.nextSerial = 1
        engine.channelMessages = [0]
        if let id = model.channelID { engine.channelIndex[.id(id)] = 0 }
        if let temporary = model.temporaryID { engine.channelIndex[.temporary(connection: token, temporary)] = 0 }
        if let label = model.label { engine.channelIndex[.label(label)] = 0 }
        engine.partyAlias = partyAlias
        return engine
    }

    /// Checks one event; returns the findings at that message.
    public mutating func process(_ event: TraceEvent) -> [Finding] {
        if case let .lost(lost) = event {
            let side = lost.direction == .out ? "the initiator" : "the responder"
            // The first loss is the one that made the rest unjudgeable.
            if lostReasons[lost.connection] != nil { return [] }
            lostReasons[lost.connection] = "messages from \(side) are missing (\(lost.reason)): the exchange cannot be judged"
            return []
        }
        if case let .connection(summary) = event {
            // A capture connection ended: its answers are due, and its state is no longer
            // needed (its coverage is kept). A capture that stops does not end a connection.
            let ended = summary.closeReason.flatMap { ["fin", "reset", "port reuse"].contains($0) ? $0 : nil }
            // An answer may be in bytes the capture lost (a gap, a frame that did not decrypt).
            let out = judgeAnswers(connection: summary.id, ended: ended, incomplete: summary.problems.first)
            forget(connection: summary.id)
            connectionRecency.remove(summary.id)
            return out
        }
        guard case let .message(message) = event else { return [] }
        return process(message)
    }

    /// Capture connections with a direction the trace lost (see ``LostMessages``): their
    /// rules are not evaluated from then on.
    private var lostReasons: [Int: String] = [:]

    public mutating func process(_ event: MessageEvent) -> [Finding] {
        if case .undecodable = event.content { return judgeUndecodable(event) }
        messages += 1
        let view = MessageView(event.content)
        let d = event.direction ?? .out
        let connectionKey = event.connection ?? -1

        // The connection: a node log's peer stream starts a new one at each repeated `init`.
        var connection = connections[connectionKey] ?? newConnection(event, view, reconnection: false)
        var out: [Finding] = []
        // (An `init` after other messages in its direction is a new connection too: `init`
        // comes first, and a log may have begun after the earlier one.)
        if event.streamStart == nil, view.kind == .initMessage, connection.model.initSeen[d] || connection.model.messages[d] > 0 {
            // The earlier connection ended: the answers it owed are due.
            out = judgeAnswers(connection: connectionKey, ended: "reconnection")
            let previous = connection.model
            connection = newConnection(event, view, reconnection: true)
            // The other side's `init` just before belongs to the new connection.
            if previous.lastWasInit[d.reversed], !previous.lastWasInit[d] {
                connection.model.initSeen[d.reversed] = true
                connection.model.messages[d.reversed] = 1
                connection.model.features[d.reversed] = previous.features[d.reversed]
            }
        }
        connections[connectionKey] = connection

        // The channel, and the sender's side in it.
        let serial = resolveChannel(event, view, connection: connection)
        // The model leaves the array while it is judged and changed, so that it is changed in
        // place rather than copied (its arrays have one owner).
        var channel: ChannelModel?
        if let serial {
            channel = channels.removeValue(forKey: serial)
        }
        var side = ChannelModel.Side.first
        if var model = channel.take() {
            if model.connection != connection.token {
                if model.connection == nil { model.connection = connection.token } else { model.reconnected(connection: connection.token) }
            }
            side = attribute(event, view, &model)
            channel = model
        }
        if !awaited.isEmpty, awaited[connectionKey] != nil {
            out += settleAnswers(view.kind, direction: d, serial: serial, connection: connectionKey)
        }

        // The rules, on the state before the message.
        let before = out.count
        // A `channel_update` of the connection's own channel is the observer's message of that
        // channel (a hazard may reorder it with the channel's messages).
        var observedUpdate: ChannelModel?
        // The check lives in this block: leaving it releases its hold on the connection model
        // before the message changes it in place.
        do {
            // The model moves into the check and back: copying it would retain each of its
            // buffers, on every message.
            var check = Check(event: event, view: view, channel: channel.take(), sender: side, connection: connection.model)
            check.offloading = offloads
            if view.kind == .channelUpdate, serial == nil, let id = view.typed.shortChannelID,
                let updated = connection.model.gossip.channels[id].flatMap({ channels[$0] }),
                let sender = updated.knownSide(of: party(event)) ?? updated.knownSide(of: receiver(event))?.other
            {
                check.updatedChannel = (updated, sender)
            }
            if observer != nil { observedUpdate = check.updatedChannel?.model }
            if view.kind == .peerStorageRetrieval { check.storedBlobs = storedBlobs[StoragePair(owner: receiver(event), holder: party(event))] }
            if !invalidSignatures.isEmpty, let serial, let invalid = invalidSignatures[serial], invalid.direction != d {
                if view.kind == .error || view.kind == .warning { check.answersInvalidSignature = invalid.kind }
                invalidSignatures[serial] = nil
            }
            let lostReason = lostReasons[connectionKey]
            // The answers the message asks for, awaited once every rule has judged it (a
            // message to ignore is watched only if it broke no other rule).
            var asked: [(rule: Int, answer: Answer)] = []
            for index in plan(view.kind) {
                // Rules are read in place: a copy would retain each of their strings per message.
                check.outcome = .passed
                check.evidence = nil
                check.comparison = nil
                check.awaited = nil
                if let lostReason {
                    check.outcome = .notEvaluated(lostReason)
                } else {
                    rules[index].check(&check)
                    if !check.offloaded.isEmpty {
                        assert(rules[index].offloads, "\(rules[index].info.id) hands work off without saying so (Rule.offloads)")
                        offloaded += check.offloaded
                        check.offloaded.removeAll()
                    }
                }
                switch check.outcome {
                case .passed:
                    if let answer = check.awaited {
                        asked.append((index, answer))
                        continue
                    }
                    record(numbers[index], channel: check.channel?.serial, connection: connectionKey) { $0.evaluated($1) }
                    // Only a scope with findings has lineage to update (none in a clean trace).
                    if let serial {
                        if !channelLineage.isEmpty, channelLineage[serial] != nil { channelLineage[serial]?.passed(rules[index].info.id) }
                    } else if !connectionLineage.isEmpty, connectionLineage[connectionKey] != nil {
                        connectionLineage[connectionKey]?.passed(rules[index].info.id)
                    }
                case let .notEvaluated(reason):
                    record(numbers[index], channel: check.channel?.serial, connection: connectionKey) { $0.notEvaluated($1, reason) }
                case let .violation(reason, crossing):
                    record(numbers[index], channel: check.channel?.serial, connection: connectionKey) { $0.evaluated($1) }
                    let certain = !crossing || matchesLocal(party(event))
                    let names = partyNames(event)
                    var finding = Finding(
                        rule: rules[index].info, certainty: certain ? .certain : .possible,
                        channel: check.channel?.key ?? event.channel, message: event, reason: names.apply(reason))
                    finding.context = serial.map { channelContext[$0] ?? [] } ?? connectionContext[connectionKey] ?? []
                    // A removal refers to its HTLC's add.
                    if let serial, removalMessages.contains(view.kind), let id = view.uint(\.id),
                        let add = htlcAdds[serial]?[HTLCRef(offerer: side.other, id: id)],
                        !finding.context.contains(where: { $0.location == add.location && $0.index == add.index })
                    {
                        finding.referenced = [add]
                    }
                    finding.evidence = check.evidence
                    finding.comparison = check.comparison
                    if let model = check.channel, model.channelID != nil { finding.temporaryChannel = model.temporaryID?.hex }
                    out.append(finding)
                }
            }
            for (index, answer) in asked {
                if answer.mustIgnore, let other = out[before...].first(where: { !answer.tolerated.contains($0.rule.id) }) {
                    let reason = "the message broke \(other.rule.id): a reaction to it may answer that"
                    record(numbers[index], channel: check.channel?.serial, connection: connectionKey) { $0.notEvaluated($1, reason) }
                } else {
                    wait(
                        for: answer, rule: index, question: event, direction: d, serial: serial, channel: check.channel?.key ?? event.channel,
                        connection: connectionKey)
                }
            }
            channel = check.channel.take()
        }
        if out.count > before {
            var found = Array(out[before...])
            if let serial, let kind = view.kind, found.contains(where: { Self.signatureRules.contains($0.rule.id) }) {
                invalidSignatures[serial] = (kind, d)
            }
            if let serial {
                channelLineage[serial, default: Lineage()].assign(&found, nextID: &nextFindingID)
            } else {
                connectionLineage[connectionKey, default: Lineage()].assign(&found, nextID: &nextFindingID)
            }
            out.replaceSubrange(before..., with: found)
            findings += found.count
        }

        observer?(event, channel ?? observedUpdate, connection.model)

        // Apply the message, to the connection's only copy (one left in the dictionary
        // would make this a copy of its channel set, on every message).
        connections[connectionKey] = nil
        connection.model.apply(view, direction: event.direction, channel: channel, side: side)
        if view.kind == .peerStorage, let blob = view.bytes(\.blob) {
            if storedBlobs.count >= Self.keptStoragePairs { storedBlobs.removeAll() }
            let pair = StoragePair(owner: party(event), holder: receiver(event))
            storedBlobs[pair, default: []].append(sha256(blob))
            if let count = storedBlobs[pair]?.count, count > Self.keptBlobs { storedBlobs[pair]?.removeFirst() }
        }
        if serial == nil { Self.remember(event, in: &connectionContext[connectionKey, default: []], contextLength: contextLength) }
        if var model = channel.take(), let serial {
            model.apply(view, from: side)
            // Times the model keeps for `stfu-timeout`.
            if let time = event.time {
                model.lastMessageAt = time
                if model.stfuSent != PerSide(true, true) {
                    model.quiescentAt = nil
                } else if model.quiescentAt == nil {
                    model.quiescentAt = time
                }
            }
            if view.kind == .revokeAndAck { model.compactIfLong() }
            channels[serial] = model
            touch(serial)
            if serial < Self.keptChannels { channelMessages[serial] += 1 } else { omittedMessages += 1 }
            Self.remember(event, in: &channelContext[serial, default: []], contextLength: contextLength)
            if view.kind == .updateAddHTLC, let id = view.uint(\.id) {
                htlcAdds[serial, default: [:]][HTLCRef(offerer: side, id: id)] = event
            } else if removalMessages.contains(view.kind), let id = view.uint(\.id) {
                htlcAdds[serial]?[HTLCRef(offerer: side.other, id: id)] = nil
            }
            register(serial: serial, connection: connection.token, id: event.content.channelID)
        }
        connections[connectionKey] = connection
        for dropped in connectionRecency.use(connectionKey) { forget(connection: dropped) }
        return out
    }

    /// A message that did not decode: only the format rules judge it (its fields are
    /// unknown), and no model changes.
    private mutating func judgeUndecodable(_ event: MessageEvent) -> [Finding] {
        let view = MessageView(event.content)
        let connectionKey = event.connection ?? -1
        let connection = connections[connectionKey] ?? newConnection(event, view, reconnection: false)
        connections[connectionKey] = connection
        var check = Check(event: event, view: view, channel: nil, sender: .first, connection: connection.model)
        var out: [Finding] = []
        for index in plan(view.kind) where FormatRules.ids.contains(rules[index].info.id) {
            check.outcome = .passed
            rules[index].check(&check)
            switch check.outcome {
            case .passed:
                record(numbers[index], channel: nil, connection: connectionKey) { $0.evaluated($1) }
            case let .notEvaluated(reason):
                record(numbers[index], channel: nil, connection: connectionKey) { $0.notEvaluated($1, reason) }
            case let .violation(reason, _):
                record(numbers[index], channel: nil, connection: connectionKey) { $0.evaluated($1) }
                var finding = Finding(rule: rules[index].info, certainty: .certain, channel: event.channel, message: event, reason: reason)
                finding.context = connectionContext[connectionKey] ?? []
                out.append(finding)
            }
        }
        if !out.isEmpty { connectionLineage[connectionKey, default: Lineage()].assign(&out, nextID: &nextFindingID) }
        findings += out.count
        // Bounded like any connection: a flood of malformed messages on new connections
        // must not grow the engine.
        for dropped in connectionRecency.use(connectionKey) { forget(connection: dropped) }
        return out
    }

    // MARK: Answers

    /// Starts waiting for the answer a message asks for.
    private mutating func wait(
        for answer: Answer, rule: Int, question: MessageEvent, direction d: Direction, serial: Int?, channel: String?, connection key: Int
    ) {
        guard awaitedCount < Self.keptAnswersInAll else {
            return record(numbers[rule], channel: serial, connection: key) {
                $0.notEvaluated($1, "more than \(Self.keptAnswersInAll) answers were awaited in the trace")
            }
        }
        let context = serial.map { channelContext[$0] ?? [] } ?? connectionContext[key] ?? []
        var list = awaited[key, default: []]
        if list.count >= Self.keptAnswers {
            // Bounded: the oldest question is given up on.
            let dropped = list.removeFirst()
            awaitedCount -= 1
            record(numbers[dropped.rule], channel: dropped.serial, connection: key) {
                $0.notEvaluated($1, "more than \(Self.keptAnswers) answers were awaited on the connection")
            }
        }
        awaitedCount += 1
        list.append(
            AwaitedAnswer(
                rule: rule, answer: answer, direction: answer.owner == .receiver ? d.reversed : d, serial: serial, channel: channel,
                question: question, context: context))
        awaited[key] = list
    }

    /// Settles what a message of the connection answers or excuses; counts the messages the
    /// owing nodes sent instead.
    private mutating func settleAnswers(_ kind: MessageKind?, direction d: Direction, serial: Int?, connection key: Int) -> [Finding] {
        guard var list = awaited.removeValue(forKey: key) else { return [] }
        var out: [Finding] = []
        var removed = 0
        defer { awaitedCount -= removed }
        var answered = Set<Int>()
        var index = 0
        while index < list.count {
            switch list[index].effect(of: kind, direction: d, serial: serial) {
            case .answers where !answered.contains(list[index].rule):
                // One message answers one question of each rule, the oldest first.
                answered.insert(list[index].rule)
                fallthrough
            case .excuses:
                record(numbers[list[index].rule], channel: list[index].serial, connection: key) { $0.evaluated($1) }
                list.remove(at: index)
                removed += 1
                continue
            case .voids:
                let reason = "the answer was no longer due after a later message"
                record(numbers[list[index].rule], channel: list[index].serial, connection: key) { $0.notEvaluated($1, reason) }
                list.remove(at: index)
                removed += 1
                continue
            case .reacts:
                // The node did not ignore the message, unless its reaction may be to a later one.
                let entry = list.remove(at: index)
                removed += 1
                let what = kind == .warning ? "warning" : "error"
                guard entry.askedSince == 0 else {
                    let reason = "the `\(what)` may answer one of the \(entry.askedSince) messages sent after \(entry.answer.what)"
                    record(numbers[entry.rule], channel: entry.serial, connection: key) { $0.notEvaluated($1, reason) }
                    continue
                }
                record(numbers[entry.rule], channel: entry.serial, connection: key) { $0.evaluated($1) }
                let names = partyNames(entry.question)
                out.append(unanswered(entry, key, reason: "\(names.receiver) answered \(entry.answer.what) with an `\(what)` at once"))
                continue
            case .asks:
                list[index].askedSince += 1
            case .answers, .other:
                list[index].sentSince += 1
            case .none:
                break
            }
            index += 1
        }
        if !list.isEmpty { awaited[key] = list }
        findings += out.count
        return out
    }

    private func partyNames(_ event: MessageEvent) -> PartyNames {
        PartyNames(event: event, senderLabel: party(event), receiverLabel: receiver(event), isLocal: { [local] in Self.matches($0, local: local) })
    }

    /// The finding of an awaited answer, at its question.
    private mutating func unanswered(_ entry: AwaitedAnswer, _ key: Int, reason: String) -> Finding {
        var finding = Finding(rule: rules[entry.rule].info, channel: entry.channel, message: entry.question, reason: reason)
        finding.context = entry.context
        var one = [finding]
        if let serial = entry.serial {
            channelLineage[serial, default: Lineage()].assign(&one, nextID: &nextFindingID)
        } else {
            connectionLineage[key, default: Lineage()].assign(&one, nextID: &nextFindingID)
        }
        return one[0]
    }

    /// Judges the answers still awaited on a connection that ended (`ended`: how; `nil` when
    /// the trace stopped instead, which leaves them not evaluated).
    private mutating func judgeAnswers(connection key: Int, ended: String?, incomplete: String? = nil) -> [Finding] {
        guard let list = awaited.removeValue(forKey: key) else { return [] }
        awaitedCount -= list.count
        var out: [Finding] = []
        for entry in list {
            let number = numbers[entry.rule]
            if let why = unjudged(entry, key, ended: ended, incomplete) {
                record(number, channel: entry.serial, connection: key) { $0.notEvaluated($1, why) }
                continue
            }
            guard let ended else { continue }  // (a trace that stopped always has a reason above)
            record(number, channel: entry.serial, connection: key) { $0.evaluated($1) }
            let names = partyNames(entry.question)
            let who = entry.answer.owner == .receiver ? names.receiver : names.sender
            let messages = entry.sentSince == 1 ? "1 other message" : "\(entry.sentSince) other messages"
            out.append(
                unanswered(
                    entry, key,
                    reason:
                        "no `\(entry.answer.what)` from \(who): the connection ended (\(ended)) after \(messages)\(entry.answer.anyMessageCounts ? "" : " on the channel")"
                ))
        }
        findings += out.count
        return out
    }

    /// Why an answer still awaited when its connection ended (`ended`: how; `nil` when the
    /// trace stopped) cannot be judged missing; `nil` when it can.
    private func unjudged(_ entry: AwaitedAnswer, _ key: Int, ended: String?, _ incomplete: String?) -> String? {
        // The answer may be among the messages the trace lost.
        if let lost = lostReasons[key] ?? incomplete.map({ "the capture did not hold the whole connection (\($0))" }) { return lost }
        let owner = entry.answer.owner == .receiver ? "its receiver" : "its sender"
        if entry.answer.mustIgnore {
            // Its receiver's next message was never seen: a disconnect cannot be told from the
            // asking node's own closing.
            return ended.map { "the connection ended (\($0)) before \(owner) sent anything more" }
                ?? "the trace ends before \(owner) sent anything more"
        }
        guard let ended else { return "the trace ends before \(owner) sent `\(entry.answer.what)`" }
        if entry.sentSince == 0 { return "the connection ended (\(ended)) before \(owner) sent anything more" }
        if let due = entry.answer.dueAtEnd {
            guard let model = entry.serial.flatMap({ channels[$0] }) else { return "the channel's state was dropped" }
            if let reason = due(model) { return reason }
        }
        return entry.answer.unjudgeable
    }

    /// Drops a connection's state (its coverage is kept).
    private mutating func forget(connection key: Int) {
        let dropped = awaited.removeValue(forKey: key) ?? []
        awaitedCount -= dropped.count
        for entry in dropped {
            record(numbers[entry.rule], channel: entry.serial, connection: key) {
                $0.notEvaluated($1, "the connection's state was dropped (more than \(Self.liveChannels) live connections)")
            }
        }
        connections[key] = nil
        connectionContext[key] = nil
        connectionLineage[key] = nil
        lostReasons[key] = nil
    }

    /// Static: a method of the engine handed one of the engine's own dictionaries inout
    /// would make Swift copy the whole engine for the call (every message).
    private static func remember(_ event: MessageEvent, in ring: inout [MessageEvent], contextLength: Int) {
        guard contextLength > 0 else { return }
        if ring.count >= contextLength { ring.removeFirst(ring.count - contextLength + 1) }
        ring.append(event)
    }

    /// The rules a message triggers, in catalog order.
    private func plan(_ kind: MessageKind?) -> [Int] {
        guard let kind else { return unknownPlan }
        return plans[kind] ?? []
    }

    // MARK: Connections and channels

    /// A connection's start is in a capture when its handshake is; in a node log only for a
    /// reconnection the log shows (a repeated `init`): the log may begin after the first
    /// connection's start, with the peer's `init` already received.
    private mutating func newConnection(_ event: MessageEvent, _ view: MessageView, reconnection: Bool) -> Connection {
        var model = ConnectionModel(startSeen: event.streamStart ?? (reconnection && view.kind == .initMessage), transport: event.streamStart != nil)
        // A node log names the peer: the node id of what it receives (`g-filter-first`).
        if event.peerIdentity == .nodeID, let peer = event.peer, let id = Hex.decode(peer), id.count == Point.size {
            model.gossip.sender[.in] = [Point(unchecked: id)]
            model.gossip.senderProven[.in] = true
        }
        defer { nextToken += 1 }
        return Connection(model: model, token: nextToken)
    }

    /// The sending node's label.
    private func party(_ event: MessageEvent) -> String {
        let label = event.sender ?? (event.direction == .in ? "responder" : "initiator")
        return partyAlias[label] ?? label
    }

    private func receiver(_ event: MessageEvent) -> String {
        let label = event.receiver ?? (event.direction == .in ? "initiator" : "responder")
        return partyAlias[label] ?? label
    }

    /// The sender's side in a channel. A capture names two nodes that share an address by
    /// their roles on each connection, so after a reconnection the other way round both
    /// labels are new: the side then follows from the receiver's known label, or from the
    /// per-commitment secret a `channel_reestablish` returns (it matches the peer's point).
    /// When neither tells, the channel's state is dropped and rebuilt from the next
    /// reestablish, rather than guessed.
    private mutating func attribute(_ event: MessageEvent, _ view: MessageView, _ model: inout ChannelModel) -> ChannelModel.Side {
        let sender = party(event), receiver = receiver(event)
        if let side = model.side(of: sender) { return side }
        var side: ChannelModel.Side?
        if let other = model.knownSide(of: receiver) {
            side = other.other
        } else if view.kind == .channelReestablish, let nr = view.uint(\.nextRevocationNumber), nr > 0,
            let secret = view.bytes(\.yourLastPerCommitmentSecret), let point = Secp256k1.publicKey(secret: secret)
        {
            let matching = ChannelModel.Side.allCases.filter { model.points[$0.other][nr - 1]?.bytes == point }
            if matching.count == 1 { side = matching[0] }
        }
        if let side {
            partyAlias[sender] = model.parties[side.index]
            if model.knownSide(of: receiver) == nil { partyAlias[receiver] = model.parties[side.other.index] }
            return side
        }
        // Unattributable: start the channel over from what follows.
        var fresh = ChannelModel(bootstrapping: model)
        fresh.resetParties()
        fresh.origin = .unknown
        model = fresh
        return model.side(of: sender) ?? .first
    }

    /// Whether `label` names the node that recorded the trace: the logging node, or the node
    /// given with `--local` (a bare address matches the labels `ADDR` and `ADDR (client of PORT)`).
    private func matchesLocal(_ label: String) -> Bool { Self.matches(label, local: local) }

    /// Static, so that a closure of it does not capture a copy of the engine (whose
    /// dictionaries would then be copied by the next change).
    static func matches(_ label: String, local: String?) -> Bool {
        if label == "local" || label.hasPrefix("local (") { return true }  // a node log's own messages
        guard let local else { return false }
        return label == local || label.hasPrefix(local + " (client of ")
    }

    /// Finds (or starts) the model of the channel a message belongs to.
    private mutating func resolveChannel(_ event: MessageEvent, _ view: MessageView, connection: Connection) -> Int? {
        let token = connection.token
        let id = event.content.channelID
        let labelKey = event.channelLabel.map { ChannelKey.label($0) }
        switch view.kind {
        case .openChannel, .openChannel2:
            guard id != nil || labelKey != nil else { return nil }
            var model = ChannelModel()
            model.temporaryID = id
            model.label = event.channelLabel
            model.openedOnConnection = true
            model.connection = token
            return add(model, keys: (id.map { [.temporary(connection: token, $0)] } ?? []) + (labelKey.map { [$0] } ?? []))
        case .acceptChannel, .acceptChannel2, .fundingCreated:
            if let id, let found = channelIndex[.temporary(connection: token, id)] { return found }
            if let labelKey, let found = channelIndex[labelKey] { return found }
            // A temporary id that matches no open: the one pending open on this connection.
            let phase: (ChannelModel) -> Bool =
                view.kind == .fundingCreated
                ? { $0.acceptSeen && !$0.fundingCreatedSeen } : { $0.openSeen && !$0.acceptSeen }
            if let pending = pendingChannel(token, phase) { return pending }
        case .fundingSigned:
            if let id, let found = channelIndex[.id(id)] { return found }
            if let labelKey, let found = channelIndex[labelKey] { return found }
            if let pending = pendingChannel(token, { $0.fundingCreatedSeen && !$0.fundingSignedSeen }) { return pending }
        default:
            break
        }
        if let id {
            if id.isZero { return nil }
            if let found = channelIndex[.id(id)] ?? channelIndex[.temporary(connection: token, id)] {
                if let labelKey { channelIndex[labelKey] = found }
                return found
            }
            if let labelKey, let found = channelIndex[labelKey] {
                channelIndex[.id(id)] = found
                return found
            }
            // A channel opened on this connection whose channel_id the source never showed
            // being derived (a log without the funding outpoint or the v2 basepoints).
            if let pending = pendingChannel(token, { $0.channelID == nil && $0.acceptSeen && $0.openedOnConnection }) {
                assign(id, to: pending)
                return pending
            }
            var model = ChannelModel()
            model.channelID = id
            model.label = event.channelLabel
            return add(model, keys: [.id(id)] + (labelKey.map { [$0] } ?? []))
        }
        if let label = event.channelLabel {
            if let found = channelIndex[.label(label)] { return found }
            var model = ChannelModel()
            model.label = label
            return add(model, keys: [.label(label)])
        }
        return nil
    }

    /// The one channel opened on the connection that is in the given phase of its
    /// establishment; `nil` when none or several are. Only the connection's channels still
    /// establishing are looked at (not every channel: a trace of many channels would make
    /// each unknown `channel_id` cost them all).
    private mutating func pendingChannel(_ token: Int, _ phase: (ChannelModel) -> Bool) -> Int? {
        guard var list = establishing[token] else { return nil }
        list.removeAll { serial in channels[serial].map { $0.channelID != nil && ($0.fundingSignedSeen || $0.dualFunded) } ?? true }
        establishing[token] = list.isEmpty ? nil : list
        let candidates = list.filter { channels[$0].map(phase) ?? false }
        return candidates.count == 1 ? candidates[0] : nil
    }

    private mutating func add(_ model: ChannelModel, keys: [ChannelKey]) -> Int {
        var model = model
        model.serial = nextSerial
        nextSerial += 1
        channels[model.serial] = model
        touch(model.serial)
        if model.serial < Self.keptChannels { channelMessages.append(0) }
        for key in keys { channelIndex[key] = model.serial }
        if model.openedOnConnection, let token = model.connection {
            // More channels establishing at once on one connection than this cannot be told
            // apart by phase anyway: the oldest leaves the list.
            establishing[token, default: []].append(model.serial)
            if establishing[token]?.count ?? 0 > Self.establishingPerConnection { establishing[token]?.removeFirst() }
        }
        return model.serial
    }

    /// Marks a channel active; past ``liveChannels`` live models, drops the least recently
    /// active (their index keys too, so that their next message starts a new model).
    private mutating func touch(_ serial: Int) {
        let dropped = recency.use(serial)
        guard !dropped.isEmpty else { return }
        let victims = Set(dropped)
        for serial in dropped {
            guard let model = channels.removeValue(forKey: serial) else { continue }
            if serial < Self.keptChannels { droppedRows[serial] = row(model) }
            channelContext[serial] = nil
            channelLineage[serial] = nil
            htlcAdds[serial] = nil
        }
        channelIndex = channelIndex.filter { !victims.contains($0.value) }
        droppedChannels += dropped.count
    }

    private func row(_ channel: ChannelModel) -> CheckSummary.Channel {
        CheckSummary.Channel(
            key: channel.key, label: channel.label, parties: channel.parties, origin: channel.origin,
            messages: channelMessages[channel.serial], coverage: coverage[channel.serial] ?? Coverage())
    }

    /// Keys a channel gains as it is applied: the `channel_id` from the funding outpoint
    /// (v1) or from both revocation basepoints (v2).
    private mutating func register(serial: Int, connection token: Int, id: ChannelID?) {
        guard let model = channels[serial] else { return }
        if let temporary = model.temporaryID { channelIndex[.temporary(connection: token, temporary)] = serial }
        if model.channelID == nil, model.fundingSignedSeen || model.readySent.contains(true), let id, id != model.temporaryID {
            // The source gives the channel_id but not the funding outpoint it comes from.
            assign(id, to: serial)
        }
        if model.channelID == nil, let txid = model.fundingTxid, let index = model.fundingOutputIndex {
            assign(ChannelID(fundingTxid: txid, outputIndex: index), to: serial)
        }
        if model.channelID == nil, model.dualFunded, let a = model.params.first.revocationBasepoint?.bytes,
            let b = model.params.second.revocationBasepoint?.bytes
        {
            // BOLT #2 §"Channel Establishment v2": SHA256(lesser-revocation-basepoint || greater-revocation-basepoint).
            let (lesser, greater) = a.lexicographicallyPrecedes(b) ? (a, b) : (b, a)
            if let id = ChannelID(sha256(lesser + greater)) { assign(id, to: serial) }
        }
    }

    /// Gives a channel its `channel_id`, which its later messages name it by.
    private mutating func assign(_ id: ChannelID, to serial: Int) {
        channels[serial]?.channelID = id
        channelIndex[.id(id)] = serial
    }

    /// `channel`: the channel's serial (not its model, which a binding would copy per rule).
    private mutating func record(
        _ rule: Int, channel serial: Int?, connection: Int, _ update: (inout Coverage, Int) -> Void
    ) {
        if let serial {
            // Past the first channels, the rest share one entry (-1).
            update(&coverage[serial < Self.keptChannels ? serial : -1, default: Coverage()], rule)
        } else {
            // Past the first connections, the rest share one entry (-1): a capture of many
            // connections must not hold a coverage table for each.
            let key = connectionCoverage[connection] != nil || connectionCoverage.count < Self.coveredConnections ? connection : -1
            update(&connectionCoverage[key, default: Coverage()], rule)
        }
    }

    // MARK: Summary

    /// What was checked, per channel and per connection.
    public var summary: CheckSummary {
        guard awaited.isEmpty else {
            // Answers still awaited when the trace ends: not evaluated.
            var copy = self
            for key in awaited.keys { _ = copy.judgeAnswers(connection: key, ended: nil) }
            return copy.summary
        }
        var out = CheckSummary(messages: messages, findings: findings, rules: rules.count)
        for serial in 0..<min(nextSerial, Self.keptChannels) {
            if let row = channels[serial].map(row) ?? droppedRows[serial] { out.channels.append(row) }
        }
        if nextSerial > Self.keptChannels {
            out.omittedChannels = CheckSummary.Omitted(
                channels: nextSerial - Self.keptChannels, messages: omittedMessages,
                coverage: coverage[-1] ?? Coverage())
        }
        out.droppedChannels = droppedChannels
        out.connections = connectionCoverage.keys.sorted().map { ($0, connectionCoverage[$0] ?? Coverage()) }
        return out
    }
}

/// What a check covered.
public struct CheckSummary: Sendable {
    public struct Channel: Sendable {
        public var key: String
        public var label: String?
        public var parties: [String]
        public var origin: ChannelModel.Origin
        public var messages: Int
        public var coverage: Coverage
    }

    public var messages: Int
    public var findings: Int
    /// Rules selected.
    public var rules: Int
    public var channels: [Channel] = []
    /// Channels past the first ``RuleEngine/keptChannels``: counted, with one coverage.
    public struct Omitted: Sendable {
        public var channels: Int
        public var messages: Int
        public var coverage: Coverage
    }
    public var omittedChannels: Omitted?
    /// Channel models dropped because more than ``RuleEngine/liveChannels`` were live at once.
    public var droppedChannels = 0
    /// Connection-level coverage (messages without a channel), by engine connection number.
    public var connections: [(Int, Coverage)] = []
}
