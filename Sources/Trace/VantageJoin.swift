import Provenance
import Wire

/// Where the log of a connection's other end shows a message (joined logs, issue 16): the
/// line that sent it (the message was received here) or received it (sent here), and when
/// on that log's clock. A class: most messages have none, and a message stays small.
public final class OtherEnd: Sendable {
    public let location: SourceLocation
    public let time: Timestamp?
    /// Whether the other end's line is the message's sending (else its receipt).
    public let sent: Bool
    /// How far the other log's clock is ahead of this one's (the join's estimate), in
    /// nanoseconds.
    public let clockOffset: Int64?

    public init(location: SourceLocation, time: Timestamp?, sent: Bool, clockOffset: Int64? = nil) {
        self.location = location
        self.time = time
        self.sent = sent
        self.clockOffset = clockOffset
    }
}

/// Logs of one connection recorded at its two ends (issue 16): which messages are the same,
/// how far apart the two clocks are, and what one side logged that the other did not.
///
/// A node's log shows its sends and receives in the order the node handled them. A message
/// one node sent is one the other received, and each direction of a connection keeps its
/// order (TCP), so one node's sends line up with the other's receives. Messages are matched
/// by type, and by `channel_id` where both logs give it, which every log style allows; a
/// line one log lacks (a lower log level, a cut log) is skipped over and reported.
/// Documentation/joining.md describes the method.
public struct VantageJoin: Sendable {
    /// One message as the join compares it.
    struct Entry: Sendable {
        var kind: UInt16
        /// A hash of the `channel_id`, 0 when the line gives none.
        var channel: UInt64
        /// A hash of the field that tells messages of the type apart (an HTLC's `id`, a fee),
        /// 0 when the line gives none.
        var detail: UInt64
        /// Nanoseconds since the epoch, if the line has a time.
        var time: Int64?
        /// The message's line in its log; in a capture, its index on the connection.
        var line: Int
        /// A capture message's first frame (0 in a log).
        var frame: Int32
        /// The channel as this log names it (an index into the stream's `channelKeys`), -1
        /// for none.
        var channelKey: Int32
    }

    /// One peer stream of one log: its node's messages to and from one peer, in order.
    public struct Stream: Sendable {
        public var input: Int
        public var file: String
        /// The node that logged it (`local`), and its stream number in the input.
        public var node: String
        public var connection: Int
        public var peer: String?
        var sent: [Entry] = []
        var received: [Entry] = []
        /// The first (up to 8) `channel_id`s the stream names, hashed: streams that both name
        /// channels by id are compared only when they share one.
        var channels = Set<UInt64>()
        /// The channels the stream names (`channel_id` hex, or a label such as `chan#1`).
        var channelKeys: [String] = []
        var channelIndex: [String: Int32] = [:]
        /// Whether the stream held more messages than a join compares.
        public var truncated = false
        /// A capture connection, its messages as its initiator sees them (sent: `out`).
        public var capture = false

        public var messages: Int { sent.count + received.count }

        /// The log the stream is from: its input and node (one input may hold two nodes' logs).
        var log: String { "\(input)\t\(node)" }

        /// The stream seen from its other end (`flipped`): sent and received swapped.
        func oriented(_ flipped: Bool) -> Stream {
            guard flipped else { return self }
            var out = self
            swap(&out.sent, &out.received)
            return out
        }
    }

    /// Two streams found to be the two ends of one connection.
    public struct Pair: Sendable {
        /// Two indexes: a channel's keys in the two streams, or two streams.
        struct Indexes: Hashable {
            var first: Int32
            var second: Int32
        }

        /// Indexes into ``streams``.
        public var first: Int
        public var second: Int
        /// Messages found in both logs.
        public var matched: Int
        /// How far the second log's clock is ahead of the first's, in nanoseconds: every
        /// message takes no negative time to arrive, so each one sent by the first and
        /// received by the second bounds it from above, each the other way from below.
        public var offset: ClockOffset?
        /// Lines of one log whose message the other does not show: (stream index, line,
        /// message type, whether it was sent by that stream's node).
        public var oneSided: [(stream: Int, line: Int, kind: UInt16, sent: Bool)]
        /// The channels of the first stream and the second that are the same, by the names
        /// each log gives them (they differ when one log names channels by label).
        public var channels: [(first: String, second: String)]
        /// Whether a capture stream of the pair is seen from its responder (its `in` messages
        /// are the ones "sent"): the capture of the connection a log's node initiated.
        public var firstFlipped = false
        public var secondFlipped = false
        /// When one stream is an excerpt of its log against the other's whole log: the longer
        /// stream (an index into ``streams``) and the span of its lines the excerpt matches.
        public var excerpt: (stream: Int, lines: ClosedRange<Int>)?
        /// A capture joined with a log whose other end's log is joined with it too: the index
        /// of those two logs' pair in ``pairs`` (the same connection, seen three times).
        public var beside: Int?
        /// The matched messages, as indexes into the sender's sent and the receiver's received
        /// lines: `forward` from the first stream to the second, `backward` the other way.
        var forward: [(sent: Int32, received: Int32)]
        var backward: [(sent: Int32, received: Int32)]
    }

