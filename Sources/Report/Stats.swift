import Basics
import Provenance
import Trace
import Wire

/// `lntrace stats`: per connection and channel, message counts by type and direction,
/// first and last time, bytes, rates. Memory follows the number of connections, channels
/// and message types, never the input's length.
public struct StatsCollector {
    /// Counts in both directions (`out`: from a capture connection's initiator, or sent by
    /// a logging node).
    public struct Counts: Sendable {
        public var messages = [0, 0]
        /// Bytes of the messages whose length is known, and how many those were.
        public var bytes: [Int64] = [0, 0]
        public var sized = [0, 0]

        mutating func add(_ direction: Int, length: Int?) {
            messages[direction] += 1
            if let length {
                bytes[direction] += Int64(length)
                sized[direction] += 1
            }
        }

        mutating func merge(_ other: Counts) {
            for d in 0..<2 {
                messages[d] += other.messages[d]
                bytes[d] += other.bytes[d]
                sized[d] += other.sized[d]
            }
        }
    }

    /// A message type's row: by its kind where the codec knows it (a number, hashed without
    /// building its name), else by the name the input gives.
    enum TypeKey: Hashable, Sendable {
        case kind(UInt16)
        case name(String)
    }

    /// One message type of a scope: its name and counts.
    public struct TypeRow: Sendable {
        let key: TypeKey
        public let name: String
        public var counts: Counts
    }

    public struct Scope: Sendable {
        public var counts = Counts()
        /// Counts per message type, in the order the types first appeared.
        public private(set) var types: [TypeRow] = []
        private var typeIndex: [TypeKey: Int] = [:]
        public var first: Timestamp?
        public var last: Timestamp?

        mutating func add(_ event: MessageEvent, direction: Int, length: Int?) {
            counts.add(direction, length: length)
            let key: TypeKey = event.content.kind.map { .kind($0.rawValue) } ?? .name(event.content.name)
            if let index = typeIndex[key] {
                types[index].counts.add(direction, length: length)
            } else {
                var row = TypeRow(key: key, name: event.content.name, counts: Counts())
                row.counts.add(direction, length: length)
                typeIndex[key] = types.count
                types.append(row)
            }
            if let time = event.time {
                if first.map({ time < $0 }) ?? true { first = time }
                if last.map({ $0 < time }) ?? true { last = time }
            }
        }

        /// Adds another scope's counts (a channel's opening, counted under its temporary id).
        mutating func merge(_ other: Scope) {
            counts.merge(other.counts)
            for row in other.types {
                if let index = typeIndex[row.key] {
                    types[index].counts.merge(row.counts)
                } else {
                    typeIndex[row.key] = types.count
                    types.append(row)
                }
            }
            if let f = other.first, first.map({ f < $0 }) ?? true { first = f }
            if let l = other.last, last.map({ $0 < l }) ?? true { last = l }
        }

        /// Messages per second between the first and the last.
        public var rate: Double? {
            guard let first, let last, last.seconds(since: first) > 0 else { return nil }
            return Double(counts.messages[0] + counts.messages[1]) / last.seconds(since: first)
        }
    }

    /// A channel as `stats` counts it: by its `channel_id` (compared as bytes, written as
    /// hex only in the report), else by the label its source gives.
    public enum ChannelKey: Hashable, Sendable {
        case id(ChannelID)
        case label(String)

        init?(_ message: MessageEvent) {
            if let id = message.content.channelID {
                self = .id(id)
            } else if let label = message.channelLabel {
                // A label that spells a channel_id is that channel.
                if label.utf8.count == 2 * ChannelID.size, let id = ChannelID(hex: label) { self = .id(id) } else { self = .label(label) }
            } else {
                return nil
            }
        }

        /// The report's spelling: the `channel_id` as hex, or the label.
        public var text: String {
            switch self {
            case let .id(id): id.hex
            case let .label(label): label
            }
        }
    }

    public struct Connection: Sendable {
        public var id: Int
        public var total = Scope()
        /// Messages without a channel (`init`, `ping`, gossip, …).
        public var connectionLevel = Scope()
        public var channels: [ChannelKey: Scope] = [:]
        public var channelOrder: [ChannelKey] = []
        /// Messages of channels past the input's first ``StatsCollector/keptChannels``.
        public var otherChannels = Scope()
        public var summary: ConnectionSummary?
        public var peer: String?
    }

