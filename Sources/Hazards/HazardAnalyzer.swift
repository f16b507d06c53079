import Provenance
import Rules
import Trace
import Wire

/// A place where a node that dispatches as `profile` says could process a channel's
/// received messages out of order, with the outcome of doing so.
public struct Hazard: Sendable {
    public var profile: String
    /// The profile's known failure, if it names this pair.
    public var known: Profile.Known?
    /// The node whose processing could reorder (the receiver of both messages).
    public var node: String?
    public var channel: String?
    /// The earlier message, and the later one that could be processed before it.
    public var first: MessageEvent
    public var second: MessageEvent
    public var firstQueue: String
    public var secondQueue: String
    /// How far apart the two are: in messages (captures) or lines (logs), and in time.
    public var distance: Int
    public var distanceUnit: String
    public var seconds: Double?
    /// What the reordered processing would find that the wire order does not.
    public var outcome: [Finding]

    /// The hazard's kind: the known failure's id, or `reorder`.
    public var kind: String { known?.id ?? "reorder" }
}

/// A node's log line (a link failure) that a hazard earlier on the channel explains.
public struct Observation: Sendable {
    public var hazard: Hazard
    public var note: NoteEvent
    /// Whether the line is the failure the profile says this hazard causes (its `observed`
    /// text); otherwise it only follows the hazard on the same channel.
    public var confirmed: Bool
}

/// How far apart two messages of a pair may be.
public struct HazardWindow: Sendable, CustomStringConvertible {
    public var messages: Int
    public var seconds: Double?

    public init(messages: Int = 16, seconds: Double? = nil) {
        self.messages = messages
        self.seconds = seconds
    }

    /// `N` (messages) or `N s` / `N ms` (time), as `--window` takes it.
    public init?(_ text: String) {
        if let n = Int(text), n > 0 {
            self.init(messages: n)
        } else if text.hasSuffix("ms"), let n = Double(text.dropLast(2)), n > 0 {
            self.init(messages: Int.max, seconds: n / 1000)
        } else if text.hasSuffix("s"), let n = Double(text.dropLast()), n > 0 {
            self.init(messages: Int.max, seconds: n)
        } else {
            return nil
        }
    }

    /// As `--window` takes it: `16`, `500ms`, `2s`.
    public var description: String {
        guard let seconds else { return "\(messages)" }
        let milliseconds = seconds * 1000
        if seconds < 1, milliseconds == milliseconds.rounded() { return "\(Int(milliseconds))ms" }
        return seconds == seconds.rounded() ? "\(Int(seconds))s" : "\(seconds)s"
    }
}

/// Finds reorder hazards in a channel's stream (issue: lnd#8393).
///
/// For each message a profiled node receives, it looks back at the channel's messages the
/// same node received back to back before it (nothing sent by that node on the channel in
/// between, which would prove it had processed them) and within the window. When the
/// profile puts an earlier one in another queue, the later message may be processed first:
/// the channel model is replayed from before the earlier message with the later message's
/// queue first, and if the rules then find something the wire order does not, that is the
/// hazard's outcome.
public final class HazardAnalyzer {
    public let profile: Profile
    public let window: HazardWindow
    /// The profiled nodes, as the trace labels them; `nil`: every receiver (a capture whose
    /// recording side is unknown).
    public private(set) var nodes: Set<String>?

    struct Entry {
        var event: MessageEvent
        var channel: ChannelModel
        var connection: ConnectionModel
    }

    /// The channel's recent messages with the state before each, by channel serial.
    private var recent: [Int: [Entry]] = [:]
    /// The per-channel tables follow at most as many channels as the engine keeps models
    /// of; the least recently active are forgotten (README "Limits").
    private var recentChannels = RecencyBound<Int>(limit: RuleEngine.liveChannels)
    private var hazardChannels = RecencyBound<String>(limit: RuleEngine.liveChannels)
    private var noteChannels = RecencyBound<String>(limit: RuleEngine.liveChannels)
    /// The channel of the message observed last.
    private var lastSerial: Int?
    /// Recent hazards per channel key, to connect the node's later log lines to them.
    private var recentHazards: [String: [Hazard]] = [:]
    /// How long after a hazard a log line may still be its outcome.
    static let correlationLines = 2000
    static let correlationSeconds = 600.0