    /// The offset between two clocks: bounds from the messages' directions, and the middle.
    public struct ClockOffset: Sendable, Equatable {
        /// Nanoseconds; `lower` from the second log's sends, `upper` from the first's.
        public var lower: Int64?
        public var upper: Int64?
        /// The timestamps' resolution, added to each bound.
        public var resolution: Int64

        /// The middle of the bounds (or the one bound there is).
        public var estimate: Int64? {
            switch (lower, upper) {
            case let (l?, u?): return l / 2 + u / 2
            case let (l?, nil): return l
            case let (nil, u?): return u
            default: return nil
            }
        }

        /// Whether the bounds contradict each other beyond the timestamps' resolution: a
        /// clock that drifted, or lines matched wrongly.
        public var consistent: Bool {
            guard let lower, let upper else { return true }
            return lower <= upper + 2 * resolution
        }
    }

    public private(set) var streams: [Stream] = []
    public private(set) var pairs: [Pair] = []

    private var index: [StreamKey: Int] = [:]

    /// The most messages of a stream a join compares (its memory bound); the rest of a
    /// longer stream is not joined, and the report says so.
    public static let maximumMessages = 1 << 19
    /// The most streams, and messages in all, a join keeps (its memory bound across a
    /// capture of many connections): about 64 MB.
    public static let maximumStreams = 10_000
    public static let maximumEntries = 1 << 20
    /// How many pairs of streams that name no channel by id are compared at most (each
    /// comparison reads both streams).
    static let maximumBlindComparisons = 10_000
    /// How many pairs of streams are compared at most (a hostile capture of many connections
    /// that all name one channel).
    static let maximumComparisons = 100_000
    /// Messages kept, and streams not kept.
    private var entries = 0
    public private(set) var streamsLeftOut = 0
    /// How many lines either log may lack in a row before the two stop being matched.
    static let window = 64

    struct StreamKey: Hashable {
        var input: Int
        var node: String
        var connection: Int
    }

    public init() {}

    /// Takes in a message of input `input` (a node log: its direction is the node's).
    public mutating func add(_ event: MessageEvent, input: Int) {
        guard let direction = event.direction, let connection = event.connection, let kind = event.content.kind else { return }
        let key = StreamKey(input: input, node: Self.node(of: event), connection: connection)
        let slot: Int
        if let found = index[key] {
            slot = found
        } else {
            // A capture of many connections: the first ones are compared, the rest not.
            guard streams.count < Self.maximumStreams else {
                streamsLeftOut += 1
                return
            }
            slot = streams.count
            index[key] = slot
            var stream = Stream(input: input, file: event.location.file, node: key.node, connection: connection, peer: event.peer)
            stream.capture = event.vantage == nil
            streams.append(stream)
        }
        if streams[slot].messages >= Self.maximumMessages || entries >= Self.maximumEntries {
            streams[slot].truncated = true
            return
        }
        entries += 1
        var channelKey: Int32 = -1
        if let name = event.channel {
            if let known = streams[slot].channelIndex[name] {
                channelKey = known
            } else {
                channelKey = Int32(streams[slot].channelKeys.count)
                streams[slot].channelIndex[name] = channelKey
                streams[slot].channelKeys.append(name)
            }
        }
        let entry = Entry(
            kind: kind.rawValue, channel: event.content.channelID.map { Self.hash($0.bytes) } ?? 0,
            detail: Self.detail(of: event.content, kind: kind),
            time: event.time.flatMap(Self.nanoseconds), line: Self.place(of: event) ?? 0,
            frame: Int32(clamping: event.location.frames.first ?? 0), channelKey: channelKey)
        if direction == .out { streams[slot].sent.append(entry) } else { streams[slot].received.append(entry) }
        if entry.channel != 0, streams[slot].channels.count < 8 { streams[slot].channels.insert(entry.channel) }
    }