    /// The connections in the order they first appeared.
    public private(set) var connections: [Connection] = []
    /// Each connection's place in ``connections``, by its id.
    private var slots: [Int: Int] = [:]
    public private(set) var logs: [LogSummary] = []
    public private(set) var diagnostics = 0
    /// Connections without a message past the first ``keptConnections``, only counted.
    public private(set) var connectionsOmitted = 0
    /// Messages of connections past the first ``keptConnections``, only counted.
    public private(set) var otherConnectionMessages = 0
    public static let keptConnections = 10_000
    /// Channels counted one by one; the messages of further channels are counted together
    /// per connection (``Connection/otherChannels``).
    public static let keptChannels = 10_000
    private var channelCount = 0
    /// Temporary channel ids and the channel ids they became (of the most recent openings).
    private var aliases: [ChannelKey: ChannelKey] = [:]
    private var aliasRecency = RecencyBound<ChannelKey>(limit: 20_000)

    public init() {}

    /// Forgets the connections none of whose messages were counted (under a filter, those
    /// with no message it selects).
    public mutating func dropEmpty() {
        connections.removeAll { $0.total.counts.messages == [0, 0] }
        slots = Dictionary(uniqueKeysWithValues: connections.enumerated().map { ($1.id, $0) })
    }

    /// The place of connection `id` in ``connections``, made if there is room.
    private mutating func slot(_ id: Int) -> Int? {
        if let index = slots[id] { return index }
        guard connections.count < Self.keptConnections else { return nil }
        slots[id] = connections.count
        connections.append(Connection(id: id))
        return connections.count - 1
    }

    public mutating func add(_ event: TraceEvent) {
        switch event {
        case let .message(message):
            guard let at = slot(message.connection ?? 0) else {
                otherConnectionMessages += 1
                return
            }
            let direction = message.direction == .in ? 1 : 0
            let length = message.length ?? (try? message.content.message?.encoded())?.count
            // Changed in place, in the array (a copy of the connection per message cost more
            // than counting it).
            connections[at].total.add(message, direction: direction, length: length)
            if connections[at].peer == nil { connections[at].peer = message.peer }
            // One channel, one identity: the opening's temporary_channel_id is an alias of the
            // channel_id that funding_created's outpoint gives.
            let channel = ChannelKey(message)
            if message.content.kind == .fundingCreated, let temporary = channel,
                case let typed = TypedMessage(message.content), let hash = typed.fundingTxid, let output = typed.fundingOutputIndex
            {
                let final = ChannelKey.id(ChannelID(fundingTxid: hash, outputIndex: output))
                aliases[temporary] = final
                for dropped in aliasRecency.use(temporary) { aliases[dropped] = nil }
                if let opening = connections[at].channels.removeValue(forKey: temporary) {
                    if connections[at].channels[final] == nil {
                        connections[at].channelOrder = connections[at].channelOrder.map { $0 == temporary ? final : $0 }
                        connections[at].channels[final] = opening
                    } else {
                        connections[at].channels[final]?.merge(opening)
                        connections[at].channelOrder.removeAll { $0 == temporary }
                    }
                }
            }
            if let channel = channel.map({ aliases[$0] ?? $0 }) {
                if let slot = connections[at].channels.index(forKey: channel) {
                    connections[at].channels.values[slot].add(message, direction: direction, length: length)
                } else if channelCount < Self.keptChannels {
                    channelCount += 1
                    connections[at].channelOrder.append(channel)
                    connections[at].channels[channel, default: Scope()].add(message, direction: direction, length: length)
                } else {
                    connections[at].otherChannels.add(message, direction: direction, length: length)
                }
            } else {
                connections[at].connectionLevel.add(message, direction: direction, length: length)
            }
        case let .connection(summary):
            // Past the first connections, one without messages is only counted: a capture
            // of a million connections must not hold a record of each.
            guard let index = slot(summary.id) else {
                connectionsOmitted += 1
                return
            }
            connections[index].summary = summary
        case let .streams(summary):
            logs.append(summary)
        case .note, .lost:
            break
        case .diagnostic:
            diagnostics += 1
        }
    }
}

/// `lntrace stats` as text, and the JSON of its counts.
public enum StatsFormat {
    public static func text(_ path: String, _ stats: StatsCollector) -> [String] {
        var lines = [path]
        if stats.connections.isEmpty { lines.append("  no messages") }
        for c in stats.connections {
            var title = "  connection #\(c.id)"
            if let s = c.summary { title += "  \(s.initiator) → \(s.responder)" } else if let peer = c.peer { title += "  peer \(peer)" }
            lines.append(title)
            lines.append("    " + scopeLine(c.total))
            if c.connectionLevel.counts.messages != [0, 0] { lines += table("connection-level messages", c.connectionLevel) }
            for key in c.channelOrder {
                guard let scope = c.channels[key] else { continue }
                lines += table("channel \(TextFit.short(key.text))", scope)
            }
            if c.otherChannels.counts.messages != [0, 0] {
                lines += table("further channels (past the first \(StatsCollector.keptChannels)), together", c.otherChannels)
            }
        }
        return lines
    }

