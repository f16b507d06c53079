import Basics
import Provenance
import Trace
import Wire

/// A value for each direction of a connection: `out` (from its initiator) and `in`.
public struct PerDirection<Value: Sendable>: Sendable {
    public var out: Value
    public var `in`: Value

    public init(repeating value: Value) {
        out = value
        self.in = value
    }

    public subscript(direction: Direction) -> Value {
        get { direction == .out ? out : self.in }
        set {
            if direction == .out { out = newValue } else { self.in = newValue }
        }
    }
}

/// One connection between two nodes: `init` in each direction and the features they
/// offer, outstanding pings, errors sent, and the channels used on it (BOLT #1).
public struct ConnectionModel: Sendable {
    /// Per direction: `out` from the connection's initiator, `in` towards it.
    public var initSeen = PerDirection(repeating: false)
    public var features = PerDirection<[UInt8]?>(repeating: nil)
    /// The chains each direction's `init` listed in `networks` (`nil`: none listed, or not known).
    public var networks = PerDirection<[ChainHash]?>(repeating: nil)
    /// Messages seen per direction on this connection.
    public var messages = PerDirection(repeating: 0)
    /// Outstanding pings per direction (their `num_pong_bytes`), answered first in, first out.
    public var pendingPings = PerDirection<[UInt64]>(repeating: [])
    /// Pings per direction with `num_pong_bytes` ≥ 65532, which must go unanswered.
    public var largePings = PerDirection(repeating: 0)
    /// Whether the start of the connection is in the trace (so "first message" rules apply).
    public var startSeen: Bool
    /// Whether the connection is a transport connection of a capture (rather than a
    /// node log's peer stream, whose reconnections are found by a new `init`).
    public var transport: Bool
    /// Whether each direction's latest message was an `init` (a log's reconnection may show
    /// one side's `init` before the other's repeated one marks the new connection).
    public var lastWasInit = PerDirection(repeating: false)
    /// Whether an `error` for every channel (all-zero or no `channel_id`) was sent, per
    /// direction. (An error for one channel is kept in that channel's model: the connection
    /// model holds nothing per channel but the bounded list of its openings' temporary ids, so
    /// its size and the cost of copying it do not grow with the channels on the connection.)
    public var failedEvery = PerDirection(repeating: false)
    /// The batch of `commitment_signed` each direction is in, after a `start_batch` (BOLT #2
    /// §"Batching channel messages"): its channel and how many of its messages are still to come.
    public var batch = PerDirection<Batch?>(repeating: nil)
    /// Whether each direction has a `query_short_channel_ids` not yet answered by
    /// `reply_short_channel_ids_end` (BOLT #7 §"Query Messages").
    public var shortIDQueryOutstanding = PerDirection(repeating: false)
    /// Each direction's outstanding `query_channel_range`, until a `reply_channel_range`
    /// reaches the end of its range (BOLT #7 §"Query Messages").
    public var rangeQuery = PerDirection<RangeQuery?>(repeating: nil)
    /// The temporary channel ids of the openings on this connection, the latest
    /// ``maximumTemporaryIDs`` of them (`v1-temp-id-unique`).
    public var temporaryIDs: [ChannelID] = []
    static let maximumTemporaryIDs = 1024
    static let maximumPendingPings = 1024

    /// Gossip seen on this connection (BOLT #7), each table holding its latest
    /// ``maximumGossip`` entries, so that a full gossip sync does not grow the model.
    public var gossip = Gossip()
    static let maximumGossip = 1024