    /// Recent log lines about the node's failures, per channel key: a log parser may report
    /// a message after the line that follows it, so a hazard can come after its outcome.
    private var recentNotes: [String: [NoteEvent]] = [:]
    private var observed: [Observation] = []

    /// Takes in a log line about the node's own failure (see ``NoteEvent``); the hazards it
    /// follows come out of ``takeObservations()``.
    public func correlate(_ note: NoteEvent) {
        guard let channel = note.channel else { return }
        Self.append(note, to: &recentNotes[channel, default: []], keeping: 16)
        for dropped in noteChannels.use(channel) { recentNotes[dropped] = nil }
        for hazard in recentHazards[channel] ?? [] where note.node == nil || hazard.node == note.node {
            if let o = Self.observation(hazard, note) { observed.append(o) }
        }
    }

    /// Log lines connected to hazards since the last call.
    public func takeObservations() -> [Observation] {
        defer { observed = [] }
        return observed
    }

    static func observation(_ hazard: Hazard, _ note: NoteEvent) -> Observation? {
        if let a = hazard.second.location.line, let b = note.location.line, b - a > correlationLines || b < a { return nil }
        if let a = hazard.second.time, let b = note.time, b.seconds(since: a) > correlationSeconds || b < a { return nil }
        let confirmed = hazard.known?.observed.map { note.text.contains($0) } ?? false
        return Observation(hazard: hazard, note: note, confirmed: confirmed)
    }

    /// Earlier messages already reported as overtaken, with the overtaking queue: a later
    /// message of the same queue overtaking them too is the same hazard.
    private var reported: [Int: [String]] = [:]
    public private(set) var hazards = 0

    /// The rules replays are judged with: the profile's failures (all rules for `*`, and the
    /// implementation outcomes it names), whatever the check itself selected.
    let replayRules: [Rule]

    public init(profile: Profile, window: HazardWindow = HazardWindow(), node: String? = nil) {
        self.profile = profile
        self.window = window
        self.nodes = node.map { [$0] }
        // An implementation's own outcomes only where its profile names them (not by `*`).
        replayRules =
            Catalog.rules.filter { profile.failsOn($0.info.id) } + ImplementationOutcomes.all.filter { profile.fails.contains($0.info.id) }
    }

    /// Profiles one more node (a log input that interleaves several nodes).
    public func add(node: String) {
        nodes = (nodes ?? []).union([node])
    }

    func isProfiled(_ label: String) -> Bool { nodes?.contains(label) ?? true }

    /// Records a message with the state before it (the engine's observer).
    public func observe(_ event: MessageEvent, channel: ChannelModel?, connection: ConnectionModel) {
        lastSerial = channel?.serial
        guard let channel else { return }
        Self.append(
            Entry(event: event, channel: channel, connection: connection), to: &recent[channel.serial, default: []],
            keeping: min(window.messages, 64) + 1)
        for dropped in recentChannels.use(channel.serial) {
            recent[dropped] = nil
            reported[dropped] = nil
        }
    }

