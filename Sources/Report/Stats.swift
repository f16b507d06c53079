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
    }

    public struct Scope: Sendable {
        public var counts = Counts()
        public var types: [String: Counts] = [:]
        public var typeOrder: [String] = []
        public var first: Timestamp?
        public var last: Timestamp?

        mutating func add(_ event: MessageEvent, direction: Int, length: Int?) {
            counts.add(direction, length: length)
            let name = event.content.name
            // One lookup for a type seen before (every message but a type's first).
            if let index = types.index(forKey: name) {
                types.values[index].add(direction, length: length)
            } else {
                typeOrder.append(name)
                types[name, default: Counts()].add(direction, length: length)
            }
            if let time = event.time {
                if first == nil || time < first! { first = time }
                if last == nil || last! < time { last = time }
            }
        }

        /// Adds another scope's counts (a channel's opening, counted under its temporary id).
        mutating func merge(_ other: Scope) {
            for d in 0..<2 {
                counts.messages[d] += other.counts.messages[d]
                counts.bytes[d] += other.counts.bytes[d]
                counts.sized[d] += other.counts.sized[d]
            }
            for name in other.typeOrder {
                guard let theirs = other.types[name] else { continue }
                if types[name] == nil {
                    typeOrder.append(name)
                    types[name] = theirs
                    continue
                }
                for d in 0..<2 {
                    types[name]?.messages[d] += theirs.messages[d]
                    types[name]?.bytes[d] += theirs.bytes[d]
                    types[name]?.sized[d] += theirs.sized[d]
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

    public struct Connection: Sendable {
        public var id: Int
        public var total = Scope()
        /// Messages without a channel (`init`, `ping`, gossip, …).
        public var connectionLevel = Scope()
        public var channels: [String: Scope] = [:]
        public var channelOrder: [String] = []
        /// Messages of channels past the input's first ``StatsCollector/keptChannels``.
        public var otherChannels = Scope()
        public var summary: ConnectionSummary?
        public var peer: String?
    }

    public private(set) var connections: [Int: Connection] = [:]
    public private(set) var order: [Int] = []
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
    private var aliases: [String: String] = [:]
    private var aliasRecency = RecencyBound<String>(limit: 20_000)

    public init() {}

    /// Forgets the connections none of whose messages were counted (under a filter, those
    /// with no message it selects).
    public mutating func dropEmpty() {
        order.removeAll { id in
            let total = connections[id]?.total.counts.messages ?? [0, 0]
            return total[0] + total[1] == 0
        }
        connections = connections.filter { order.contains($0.key) }
    }

    public mutating func add(_ event: TraceEvent) {
        switch event {
        case let .message(message):
            let id = message.connection ?? 0
            if connections[id] == nil {
                guard connections.count < Self.keptConnections else {
                    otherConnectionMessages += 1
                    return
                }
                connections[id] = Connection(id: id)
                order.append(id)
            }
            let direction = message.direction == .in ? 1 : 0
            let length = message.length ?? (try? message.content.message?.encoded())?.count
            // Changed out of the dictionary, in place (one lookup each way).
            guard var connection = connections.removeValue(forKey: id) else { return }
            defer { connections[id] = connection }
            connection.total.add(message, direction: direction, length: length)
            if connection.peer == nil { connection.peer = message.peer }
            // One channel, one identity: the opening's temporary_channel_id is an alias of the
            // channel_id that funding_created's outpoint gives.
            if message.content.kind == .fundingCreated, let temporary = message.channel,
                case let typed = TypedMessage(message.content), let hash = typed.fundingTxid, let index = typed.fundingOutputIndex
            {
                let final = ChannelID(fundingTxid: hash, outputIndex: index).hex
                aliases[temporary] = final
                for dropped in aliasRecency.use(temporary) { aliases[dropped] = nil }
                if let opening = connection.channels.removeValue(forKey: temporary) {
                    if connection.channels[final] == nil {
                        connection.channelOrder = connection.channelOrder.map { $0 == temporary ? final : $0 }
                        connection.channels[final] = opening
                    } else {
                        connection.channels[final]?.merge(opening)
                        connection.channelOrder.removeAll { $0 == temporary }
                    }
                }
            }
            if let channel = message.channel.map({ aliases[$0] ?? $0 }) {
                if let index = connection.channels.index(forKey: channel) {
                    connection.channels.values[index].add(message, direction: direction, length: length)
                } else if channelCount < Self.keptChannels {
                    channelCount += 1
                    connection.channelOrder.append(channel)
                    connection.channels[channel, default: Scope()].add(message, direction: direction, length: length)
                } else {
                    connection.otherChannels.add(message, direction: direction, length: length)
                }
            } else {
                connection.connectionLevel.add(message, direction: direction, length: length)
            }
        case let .connection(summary):
            if connections[summary.id] == nil, connections.count >= Self.keptConnections {
                // Past the first connections, one without messages is only counted: a
                // capture of a million connections must not hold a record of each.
                connectionsOmitted += 1
                return
            }
            if connections[summary.id] == nil {
                connections[summary.id] = Connection(id: summary.id)
                order.append(summary.id)
            }
            connections[summary.id]?.summary = summary
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
        if stats.order.isEmpty { lines.append("  no messages") }
        for id in stats.order {
            guard let c = stats.connections[id] else { continue }
            var title = "  connection #\(id)"
            if let s = c.summary { title += "  \(s.initiator) → \(s.responder)" } else if let peer = c.peer { title += "  peer \(peer)" }
            lines.append(title)
            lines.append("    " + scopeLine(c.total))
            if c.connectionLevel.counts.messages != [0, 0] { lines += table("connection-level messages", c.connectionLevel) }
            for key in c.channelOrder {
                guard let scope = c.channels[key] else { continue }
                lines += table("channel \(TextFit.short(key))", scope)
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
        let width = max(s.typeOrder.map(\.count).max() ?? 0, 4)
        lines.append("      " + "type".padding(toLength: width, withPad: " ", startingAt: 0) + "      →      ←      bytes")
        for name in s.typeOrder {
            guard let counts = s.types[name] else { continue }
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
        for name in s.typeOrder {
            guard let counts = s.types[name] else { continue }
            json.key(name)
            json.beginObject()
            writeCounts(counts, to: &json)
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
            json.field("channel", key)
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
