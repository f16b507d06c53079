/// The filters and `-c N` of one command run: which messages it shows, and when reading
/// stops. A class, as a reader's `stop` and `emit` closures share it.
public final class Selection {
    public let filter: MessageFilter
    /// `-c N`: stop after this many messages shown.
    public let limit: Int?
    public private(set) var shown = 0
    /// The connections with a message shown.
    private var connections = Set<Int>()

    public init(filter: MessageFilter = MessageFilter(), limit: Int? = nil) {
        self.filter = filter
        self.limit = limit
    }

    /// What has been shown so far, to go back to (a check that runs messages again).
    public struct State: Sendable {
        fileprivate var shown: Int
        fileprivate var connections: Set<Int>
    }

    public var state: State {
        get { State(shown: shown, connections: connections) }
        set {
            shown = newValue.shown
            connections = newValue.connections
        }
    }

    /// `-c N` reached: the reader stops, and what it still reports is not shown.
    public var done: Bool { limit.map { shown >= $0 } ?? false }

    /// Said on standard error when filters selected nothing (as grep, not an error: the
    /// inputs were read).
    public var nothingSelected: String? {
        filter.isEmpty || shown > 0 ? nil : "lntrace: no message matches the filters"
    }

    /// Whether `message` is shown (and counted towards `-c`).
    public func admits(_ message: MessageEvent) -> Bool {
        guard !done, filter.matches(message) else { return false }
        shown += 1
        if let connection = message.connection { connections.insert(connection) }
        return true
    }

    /// Whether an event other than a message is shown. After `-c N`, only the summaries of
    /// what was read (a connection's, a log's): what the reader still reports about the
    /// input's cut end is not about the input. Under a filter, a connection's summary only
    /// when one of its messages was shown.
    public func admitsOther(_ event: TraceEvent) -> Bool {
        switch event {
        case let .connection(summary):
            return filter.isEmpty || connections.contains(summary.id)
        case .streams:
            return true
        case .message, .diagnostic, .note, .lost:
            return !done
        }
    }
}