    /// What the gossip rules remember: who announced each channel, and the latest
    /// `channel_update` and `node_announcement` each direction sent per origin.
    public struct Gossip: Sendable {
        /// `node_id_1` and `node_id_2` of each channel announced (either direction), by
        /// short channel id: the nodes whose signatures a `channel_update` may carry.
        public var nodes = Bounded<ShortChannelID, [Point]>()
        /// The `chain_hash` of each channel announced, by short channel id.
        public var chains = Bounded<ShortChannelID, ChainHash>()
        /// The latest `channel_update` per short channel id and `direction` bit, per direction.
        public var updates = PerDirection(repeating: Bounded<UpdateKey, Update>())
        /// The latest `node_announcement` per node id, per direction.
        public var nodeAnnouncements = PerDirection(repeating: Bounded<Point, NodeAnnouncement>())
        /// Per direction, since the peer's latest query or filter: the channels announced,
        /// and those updated before any announcement of them (`g-ann-before-update`).
        public var announced = PerDirection(repeating: Bounded<ShortChannelID, Bool>())
        public var updatedFirst = PerDirection(repeating: Bounded<ShortChannelID, Bool>())
        /// The short channel ids `announcement_signatures` named on this connection: the two
        /// nodes' own channels, updated to each other before they are announced.
        public var own = Bounded<ShortChannelID, Bool>()
        /// The channels of this connection by the short channel ids their messages named
        /// (`channel_ready`'s alias, `announcement_signatures`): the serial of the channel a
        /// `channel_update` with that id is about.
        public var channels = Bounded<ShortChannelID, Int>()
        /// The `announcement_signatures` each direction sent, by short channel id, with the
        /// sender's `funding_pubkey` when the trace holds the channel's opening (`as-sigs`).
        public var announcementSignatures = PerDirection(repeating: Bounded<ShortChannelID, AnnouncementSignatures>())
        /// Per direction, the node ids the sender may have: `nil` while nothing says; one id
        /// once proven (its `announcement_signatures` are in a `channel_announcement` of the
        /// connection, or a node log names the peer); before the peer's first
        /// `gossip_timestamp_filter`, the origins all its gossip shares (it may send only its
        /// own: `g-filter-first`).
        public var sender = PerDirection<[Point]?>(repeating: nil)
        /// Whether the sender's id in ``sender`` is proven (not only what its early gossip shares).
        public var senderProven = PerDirection(repeating: false)
        /// Per direction, the latest `gossip_timestamp_filter` the receiver sent: the gossip it
        /// asked the sender for.
        public var filter = PerDirection<TimestampFilter?>(repeating: nil)
    }

    /// A `gossip_timestamp_filter`'s range: `first ≤ timestamp < first + range`.
    public struct TimestampFilter: Sendable, Equatable {
        public var first: UInt64
        public var range: UInt64
        /// Whether it asks for no gossip at all (`first_timestamp` 0xFFFFFFFF, or an empty range).
        public var empty: Bool { range == 0 || first == 0xFFFF_FFFF }
        public func contains(_ timestamp: UInt64) -> Bool { timestamp >= first && timestamp - first < range }
    }

    /// The node ids that may have generated a gossip message: a `node_announcement`'s node, a
    /// `channel_announcement`'s two nodes, the node a `channel_update`'s direction bit names
    /// in its channel's announcement; `nil` for other messages or when the trace cannot say.
    func origins(of m: MessageView) -> [Point]? {
        switch m.kind {
        case .nodeAnnouncement: return m.typed.nodeID.map { [$0] }
        case .channelAnnouncement:
            guard let one = m.typed.nodeID1, let two = m.typed.nodeID2 else { return nil }
            return [one, two]
        case .channelUpdate:
            guard let id = m.typed.shortChannelID, let flags = m.uint(\.channelFlags), let nodes = gossip.nodes[id], nodes.count == 2 else {
                return nil
            }
            return [nodes[Int(flags & 1)]]
        default: return nil
        }
    }

    public struct AnnouncementSignatures: Sendable {
        public var node: [UInt8]
        public var bitcoin: [UInt8]
        public var fundingKey: [UInt8]?
    }

    public struct UpdateKey: Hashable, Sendable {
        public var channel: ShortChannelID
        public var direction: UInt8
    }

    /// A `channel_update`'s timestamp and the fields it signs after it.
    public struct Update: Sendable, Equatable {
        public var timestamp: UInt64
        public var fields: [UInt64?]
    }

    /// A `node_announcement`'s timestamp and a digest of the fields after it.
    public struct NodeAnnouncement: Sendable, Equatable {
        public var timestamp: UInt64
        public var digest: [UInt8]
    }

    /// A table that keeps its latest `limit` keys (first in, first out).
    public struct Bounded<Key: Hashable & Sendable, Value: Sendable>: Sendable {
        public private(set) var values: [Key: Value] = [:]
        private var order: [Key] = []

