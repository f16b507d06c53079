import Provenance

/// What a node log (or hex dump) held: its message streams per peer and per channel.
public struct LogSummary: Sendable {
    public struct Stream: Sendable {
        /// The stream's number in the input (as `connection` in message events).
        public var id: Int
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
    public var format: String
    /// Per peer and channel, in order of first appearance.
    public var streams: [Stream] = []
    public var messages = 0
    /// Lines that were not wire messages.
    public var skippedLines = 0
    public var lines = 0
}

/// Accumulates a ``LogSummary`` as message events pass.
struct LogSummaryBuilder {
    var summary: LogSummary
    private var index: [String: Int] = [:]
    private var peerIDs: [String: Int] = [:]

    init(file: String, format: String) {
        summary = LogSummary(file: file, format: format)
    }

    /// The peer's stream number (messages of one peer share it), assigned on first sight.
    mutating func peerID(_ peer: String?) -> Int {
        let key = peer ?? ""
        if let id = peerIDs[key] { return id }
        let id = peerIDs.count + 1
        peerIDs[key] = id
        return id
    }

    mutating func add(_ event: MessageEvent, line: Int) {
        summary.messages += 1
        let key = "\(event.peer ?? "")|\(event.channel ?? "")"
        let position: Int
        if let existing = index[key] {
            position = existing
        } else {
            position = summary.streams.count
            index[key] = position
            summary.streams.append(LogSummary.Stream(
                id: event.connection ?? 0, peer: event.peer, channel: event.channel, firstLine: line, lastLine: line,
                firstTime: event.time, lastTime: event.time))
        }
        if event.direction == .in { summary.streams[position].messagesIn += 1 } else { summary.streams[position].messagesOut += 1 }
        summary.streams[position].lastLine = line
        if let time = event.time { summary.streams[position].lastTime = time }
    }
}