    /// The node a stream is keyed by: a log's writer, or `capture`.
    public static func node(of event: MessageEvent) -> String { event.vantage ?? "capture" }

    /// Where a message is in its stream: its log line, or its index on a capture connection.
    public static func place(of event: MessageEvent) -> Int? { event.vantage == nil ? event.index : event.location.line }

    /// A time in nanoseconds since the epoch; `nil` beyond ±4·10⁹ s (the year 2096), so that
    /// differences and bounds computed from two of them cannot overflow.
    public static func nanoseconds(_ time: Timestamp) -> Int64? {
        guard (-4_000_000_000...4_000_000_000).contains(time.seconds) else { return nil }
        return time.seconds * 1_000_000_000 + Int64(time.nanoseconds)
    }

    /// FNV-1a.
    static func hash(_ bytes: [UInt8]) -> UInt64 {
        var h: UInt64 = 0xcbf2_9ce4_8422_2325
        for byte in bytes { h = (h ^ UInt64(byte)) &* 0x0100_0000_01b3 }
        return h | 1
    }

    /// The field that tells messages of one type apart where a log line gives it, hashed: an
    /// HTLC's `id` (its add and its removal), `update_fee`'s `feerate_per_kw`,
    /// `closing_signed`'s `fee_satoshis`; 0 for other types, or when the line does not give it.
    static func detail(of content: MessageContent, kind: MessageKind) -> UInt64 {
        switch kind {
        case .updateAddHTLC, .updateFulfillHTLC, .updateFailHTLC, .updateFailMalformedHTLC, .updateFee, .closingSigned:
            let typed: TypedMessage
            switch content {
            case let .partial(message): typed = message.typed
            case .decoded: typed = TypedMessage(content)
            case .undecodable: return 0
            }
            guard let value = typed.id ?? typed.feeratePerKw.map(UInt64.init) ?? typed.feeSatoshis else { return 0 }
            return hash((0..<8).map { UInt8(truncatingIfNeeded: value >> (8 * $0)) })
        default:
            return 0
        }
    }

    /// Whether two lines can be the same message: the same type, and the same channel and
    /// distinguishing field where both lines give them.
    static func same(_ a: Entry, _ b: Entry) -> Bool {
        a.kind == b.kind && (a.channel == 0 || b.channel == 0 || a.channel == b.channel)
            && (a.detail == 0 || b.detail == 0 || a.detail == b.detail)
    }

    /// One direction lined up: the sender's lines against the receiver's, each matched pair
    /// as indexes, and the indexes of each side left unmatched.
    static func align(_ sent: [Entry], _ received: [Entry], giveUp: (sent: Int, received: Int) = (.max, .max))
        -> (pairs: [(Int, Int)], sentOnly: [Int], receivedOnly: [Int])
    {
        var pairs: [(Int, Int)] = []
        var sentOnly: [Int] = []
        var receivedOnly: [Int] = []
        var i = 0
        var j = 0
        // An excerpt placed wrongly stops early: once more of its lines failed to match than
        // a placement allows (`giveUp`), the rest cannot make it one.
        while i < sent.count, j < received.count, sentOnly.count <= giveUp.sent, receivedOnly.count <= giveUp.received {
            if same(sent[i], received[j]) {
                pairs.append((i, j))
                i += 1
                j += 1
                continue
            }
            // The nearest resynchronisation: lines only the receiver logged, or only the sender.
            var skipped = false
            for d in 1...window {
                if j + d < received.count, same(sent[i], received[j + d]) {
                    receivedOnly += Array(j..<(j + d))
                    j += d
                    skipped = true
                    break
                }
                if i + d < sent.count, same(sent[i + d], received[j]) {
                    sentOnly += Array(i..<(i + d))
                    i += d
                    skipped = true
                    break
                }
            }
            if !skipped {
                sentOnly.append(i)
                receivedOnly.append(j)
                i += 1
                j += 1
            }
        }
        sentOnly += Array(i..<sent.count)
        receivedOnly += Array(j..<received.count)
        return (pairs, sentOnly, receivedOnly)
    }