    /// The hazards the latest observed message of its channel completes, replayed with `engine`.
    public func analyze(_ event: MessageEvent, engine: RuleEngine) -> [Hazard] {
        // An error or warning the profiled node sends about a channel after a hazard on it.
        if event.content.kind == .error || event.content.kind == .warning, let sender = event.sender, isProfiled(sender),
            let channel = event.channel
        {
            var data = ""
            if let bytes = TypedMessage(event.content).data { data = String(decoding: bytes, as: UTF8.self) }
            let note = NoteEvent(
                location: event.location, time: event.time, timeText: event.timeText, channel: channel,
                kind: "\(event.content.name)-sent", text: data)
            for hazard in recentHazards[channel] ?? [] where hazard.node == sender {
                if let o = Self.observation(hazard, note) { observed.append(o) }
            }
        }
        guard let receiver = event.receiver, isProfiled(receiver),
            let secondQueue = profile.queue(of: event.content.kind)
        else { return [] }
        guard let serial = lastSerial, let ring = recent[serial], ring.count >= 2 else { return [] }
        var out: [Hazard] = []
        let last = ring.count - 1
        for i in stride(from: last - 1, through: 0, by: -1) {
            let candidate = ring[i].event
            // A message the node sent on the channel shows it had processed what came before.
            if candidate.sender == receiver { break }
            if last - i > window.messages { break }
            if let limit = window.seconds, let a = candidate.time, let b = event.time, b.seconds(since: a) > limit { break }
            guard candidate.receiver == receiver, let firstQueue = profile.queue(of: candidate.content.kind),
                firstQueue != secondQueue
            else { continue }
            let pairKey = "\(Self.identity(candidate))|\(secondQueue)"
            guard !(reported[serial] ?? []).contains(pairKey) else { continue }
            let slice = ring[i...last].map(\.event)
            let reordered =
                slice.filter { profile.queue(of: $0.content.kind) == secondQueue }
                + slice.filter { profile.queue(of: $0.content.kind) != secondQueue }
            let before = ring[i]
            let replay = engine.replaying(
                channel: before.channel, connection: before.connection, connectionKey: candidate.connection ?? -1,
                rules: replayRules)
            let original = Self.findings(replay, slice)
            let changed = Self.findings(replay, reordered).filter { finding in
                profile.failsOn(finding.rule.id)
                    && !original.contains { $0.rule.id == finding.rule.id && Self.identity($0.message) == Self.identity(finding.message) }
            }
            guard !changed.isEmpty else { continue }
            let seconds = candidate.time.flatMap { a in event.time.map { $0.seconds(since: a) } }
            let (distance, unit) =
                candidate.index.flatMap { a in event.index.map { ($0 - a, "message") } }
                ?? ((event.location.line ?? 0) - (candidate.location.line ?? 0), "line")
            Self.append(pairKey, to: &reported[serial, default: []], keeping: 64)
            out.append(
                Hazard(
                    profile: profile.name,
                    known: profile.known(first: candidate.content.kind, second: event.content.kind, outcome: Set(changed.map(\.rule.id))),
                    node: receiver, channel: before.channel.key, first: candidate, second: event, firstQueue: firstQueue,
                    secondQueue: secondQueue, distance: distance, distanceUnit: unit, seconds: seconds, outcome: changed))
        }
        hazards += out.count
        for hazard in out {
            guard let key = hazard.channel else { continue }
            Self.append(hazard, to: &recentHazards[key, default: []], keeping: 8)
            for dropped in hazardChannels.use(key) { recentHazards[dropped] = nil }
            for note in recentNotes[key] ?? [] where note.node == nil || note.node == hazard.node {
                if let o = Self.observation(hazard, note) { observed.append(o) }
            }
        }
        return out.reversed()
    }

    /// Appends to a bounded history, dropping its oldest element beyond `limit`.
    static func append<Element>(_ element: Element, to history: inout [Element], keeping limit: Int) {
        history.append(element)
        if history.count > limit { history.removeFirst() }
    }

    /// A message's identity in the trace: several messages can share a frame.
    static func identity(_ event: MessageEvent) -> String { "\(event.location)#\(event.connection ?? -1)#\(event.index ?? -1)" }

    static func findings(_ engine: RuleEngine, _ events: [MessageEvent]) -> [Finding] {
        var engine = engine
        var out: [Finding] = []
        for event in events { out += engine.process(event) }
        return out
    }
}
