import Provenance
import Wire

/// One wire message as a text input reports it: a node log line or a hex dump line.
public struct LogMessage: Sendable {
    /// 1-based line number of the (first) line that reported it.
    public var line: Int
    /// The timestamp as written in the log, and its parsed value.
    public var timeText: String?
    public var time: Timestamp?
    /// The peer's node id (hex) or another peer label the log gives.
    public var peer: String?
    /// Sent (`out`) or received (`in`) by the logging node, where the line says.
    public var direction: Direction?
    public var content: MessageContent

    public init(
        line: Int, timeText: String? = nil, time: Timestamp? = nil, peer: String? = nil,
        direction: Direction? = nil, content: MessageContent
    ) {
        self.line = line
        self.timeText = timeText
        self.time = time
        self.peer = peer
        self.direction = direction
        self.content = content
    }
}

/// What a text input yields, line by line.
public enum LogEvent: Sendable {
    case message(LogMessage)
    case diagnostic(Diagnostic)
}
