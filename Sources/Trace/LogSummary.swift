import NodeLogs
import Provenance

/// What a text input (node logs or a hex dump) held: its writers, and their message streams
/// per peer and per channel.
public struct LogSummary: Sendable {
    /// One writer of the input: a node's log in one format, named by its wrapper when the
    /// input interleaves several.
    public struct Source: Sendable {
        /// The wrapper's name for it (`lnd-1`), if any.
        public var name: String?
        public var dialect: LogDialect
        /// The node's label as message senders and receivers give it (`local`, `local (lnd-1)`).
        public var node: String
        /// The wrappers around its lines (`journald`, `docker-compose`, …).
        public var wrappers: [String] = []
        public var lines = 0
        public var messages = 0
        public var skippedLines = 0
        public var firstLine = 0
    }

    public struct Stream: Sendable {
        /// The stream's number in the input (as `connection` in message events).
        public var id: Int
        /// The source (an index into ``LogSummary/sources``) that logged it.
        public var source: Int
        public var peer: String?
        /// A `channel_id` (hex) or the log's channel label; `nil`: connection-level messages.
        public var channel: String?
        public var messagesOut = 0
        public var messagesIn = 0
        public var firstLine: Int
        public var lastLine: Int
        public var firstTime: Timestamp?
        public var lastTime: Timestamp?
    }

    public var file: String
    public var sources: [Source] = []
    /// Per source, peer and channel, in order of first appearance: the first
    /// ``LogSummaryBuilder/keptStreams``; the messages of any further ones are counted in
    /// ``omittedMessages``.
    public var streams: [Stream] = []
    public var omittedMessages = 0
    /// Peer streams (connections) numbered.
    public var connections = 0
    public var messages = 0
    /// Lines that were not wire messages, and lines no format recognised.
    public var skippedLines = 0
    public var unrecognizedLines = 0
    public var lines = 0

    /// The formats found, in order of appearance (`lnd`, `lnd+cln`).
    public var format: String {
        var seen: [String] = []
        for source in sources where !seen.contains(source.dialect.rawValue) { seen.append(source.dialect.rawValue) }
        return seen.joined(separator: "+")
    }

    /// The wrappers found around any line.
    public var wrappers: [String] {
        var seen: [String] = []
        for source in sources { for wrapper in source.wrappers where !seen.contains(wrapper) { seen.append(wrapper) } }
        return seen
    }

    /// "lnd log", "lnd log (journald)", "lnd-1: lnd log, lnd-2: Core Lightning log (docker-compose)".
    public var description: String {
        let inside = wrappers.isEmpty ? "" : " (\(wrappers.joined(separator: ", ")))"
        if sources.count == 1, let only = sources.first { return only.dialect.title + inside }
        return sources.map { ($0.name.map { "\($0): " } ?? "") + $0.dialect.title }.joined(separator: ", ") + inside
    }
}

extension LogSummary {
    /// The key a peer's stream number is carried by from one input to the next.
    static func streamKey(node: String, peer: String?) -> String { "\(node)|\(peer ?? "")" }

    /// The stream number of each node's peer in this input, to carry into the next input of
    /// the same trace (`check --sequence`).
    public var streamNumbers: [String: Int] {
        var out: [String: Int] = [:]
        for stream in streams where stream.source < sources.count {
            out[Self.streamKey(node: sources[stream.source].node, peer: stream.peer)] = stream.id
        }
        return out
    }
}

/// Accumulates a ``LogSummary`` as message events pass.
struct LogSummaryBuilder {
    var summary: LogSummary
    private var index: [String: Int] = [:]
    static let keptStreams = 10_000
    /// Stream numbers of the peers seen most recently: a peer forgotten (past
    /// ``peerLimit`` others) and seen again gets a new number, as a new connection.
    private var streamIDs: [String: Int] = [:]
    private var peerRecency = RecencyBound<String>(limit: peerLimit)
    static let peerLimit = 20_000

    /// Stream numbers an earlier input of the same trace gave its peers (``LogSummary/streamNumbers``):
    /// a peer seen there keeps its number, a new one is numbered after them.
    private let carried: [String: Int]
    private let carriedMaximum: Int

    init(file: String, carried: [String: Int] = [:]) {
        summary = LogSummary(file: file)
        self.carried = carried
        carriedMaximum = carried.values.max() ?? 0
    }

    mutating func addSource(_ info: LogSourceInfo) {
        summary.sources.append(LogSummary.Source(name: info.name, dialect: info.dialect, node: info.node, firstLine: info.firstLine))
    }

    /// The stream number of a source's peer (messages of one peer share it), assigned on
    /// first sight.
    mutating func streamID(source: Int, peer: String?) -> Int {
        let key = "\(source)|\(peer ?? "")"
        defer { for dropped in peerRecency.use(key) { streamIDs[dropped] = nil } }
        if let id = streamIDs[key] { return id }
        summary.connections += 1
        var id = carriedMaximum + summary.connections
        if !carried.isEmpty, source < summary.sources.count,
            let earlier = carried[LogSummary.streamKey(node: summary.sources[source].node, peer: peer)]
        {
            id = earlier
        }
        streamIDs[key] = id
        return id
    }

    mutating func add(_ event: MessageEvent, source: Int, line: Int) {
        summary.messages += 1
        let key = "\(source)|\(event.peer ?? "")|\(event.channel ?? "")"
        let position: Int
        if let existing = index[key] {
            position = existing
        } else if summary.streams.count >= Self.keptStreams {
            summary.omittedMessages += 1
            return
        } else {
            position = summary.streams.count
            index[key] = position
            summary.streams.append(
                LogSummary.Stream(
                    id: event.connection ?? 0, source: source, peer: event.peer, channel: event.channel, firstLine: line, lastLine: line,
                    firstTime: event.time, lastTime: event.time))
        }
        if event.direction == .in { summary.streams[position].messagesIn += 1 } else { summary.streams[position].messagesOut += 1 }
        summary.streams[position].lastLine = line
        if let time = event.time { summary.streams[position].lastTime = time }
    }

    /// The sources' final counts, and those that gave no event.
    mutating func finish(_ demux: LogDemultiplexer) {
        for (index, info) in demux.sources.enumerated() {
            if index >= summary.sources.count { addSource(info) }
            summary.sources[index].wrappers = info.wrappers.names
            summary.sources[index].lines = info.lines
            summary.sources[index].messages = info.messages
            summary.sources[index].skippedLines = info.skippedLines
        }
        summary.lines = demux.lines
        summary.unrecognizedLines = demux.unrecognizedLines
        summary.skippedLines = demux.sources.reduce(0) { $0 + $1.skippedLines } + demux.unrecognizedLines
    }
}
