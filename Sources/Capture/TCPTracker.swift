import Provenance

/// A TCP connection as the tracker first saw it.
public struct TCPConnectionInfo: Sendable {
    public var id: Int
    /// The side that sent the SYN or, when the capture starts mid-connection, the sender of
    /// the first segment seen (see ``synSeen``).
    public var a: Endpoint
    public var b: Endpoint
    /// Whether the connection's SYN was captured, so `a` is certainly the client.
    public var synSeen: Bool
    public var firstFrame: Int
    public var firstTime: Timestamp
}

/// What the tracker reports, in frame order.
public enum TCPEvent: Sendable {
    case opened(TCPConnectionInfo)
    /// In-order bytes (or a gap) of one direction; `fromA` is the direction from `a`.
    case chunk(connection: Int, fromA: Bool, StreamChunk)
    /// The connection ended: both FINs, a RST, a new SYN on the same ports, or the end of
    /// the capture (`reason`).
    case closed(connection: Int, frame: Int, time: Timestamp, reason: CloseReason)
}

public enum CloseReason: String, Sendable {
    case fin, reset, reused = "port reuse", endOfCapture = "end of capture", evicted = "memory bound"
}

/// Follows every TCP connection of a capture and puts both directions of each back in
/// order (``TCPDirectionAssembler``).
///
/// Memory bound: each connection holds at most twice the assembler's bound (1 MiB of
/// out-of-order payload and 4096 segments per direction by default); at most
/// `maximumConnections` are open at once, the least recently active being closed first (a
/// tenth of them at a time, so that a capture of endless new connections stays linear); the
/// last `recentMemory` closed connections are remembered, to recognise late retransmissions.
public final class TCPTracker {
    struct Key: Hashable {
        var low: Endpoint
        var high: Endpoint
        init(_ x: Endpoint, _ y: Endpoint) {
            (low, high) = x < y ? (x, y) : (y, x)
        }
    }

    final class Connection {
        var info: TCPConnectionInfo
        var directions = [TCPDirectionAssembler(), TCPDirectionAssembler()]
        var finSeen = [false, false]
        var initialSequence: UInt32?
        var lastTime: Timestamp
        var hasData = false

        init(info: TCPConnectionInfo) {
            self.info = info
            self.lastTime = info.firstTime
        }
    }

    struct Closed {
        var a: Endpoint
        var next: [UInt32?]
        var time: Timestamp
    }

    private var active: [Key: Connection] = [:]
    private var recentlyClosed: [Key: Closed] = [:]
    /// The keys of `recentlyClosed`, oldest first (from `closedHead` on).
    private var closedOrder: [Key] = []
    private var closedHead = 0
    static let recentMemory = 10_000
    private var nextID = 1
    private var chunks: [StreamChunk] = []
    /// Only connections with one of these ports are followed (all when empty).
    public let ports: Set<UInt16>
    public let maximumConnections: Int

    /// `firstID`: the number of the first connection (a capture checked after another, as one
    /// trace, numbers its connections on from the earlier one's).
    public init(ports: Set<UInt16> = [], maximumConnections: Int = 20_000, firstID: Int = 1) {
        self.ports = ports
        nextID = max(1, firstID)
        self.maximumConnections = maximumConnections
    }

    public var activeConnections: Int { active.count }

