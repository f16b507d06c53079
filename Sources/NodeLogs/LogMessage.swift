import Basics
import Provenance
import Wire

/// One wire message as a text input reports it: a node log line or a hex dump line.
public struct LogMessage: Sendable {
    /// 1-based line number of the (first) line that reported it.
    public var line: Int
    /// The timestamp as written in the log, and its parsed value.
    public var timeText: String?
    public var time: Timestamp?
    /// Whether the time is the implementation's own or a wrapper's.
    public var timeSource: TimeSource?
    /// The peer's node id (hex) or another peer label the log gives.
    public var peer: String?
    /// What `peer` is: a node id, an address, or another label (an alias, a redaction).
    public var peerIdentity: PeerIdentity?
    /// Sent (`out`) or received (`in`) by the logging node, where the line says.
    public var direction: Direction?
    /// The log's own name for the channel when it gives no `channel_id` (CLN's `chan#14429`).
    public var channelLabel: String?
    public var content: MessageContent

    public init(
        line: Int, timeText: String? = nil, time: Timestamp? = nil, peer: String? = nil,
        direction: Direction? = nil, channelLabel: String? = nil, content: MessageContent
    ) {
        self.line = line
        self.timeText = timeText
        self.time = time
        self.timeSource = time == nil ? nil : .node
        self.peerIdentity = peer.map { PeerIdentity.of($0) }
        self.peer = peer
        self.direction = direction
        self.channelLabel = channelLabel
        self.content = content
    }
}

extension LogMessage {
    init(
        line: Int, stamp: Stamp?, peer: String? = nil, direction: Direction? = nil, channelLabel: String? = nil,
        content: MessageContent
    ) {
        self.init(
            line: line, timeText: stamp?.text, time: stamp?.time, peer: peer, direction: direction,
            channelLabel: channelLabel, content: content)
        timeSource = stamp?.source
    }
}

/// What names a peer in a log line.
public enum PeerIdentity: String, Sendable {
    /// Its node id, in full.
    case nodeID = "node_id"
    /// Its network address (lnd before 0.5 named peers so).
    case address
    /// An alias, a redaction or an elided id: a name that is not a node id.
    case alias

    /// A full 66-hex node id, or an alias.
    static func of(_ name: String) -> PeerIdentity {
        name.utf8.count == 66 && name.utf8.allSatisfy(Hex.isDigit) ? .nodeID : .alias
    }
}

/// A message's time as a log line gives it.
struct Stamp {
    var time: Timestamp
    var text: String?
    var source: TimeSource
}

/// A parser for one log format: fed line by line, it yields the wire messages the lines
/// report. Parsers that need the following lines (lnd's trace dumps, eclair's duplicate
/// lines) hold a message back until ``flush()``.
public protocol LogParser {
    /// Events the line completes (usually zero or one).
    mutating func parse(_ line: LineReader.Line) -> [LogEvent]
    /// Events held back, at the end of input or when input pauses.
    mutating func flush() -> [LogEvent]
    /// Lines that were not wire messages.
    var skippedLines: Int { get }
}

/// A line that reports what a node did, not a wire message: for example lnd failing a
/// channel's link. Hazard analysis correlates these with the reorderings that explain them.
public struct LogNote: Sendable {
    public var line: Int
    public var time: Timestamp?
    public var timeText: String?
    /// The channel the line is about, when it names one.
    public var channelID: ChannelID?
    /// What happened: `link-failure`.
    public var kind: String
    /// The reason the line gives.
    public var text: String
}

/// What a text input yields, line by line.
public enum LogEvent: Sendable {
    case message(LogMessage)
    case diagnostic(Diagnostic)
    case note(LogNote)
}
