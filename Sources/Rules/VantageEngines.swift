import Trace
import Wire

/// The rule engines of one input, one per vantage point: a capture, or each node whose log
/// the input holds. A `docker compose logs` stream of two nodes is checked as two traces,
/// since each node's channels, connections and labels (`chan#1`) are its own.
public struct VantageEngines {
    private var engines: [RuleEngine] = []
    private var index: [String: Int] = [:]
    private let rules: [Rule]
    private let local: String?
    /// Told of every message with the state before it, in every engine (hazard analysis).
    public var observer: ((_ event: MessageEvent, _ channel: ChannelModel?, _ connection: ConnectionModel) -> Void)? {
        didSet { for i in engines.indices { engines[i].observer = observer } }
    }
    /// Whether rules hand their costly parts off (``RuleEngine/offloads``).
    public var offloads = false {
        didSet { for i in engines.indices { engines[i].offloads = offloads } }
    }

    /// The kinds of message a rule may hand work off for (``Rule/offloads``): a caller that
    /// runs offloaded work elsewhere keeps its state from before such a message.
    public var offloadingKinds: Set<MessageKind> { Set(rules.filter(\.offloads).flatMap(\.triggers)) }

    /// The work every engine's rules handed off since the last call.
    public mutating func takeOffloaded() -> [Offloaded] {
        var out: [Offloaded] = []
        for i in engines.indices { out += engines[i].takeOffloaded() }
        return out
    }

    /// The id the next finding gets: findings are numbered in one sequence across engines
    /// (and, as the caller passes it on, across inputs).
    public private(set) var nextFindingID: Int

    /// How many earlier messages a finding shows.
    private let contextLength: Int

    public init(rules: [Rule], local: String? = nil, firstFindingID: Int = 1, contextLength: Int = 4) {
        self.rules = rules
        self.local = local
        self.contextLength = contextLength
        nextFindingID = firstFindingID
    }

    /// The engine of the event's vantage point.
    private mutating func slot(_ vantage: String?) -> Int {
        let key = vantage ?? ""
        if let found = index[key] { return found }
        var engine = RuleEngine(rules: rules, local: local, contextLength: contextLength)
        engine.observer = observer
        engine.offloads = offloads
        engines.append(engine)
        index[key] = engines.count - 1
        return engines.count - 1
    }

    public mutating func process(_ event: TraceEvent) -> [Finding] {
        if case .lost = event { return engines[slot(nil)].process(event) }
        if case .connection = event {
            // A capture connection ended: its awaited answers are judged (``Answer``).
            guard let engine = index[""] else { return [] }
            return process(event, in: engine)
        }
        guard case let .message(message) = event else { return [] }
        return process(event, in: slot(message.vantage))
    }

    /// `event` through one engine, its findings numbered on from the others'.
    private mutating func process(_ event: TraceEvent, in engine: Int) -> [Finding] {
        engines[engine].nextFindingID = nextFindingID
        let found = engines[engine].process(event)
        nextFindingID = engines[engine].nextFindingID
        return found
    }

    /// The engine that checked `event` (to replay its channel in another order).
    public func engine(for event: MessageEvent) -> RuleEngine? {
        index[event.vantage ?? ""].map { engines[$0] }
    }

    /// What every engine covered.
    public var summary: CheckSummary {
        var out = CheckSummary(messages: 0, findings: 0, rules: rules.count)
        for engine in engines {
            let part = engine.summary
            out.messages += part.messages
            out.findings += part.findings
            out.channels += part.channels
            out.connections += part.connections
            out.droppedChannels += part.droppedChannels
            if let omitted = part.omittedChannels {
                var merged = out.omittedChannels ?? CheckSummary.Omitted(channels: 0, messages: 0, coverage: Coverage())
                merged.channels += omitted.channels
                merged.messages += omitted.messages
                merged.coverage.merge(omitted.coverage)
                out.omittedChannels = merged
            }
        }
        return out
    }
}