    /// Finds the pairs of streams, from different inputs, that are the two ends of one
    /// connection: most of their messages line up both ways, at least one of them names a
    /// channel both agree on, and their times allow one clock offset. Each stream joins at
    /// most one other (the best).
    ///
    /// The peers' node ids must agree too. Two streams that name the same peer are two
    /// connections to that node, not one. A pair also says whose log each input is: the
    /// first stream's peer wrote the second log. A later pair must fit that, and a log never
    /// names its own writer as a peer. Without this, the logs of three nodes whose three
    /// connections carried the same messages at the same times would pair at random.
    public mutating func solve(resolution: Int64 = 1_000_000) {
        var candidates: [(score: Double, pair: Pair)] = []
        for (a, b) in candidatePairs() {
            if let pair = Self.join(streams, a, b, resolution: resolution) {
                let total = Double(streams[a].messages + streams[b].messages)
                candidates.append((Double(2 * pair.matched) / total, pair))
            }
        }
        // Each log's peers (a log: an input's node), and the writer each accepted pair says
        // it has.
        var peers: [String: Set<String>] = [:]
        for stream in streams { if let peer = stream.peer { peers[stream.log, default: []].insert(peer) } }
        var writer: [String: String] = [:]
        func fits(_ log: String, _ node: String?) -> Bool {
            guard let node else { return true }
            if let known = writer[log] { return known == node }
            return peers[log]?.contains(node) != true
        }
        var taken = Set<Int>()
        // Two logs before a capture and a log (a capture is the wire, not a node's view);
        // then the closer match; ties keep the order the streams were found in.
        func rank(_ candidate: (offset: Int, element: (score: Double, pair: Pair))) -> (Int, Double, Int) {
            let pair = candidate.element.pair
            let logs = !streams[pair.first].capture && !streams[pair.second].capture
            return (logs ? 0 : 1, -candidate.element.score, candidate.offset)
        }
        for candidate in candidates.enumerated().sorted(by: { rank($0) < rank($1) }).map(\.element) {
            let pair = candidate.pair
            let first = streams[pair.first]
            let second = streams[pair.second]
            guard !taken.contains(pair.first), !taken.contains(pair.second) else { continue }
            // A capture has no writer: only a log's writer is inferred and checked.
            guard first.capture || fits(first.log, second.capture ? nil : second.peer),
                second.capture || fits(second.log, first.capture ? nil : first.peer)
            else { continue }
            if !second.capture, !first.capture, let peer = first.peer { writer[second.log] = peer }
            if !first.capture, !second.capture, let peer = second.peer { writer[first.log] = peer }
            taken.formUnion([pair.first, pair.second])
            pairs.append(pair)
        }
        pairs.sort { ($0.first, $0.second) < ($1.first, $1.second) }
        // A capture that matched a log already joined to the other end's log: the same
        // connection, seen a third time. It joins that log too, beside the pair of logs,
        // which stays the connection's main pair.
        for candidate in candidates.sorted(by: { $0.score > $1.score }) {
            let (a, b) = (candidate.pair.first, candidate.pair.second)
            guard streams[a].capture != streams[b].capture else { continue }
            let (capture, log) = streams[a].capture ? (a, b) : (b, a)
            guard !taken.contains(capture), let logs = pairs.firstIndex(where: { $0.first == log || $0.second == log }),
                pairs[logs].beside == nil, !streams[pairs[logs].first].capture, !streams[pairs[logs].second].capture
            else { continue }
            var pair = candidate.pair
            pair.beside = logs
            taken.insert(capture)
            pairs.append(pair)
        }
    }

