import NodeLogs
import Provenance
import Wire

/// One message in a trace, with everything needed to point back at the evidence.
///
/// Events come from any input (a decrypted capture stream, a node log, a hex dump) and
/// look the same to the rules and reports.
public struct MessageEvent: Sendable {
    /// The connection (capture) or peer stream (log) the message belongs to, if known.
    public var connection: Int?
    /// `out` from the initiator (capture) or sent by the logging node (log).
    public var direction: Direction?
    /// 0-based position in its connection's stream, both directions counted.
    public var index: Int?
    public var content: MessageContent
    public var location: SourceLocation
    /// When the message was captured or logged.
    public var time: Timestamp?
    /// The timestamp as the log wrote it.
    public var timeText: String?
    /// For a log: whether the time is the implementation's own or its wrapper's.
    public var timeSource: TimeSource?
    /// The peer's node id (or label) where the source gives it.
    public var peer: String?
    /// What `peer` is: a node id, an address, or an alias or redaction (logs).
    public var peerIdentity: PeerIdentity?
    /// The source's own name for the channel when the message carries no `channel_id`
    /// (CLN's `chan#14429`).
    public var channelLabel: String?
    /// Which node sent the message and which received it, as stable labels across the
    /// trace's connections: `local` and the peer's node id in a node log; IP addresses in a
    /// capture (with the responder's port when both ends share an address).
    public var sender: String?
    public var receiver: String?
    /// For a log that interleaves several nodes, the node that logged it (`local (lnd-1)`):
    /// each is a vantage point of its own. `nil` for a capture.
    public var vantage: String?
    /// Whether the connection's start is in the trace: `true` when a capture holds its
    /// BOLT #8 handshake, `false` when it starts mid-stream, `nil` when the source cannot say
    /// (a node log, whose reconnections show as a new `init`).
    public var streamStart: Bool?
    /// The message's length in bytes (type included), when its bytes were in the trace.
    public var length: Int?
    /// Whether the message is the first its sender encrypted with a key it should have
    /// rotated (a capture's BOLT #8 layer; `tr-rotation`).
    public var keptKey = false
    /// On a capture connection's first message in each direction: an act of the BOLT #8
    /// handshake that had a version other than 0 (which its receiver must reject), as text.
    public var handshakeFault: String?
    /// With the log of the connection's other end among the inputs (joined logs): where that
    /// log shows the message.
    public var otherEnd: OtherEnd?

    public init(
        connection: Int? = nil, direction: Direction? = nil, index: Int? = nil,
        content: MessageContent, location: SourceLocation, time: Timestamp? = nil,
        timeText: String? = nil, timeSource: TimeSource? = nil, peer: String? = nil, channelLabel: String? = nil,
        sender: String? = nil, receiver: String? = nil, streamStart: Bool? = nil, length: Int? = nil
    ) {
        self.connection = connection
        self.direction = direction
        self.index = index
        self.content = content
        self.location = location
        self.time = time
        self.timeText = timeText
        self.timeSource = timeSource
        self.peer = peer
        self.channelLabel = channelLabel
        self.sender = sender
        self.receiver = receiver
        self.streamStart = streamStart
        self.length = length
    }

    /// The channel the message belongs to: its `channel_id` (hex), else the source's label.
    public var channel: String? {
        content.channelID.map { $0.hex } ?? channelLabel
    }
}

/// A log line about what a node did (not a wire message), such as lnd failing a link.
public struct NoteEvent: Sendable {
    public var location: SourceLocation
    public var time: Timestamp?
    public var timeText: String?
    /// The channel (`channel_id` hex) the line is about, when it names one.
    public var channel: String?
    public var kind: String
    public var text: String
    /// The node that logged it (`local`, `local (lnd-1)`).
    public var node: String?

    public init(location: SourceLocation, time: Timestamp?, timeText: String?, channel: String?, kind: String, text: String, node: String? = nil) {
        self.node = node
        self.location = location
        self.time = time
        self.timeText = timeText
        self.channel = channel
        self.kind = kind
        self.text = text
    }
}

/// Messages of one direction of a capture connection that the trace does not hold: the
/// direction did not decrypt (no key, a wrong key), or a frame failed and messages were lost.
/// Rules that need the whole exchange cannot be judged on that connection from then on.
public struct LostMessages: Sendable {
    public var connection: Int
    public var direction: Direction
    public var reason: String
    public var location: SourceLocation

    public init(connection: Int, direction: Direction, reason: String, location: SourceLocation) {
        self.connection = connection
        self.direction = direction
        self.reason = reason
        self.location = location
    }
}

/// What reading an input produces, in input order.
public enum TraceEvent: Sendable {
    /// Messages of a connection's direction the trace lost.
    case lost(LostMessages)
    /// A node log's line about what the node did.
    case note(NoteEvent)
    case message(MessageEvent)
    case diagnostic(Diagnostic)
    /// A capture's Lightning connection ended (its summary is final).
    case connection(ConnectionSummary)
    /// A log input ended: its messages per peer and channel.
    case streams(LogSummary)
}