    public func add(_ segment: TCPSegment, into events: inout [TCPEvent]) {
        if !ports.isEmpty, !ports.contains(segment.source.port), !ports.contains(segment.destination.port) { return }
        let key = Key(segment.source, segment.destination)
        let frame = segment.frames.last ?? 0
        let flags = segment.flags
        var connection = active[key]

        if flags.contains(.syn) && !flags.contains(.ack) {
            if let existing = connection {
                if existing.initialSequence == segment.sequence && existing.info.a == segment.source && !existing.hasData {
                    return  // a retransmitted SYN
                }
                close(key, existing, frame: frame, time: segment.time, reason: .reused, into: &events)
            }
            let new = open(key, a: segment.source, b: segment.destination, synSeen: true, frame: frame, time: segment.time, into: &events)
            new.initialSequence = segment.sequence
            new.directions[0].syn(segment.sequence)
            connection = new
        } else if flags.contains(.syn) {  // SYN-ACK, from b
            if connection == nil {
                connection = open(key, a: segment.destination, b: segment.source, synSeen: true, frame: frame, time: segment.time, into: &events)
            }
            connection?.directions[connection?.info.a == segment.source ? 0 : 1].syn(segment.sequence)
        } else if connection == nil {
            guard !segment.payload.isEmpty else { return }
            if let closed = recentlyClosed[key] {
                let direction = closed.a == segment.source ? 0 : 1
                if let next = closed.next[direction],
                    sequenceDistance(segment.sequence &+ UInt32(segment.payload.count), next) <= 0
                {
                    return  // a late retransmission on a finished connection
                }
            }
            connection = open(key, a: segment.source, b: segment.destination, synSeen: false, frame: frame, time: segment.time, into: &events)
        }
        guard let connection else { return }
        connection.lastTime = segment.time
        let direction = connection.info.a == segment.source ? 0 : 1
        let other = 1 - direction

        if flags.contains(.ack) {
            chunks.removeAll(keepingCapacity: true)
            connection.directions[other].peerAcknowledged(segment.acknowledgment, frame: frame, time: segment.time, into: &chunks)
            emit(connection, fromA: other == 0, into: &events)
        }
        if !segment.payload.isEmpty {
            connection.hasData = true
            let sequence = flags.contains(.syn) ? segment.sequence &+ 1 : segment.sequence
            chunks.removeAll(keepingCapacity: true)
            connection.directions[direction].add(sequence: sequence, payload: segment.payload, frame: frame, time: segment.time, into: &chunks)
            emit(connection, fromA: direction == 0, into: &events)
        }
        if flags.contains(.rst) {
            close(key, connection, frame: frame, time: segment.time, reason: .reset, into: &events)
            return
        }
        if flags.contains(.fin) {
            connection.directions[direction].fin(segment.sequence, length: segment.payload.count)
            connection.finSeen[direction] = true
            if connection.finSeen[0] && connection.finSeen[1] {
                close(key, connection, frame: frame, time: segment.time, reason: .fin, into: &events)
            }
        }
    }

    /// End of the capture: flushes and closes every open connection.
    public func finish(frame: Int, time: Timestamp, into events: inout [TCPEvent]) {
        for (key, connection) in active.sorted(by: { $0.value.info.id < $1.value.info.id }) {
            close(key, connection, frame: frame, time: time, reason: .endOfCapture, into: &events)
        }
    }

    private func open(
        _ key: Key, a: Endpoint, b: Endpoint, synSeen: Bool, frame: Int, time: Timestamp, into events: inout [TCPEvent]
    ) -> Connection {
        if active.count >= maximumConnections {
            // The least recently active tenth, closed in one pass.
            let victims = active.sorted { ($0.value.lastTime, $0.value.info.id) < ($1.value.lastTime, $1.value.info.id) }
                .prefix(max(1, maximumConnections / 10))
            for (oldKey, oldest) in victims { close(oldKey, oldest, frame: frame, time: time, reason: .evicted, into: &events) }
        }
        let info = TCPConnectionInfo(id: nextID, a: a, b: b, synSeen: synSeen, firstFrame: frame, firstTime: time)
        nextID += 1
        let connection = Connection(info: info)
        active[key] = connection
        recentlyClosed[key] = nil
        events.append(.opened(info))
        return connection
    }

    private func close(_ key: Key, _ connection: Connection, frame: Int, time: Timestamp, reason: CloseReason, into events: inout [TCPEvent]) {
        for direction in 0..<2 {
            chunks.removeAll(keepingCapacity: true)
            connection.directions[direction].flush(frame: frame, time: time, into: &chunks)
            emit(connection, fromA: direction == 0, into: &events)
        }
        events.append(.closed(connection: connection.info.id, frame: frame, time: time, reason: reason))
        active[key] = nil
        // Remember it; forget the oldest beyond the bound.
        if recentlyClosed.updateValue(Closed(a: connection.info.a, next: connection.directions.map(\.next), time: time), forKey: key) == nil {
            closedOrder.append(key)
        }
        while recentlyClosed.count > Self.recentMemory, closedHead < closedOrder.count {
            recentlyClosed[closedOrder[closedHead]] = nil
            closedHead += 1
        }
        if closedOrder.count - closedHead > 2 * Self.recentMemory {
            // Keys reopened and closed again are listed twice: keep each one's last place.
            var seen = Set<Key>()
            closedOrder = Array(closedOrder[closedHead...].reversed().filter { recentlyClosed[$0] != nil && seen.insert($0).inserted }.reversed())
            closedHead = 0
        } else if closedHead > Self.recentMemory {
            closedOrder.removeFirst(closedHead)
            closedHead = 0
        }
    }

    private func emit(_ connection: Connection, fromA: Bool, into events: inout [TCPEvent]) {
        for chunk in chunks {
            events.append(.chunk(connection: connection.info.id, fromA: fromA, chunk))
        }
    }
}