    /// The pairs of streams worth comparing: from different inputs, not naming the same peer,
    /// of sizes a match allows (at least 80% of both must match, so the smaller holds at
    /// least two thirds of the larger), and sharing a channel id when both name channels by
    /// id. Pairs where one names none are compared up to ``maximumBlindComparisons``.
    func candidatePairs() -> [(Int, Int)] {
        var out = Set<Pair.Indexes>()
        var excerptAttempts = 0
        func consider(_ a: Int, _ b: Int, excerpts: Bool = false) {
            guard out.count < Self.maximumComparisons else { return }
            let (x, y) = (min(a, b), max(a, b))
            // Two logs, or two nodes of one log (a `docker compose logs` stream).
            guard x != y, streams[x].input != streams[y].input || streams[x].node != streams[y].node else { return }
            if let peer = streams[x].peer, peer == streams[y].peer { return }
            let (small, large) = (min(streams[x].messages, streams[y].messages), max(streams[x].messages, streams[y].messages))
            if 3 * small < 2 * large {
                // An excerpt of one log against the other's whole log, a bounded number of times.
                guard excerpts, (Self.minimumExcerpt...Self.maximumExcerpt).contains(small), excerptAttempts < Self.maximumExcerptAttempts,
                    out.insert(Pair.Indexes(first: Int32(x), second: Int32(y))).inserted
                else { return }
                excerptAttempts += 1
                return
            }
            out.insert(Pair.Indexes(first: Int32(x), second: Int32(y)))
        }
        // Streams that name channels by id meet in their channels' buckets; there one may be an
        // excerpt of the other's log.
        var byChannel: [UInt64: [Int]] = [:]
        for (number, stream) in streams.enumerated() { for channel in stream.channels { byChannel[channel, default: []].append(number) } }
        for bucket in byChannel.values where out.count < Self.maximumComparisons {
            for a in bucket { for b in bucket { consider(a, b, excerpts: true) } }
        }
        var blind = 0
        for a in streams.indices where streams[a].channels.isEmpty {
            for b in streams.indices where blind < Self.maximumBlindComparisons {
                let before = out.count
                consider(a, b)
                if out.count > before { blind += 1 }
            }
        }
        return out.map { (Int($0.first), Int($0.second)) }.sorted { $0 < $1 }
    }

    /// The two streams as one connection, if they are.
    static func join(_ streams: [Stream], _ a: Int, _ b: Int, resolution: Int64) -> Pair? {
        // A capture may be seen from either end: the orientation that lines up better.
        var best: Pair?
        for flipFirst in streams[a].capture ? [false, true] : [false] {
            for flipSecond in streams[b].capture ? [false, true] : [false] {
                guard var pair = join(streams[a].oriented(flipFirst), streams[b].oriented(flipSecond), a, b, resolution: resolution) else {
                    continue
                }
                pair.firstFlipped = flipFirst
                pair.secondFlipped = flipSecond
                if pair.matched > best?.matched ?? -1 { best = pair }
            }
        }
        return best
    }

    /// The two streams, as oriented, as one connection, if they are.
    static func join(_ first: Stream, _ second: Stream, _ a: Int, _ b: Int, resolution: Int64) -> Pair? {
        if 3 * min(first.messages, second.messages) < 2 * max(first.messages, second.messages) {
            return excerpt(first, second, a, b, resolution: resolution)
        }
        let forward = align(first.sent, second.received)
        let backward = align(second.sent, first.received)
        let matched = forward.pairs.count + backward.pairs.count
        let total = first.messages + second.messages
        // Most of both logs, and a channel both name: two unrelated connections can share
        // their first messages (`init`, gossip), not a channel.
        guard matched >= 4, 2 * matched * 10 >= total * 8 else { return nil }
        let channelShared = sharesChannel(first, second, forward.pairs, backward.pairs)
        let offset = clockOffset(first, second, forward.pairs, backward.pairs, resolution: resolution)
        // Logs that name no channel by its id (Core Lightning's name lines) are joined on a
        // closer match whose times allow one clock offset.
        let close = 2 * matched * 100 >= total * 95
        guard channelShared || (close && matched >= 8 && offset.lower != nil && offset.upper != nil && offset.consistent) else {
            return nil
        }
        // Times that allow no offset at all: the lines were matched wrongly (or a clock jumped).
        guard offset.consistent || close else { return nil }
        return pair(first, second, a, b, forward: forward, backward: backward, offset: offset)
    }

    /// Whether a matched message names a `channel_id` both streams give.
    static func sharesChannel(_ first: Stream, _ second: Stream, _ forward: [(Int, Int)], _ backward: [(Int, Int)]) -> Bool {
        forward.contains { first.sent[$0.0].channel != 0 && first.sent[$0.0].channel == second.received[$0.1].channel }
            || backward.contains { second.sent[$0.0].channel != 0 && second.sent[$0.0].channel == first.received[$0.1].channel }
    }

    /// The clock offset the matched messages' times allow.
    static func clockOffset(_ first: Stream, _ second: Stream, _ forward: [(Int, Int)], _ backward: [(Int, Int)], resolution: Int64)
        -> ClockOffset
    {
        var offset = ClockOffset(lower: nil, upper: nil, resolution: resolution)
        for (i, j) in forward {
            if let s = first.sent[i].time, let r = second.received[j].time { offset.upper = min(offset.upper ?? .max, r - s) }
        }
        for (i, j) in backward {
            if let s = second.sent[i].time, let r = first.received[j].time { offset.lower = max(offset.lower ?? .min, s - r) }
        }
        return offset
    }