        public subscript(key: Key) -> Value? { values[key] }

        mutating func set(_ key: Key, _ value: Value) {
            if values.updateValue(value, forKey: key) == nil {
                order.append(key)
                if order.count > ConnectionModel.maximumGossip { values[order.removeFirst()] = nil }
            }
        }

        /// Each value transformed; those transformed to `nil` removed.
        mutating func remap(_ transform: (Value) -> Value?) {
            values = values.compactMapValues(transform)
            order.removeAll { values[$0] == nil }
        }
    }

    /// A `query_channel_range` and the replies to it so far.
    public struct RangeQuery: Sendable, Equatable {
        public var first: UInt64
        /// The block after the range: `first_blocknum` + `number_of_blocks`.
        public var end: UInt64
        public var chain: ChainHash?
        public var replies = 0
        /// The `first_blocknum` of the latest reply.
        public var previousFirst: UInt64?
    }

    public struct Batch: Sendable, Equatable {
        public var channel: ChannelID?
        public var size: Int
        public var remaining: Int
    }

    public init(startSeen: Bool, transport: Bool) {
        self.startSeen = startSeen
        self.transport = transport
    }

    /// Applies a message sent in `direction` (after the rules have judged it).
    mutating func apply(_ m: MessageView, direction: Direction?, channel: ChannelModel?, side: ChannelModel.Side) {
        let d = direction ?? .out
        // Before the peer's first filter a node sends only its own gossip, so its gossip
        // there shares its origin (`g-filter-first`; answers to a query aside).
        if gossipMessages.contains(m.kind), gossip.filter[d] == nil, !gossip.senderProven[d], !shortIDQueryOutstanding[d.reversed],
            let origins = origins(of: m)
        {
            let shared = gossip.sender[d].map { known in origins.filter { known.contains($0) } } ?? origins
            if !shared.isEmpty { gossip.sender[d] = shared }
        }
        lastWasInit[d] = m.kind == .initMessage
        // A batch takes the next messages of its direction: its own commitment_signed count
        // down, anything else ends it (`batch-contiguous`).
        if var open = batch[d] {
            open.remaining -= 1
            let member = m.kind == .commitmentSigned && m.typed.channelID == open.channel
            batch[d] = member && open.remaining > 0 ? open : nil
        }
        switch m.kind {
        case .startBatch:
            // Sizes above 20 are a violation (`batch-size`); the batch still holds 20 at most.
            if let size = m.uint(\.batchSize), size > 1 {
                let held = Int(min(size, 20))
                batch[d] = Batch(channel: m.typed.channelID, size: held, remaining: held)
            }
        case .initMessage:
            initSeen[d] = true
            networks[d] = m.typed.networksRecord
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
            if !pendingPings[d.reversed].isEmpty {
                pendingPings[d.reversed].removeFirst()
            } else if largePings[d.reversed] > 0 {
                largePings[d.reversed] -= 1
            }
        case .error:
            if channel == nil { failedEvery[d] = true }
        case .queryShortChannelIds, .gossipTimestampFilter:
            if m.kind == .queryShortChannelIds { shortIDQueryOutstanding[d] = true }
            if m.kind == .gossipTimestampFilter, let first = m.uint(\.firstTimestamp), let range = m.uint(\.timestampRange) {
                gossip.filter[d.reversed] = TimestampFilter(first: first, range: range)
            }
            // What the peer sends in answer starts afresh.
            gossip.announced[d.reversed] = Bounded()
            gossip.updatedFirst[d.reversed] = Bounded()
        case .announcementSignatures:
            if let id = m.typed.shortChannelID {
                gossip.own.set(id, true)
                if let serial = channel?.serial { gossip.channels.set(id, serial) }
                if let node = m.bytes(\.nodeSignature), let bitcoin = m.bytes(\.bitcoinSignature) {
                    let key = channel.flatMap { $0.spliced ? nil : $0.params[side].fundingPubkey?.bytes }
                    gossip.announcementSignatures[d].set(id, AnnouncementSignatures(node: node, bitcoin: bitcoin, fundingKey: key))
                }
            }
        case .channelReady:
            if let alias = m.typed.shortChannelIDRecord, let serial = channel?.serial { gossip.channels.set(alias, serial) }
        case .replyShortChannelIdsEnd:
            shortIDQueryOutstanding[d.reversed] = false
        case .openChannel, .openChannel2:
            if let id = m.typed.temporaryChannelID {
                temporaryIDs.append(id)
                if temporaryIDs.count > Self.maximumTemporaryIDs { temporaryIDs.removeFirst() }
            }
        case .channelAnnouncement:
            if let channel = m.typed.shortChannelID, let one = m.typed.nodeID1, let two = m.typed.nodeID2 {
                gossip.nodes.set(channel, [one, two])
                // A node's announcement_signatures in the announcement prove its node id.
                for side in [Direction.out, .in] {
                    guard let signed = gossip.announcementSignatures[side][channel]?.node,
                        let node = [(m.bytes(\.nodeSignature1), one), (m.bytes(\.nodeSignature2), two)].first(where: { $0.0 == signed })?.1
                    else { continue }
                    gossip.sender[side] = [node]
                    gossip.senderProven[side] = true
                }
            }
            if let channel = m.typed.shortChannelID, let chain = m.typed.chainHash { gossip.chains.set(channel, chain) }
            if let channel = m.typed.shortChannelID { gossip.announced[d].set(channel, true) }
        case .channelUpdate:
            if let channel = m.typed.shortChannelID, gossip.announced[d][channel] == nil { gossip.updatedFirst[d].set(channel, true) }
            if let channel = m.typed.shortChannelID, let flags = m.uint(\.channelFlags), let timestamp = m.uint(\.timestamp) {
                gossip.updates[d].set(
                    UpdateKey(channel: channel, direction: UInt8(flags & 1)), Update(timestamp: timestamp, fields: Self.updateFields(m)))
            }
        case .nodeAnnouncement:
            if let node = m.typed.nodeID, let timestamp = m.uint(\.timestamp) {
                gossip.nodeAnnouncements[d].set(node, NodeAnnouncement(timestamp: timestamp, digest: Self.announcementDigest(m)))
            }
        case .queryChannelRange:
            if let first = m.uint(\.firstBlocknum), let count = m.uint(\.numberOfBlocks) {
                rangeQuery[d] = RangeQuery(first: first, end: first + count, chain: m.typed.chainHash)
            }
        case .replyChannelRange:
            // The replies cover the range in order; the one that reaches its end is the last.
            if var query = rangeQuery[d.reversed], let first = m.uint(\.firstBlocknum), let count = m.uint(\.numberOfBlocks) {
                query.replies += 1
                query.previousFirst = first
                rangeQuery[d.reversed] = first + count >= query.end ? nil : query
            }
        default:
            break
        }
        messages[d] += 1
    }