    static func scopeLine(_ s: StatsCollector.Scope) -> String {
        let m = s.counts.messages
        var parts = ["\(m[0] + m[1]) messages (\(m[0]) →, \(m[1]) ←)"]
        if s.counts.sized != [0, 0] {
            let b = s.counts.bytes
            parts.append("\(b[0] + b[1]) bytes (\(b[0]) →, \(b[1]) ←)")
        }
        if let first = s.first, let last = s.last {
            parts.append("\(first) – \(last)")
            if let rate = s.rate { parts.append(String(format1: rate) + " messages/s") }
        }
        return parts.joined(separator: ", ")
    }

    static func table(_ title: String, _ s: StatsCollector.Scope) -> [String] {
        var lines = ["    \(title): " + scopeLine(s)]
        let width = max(s.types.map(\.name.count).max() ?? 0, 4)
        lines.append("      " + "type".padding(toLength: width, withPad: " ", startingAt: 0) + "      →      ←      bytes")
        for row in s.types {
            let name = row.name, counts = row.counts
            let bytes = counts.sized == [0, 0] ? "-" : "\(counts.bytes[0] + counts.bytes[1])"
            lines.append(
                "      " + name.padding(toLength: width, withPad: " ", startingAt: 0)
                    + pad(counts.messages[0], 7) + pad(counts.messages[1], 7) + "  " + String(repeating: " ", count: max(0, 9 - bytes.count)) + bytes)
        }
        return lines
    }

    static func pad(_ n: Int, _ width: Int) -> String {
        let text = "\(n)"
        return String(repeating: " ", count: max(0, width - text.count)) + text
    }

    static func writeCounts(_ counts: StatsCollector.Counts, to json: inout JSONWriter) {
        json.key("messages")
        json.beginObject()
        json.field("out", counts.messages[0])
        json.field("in", counts.messages[1])
        json.endObject()
        json.key("bytes")
        json.beginObject()
        json.field("out", Int(counts.bytes[0]))
        json.field("in", Int(counts.bytes[1]))
        json.endObject()
        // Messages whose length is known (a log summary has no bytes).
        json.key("sized")
        json.beginObject()
        json.field("out", counts.sized[0])
        json.field("in", counts.sized[1])
        json.endObject()
    }

    static func writeScope(_ s: StatsCollector.Scope, to json: inout JSONWriter) {
        writeCounts(s.counts, to: &json)
        if let first = s.first { json.field("first_time", first.description) }
        if let last = s.last { json.field("last_time", last.description) }
        if let rate = s.rate { json.key("messages_per_second"); json.number(rate) }
        json.key("types")
        json.beginObject()
        for row in s.types {
            json.key(row.name)
            json.beginObject()
            writeCounts(row.counts, to: &json)
            json.endObject()
        }
        json.endObject()
    }
}

/// One connection of a `stats` input: its counts in total, without a channel, and per channel.
public struct StatsRecord: JSONRecord {
    public var file: String
    public var connection: StatsCollector.Connection

    public static var kind: String { "connection" }

    public func writeMembers(into json: inout JSONWriter) {
        let c = connection
        json.field("file", file)
        json.field("connection", c.id)
        if let s = c.summary {
            json.field("initiator", s.initiator.description)
            json.field("responder", s.responder.description)
        }
        if let peer = c.peer { json.field("peer", peer) }
        StatsFormat.writeScope(c.total, to: &json)
        json.key("connection_level")
        json.beginObject()
        StatsFormat.writeScope(c.connectionLevel, to: &json)
        json.endObject()
        json.key("channels")
        json.beginArray()
        for key in c.channelOrder {
            guard let scope = c.channels[key] else { continue }
            json.beginObject()
            json.field("channel", key.text)
            StatsFormat.writeScope(scope, to: &json)
            json.endObject()
        }
        json.endArray()
        if c.otherChannels.counts.messages != [0, 0] {
            json.key("other_channels")
            json.beginObject()
            StatsFormat.writeScope(c.otherChannels, to: &json)
            json.endObject()
        }
    }
}
