import Provenance
import Trace
import Wire

/// One connection between two nodes: `init` in each direction and the features they
/// offer, outstanding pings, errors sent, and the channels used on it (BOLT #1).
public struct ConnectionModel: Sendable {
    /// Index 0: messages from the connection's initiator (`out`); 1: towards it.
    public var initSeen = [false, false]
    public var features: [[UInt8]?] = [nil, nil]
    /// Messages seen per direction on this connection.
    public var messages = [0, 0]
    /// Outstanding pings per direction (their `num_pong_bytes`), answered first in, first out.
    public var pendingPings: [[UInt64]] = [[], []]
    /// Pings per direction with `num_pong_bytes` ≥ 65532, which must go unanswered.
    public var largePings = [0, 0]
    /// Whether the start of the connection is in the trace (so "first message" rules apply).
    public var startSeen: Bool
    /// Whether the connection is a transport connection of a capture (rather than a
    /// node log's peer stream, whose reconnections are found by a new `init`).
    public var transport: Bool
    /// Whether each direction's latest message was an `init` (a log's reconnection may show
    /// one side's `init` before the other's repeated one marks the new connection).
    public var lastWasInit = [false, false]
    /// Whether an `error` for every channel (all-zero or no `channel_id`) was sent, per
    /// direction. (An error for one channel is kept in that channel's model: the connection
    /// model holds nothing per channel, so its size and the cost of copying it do not grow
    /// with the channels on the connection.)
    public var failedEvery = [false, false]
    static let maximumPendingPings = 1024

    public init(startSeen: Bool, transport: Bool) {
        self.startSeen = startSeen
        self.transport = transport
    }

    /// Applies a message sent in `direction` (after the rules have judged it).
    mutating func apply(_ m: MessageView, direction: Direction?, channel: ChannelModel?) {
        let d = Self.index(direction)
        lastWasInit[d] = m.kind == .initMessage
        switch m.kind {
        case .initMessage:
            initSeen[d] = true
            // A log summary may not give the features: then they stay unknown.
            guard let local = m.bytes(\.features) else { break }
            let global = m.bytes(\.globalfeatures) ?? []
            let width = max(global.count, local.count)
            features[d] = (0..<width).map { i in
                (i < width - global.count ? 0 : global[i - (width - global.count)])
                    | (i < width - local.count ? 0 : local[i - (width - local.count)])
            }
        case .ping:
            if let n = m.uint(\.numPongBytes) {
                if n < 65532 { pendingPings[d].append(n) } else { largePings[d] += 1 }
                // Bounded: a peer that never answers must not grow the model.
                if pendingPings[d].count > Self.maximumPendingPings { pendingPings[d].removeFirst() }
            }
        case .pong:
            if !pendingPings[1 - d].isEmpty { pendingPings[1 - d].removeFirst() } else if largePings[1 - d] > 0 { largePings[1 - d] -= 1 }
        case .error:
            if channel == nil { failedEvery[d] = true }
        default:
            break
        }
        messages[d] += 1
    }

    /// Index of a direction.
    static func index(_ direction: Direction?) -> Int { direction == .in ? 1 : 0 }

    /// Whether both nodes offered a feature (either bit of the pair), as BOLT #1 §init
    /// defines "offered"; ASSUMED features (BOLT #9) count as offered.
    public func negotiated(_ bit: Int) -> Bool? {
        let even = bit & ~1
        if [0, 8, 12, 14, 44].contains(even) { return true }
        guard let a = features[0], let b = features[1] else { return nil }
        return Self.offers(a, even) && Self.offers(b, even)
    }

    /// Whether a feature bitmap sets either bit of the pair starting at `even`.
    public static func offers(_ bitmap: [UInt8], _ even: Int) -> Bool {
        isSet(bitmap, even) || isSet(bitmap, even + 1)
    }

    public static func isSet(_ bitmap: [UInt8], _ bit: Int) -> Bool {
        let byte = bitmap.count - 1 - bit / 8
        return byte >= 0 && bitmap[byte] & (1 << (bit % 8)) != 0
    }

    /// The bits set in a bitmap.
    public static func bits(_ bitmap: [UInt8]) -> [Int] {
        var out: [Int] = []
        for (index, byte) in bitmap.reversed().enumerated() {
            for bit in 0..<8 where byte & (1 << bit) != 0 { out.append(index * 8 + bit) }
        }
        return out
    }
}