    /// The fields a `channel_update` signs after its timestamp, as far as the trace gives them.
    static func updateFields(_ m: MessageView) -> [UInt64?] {
        [
            m.uint(\.messageFlags), m.uint(\.channelFlags), m.uint(\.cltvExpiryDelta), m.uint(\.htlcMinimumMsat), m.uint(\.feeBaseMsat),
            m.uint(\.feeProportionalMillionths), m.uint(\.htlcMaximumMsat),
        ]
    }

    /// A digest of the fields a `node_announcement` signs after its timestamp (those the
    /// trace gives; an absent one hashes differently from an empty one).
    static func announcementDigest(_ m: MessageView) -> [UInt8] {
        var bytes: [UInt8] = []
        for field in [m.bytes(\.features), m.bytes(\.rgbColor), m.bytes(\.alias), m.bytes(\.addresses)] {
            guard let field else {
                bytes += [0xff, 0xff, 0xff, 0xff]
                continue
            }
            bytes += withUnsafeBytes(of: UInt32(field.count).bigEndian, Array.init) + field
        }
        return sha256(bytes)
    }

    /// Whether both nodes offered a feature (either bit of the pair), as BOLT #1 §init
    /// defines "offered"; ASSUMED features (BOLT #9) count as offered.
    public func negotiated(_ bit: Int) -> Bool? {
        let even = bit & ~1
        if [0, 8, 12, 14, 44].contains(even) { return true }
        guard let a = features.out, let b = features.in else { return nil }
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