    /// Two lined-up streams as a pair, with the clock offset their times allow: its channels
    /// and one-sided lines.
    static func pair(
        _ first: Stream, _ second: Stream, _ a: Int, _ b: Int,
        forward: (pairs: [(Int, Int)], sentOnly: [Int], receivedOnly: [Int]),
        backward: (pairs: [(Int, Int)], sentOnly: [Int], receivedOnly: [Int]), offset: ClockOffset
    ) -> Pair {
        var channels = Set<Pair.Indexes>()
        for (i, j) in forward.pairs where first.sent[i].channelKey >= 0 && second.received[j].channelKey >= 0 {
            channels.insert(Pair.Indexes(first: first.sent[i].channelKey, second: second.received[j].channelKey))
        }
        for (i, j) in backward.pairs where first.received[j].channelKey >= 0 && second.sent[i].channelKey >= 0 {
            channels.insert(Pair.Indexes(first: first.received[j].channelKey, second: second.sent[i].channelKey))
        }
        var oneSided: [(stream: Int, line: Int, kind: UInt16, sent: Bool)] = []
        oneSided += forward.sentOnly.map { (a, first.sent[$0].line, first.sent[$0].kind, true) }
        oneSided += forward.receivedOnly.map { (b, second.received[$0].line, second.received[$0].kind, false) }
        oneSided += backward.sentOnly.map { (b, second.sent[$0].line, second.sent[$0].kind, true) }
        oneSided += backward.receivedOnly.map { (a, first.received[$0].line, first.received[$0].kind, false) }
        oneSided.sort { ($0.stream, $0.line) < ($1.stream, $1.line) }
        return Pair(
            first: a, second: b, matched: forward.pairs.count + backward.pairs.count,
            offset: offset.lower == nil && offset.upper == nil ? nil : offset,
            oneSided: oneSided,
            channels: channels.sorted { ($0.first, $0.second) < ($1.first, $1.second) }.map {
                (first.channelKeys[Int($0.first)], second.channelKeys[Int($0.second)])
            },
            forward: forward.pairs.map { (Int32($0.0), Int32($0.1)) },
            backward: backward.pairs.map { (Int32($0.0), Int32($0.1)) })
    }

    /// The fewest messages an excerpt must have, in each direction at least 2; the most it
    /// may have (an excerpt is a part of a log pasted somewhere).
    static let minimumExcerpt = 8
    static let maximumExcerpt = 16_384
    /// How many excerpts are placed at most (each is tried at many places of a longer
    /// stream), and at how many places each direction is tried at most.
    static let maximumExcerptAttempts = 256
    static let maximumExcerptStarts = 1024
    /// How far apart the two clocks may be for an excerpt to be placed, in nanoseconds (10
    /// minutes): an excerpt has only its own few lines to go by, and the same messages of
    /// another day, or of another connection of the channel, would line up as well.
    static let maximumExcerptOffset: Int64 = 600 * 1_000_000_000

    /// One direction of an excerpt lined up at one place of the longer stream: the matched
    /// pairs (indexes into the full arrays), the unmatched of each side within the span, and
    /// the tightest time bound (receive minus send, nanoseconds).
    struct Placed {
        var pairs: [(Int, Int)]
        var sentOnly: [Int]
        var receivedOnly: [Int]
        var bound: Int64?
        /// How many of the long side's lines the matches span: a place that starts early
        /// and skips lines to catch up spans more.
        var span: Int
    }

    /// An excerpt's lines lined up with the longer stream's, from their first lines on:
    /// matched (short, long) index pairs and the unmatched of each; given up once more than
    /// `allowed` of the excerpt's lines failed to match.
    static func line(_ short: [Entry], _ long: [Entry], _ allowed: Int) -> (pairs: [(Int, Int)], shortOnly: [Int], longOnly: [Int]) {
        let aligned = align(short, long, giveUp: (allowed, .max))
        return (aligned.pairs, aligned.sentOnly, aligned.receivedOnly)
    }

