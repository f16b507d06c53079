import Basics
import Wire

/// BOLT #7 on one connection: the gossip messages' own fields, and the query family's
/// turn-taking. (Signatures of gossip are not verified here.)
enum GossipRules {
    static let all: [Rule] = [
        announcementSignaturesOnlyIfAnnounced, updateFlags, updateHTLCMaximum, announcementNodeOrder, announcementFeatures, shortIDEncoding,
        shortIDQueryOutstanding, rangeQueryOutstanding,
    ]

    /// Whether the trace shows every reply to a query: a capture does; a node log may not
    /// (eclair logs only those it receives).
    static func repliesComplete(_ c: inout Check) -> Bool {
        if !c.connection.transport { c.notEvaluated("a node log may not show every reply (eclair logs only those it receives)") }
        return c.connection.transport
    }

    static let updateSection = "BOLT #7 §\"The channel_update Message\" Requirements"
    static let announcementSection = "BOLT #7 §\"The channel_announcement Message\" Requirements"
    static let querySection = "BOLT #7 §\"Query Messages\" Requirements"

    static let announcementSignaturesOnlyIfAnnounced = Rule(
        RuleInfo(
            "as-only-if-announce", "announcement_signatures only for an announced channel",
            section: "BOLT #7 §\"The announcement_signatures Message\" Requirements",
            severity: .error,
            spec:
                "A node: if the `open_channel` message has the `announce_channel` bit set AND a `shutdown` message has not been sent: MUST send the `announcement_signatures` message … Otherwise: MUST NOT send the `announcement_signatures` message.",
            explanation:
                "Only a channel opened with `announce_channel` is announced, and a node that has asked to close its channel no longer announces it.",
            example: "→ open_channel channel_flags=0, …, → announcement_signatures"),
        on: [.announcementSignatures]
    ) { c in
        guard let ch = c.known(.opened) else { return }
        guard let announce = ch.announce else { return c.notEvaluated("the opening does not give `channel_flags`") }
        if !announce { return c.violation("`announcement_signatures` for a channel opened without `announce_channel`") }
        if ch.shutdownSent[c.sender] { c.violation("`announcement_signatures` after the sender's own `shutdown`") }
    }

    static let updateFlags = Rule(
        RuleInfo(
            "cu-flags", "channel_update flags as defined", section: updateSection,
            severity: .error,
            spec:
                "The origin node: MUST set `must_be_one` in `message_flags` to 1. MUST set bits in `channel_flags` and `message_flags` that are not assigned a meaning to 0.",
            explanation:
                "`message_flags` has `must_be_one` (bit 0) and `dont_forward` (bit 1); `channel_flags` has `direction` (bit 0) and `disable` (bit 1). Every other bit is 0. Until `htlc_maximum_msat` became mandatory, bit 0 of `message_flags` said whether that field was present: an update without the field (older nodes, log summaries that omit it) is not judged on `must_be_one`.",
            example: "→ channel_update message_flags=0"), on: [.channelUpdate]
    ) { c in
        guard let messageFlags = c.need(\.messageFlags), let channelFlags = c.need(\.channelFlags) else { return }
        var problems: [String] = []
        // Before `htlc_maximum_msat` became mandatory (2022), bit 0 said whether it was present:
        // a message without the field (an older log's summary, an older node) is not judged on it.
        if messageFlags & 1 == 0 && c.typed.htlcMaximumMsat != nil { problems.append("`must_be_one` is 0") }
        if messageFlags & ~0b11 != 0 { problems.append("message_flags sets unassigned bits (\(String(messageFlags, radix: 2)))") }
        if channelFlags & ~0b11 != 0 { problems.append("channel_flags sets unassigned bits (\(String(channelFlags, radix: 2)))") }
        if !problems.isEmpty { c.violation(problems.joined(separator: "; ")) }
    }

    static let updateHTLCMaximum = Rule(
        RuleInfo(
            "cu-htlc-max", "htlc_maximum_msat not below htlc_minimum_msat", section: updateSection,
            severity: .error,
            spec:
                "The origin node: MUST set `htlc_maximum_msat` to the maximum value it will send through this channel for a single HTLC. MUST set this to less than or equal to the channel capacity. MUST set this to less than or equal to `max_htlc_value_in_flight_msat` it received from the peer. MUST set this to greater than or equal to `htlc_minimum_msat`.",
            explanation:
                "An update whose maximum is below its own minimum admits no HTLC. (The bounds by the channel's capacity and the peer's `max_htlc_value_in_flight_msat` need the funding behind the `short_channel_id`, which the model does not link; they are not judged.)",
            example: "→ channel_update htlc_minimum_msat=1000 htlc_maximum_msat=999"), on: [.channelUpdate]
    ) { c in
        guard let maximum = c.need(\.htlcMaximumMsat), let minimum = c.need(\.htlcMinimumMsat) else { return }
        if maximum < minimum {
            c.violation(
                "htlc_maximum_msat \(maximum) is below htlc_minimum_msat \(minimum)", field: \TypedMessage.htlcMaximumMsat, actual: maximum,
                minimum: minimum)
        }
    }