    /// `sent` lined up with `received` at each place where most of the shorter side matches
    /// (`shortIsSent`: the sends are the excerpt's). The places are found by the excerpt's
    /// first line that names an HTLC or a fee (one place, mostly: HTLC ids do not repeat on
    /// a connection), else by its first line; up to ``maximumExcerptStarts`` of them.
    static func placements(_ sent: [Entry], _ received: [Entry], shortIsSent: Bool) -> [Placed] {
        let (short, long) = shortIsSent ? (sent, received) : (received, sent)
        guard !short.isEmpty else { return [] }
        let anchor = short.firstIndex { $0.detail != 0 && $0.channel != 0 } ?? 0
        let mark = short[anchor]
        guard mark.channel != 0 else { return [] }
        // At most 20% of the excerpt's lines may fail to match.
        let allowed = short.count / 5
        var out: [Placed] = []
        var tried = 0
        for found in long.indices where same(mark, long[found]) && long[found].channel == mark.channel {
            tried += 1
            if tried > maximumExcerptStarts { return [] }  // too many places to tell apart
            // From the anchor on, and back from it: each part lined up from a pair that matches.
            let later = line(Array(short[anchor...]), Array(long[found..<min(long.count, found + short.count - anchor + window)]), allowed)
            let earlier = line(
                Array(short[..<anchor].reversed()), Array(long[max(0, found - anchor - window)..<found].reversed()), allowed)
            var pairs = later.pairs.map { (anchor + $0.0, found + $0.1) } + earlier.pairs.map { (anchor - 1 - $0.0, found - 1 - $0.1) }
            guard 10 * pairs.count >= 8 * short.count else { continue }
            pairs.sort { $0.0 < $1.0 }
            guard let firstLong = pairs.first?.1, let lastLong = pairs.last?.1 else { continue }
            let shortOnly = later.shortOnly.map { anchor + $0 } + earlier.shortOnly.map { anchor - 1 - $0 }
            // The long side's lines outside the matches are not the excerpt's.
            let longOnly = (later.longOnly.map { found + $0 } + earlier.longOnly.map { found - 1 - $0 }).filter {
                $0 >= firstLong && $0 <= lastLong
            }
            // As (sent, received) indexes.
            let placedPairs = shortIsSent ? pairs : pairs.map { ($0.1, $0.0) }
            let (sentOnly, receivedOnly) = shortIsSent ? (shortOnly.sorted(), longOnly.sorted()) : (longOnly.sorted(), shortOnly.sorted())
            var bound: Int64?
            for (i, j) in placedPairs {
                if let s = sent[i].time, let r = received[j].time { bound = min(bound ?? .max, r - s) }
            }
            out.append(Placed(pairs: placedPairs, sentOnly: sentOnly, receivedOnly: receivedOnly, bound: bound, span: lastLong - firstLong))
        }
        return out
    }

    /// A stream much shorter than the other (an excerpt of one node's log against the other
    /// node's whole log): the place in the longer stream it lines up with, in both directions.
    /// Repeated traffic lines up in many places; the two directions' times pick the one: the
    /// place whose clock offset bounds are consistent and tightest, and clearly so.
    static func excerpt(_ first: Stream, _ second: Stream, _ a: Int, _ b: Int, resolution: Int64) -> Pair? {
        let firstIsShort = first.messages < second.messages
        let short = firstIsShort ? first : second
        guard short.sent.count >= 2, short.received.count >= 2 else { return nil }
        // forward: first's sends against second's receives; backward: second's against first's.
        let forward = placements(first.sent, second.received, shortIsSent: firstIsShort)
        let backward = placements(second.sent, first.received, shortIsSent: !firstIsShort)
        // The offset d (second's clock minus first's): d ≤ forward bound, d ≥ −backward bound.
        let lows = backward.enumerated().compactMap { i, p in p.bound.map { (-$0, i) } }.sorted { $0.0 < $1.0 }
        // Each forward place with the backward place whose lower bound is the highest that
        // fits under its upper bound; the most messages matched, then the tightest bounds,
        // then the shortest span.
        var fits: [(matched: Int, width: Int64, span: Int, forward: Int, backward: Int)] = []
        for (f, placed) in forward.enumerated() {
            guard let upper = placed.bound else { continue }
            var low = 0
            var high = lows.count
            while low < high {
                let mid = (low + high) / 2
                if lows[mid].0 <= upper + 2 * resolution { low = mid + 1 } else { high = mid }
            }
            guard low > 0 else { continue }
            let (lower, index) = lows[low - 1]
            fits.append((placed.pairs.count + backward[index].pairs.count, max(0, upper - lower), placed.span + backward[index].span, f, index))
        }
        fits.sort { ($0.matched, -$0.width, -$0.span) > ($1.matched, -$1.width, -$1.span) }
        // Two places that fit equally well (repeated traffic that one clock offset or another
        // lines up alike): the excerpt cannot be placed.
        guard let best = fits.first else { return nil }
        if let next = fits.dropFirst().first, next.matched == best.matched, next.width <= best.width + 2 * resolution, next.span == best.span {
            return nil
        }
        let f = forward[best.forward]
        let g = backward[best.backward]
        // Each place's bound is the tightest over its pairs: the offset of the two together.
        let offset = ClockOffset(lower: g.bound.map { -$0 }, upper: f.bound, resolution: resolution)
        guard let estimate = offset.estimate, estimate.magnitude <= maximumExcerptOffset.magnitude else { return nil }
        let matched = f.pairs.count + g.pairs.count
        guard matched >= 4 else { return nil }
        guard sharesChannel(first, second, f.pairs, g.pairs) else { return nil }
        let longLines =
            (firstIsShort
                ? f.pairs.map { second.received[$0.1].line } + g.pairs.map { second.sent[$0.0].line }
                : f.pairs.map { first.sent[$0.0].line } + g.pairs.map { first.received[$0.1].line })
        guard let lowest = longLines.min(), let highest = longLines.max() else { return nil }
        var pair = pair(
            first, second, a, b, forward: (f.pairs, f.sentOnly, f.receivedOnly), backward: (g.pairs, g.sentOnly, g.receivedOnly),
            offset: offset)
        pair.excerpt = (firstIsShort ? b : a, lowest...highest)
        return pair
    }