    static let announcementNodeOrder = Rule(
        RuleInfo(
            "ca-node-order", "node_id_1 is the lesser node id", section: announcementSection,
            severity: .error,
            spec:
                "MUST set `node_id_1` and `node_id_2` to the public keys of the two nodes operating the channel, such that `node_id_1` is the lexicographically-lesser of the two compressed keys sorted in ascending lexicographic order.",
            explanation:
                "The order decides which node is direction 0 in `channel_update` and which signature is whose; two equal ids cannot operate a channel. (That the bitcoin keys are the nodes' funding keys needs the opening, and is not judged here.)",
            example: "→ channel_announcement node_id_1=03… node_id_2=02…"), on: [.channelAnnouncement]
    ) { c in
        guard let one = c.needBytes(\.nodeID1), let two = c.needBytes(\.nodeID2) else { return }
        if !one.lexicographicallyPrecedes(two) {
            c.violation("node_id_1 \(short(Hex.encode(one))) is not less than node_id_2 \(short(Hex.encode(two)))")
        }
    }

    static let announcementFeatures = Rule(
        RuleInfo(
            "ca-features", "channel_announcement features in their shortest form", section: announcementSection,
            severity: .error,
            spec: "MUST set `len` to the minimum length required to hold the `features` bits it sets.",
            explanation: "A feature bitmap is big-endian: a leading zero byte adds nothing, and the announcement is signed as sent.",
            example: "→ channel_announcement len=1 features=00"), on: [.channelAnnouncement]
    ) { c in
        guard let features = c.needBytes(\.features) else { return }
        if features.first == 0 { c.violation("`features` (\(features.count) byte\(features.count == 1 ? "" : "s")) starts with a zero byte") }
    }

    static let shortIDEncoding = Rule(
        RuleInfo(
            "q-scid-encoding", "encoded_short_ids: sorted, uncompressed, whole", section: querySection,
            severity: .error,
            spec:
                "The sender: MUST set the first byte of `encoded_short_ids` to the encoding type. MUST encode a whole number of `short_channel_id`s to `encoded_short_ids`. (Encoding types: `0`: uncompressed array of `short_channel_id` types, in ascending order; `1`: previously used for zlib compression, this encoding MUST NOT be used.)",
            explanation: "Only encoding 0 remains: after its type byte, 8-byte short channel ids in ascending order.",
            example: "→ query_short_channel_ids encoded_short_ids=01…"), on: [.queryShortChannelIds]
    ) { c in
        guard let encoded = c.needBytes(\.encodedShortIds) else { return }
        guard let type = encoded.first else { return c.violation("`encoded_short_ids` is empty: it has no encoding type") }
        if type == 1 { return c.violation("encoding type 1 (zlib), which must not be used") }
        if type != 0 { return c.violation("encoding type \(type), which BOLT #7 does not define") }
        let ids = encoded.dropFirst()
        if ids.count % 8 != 0 { return c.violation("\(ids.count) bytes after the encoding type: not a whole number of short_channel_ids") }
        var previous: UInt64?
        for start in stride(from: ids.startIndex, to: ids.endIndex, by: 8) {
            let id = ids[start..<(start + 8)].reduce(UInt64(0)) { $0 << 8 | UInt64($1) }
            if let previous, id <= previous {
                return c.violation(
                    "short_channel_id \(ShortChannelID(rawValue: id)) follows \(ShortChannelID(rawValue: previous)): not in ascending order")
            }
            previous = id
        }
    }

    static let shortIDQueryOutstanding = Rule(
        RuleInfo(
            "q-scid-outstanding", "one query_short_channel_ids at a time", section: querySection,
            severity: .error,
            spec:
                "The sender: MUST NOT send `query_short_channel_ids` if it has sent a previous `query_short_channel_ids` to this peer and not received `reply_short_channel_ids_end`.",
            explanation: "A node waits for the end of the replies to its query before it queries again.",
            example: "→ query_short_channel_ids, → query_short_channel_ids (before ← reply_short_channel_ids_end)"),
        on: [.queryShortChannelIds]
    ) { c in
        // Only queries seen in the trace count: one sent before it began cannot be judged.
        guard repliesComplete(&c) else { return }
        if c.connection.shortIDQueryOutstanding[c.direction] {
            c.violation("a second `query_short_channel_ids` before `reply_short_channel_ids_end` answered the first")
        }
    }

    static let rangeQueryOutstanding = Rule(
        RuleInfo(
            "q-range-outstanding", "one query_channel_range at a time", section: querySection,
            severity: .error,
            spec:
                "The sender of `query_channel_range`: MUST NOT send this if it has sent a previous `query_channel_range` to this peer and not received all `reply_channel_range` replies.",
            explanation:
                "The replies to a range query cover its blocks in order; the query is answered when a reply reaches the end of the range (`first_blocknum` + `number_of_blocks`). Judged on captures: a node log may not show every reply.",
            example: "→ query_channel_range, → query_channel_range (before the replies reach the end of the first)"),
        on: [.queryChannelRange]
    ) { c in
        guard repliesComplete(&c) else { return }
        if let end = c.connection.rangeQueryEnd[c.direction] {
            c.violation("a second `query_channel_range` before the replies to the first reached block \(end)")
        }
    }
}