    /// The joined stream of input `input`'s node `node`, stream `connection`, and the index
    /// of its pair in ``pairs``.
    /// (A log that a capture joins beside its pair with the other end's log: that pair.)
    public func pair(input: Int, node: String, connection: Int) -> (stream: Int, pair: Int)? {
        guard let stream = index[StreamKey(input: input, node: node, connection: connection)] else { return nil }
        guard let pair = pairs.firstIndex(where: { $0.first == stream || $0.second == stream }) else { return nil }
        return (stream, pair)
    }

    /// The pairs a stream is in, beyond its main one: a capture's pair beside it.
    public func besidePairs(of stream: Int) -> [Int] {
        pairs.indices.filter { pairs[$0].beside != nil && (pairs[$0].first == stream || pairs[$0].second == stream) }
    }

    /// The other end of a message in a joined stream: for one its node received, the line
    /// and time the other log sent it at; for one it sent, where and when the other received it.
    /// (`sent`: whether the line is one its node sent.)
    public func counterpart(line: Int, in stream: Int, pair: Pair) -> (line: Int, time: Int64?, sent: Bool, frame: Int32)? {
        let isFirst = pair.first == stream
        let own = streams[stream].oriented(isFirst ? pair.firstFlipped : pair.secondFlipped)
        let other = streams[isFirst ? pair.second : pair.first].oriented(isFirst ? pair.secondFlipped : pair.firstFlipped)
        // Entries are in line order (a log is read in order); matched pairs increase in both
        // indexes.
        let outgoing = isFirst ? pair.forward : pair.backward
        let incoming = isFirst ? pair.backward : pair.forward
        if let i = Self.find(line, in: own.sent, by: \.line),
            let match = Self.find(Int32(i), in: outgoing, by: \.sent).map({ outgoing[$0] })
        {
            let entry = other.received[Int(match.received)]
            return (entry.line, entry.time, true, entry.frame)
        }
        if let j = Self.find(line, in: own.received, by: \.line),
            let match = Self.find(Int32(j), in: incoming, by: \.received).map({ incoming[$0] })
        {
            let entry = other.sent[Int(match.sent)]
            return (entry.line, entry.time, false, entry.frame)
        }
        return nil
    }

    /// Binary search: the index of the element of `sorted` (in increasing `key`) whose key is
    /// `value`.
    static func find<Element, Key: Comparable>(_ value: Key, in sorted: [Element], by key: KeyPath<Element, Key>) -> Int? {
        var low = 0
        var high = sorted.count
        while low < high {
            let mid = (low + high) / 2
            if sorted[mid][keyPath: key] < value { low = mid + 1 } else { high = mid }
        }
        return low < sorted.count && sorted[low][keyPath: key] == value ? low : nil
    }
}
